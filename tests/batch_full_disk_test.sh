#!/usr/bin/env bash
# `entente batch --output FILE` when the file system refuses more bytes: the
# batch must exit non-zero with a message naming the file and the reason,
# and lose nothing: once space is back, `--resume` completes output that is
# byte-identical to an uninterrupted run's.
#
# The full disk is made with `ulimit -f` (a file-size limit of the process,
# which needs no privilege, unlike a tmpfs or a loop device): with SIGXFSZ
# ignored, a write past the limit fails with EFBIG exactly as a write to a
# full disk fails with ENOSPC. Two limits are tried: one that stops the
# batch in the middle of its run and one that stops it at the final flush.
set -euo pipefail

ENTENTE="$TEST_SRCDIR/entente/cli/entente"
RULES="$TEST_SRCDIR/entente/rules"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

DOCUMENTS=600
# The sanitized build (--config=asan) is about 50 times slower per match.
[ -n "${ENTENTE_SANITIZER:-}" ] && DOCUMENTS=100
INPUT="$TMP/input.jsonl"
awk -v n="$DOCUMENTS" 'BEGIN {
  s[0] = "China and Iran called for an immediate ceasefire in Gaza."
  s[1] = "The two sides will support each other on core interests."
  s[2] = "We do not support a ceasefire."
  s[3] = "Our region faces droughts, floods and rising seas every year."
  for (i = 0; i < n; ++i) {
    text = ""
    for (j = 0; j < 12; ++j) text = text (j ? " " : "") s[(i * 7 + j * 3) % 4]
    printf "{\"id\":\"d%d\",\"text\":\"%s\"}\n", i, text
  }
}' >"$INPUT"

BATCH=("$ENTENTE" batch --rules "$RULES" --threads 2 --progress never)
REFERENCE="$TMP/reference.jsonl"
"${BATCH[@]}" --output "$REFERENCE" "$INPUT" || fail "uninterrupted batch exited $?"
[ "$(wc -l <"$REFERENCE")" -eq "$DOCUMENTS" ] || fail "reference has $(wc -l <"$REFERENCE") lines"
BYTES=$(stat -c %s "$REFERENCE")
echo "reference: $DOCUMENTS documents, $BYTES bytes"

# ulimit -f counts blocks of 1024 bytes.
for limit_kb in $((BYTES / 1024 / 3)) $((BYTES / 1024 - 1)); do
  OUT="$TMP/out.$limit_kb.jsonl"
  rm -f "$OUT"
  set +e
  message=$( (trap '' XFSZ; ulimit -f "$limit_kb"; exec "${BATCH[@]}" --output "$OUT" "$INPUT") 2>&1)
  status=$?
  set -e
  [ "$status" -ne 0 ] || fail "batch with $limit_kb KB of space exited 0"
  grep -q "cannot write $OUT: File too large" <<<"$message" || fail "message: $message"
  grep -q -- "--resume" <<<"$message" || fail "message does not say how to go on: $message"
  written=$(stat -c %s "$OUT")
  [ "$written" -le $((limit_kb * 1024)) ] || fail "wrote $written bytes past the limit"
  # What was written is a prefix of the reference (perhaps ending mid-line).
  cmp -n "$written" "$OUT" "$REFERENCE" || fail "partial output is not a prefix of the reference"
  echo "limit ${limit_kb} KB: exit $status after $written bytes"

  # Space is back: resume completes it.
  "${BATCH[@]}" --output "$OUT" --resume "$INPUT" || fail "resume exited $?"
  cmp "$OUT" "$REFERENCE" || fail "resumed output differs from the reference (limit $limit_kb KB)"
done
echo "PASS"
