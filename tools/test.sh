#!/usr/bin/env bash
# Runs every test of the repository: installs what is missing, then
#   1. `bazel test //...` (extra arguments go to this run);
#   2. the engine, CLI, cross-cutting, fuzz-seed and service tests under
#      AddressSanitizer + UndefinedBehaviorSanitizer (`--config=asan`;
#      ENTENTE_TEST_ASAN=0 skips it). The service's tests read
#      ENTENTE_SANITIZER (set by --config=asan) to size what they wait for
#      and to shorten the soak test (10 s of traffic) and the floods; tests
#      tagged no_asan (server_integration_test, hostile_mix_test) are left
#      out of this step;
#   3. a short run of each libFuzzer target (fuzz/run_fuzzers.sh,
#      ENTENTE_FUZZ_SECONDS seconds each, default 20; 0 skips it).
# Prints a closing "N passed, N failed" line over all three (a fuzz target
# counts as one test) and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1
# Any accidental download must fail fast instead of hanging; gRPC tests get
# their proxy variables cleared by .bazelrc.
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9

passed=0
failed=0
skipped=0
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs `bazel test ARGS...` and adds its results to the counts.
bazel_test() {
  bazel test "$@" 2>&1 | tee "$log"
  local s=${PIPESTATUS[0]}
  passed=$((passed + $(grep -cE '^//.* PASSED' "$log" || true)))
  failed=$((failed + $(grep -cE '^//.* (FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)))
  [ "$s" -ne 0 ] && status=1
}

bazel_test //... "$@"

if [ "${ENTENTE_TEST_ASAN:-1}" = 0 ]; then
  echo "=== SKIPPED: tests under ASan + UBSan (ENTENTE_TEST_ASAN=0)"
  skipped=$((skipped + 1))
else
  echo "=== engine, CLI, fuzz-seed and service tests under ASan + UBSan (--config=asan)"
  # Tests tagged no_asan check wall-clock deadlines or memory bounds that
  # the sanitized build cannot meet; they run in step 1.
  bazel_test --config=asan --test_tag_filters=-no_asan \
    //engine/... //cli/... //tests/... //fuzz/... //service/...
fi

fuzz_seconds=${ENTENTE_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" = 0 ]; then
  echo "=== SKIPPED: libFuzzer targets (ENTENTE_FUZZ_SECONDS=0)"
  skipped=$((skipped + 1))
else
  echo "=== libFuzzer targets, ${fuzz_seconds}s each (fuzz/run_fuzzers.sh)"
  fuzz/run_fuzzers.sh "$fuzz_seconds" 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -ne 0 ] && status=1
  passed=$((passed + $(grep -cE '^PASS ' "$log" || true)))
  failed=$((failed + $(grep -cE '^FAIL ' "$log" || true)))
  # A build failure runs no target: count it.
  grep -q 'run_fuzzers: build failed\|clang++ is missing' "$log" && failed=$((failed + 1))
fi

echo "${passed} passed, ${failed} failed, ${skipped} step(s) skipped"
exit "$status"
