#!/usr/bin/env python3
"""The Python `re` baseline of bench/engine_bench: what an analyst would write.

Runs every rule's expanded pattern (as `engine_bench --dump_patterns` writes
them) with Python's `re` over the sentences `engine_bench --dump_sentences`
writes, finding all matches and checking each matching rule's vetoes, as the
naive C++ loop does. Prints one JSON object: sentences, bytes, seconds,
mb_per_second, matches, and the rules Python could not compile.

  python3 bench/python_baseline.py --sentences S.txt --patterns P.jsonl --every 20
"""

import argparse
import json
import re
import sys
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", required=True, help="one sentence per line (UTF-8)")
    parser.add_argument("--patterns", required=True, help="JSON Lines: id, pattern, vetoes")
    parser.add_argument("--every", type=int, default=1,
                        help="take every N-th sentence (Python is slow; throughput is per byte)")
    args = parser.parse_args()

    rules = []
    failed = []
    with open(args.patterns, encoding="utf-8") as f:
        for line in f:
            rule = json.loads(line)
            try:
                pattern = re.compile(rule["pattern"])
                vetoes = [re.compile(v) for v in rule["vetoes"]]
            except re.error as e:
                failed.append({"id": rule["id"], "error": str(e)})
                continue
            rules.append((pattern, vetoes))

    with open(args.sentences, encoding="utf-8") as f:
        sentences = f.read().split("\n")
    if sentences and sentences[-1] == "":
        sentences.pop()
    sample = sentences[:: max(1, args.every)]
    size = sum(len(s.encode("utf-8")) for s in sample)

    matches = 0
    start = time.perf_counter()
    for sentence in sample:
        for pattern, vetoes in rules:
            found = sum(1 for _ in pattern.finditer(sentence))
            if found and not any(v.search(sentence) for v in vetoes):
                matches += 1
    seconds = time.perf_counter() - start

    json.dump({
        "python": sys.version.split()[0],
        "rules": len(rules),
        "failed_rules": failed,
        "sentences": len(sample),
        "bytes": size,
        "seconds": round(seconds, 3),
        "mb_per_second": round(size / seconds / 1e6, 4) if seconds > 0 else None,
        "matches": matches,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
