"""Batch scoring on a Dask distributed cluster, with the C++ engine in-process.

    dask_batch.py [--scheduler ADDRESS | --workers N] [--rules PATH]
                  [--speaker_field F] --output DIR INPUT...

Each input (JSON Lines, plain or gzip) is cut into blocks of whole lines
(a gzip file is one block); each block is one Dask task that scores its
lines with `entente.RuleSet.score_lines` -- the same result and error
records as `entente batch`, with the same line numbers -- and writes them,
in input order, to DIR/part-NNNNN.jsonl (atomically: a task that a dead
worker leaves half done is simply run again). Parts are numbered in input
order, so `cat DIR/part-*.jsonl` is the output of `entente batch`.

Without --scheduler a distributed.LocalCluster of N worker processes runs on
this machine; with it, the job joins an existing cluster (`dask scheduler`,
`dask worker ADDRESS`). Workers must be able to import this module and the
`entente` extension (PYTHONPATH) and to read the inputs and the rules and
write DIR (a shared file system on a real cluster). The rule set is loaded
once per worker process and reused by every task it runs.
"""

import argparse
import gzip
import json
import os
import sys
import threading
import time

# Loaded rule sets of this process, by (path, name): one per worker.
_RULES = {}
_RULES_LOCK = threading.Lock()


def _keep_freed_memory():
    """Undoes, for this worker process, the MALLOC_TRIM_THRESHOLD_ that Dask's
    nanny sets: with it glibc maps and unmaps every block over 128 kB, and
    RE2 allocates blocks that size for each match, which made scoring 4 times
    slower (mostly system time). Blocks up to 64 MB then come from the heap,
    which keeps up to 256 MB of freed memory."""
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc.mallopt(m_mmap_threshold, 64 << 20)
    libc.mallopt(m_trim_threshold, 256 << 20)


def _rules(path, name):
    import entente

    with _RULES_LOCK:
        key = (path, name)
        if key not in _RULES:
            _keep_freed_memory()
            _RULES[key] = entente.RuleSet(path, name)
        return _RULES[key]


def plan_blocks(inputs, block_bytes):
    """(input index, path, begin, end) byte ranges; a gzip file is one block."""
    blocks = []
    for i, path in enumerate(inputs):
        size = os.path.getsize(path)
        if path.endswith(".gz") or size == 0:
            blocks.append((i, path, 0, -1))
            continue
        for begin in range(0, size, block_bytes):
            blocks.append((i, path, begin, min(begin + block_bytes, size)))
    return blocks


def count_newlines(block):
    """Newlines in [begin, end) of a plain file (0 for a gzip block)."""
    _, path, begin, end = block
    if end < 0:
        return 0
    count = 0
    with open(path, "rb") as f:
        f.seek(begin)
        left = end - begin
        while left > 0:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                break
            count += chunk.count(b"\n")
            left -= len(chunk)
    return count


def read_block(block):
    """The lines that start in the block, and whether it skipped a partial
    first line (one that started in the block before)."""
    _, path, begin, end = block
    if end < 0:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()  # after the last newline: no line
        return lines, False
    with open(path, "rb") as f:
        skipped = False
        if begin > 0:
            f.seek(begin - 1)
            if f.read(1) != b"\n":
                f.readline()  # the rest of a line that began before the block
                skipped = True
        lines = []
        while f.tell() < end:
            line = f.readline()
            if not line:
                break
            lines.append(line)
        return lines, skipped


def score_block(block, newlines_before, part_path, rules_path, rules_name, options):
    """Scores one block and writes its part file; returns its counts."""
    lines, skipped = read_block(block)
    first_line = 1 + newlines_before + (1 if skipped else 0)
    output, counts = _rules(rules_path, rules_name).score_lines(
        lines, first_line=first_line, **options
    )
    tmp = "%s.tmp-%d-%d" % (part_path, os.getpid(), threading.get_ident())
    with open(tmp, "wb") as f:
        f.write(output)
    os.replace(tmp, part_path)
    counts["lines"] = len(lines)
    return counts


def run(client, inputs, output, rules_path, rules_name, options, block_bytes, progress):
    """Scores `inputs` on `client`'s cluster; returns the summed counts."""
    os.makedirs(output, exist_ok=True)
    blocks = plan_blocks(inputs, block_bytes)
    newline_counts = client.gather(client.map(count_newlines, blocks, pure=False))
    before = []
    total = {}
    for block, n in zip(blocks, newline_counts):
        before.append(total.get(block[0], 0))
        total[block[0]] = total.get(block[0], 0) + n
    parts = [os.path.join(output, "part-%05d.jsonl" % k) for k in range(len(blocks))]
    futures = client.map(
        score_block,
        blocks,
        before,
        parts,
        [rules_path] * len(blocks),
        [rules_name] * len(blocks),
        [options] * len(blocks),
        pure=False,
    )
    if progress:
        from distributed import progress as dask_progress

        dask_progress(futures)
    summary = {"documents": 0, "errors": 0, "parts": len(parts), "annotations": {}}
    for counts in client.gather(futures):
        summary["documents"] += counts["documents"]
        summary["errors"] += counts["errors"]
        for k, v in counts["annotations"].items():
            summary["annotations"][k] = summary["annotations"].get(k, 0) + v
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--output", required=True, help="directory of part files")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler")
    parser.add_argument("--workers", type=int, default=2, help="local worker processes")
    parser.add_argument("--rules", default=os.environ.get("ENTENTE_RULES", "rules"))
    parser.add_argument("--rule_set", default="", help="rule set name in a rules directory")
    parser.add_argument("--id_field", default="id")
    parser.add_argument("--text_field", default="text")
    parser.add_argument("--speaker_field", default="speaker")
    parser.add_argument("--speaker", default="", help="speaker of records without one")
    parser.add_argument("--min_score", type=float, default=0.0)
    parser.add_argument("--block_bytes", type=int, default=8 << 20)
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    # Fail on a bad rule set here, with its diagnostics, not in every task.
    rules_path = os.path.abspath(args.rules)
    import entente

    try:
        entente.RuleSet(rules_path, args.rule_set)
    except entente.RuleError as e:
        print("dask_batch: %s" % e, file=sys.stderr)
        return 2
    inputs = [os.path.abspath(p) for p in args.inputs]
    for p in inputs:
        if not os.path.isfile(p):
            print("dask_batch: cannot read %s" % p, file=sys.stderr)
            return 2
    options = {
        "id_field": args.id_field,
        "text_field": args.text_field,
        "speaker_field": args.speaker_field,
        "default_speaker": args.speaker,
        "min_score": args.min_score,
    }
    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        if client.dashboard_link and sys.stderr.isatty():
            print("dask_batch: dashboard %s" % client.dashboard_link, file=sys.stderr)
        start = time.time()
        summary = run(
            client,
            inputs,
            os.path.abspath(args.output),
            rules_path,
            args.rule_set,
            options,
            args.block_bytes,
            sys.stderr.isatty(),
        )
        summary["seconds"] = round(time.time() - start, 3)
        print(json.dumps(summary, sort_keys=True), file=sys.stderr)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return 0


if __name__ == "__main__":
    # Run as the module `dask_batch`, so that tasks name their functions by
    # module (workers import it) instead of pickling this script's globals.
    import dask_batch

    sys.exit(dask_batch.main())
