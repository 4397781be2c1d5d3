"""Calls the real entente_server from Python (Debian's python3-grpcio).

Run by python_client_test.sh, which generates the stubs first. Starts the
server on port 0, classifies a short text like the seed article, checks the
health and reflection services, then stops the server with SIGTERM.
"""

import argparse
import os
import signal
import subprocess
import sys
import unittest

ARTICLE = (
    "During a meeting in Beijing, China and Iran's foreign ministers discussed the need "
    "for a ceasefire in Gaza. The two nations emphasized the importance of a ceasefire in "
    "Gaza while expressing mutual support for each other on critical issues. Chinese "
    "Foreign Minister Wang Yi stated that both sides ought to support each other on mutual "
    "core interests and advance their practical cooperation. He underscored the need for "
    "improved coordination within the Shanghai Cooperation Organization (SCO) and the "
    "BRICS group."
)

FLAGS = None


def start_server(extra_args=()):
    process = subprocess.Popen(
        # The rules in the runfiles are links into the source tree.
        [FLAGS.server, "--listen=127.0.0.1:0", "--rules=" + FLAGS.rules,
         "--trust_rules_links", "--poll_interval_ms=0"] + list(extra_args),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("listening on "):
            return process, line.split()[-1]
    process.kill()
    raise RuntimeError("server did not start: " + process.stderr.read())


class PythonClientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, FLAGS.stubs)
        global grpc, rule_set_pb2, service_pb2, service_pb2_grpc, health_pb2, health_pb2_grpc
        import grpc
        from proto import rule_set_pb2, service_pb2, service_pb2_grpc
        from service.testing import health_pb2, health_pb2_grpc
        cls.process, cls.address = start_server()
        cls.channel = grpc.insecure_channel(cls.address)
        grpc.channel_ready_future(cls.channel).result(timeout=30)
        cls.stub = service_pb2_grpc.EntenteStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.process.send_signal(signal.SIGTERM)
        code = cls.process.wait(timeout=30)
        if code != 0:
            raise AssertionError("server exited with %d: %s" % (code, cls.process.stderr.read()))

    def test_classify_gets_the_article_stances(self):
        response = self.stub.Classify(
            service_pb2.ClassifyRequest(id="article", text=ARTICLE.encode("utf-8")), timeout=30)
        result = response.result
        self.assertEqual(result.id, "article")
        self.assertEqual(result.rule_set, "default")
        self.assertIn("+", result.rule_set_version)
        stances = {(s.actor, s.stance, rule_set_pb2.Polarity.Name(s.polarity))
                   for s in result.aggregate.actor_stances}
        self.assertIn(("CHN", "ceasefire", "SUPPORT"), stances)
        self.assertIn(("IRN", "ceasefire", "SUPPORT"), stances)
        self.assertIn(("CHN", "core_interests", "SUPPORT"), stances)
        self.assertIn(("CHN", "multilateral", "SUPPORT"), stances)
        mutual = [e for e in result.aggregate.edges
                  if e.stance == "core_interests" and e.mutual]
        self.assertEqual([(e.actor_a, e.actor_b) for e in mutual], [("CHN", "IRN")])
        for annotation in result.annotations:
            self.assertTrue(annotation.evidence, annotation)
            span = annotation.evidence[0].span
            self.assertEqual(ARTICLE.encode("utf-8")[span.begin:span.end].decode("utf-8"),
                             span.text)

    def test_errors_carry_status_codes(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.Classify(service_pb2.ClassifyRequest(text=b"\xff"), timeout=30)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("UTF-8", caught.exception.details())
        with self.assertRaises(grpc.RpcError) as caught:
            self.stub.Classify(service_pb2.ClassifyRequest(text=b"x", rule_set="nope"), timeout=30)
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_stream(self):
        requests = (service_pb2.ClassifyRequest(id=str(i), text=b"We call for a ceasefire.",
                                                speaker="CHN") for i in range(100))
        ids = [r.result.id for r in self.stub.ClassifyStream(requests, timeout=60)]
        self.assertEqual(ids, [str(i) for i in range(100)])

    def test_health(self):
        health = health_pb2_grpc.HealthStub(self.channel)
        for service in ("", "entente.v1.Entente"):
            reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=30)
            self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING)

    def test_reflection_lists_the_service(self):
        # ServerReflectionRequest{list_services: ""} by hand (field 7, empty
        # string): Debian ships no Python reflection stubs.
        call = self.channel.stream_stream(
            "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
            request_serializer=None, response_deserializer=None)
        replies = list(call(iter([b"\x3a\x00"]), timeout=30))
        self.assertEqual(len(replies), 1)
        self.assertIn(b"entente.v1.Entente", replies[0])
        self.assertIn(b"grpc.health.v1.Health", replies[0])


def main():
    global FLAGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--stubs", required=True)
    FLAGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
