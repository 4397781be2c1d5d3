"""The Dask runner beside `entente batch` on the same corpus, in one run.

    bazel build -c opt //cli:entente //python:entente.so
    python3 bench/dask_benchmark.py [--corpus ../shared/corpus/ungdc.jsonl.gz] [--workers 2]

Decompresses the corpus to a temporary plain file (a gzip file is one Dask
task: it cannot be split), then runs `entente batch --threads N` and
`python/dask_batch.py --workers N` on it, alternately, and prints a Markdown
table: wall time, MB/s of input, and the peak of the summed resident memory
of each job's whole process tree (sampled every 0.2 s from /proc). Checks
that the Dask parts, concatenated, equal the batch output byte for byte.
"""

import argparse
import glob
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "bazel-out", "k8-opt", "bin")


def tree_rss(pid):
    """Resident bytes of `pid` and all its descendants, from /proc."""
    parent = {}
    rss = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parent[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    total = 0
    for p in rss:
        q = p
        while q in parent and q != pid and q > 1:
            q = parent[q]
        if q == pid:
            total += rss[p]
    return total


def measure(cmd, env):
    """(seconds, peak tree RSS in bytes) of running `cmd`."""
    start = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)

    t = threading.Thread(target=sample)
    t.start()
    _, err = proc.communicate()
    t.join()
    seconds = time.time() - start
    if proc.returncode != 0:
        sys.exit("%s failed (%d): %s" % (cmd[0], proc.returncode, err.decode()[-2000:]))
    return seconds, peak[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "corpus", "ungdc.jsonl.gz"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="entente-dask-bench-")
    try:
        plain = os.path.join(tmp, "corpus.jsonl")
        with gzip.open(args.corpus, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        size_mb = os.path.getsize(plain) / 1e6
        env = dict(os.environ, PYTHONPATH=os.path.join(BIN, "python"))
        rules = os.path.join(ROOT, "rules")
        batch_out = os.path.join(tmp, "batch.jsonl")
        dask_out = os.path.join(tmp, "dask")
        batch = [
            os.path.join(BIN, "cli", "entente"), "batch", "--rules", rules,
            "--threads", str(args.workers), "--speaker_field", "country",
            "--progress", "never", "--output", batch_out, plain,
        ]
        dask = [
            "/usr/bin/python3", os.path.join(ROOT, "python", "dask_batch.py"),
            "--rules", rules, "--workers", str(args.workers), "--speaker_field", "country",
            "--output", dask_out, plain,
        ]
        results = {"entente batch": [], "dask_batch": []}
        for _ in range(args.runs):
            results["entente batch"].append(measure(batch, env))
            shutil.rmtree(dask_out, ignore_errors=True)
            results["dask_batch"].append(measure(dask, env))
        with open(batch_out, "rb") as f:
            want = f.read()
        got = b"".join(open(p, "rb").read() for p in sorted(glob.glob(dask_out + "/part-*.jsonl")))
        same = "yes" if got == want else "NO"
        parts = len(glob.glob(dask_out + "/part-*.jsonl"))
        print("Corpus: %s, decompressed: %.0f MB; %d workers / threads; %d Dask parts; "
              "outputs byte-identical: %s" % (os.path.basename(args.corpus), size_mb,
                                               args.workers, parts, same))
        print()
        print("| job | wall time | MB/s | peak RSS (all its processes) |")
        print("|---|---|---|---|")
        base = min(s for s, _ in results["entente batch"])
        for name, runs in results.items():
            seconds = min(s for s, _ in runs)
            peak = max(p for _, p in runs)
            print("| %s | %.1f s (%.2fx) | %.1f | %.0f MB |" % (
                name, seconds, seconds / base, size_mb / seconds, peak / 1e6))
        return 0 if same == "yes" else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
