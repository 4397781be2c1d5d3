#!/usr/bin/env bash
# Runs the engine benchmarks and writes the "Engine" section of BENCHMARKS.md:
#   1. bench/engine_bench on a sample of the UN General Debate corpus (every
#      20th speech): the engine, the naive RE2 loop, the RE2::Set floors, the
#      prefilter and confirmation steps, two threads, 10/100/1000 rules, and
#      the compile time of the bundled rule sets;
#   2. bench/python_baseline.py on the same sentences (every 20th of them:
#      Python is slow; throughput is per byte);
#   3. `entente batch` over the whole corpus at 1 and 2 threads (wall time,
#      MB/s, peak RSS, one output line per speech checked).
# Usage: bench/run_benchmarks.sh [--quick]   (--quick: 1 speech in 200, no
# whole-corpus runs; for trying the script, not for the record)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CORPUS=${ENTENTE_CORPUS:-$ROOT/../shared/corpus/ungdc.jsonl.gz}
EVERY=20
PY_EVERY=20
WHOLE=1
if [[ ${1:-} == --quick ]]; then EVERY=200; PY_EVERY=5; WHOLE=0; fi
[[ -r $CORPUS ]] || { echo "no corpus at $CORPUS (set ENTENTE_CORPUS)" >&2; exit 1; }

bazel build -c opt //bench:engine_bench //cli:entente >&2
BIN=$ROOT/bazel-out/k8-opt/bin
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "engine_bench (every $EVERY-th speech)..." >&2
common=(--rules="$ROOT/rules" --corpus="$CORPUS" --every=$EVERY)
# Repetitions of the benchmarks are interleaved at random so that a slow
# spell of the (shared, virtual) machine does not fall on one of them only.
"$BIN/bench/engine_bench" "${common[@]}" --benchmark_enable_random_interleaving=true \
  --benchmark_format=json \
  --benchmark_out="$WORK/engine.json" --benchmark_out_format=json >/dev/null
"$BIN/bench/engine_bench" "${common[@]}" --dump_sentences="$WORK/sentences.txt"
"$BIN/bench/engine_bench" "${common[@]}" --dump_patterns="$WORK/patterns.jsonl"

echo "python baseline..." >&2
/usr/bin/python3 bench/python_baseline.py --sentences "$WORK/sentences.txt" \
  --patterns "$WORK/patterns.jsonl" --every $PY_EVERY > "$WORK/python.json"

: > "$WORK/batch.jsonl"
if [[ $WHOLE == 1 ]]; then
  for threads in 1 2; do
    echo "entente batch over the whole corpus, $threads thread(s)..." >&2
    /usr/bin/time -f '{"wall": %e, "max_rss_kb": %M, "cpu_percent": "%P"}' -o "$WORK/time.json" \
      "$BIN/cli/entente" batch --threads $threads --speaker_field country --summary \
      "$CORPUS" > "$WORK/out.jsonl" 2> "$WORK/summary.json"
    lines=$(wc -l < "$WORK/out.jsonl")
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); s=json.loads(open(sys.argv[2]).read().strip().splitlines()[-1]); print(json.dumps({"threads": int(sys.argv[3]), "lines": int(sys.argv[4]), **t, "summary": s}))' \
      "$WORK/time.json" "$WORK/summary.json" $threads "$lines" >> "$WORK/batch.jsonl"
  done
fi

python3 bench/write_benchmarks.py --engine "$WORK/engine.json" --python "$WORK/python.json" \
  --batch "$WORK/batch.jsonl" --every $EVERY --python_every $PY_EVERY \
  --command "bench/run_benchmarks.sh${1:+ $1}" --markdown BENCHMARKS.md
echo "wrote the Engine section of BENCHMARKS.md" >&2
