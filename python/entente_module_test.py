"""The `entente` module as a Python user calls it."""

import json
import os
import subprocess
import tempfile
import threading
import unittest

import entente

RUNFILES = os.environ["ENTENTE_RUNFILES"]
RULES = os.path.join(RUNFILES, "rules")
CLI = os.path.join(RUNFILES, "cli", "entente")


def shared(relative):
    """A file of the team's shared folder, beside the source tree."""
    rule = os.path.realpath(os.path.join(RULES, "default.textproto"))
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(rule))), "shared", relative)
    return path if os.path.exists(path) else None


def stances(result):
    """{(stance, polarity, holders...)} of a result dict."""
    out = set()
    for a in result.get("annotations", []):
        holders = tuple(sorted(h["actor"] for h in a.get("holders", [])))
        out.add((a["stance"], a["polarity"], holders))
    return out


class RuleSetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rules = entente.RuleSet(RULES)

    def test_attributes(self):
        self.assertEqual(self.rules.name, "default")
        self.assertRegex(self.rules.version, r"^\d{4}\.\d{2}\.\d{2}")
        self.assertEqual(
            sorted(self.rules.stances), ["ceasefire", "core_interests", "multilateral"]
        )

    def test_classify_returns_the_batch_json_shape(self):
        r = self.rules.classify("China calls for an immediate ceasefire in Gaza.", id="d1")
        self.assertEqual(r["id"], "d1")
        self.assertEqual(stances(r), {("ceasefire", "SUPPORT", ("CHN",))})
        evidence = r["annotations"][0]["evidence"][0]
        self.assertEqual(evidence["rule_id"], "cf_call_for")
        # Byte offsets into the text, as everywhere else.
        self.assertEqual(evidence["span"]["text"], "calls for an immediate ceasefire")

    def test_speaker_resolves_first_person(self):
        r = self.rules.classify("We oppose any ceasefire.", speaker="ISR")
        self.assertEqual(stances(r), {("ceasefire", "OPPOSE", ("ISR",))})

    def test_explain_adds_the_explanation(self):
        plain = self.rules.classify("We support a ceasefire.", speaker="FRA")
        explained = self.rules.classify("We support a ceasefire.", speaker="FRA", explain=True)
        self.assertNotIn("explanation", plain)
        self.assertIn("explanation", explained)
        self.assertEqual(stances(plain), stances(explained))

    def test_same_result_as_the_cli(self):
        text = "Russia and China pledged to support each other's core interests."
        line = json.dumps({"id": "x", "text": text}) + "\n"
        cli = subprocess.run(
            [CLI, "batch", "--rules", RULES, "--progress", "never"],
            input=line.encode(),
            capture_output=True,
            check=True,
        )
        self.assertEqual(json.loads(cli.stdout), self.rules.classify(text, id="x"))
        with_sentences = self.rules.classify(text, id="x", sentences=True)
        self.assertEqual(with_sentences["sentences"][0]["span"]["text"], text)

    def test_seed_article(self):
        path = shared("seed/article.txt")
        if path is None:
            self.skipTest("../shared/seed/article.txt is not beside the source tree")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        r = self.rules.classify(text)
        actors = {
            (a["actor"], a["stance"], a["polarity"]) for a in r["aggregate"]["actor_stances"]
        }
        # China and Iran call for a ceasefire, back each other's core
        # interests and coordinate within the SCO and BRICS; nothing else
        # (the same set as tests/seed_article_test.cc).
        self.assertEqual(
            actors,
            {
                (actor, stance, "SUPPORT")
                for actor in ("CHN", "IRN")
                for stance in ("ceasefire", "core_interests", "multilateral")
            },
        )

    def test_invalid_utf8_bytes_raise_value_error_with_the_offset(self):
        with self.assertRaisesRegex(ValueError, r"not valid UTF-8 \(byte 6\)"):
            self.rules.classify(b"truce \xff ceasefire")
        # Valid UTF-8 bytes are accepted like a str.
        self.assertEqual(
            self.rules.classify("Iran calls for a ceasefire.".encode()),
            self.rules.classify("Iran calls for a ceasefire."),
        )

    def test_a_lone_surrogate_is_a_value_error(self):
        with self.assertRaises(ValueError):
            self.rules.classify("ceasefire \udcff")

    def test_wrong_type_is_a_type_error(self):
        with self.assertRaises(TypeError):
            self.rules.classify(42)

    def test_batch_matches_one_by_one_in_order(self):
        texts = [
            "China calls for a ceasefire.",
            "The weather is fine.",
            "We do not support a ceasefire.",
            "Brazil reaffirmed its commitment to multilateralism.",
        ] * 25
        speakers = ["CHN", None, "FRA", "BRA"] * 25
        batch = self.rules.classify_batch(texts, speakers=speakers, threads=3)
        self.assertEqual(len(batch), len(texts))
        for text, speaker, got in zip(texts, speakers, batch):
            self.assertEqual(got, self.rules.classify(text, speaker=speaker))
        with self.assertRaisesRegex(ValueError, "fewer speakers"):
            self.rules.classify_batch(texts, speakers=["CHN"])

    def test_batch_releases_the_gil(self):
        # A Python thread keeps running while the engine works.
        ticks = []
        stop = threading.Event()

        def tick():
            while not stop.is_set():
                ticks.append(1)
                stop.wait(0.001)

        t = threading.Thread(target=tick)
        t.start()
        self.rules.classify_batch(["China calls for a ceasefire. " * 50] * 200, threads=1)
        stop.set()
        t.join()
        self.assertGreater(len(ticks), 5)

    def test_score_lines_writes_batch_records(self):
        lines = [
            b'{"id":"a","text":"China calls for a ceasefire."}\n',
            b"\n",
            b"not json\n",
            b'{"id":"c","text":"truce \\u0000"}\n',
            b'{"id":"d"}\n',
        ]
        output, counts = self.rules.score_lines(lines, first_line=10)
        records = [json.loads(l) for l in output.decode().splitlines()]
        self.assertEqual(len(records), 4)
        self.assertEqual(records[0]["id"], "a")
        self.assertEqual(records[1]["line"], 12)
        self.assertIn("error", records[1])
        self.assertEqual(records[3], {"id": "d", "line": 14, "error": 'missing string field "text"'})
        self.assertEqual(counts["documents"], 2)
        self.assertEqual(counts["errors"], 2)
        self.assertEqual(counts["annotations"], {"ceasefire/SUPPORT": 1})


class BrokenRulesTest(unittest.TestCase):
    def test_a_broken_rule_file_raises_with_file_line_col(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "broken.textproto")
            with open(path, "w") as f:
                f.write('name: "broken"\nversion: "1"\nstance { id: "s" }\n')
                f.write('rule {\n  id: "r"\n  stance: "s"\n  polarity: SUPPORT\n')
                f.write('  pattern: "(unclosed"\n}\n')
            with self.assertRaises(entente.RuleError) as caught:
                entente.RuleSet(path)
            self.assertIsInstance(caught.exception, ValueError)
            diagnostics = caught.exception.diagnostics
            self.assertEqual(len(diagnostics), 1)
            self.assertRegex(diagnostics[0], r"^.*broken\.textproto:8:\d+: error: .*missing \)")

    def test_a_missing_path_raises(self):
        with self.assertRaises(entente.RuleError):
            entente.RuleSet("/nonexistent/rules")


if __name__ == "__main__":
    unittest.main()
