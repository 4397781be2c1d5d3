#!/usr/bin/env bash
# Runs every test of the repository: installs what is missing, then
# `bazel test //...`. Prints a closing "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1
# Any accidental download must fail fast instead of hanging; gRPC tests get
# their proxy variables cleared by .bazelrc.
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
log=$(mktemp)
bazel test //... "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -cE '^//.* PASSED' "$log" || true)
failed=$(grep -cE '^//.* (FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$log" || true)
rm -f "$log"
echo "${passed} passed, ${failed} failed"
exit "$status"
