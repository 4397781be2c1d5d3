"""The Dask runner on real clusters: its output is `entente batch`'s."""

import glob
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

RUNFILES = os.environ["ENTENTE_RUNFILES"]
RULES = os.path.join(RUNFILES, "rules")
CLI = os.path.join(RUNFILES, "cli", "entente")
RUNNER = os.path.join(RUNFILES, "python", "dask_batch.py")
PYTHON = "/usr/bin/python3"

SENTENCES = [
    "China and Iran called for an immediate ceasefire in Gaza.",
    "The two sides will support each other on core interests.",
    "We do not support a ceasefire.",
    "France opposes the sanctions imposed on Venezuela.",
    "Brazil reaffirmed its commitment to multilateralism and to the Paris Agreement.",
    "The delegation thanked the President of the General Assembly for his work.",
    "Our region faces droughts, floods and rising seas every year.",
]


def write_inputs(directory, documents):
    """A plain JSON Lines file with some bad lines, and a gzip one."""
    rng = random.Random(7)
    plain = os.path.join(directory, "a.jsonl")
    with open(plain, "w", encoding="utf-8") as f:
        for i in range(documents):
            text = " ".join(rng.choice(SENTENCES) for _ in range(20))
            record = {"id": "a%d" % i, "text": text}
            if i % 3 == 0:
                record["speaker"] = rng.choice(["CHN", "FRA", "USA"])
            f.write(json.dumps(record) + "\n")
            if i % 250 == 0:
                f.write("not json\n\n")
                f.write('{"id":"m%d"}\n' % i)
    packed = os.path.join(directory, "b.jsonl.gz")
    with gzip.open(packed, "wt", encoding="utf-8") as f:
        for i in range(200):
            f.write(json.dumps({"id": "b%d" % i, "text": rng.choice(SENTENCES)}) + "\n")
        f.write('{"id":"b-last","text":"We support a truce."}')  # no final newline
    return [plain, packed]


def reference(inputs):
    out = subprocess.run(
        [CLI, "batch", "--rules", RULES, "--progress", "never", "--fail_on_errors=false"] + inputs,
        capture_output=True,
        check=True,
    )
    return out.stdout


def parts(directory):
    data = b""
    for path in sorted(glob.glob(os.path.join(directory, "part-*.jsonl"))):
        with open(path, "rb") as f:
            data += f.read()
    return data


def annotations_by_id(jsonl):
    """{id: sorted annotations} of JSON Lines output (error records too)."""
    out = {}
    for line in jsonl.decode().splitlines():
        record = json.loads(line)
        key = record.get("id", "line %s" % record.get("line"))
        out[key] = json.dumps(record.get("annotations", record.get("error")), sort_keys=True)
    return out


def runner(args, **kwargs):
    return subprocess.run(
        [PYTHON, RUNNER, "--rules", RULES] + args, capture_output=True, timeout=600, **kwargs
    )


class LocalClusterTest(unittest.TestCase):
    def test_output_equals_entente_batch(self):
        with tempfile.TemporaryDirectory() as d:
            inputs = write_inputs(d, 600)
            out = os.path.join(d, "out")
            r = runner(["--workers", "2", "--block_bytes", "65536", "--output", out] + inputs)
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            summary = json.loads(r.stderr.decode().strip().splitlines()[-1])
            self.assertGreater(summary["parts"], 3)
            want = reference(inputs)
            # Byte for byte: the same records, line numbers and order.
            self.assertEqual(parts(out), want)
            self.assertEqual(summary["errors"], 6)  # 3 x (not json, no text field)

    def test_a_broken_rule_set_stops_before_any_task(self):
        with tempfile.TemporaryDirectory() as d:
            rules = os.path.join(d, "bad.textproto")
            with open(rules, "w") as f:
                f.write('name: "bad"\nrule { id: "r" stance: "s" pattern: "(" }\n')
            r = subprocess.run(
                [PYTHON, RUNNER, "--rules", rules, "--output", os.path.join(d, "o"), rules],
                capture_output=True,
                timeout=120,
            )
            self.assertEqual(r.returncode, 2)
            self.assertRegex(r.stderr.decode(), r"bad\.textproto:\d+:\d+: error")
            self.assertFalse(os.path.exists(os.path.join(d, "o")))


class RealClusterTest(unittest.TestCase):
    """A scheduler and two workers as separate processes on loopback."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.procs = []
        env = dict(os.environ)
        scheduler_file = os.path.join(self.dir.name, "scheduler.json")
        self.start(
            [
                "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                "--no-dashboard", "--scheduler-file", scheduler_file,
            ],
            env,
        )
        deadline = time.time() + 60
        while not os.path.exists(scheduler_file) and time.time() < deadline:
            time.sleep(0.1)
        with open(scheduler_file) as f:
            self.address = json.load(f)["address"]
        # No nanny: a killed worker stays dead, and the scheduler must move
        # its tasks to the other one.
        self.workers = [
            self.start(
                [
                    "-m", "distributed.cli.dask_worker", self.address, "--nthreads", "1",
                    "--no-nanny", "--no-dashboard", "--name", "w%d" % i,
                ],
                env,
            )
            for i in range(2)
        ]

    def start(self, args, env):
        log = open(os.path.join(self.dir.name, "proc%d.log" % len(self.procs)), "wb")
        p = subprocess.Popen([PYTHON] + args, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.dir.cleanup()

    def test_a_worker_killed_mid_job_and_the_job_completes(self):
        inputs = write_inputs(self.dir.name, 3000)
        out = os.path.join(self.dir.name, "out")
        job = subprocess.Popen(
            [PYTHON, RUNNER, "--rules", RULES, "--scheduler", self.address,
             "--block_bytes", "32768", "--output", out] + inputs,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # Kill one worker once the job is under way and far from done.
        deadline = time.time() + 300
        while len(glob.glob(os.path.join(out, "part-*.jsonl"))) < 3:
            self.assertIsNone(job.poll(), "the job ended before a worker could be killed")
            self.assertLess(time.time(), deadline)
            time.sleep(0.05)
        self.workers[0].send_signal(signal.SIGKILL)
        self.workers[0].wait()
        done = len(glob.glob(os.path.join(out, "part-*.jsonl")))
        _, err = job.communicate(timeout=600)
        self.assertEqual(job.returncode, 0, err.decode())
        summary = json.loads(err.decode().strip().splitlines()[-1])
        self.assertLess(done, summary["parts"], "the worker died after the last part")
        want = reference(inputs)
        self.assertEqual(annotations_by_id(parts(out)), annotations_by_id(want))
        self.assertEqual(parts(out), want)
        self.assertIsNone(self.workers[1].poll(), "the surviving worker is still up")


if __name__ == "__main__":
    unittest.main()
