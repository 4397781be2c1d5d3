#!/usr/bin/env bash
# `entente batch --resume` after a SIGKILL: the batch is killed at two
# points while it writes its output, then resumed to completion. The resumed
# output must be byte-identical to an uninterrupted run's, with one line per
# input document. A kill that comes after the run finished fails the test:
# it would not exercise a mid-run kill.
set -euo pipefail

ENTENTE="$TEST_SRCDIR/entente/cli/entente"
RULES="$TEST_SRCDIR/entente/rules"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Synthetic input, self-contained: documents of 30 sentences drawn
# deterministically from a few that take stances and a few that do not.
# About 10 s at --threads 1 in an optimized build; the kill points below are
# fractions of the reference output, so a smaller input for the sanitized
# build (about 50 times slower per match) still leaves time to kill it mid-run.
DOCUMENTS=3000
[ -n "${ENTENTE_SANITIZER:-}" ] && DOCUMENTS=200
INPUT="$TMP/input.jsonl"
awk -v n="$DOCUMENTS" 'BEGIN {
  s[0] = "China and Iran called for an immediate ceasefire in Gaza."
  s[1] = "The two sides will support each other on core interests."
  s[2] = "We do not support a ceasefire."
  s[3] = "France opposes the sanctions imposed on Venezuela."
  s[4] = "Brazil reaffirmed its commitment to multilateralism and to the Paris Agreement."
  s[5] = "The delegation thanked the President of the General Assembly for his work."
  s[6] = "Our region faces droughts, floods and rising seas every year."
  x = 12345
  for (i = 0; i < n; ++i) {
    text = ""
    for (j = 0; j < 30; ++j) {
      x = (x * 1103515245 + 12345) % 2147483648
      text = text (j ? " " : "") s[int(x / 65536) % 7]
    }
    printf "{\"id\":\"d%d\",\"text\":\"%s\"}\n", i, text
  }
}' >"$INPUT"
[ "$(wc -l <"$INPUT")" -eq "$DOCUMENTS" ] || fail "input has $(wc -l <"$INPUT") lines"

BATCH=("$ENTENTE" batch --rules "$RULES" --threads 1 --progress never)
batch() { "${BATCH[@]}" "$@" "$INPUT"; }

# The reference: one uninterrupted run.
REFERENCE="$TMP/reference.jsonl"
batch --output "$REFERENCE" || fail "uninterrupted batch exited $?"
[ "$(wc -l <"$REFERENCE")" -eq "$DOCUMENTS" ] ||
  fail "reference has $(wc -l <"$REFERENCE") lines, want $DOCUMENTS"
REFERENCE_BYTES=$(stat -c %s "$REFERENCE")
echo "reference: $DOCUMENTS documents, $REFERENCE_BYTES bytes"
# Ids in input order, one line each: the output is in input order.
ids=$(sed -E 's/^\{"id":"([^"]*)".*/\1/' "$REFERENCE" | tr '\n' ' ')
want_ids=$(seq 0 $((DOCUMENTS - 1)) | sed 's/^/d/' | tr '\n' ' ')
[ "$ids" = "$want_ids" ] || fail "reference ids are not d0..d$((DOCUMENTS - 1)) in order"

# Kills the batch once its output holds at least `percent`% of the
# reference's bytes, resumes it, and compares.
kill_and_resume() {
  local percent=$1
  local output="$TMP/killed_at_$percent.jsonl"
  local threshold=$((REFERENCE_BYTES * percent / 100))
  rm -f "$output"
  # Not through the function: $! must be the batch itself, not a subshell.
  "${BATCH[@]}" --output "$output" "$INPUT" &
  local pid=$!
  local size=0
  while kill -0 "$pid" 2>/dev/null; do
    size=$(stat -c %s "$output" 2>/dev/null || echo 0)
    if [ "$size" -ge "$threshold" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.01
  done
  local status=0
  wait "$pid" || status=$?
  [ "$status" -eq 137 ] ||
    fail "kill at $percent%: the batch was not killed mid-run (exit status $status, output" \
         "$size of $REFERENCE_BYTES bytes); enlarge the input"
  local lines
  lines=$(wc -l <"$output")
  [ "$lines" -gt 0 ] && [ "$lines" -lt "$DOCUMENTS" ] ||
    fail "kill at $percent%: output had $lines complete lines, want some but not all"
  local partial=no
  [ -s "$output" ] && [ "$(tail -c 1 "$output" | od -An -c | tr -d ' ')" != '\n' ] && partial=yes
  echo "killed at $percent%: $(stat -c %s "$output") bytes, $lines complete lines," \
       "partial last line: $partial"

  batch --output "$output" --resume --summary 2>"$TMP/resume_$percent.err" ||
    fail "resume after kill at $percent% exited $?: $(cat "$TMP/resume_$percent.err")"
  grep -q "\"resumed\":$lines," "$TMP/resume_$percent.err" ||
    fail "resume after kill at $percent% did not skip $lines documents: $(cat "$TMP/resume_$percent.err")"
  [ "$(wc -l <"$output")" -eq "$DOCUMENTS" ] ||
    fail "resumed output after kill at $percent% has $(wc -l <"$output") lines, want $DOCUMENTS"
  cmp "$REFERENCE" "$output" ||
    fail "resumed output after kill at $percent% differs from the uninterrupted run's"
  rm -f "$output"
}

# Two points: each costs about one uninterrupted run, and CI runs this under
# ASan on a loaded machine.
kill_and_resume 20
kill_and_resume 70

# Resuming a finished output adds nothing.
cp "$REFERENCE" "$TMP/finished.jsonl"
batch --output "$TMP/finished.jsonl" --resume || fail "resume of a finished output exited $?"
cmp "$REFERENCE" "$TMP/finished.jsonl" || fail "resume of a finished output changed it"

echo PASS
