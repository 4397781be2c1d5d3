#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) and runs
# each for a bounded time on a copy of its seed corpus (fuzz/corpus/TARGET).
# Fails if any target finds a crash, a leak, a timeout (an input slower than
# 10 s) or an input that needs more than 2 GB; the input that did it is kept
# under $OUT/artifacts.
#
#   fuzz/run_fuzzers.sh                 # every target, 20 s each (CI)
#   fuzz/run_fuzzers.sh 3600 classify_fuzzer   # one target, an hour
#   FUZZ_JOBS=2 fuzz/run_fuzzers.sh 600 # two fuzzing processes per target
#
# A target also fails when it ran fewer than FUZZ_MIN_RUNS inputs (default
# 100 per second of the run, 4 for classify_fuzzer, at most 20000): a
# target that exits 0 having done almost nothing has checked nothing.
#
# Environment: OUT (build and work directory, default /tmp/entente-fuzz),
# FUZZ_JOBS (parallel fuzzing processes per target, default 1),
# FUZZ_MIN_RUNS (see above).
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(rule_set_fuzzer classify_fuzzer segmenter_fuzzer json_line_fuzzer)
fi
export OUT=${OUT:-/tmp/entente-fuzz}
jobs=${FUZZ_JOBS:-1}

# What a target needs before it fuzzes, in seconds (libFuzzer counts it in
# -max_total_time): classify_fuzzer compiles the bundled rule sets, about
# 30 s under ASan. And the executions per second of fuzzing it must reach:
# classify_fuzzer classifies each input twice, with an explanation for half
# of them, at about 9 inputs a second under ASan with today's rules (RE2
# allocates arrays the size of a rule's program for each match); the others
# reach thousands.
init_seconds() { case $1 in classify_fuzzer) echo 60 ;; *) echo 0 ;; esac; }
min_rate() { case $1 in classify_fuzzer) echo 4 ;; *) echo 100 ;; esac; }

if ! command -v clang++ >/dev/null; then
  echo "run_fuzzers: clang++ is missing (tools/setup.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi
echo "run_fuzzers: building ${targets[*]} in $OUT" >&2
if ! make -s -f fuzz/Makefile -j"$(nproc)" OUT="$OUT" \
    $(printf "$OUT/bin/%s " "${targets[@]}") >&2; then
  echo "run_fuzzers: build failed" >&2
  exit 1
fi

failed=0
for t in "${targets[@]}"; do
  name=${t%_fuzzer}
  work="$OUT/corpus/$name"
  mkdir -p "$work" "$OUT/artifacts"
  log="$OUT/$t.log"
  dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
  extra=()
  [ "$jobs" -gt 1 ] && extra=(-jobs="$jobs" -workers="$jobs")
  # New inputs go to $work; the seeds in the repository are only read.
  min_runs=${FUZZ_MIN_RUNS:-$(( $(min_rate "$t") * seconds ))}
  [ "$min_runs" -gt 20000 ] && min_runs=20000
  "$OUT/bin/$t" -max_total_time="$((seconds + $(init_seconds "$t")))" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" \
      "${dict[@]}" "${extra[@]}" "$work" "fuzz/corpus/$name" >"$log" 2>&1
  status=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
  corpus=$(ls "$work" | wc -l)
  if [ "$status" -eq 0 ] && [ "${execs:-0}" -lt "$min_runs" ]; then
    failed=1
    line="FAIL $t: only ${execs:-0} runs in ${seconds}s (at least $min_runs expected); see $log"
  elif [ "$status" -eq 0 ]; then
    line="PASS $t: ${execs:-?} runs in ${seconds}s, coverage ${cov:-?} edges, corpus $corpus"
  else
    failed=1
    line="FAIL $t (exit $status): see $log and $OUT/artifacts/"
    tail -40 "$log" >&2
  fi
  echo "$line"
done
exit "$failed"
