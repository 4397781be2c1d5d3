#!/usr/bin/env bash
# End-to-end checks of the `entente` binary as an analyst uses it.
set -euo pipefail

ENTENTE="$TEST_SRCDIR/entente/cli/entente"
RULES="$TEST_SRCDIR/entente/rules"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Whole result lines: stance, polarity and holders (scores depend on the
# fitted weights, so any score is accepted where the line shows one).
has_line() { grep -qxE "$1" <<<"$2"; }

# classify: text from arguments, human-readable output with evidence.
out=$("$ENTENTE" classify --rules "$RULES" --speaker HND "We demand an immediate ceasefire in Lebanon.")
has_line '    ceasefire SUPPORT  holders: HND \(first_person: "We"\)  score 0\.[0-9]+' "$out" ||
  fail "classify: $out"
has_line '      evidence cf_call_for "demand an immediate ceasefire" \[3,32\) weight 0\.[0-9]+ -> 0\.[0-9]+' "$out" ||
  fail "classify evidence: $out"
[ "$(grep -c '^    [a-z_]* \(SUPPORT\|OPPOSE\) ' <<<"$out")" -eq 1 ] || fail "classify: not one annotation: $out"

# classify: stdin, JSON output: exactly one annotation, with both holders.
out=$(echo "China and Iran pledged to support each other." | "$ENTENTE" classify --rules "$RULES" --json)
summary=$(python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
for a in r["annotations"]:
    print(a["stance"], a["polarity"], ",".join(sorted(h["actor"] for h in a["holders"])))
' <<<"$out")
[ "$summary" = "core_interests SUPPORT CHN,IRN" ] || fail "classify --json: $summary from $out"

# explain: the negation trigger, the flipped polarity and who holds it.
out=$("$ENTENTE" explain --rules "$RULES" --speaker FRA "We do not support a ceasefire.")
has_line '  rule cf_endorse +fired +"support a ceasefire" \[10,29\)' "$out" || fail "explain rule: $out"
has_line '  trigger negation \(NEGATION, FLIP x0\.90\) "not" \[6,9\)' "$out" || fail "explain trigger: $out"
has_line '  holder: first person "We" -> speaker FRA' "$out" || fail "explain holder: $out"
has_line '    ceasefire OPPOSE  holders: FRA \(first_person: "We"\)  score 0\.[0-9]+' "$out" ||
  fail "explain polarity: $out"

# lint: the bundled rules have no errors; a broken file gets file:line:col.
"$ENTENTE" lint --rules "$RULES" >/dev/null 2>&1 || fail "lint of bundled rules failed"
mkdir -p "$TMP/broken"
cat >"$TMP/broken/bad.textproto" <<'RULES'
name: "bad"
rule {
  id: "r1"
  polarity: MAYBE
}
RULES
set +e
out=$("$ENTENTE" lint "$TMP/broken/bad.textproto" 2>&1)
status=$?
set -e
[ $status -eq 1 ] || fail "lint exit status $status: $out"
grep -q "bad.textproto:4:13: error: Unknown enumeration value" <<<"$out" || fail "lint position: $out"

cat >"$TMP/broken/semantic.textproto" <<'RULES'
name: "semantic"
stance { id: "s" }
rule {
  id: "r1"
  stance: "s"
  polarity: SUPPORT
  pattern: "{nope} and (unclosed"
}
RULES
set +e
out=$("$ENTENTE" lint "$TMP/broken/semantic.textproto" 2>&1)
status=$?
set -e
[ $status -eq 1 ] || fail "lint semantic exit $status: $out"
grep -q "semantic.textproto:7:13: error: \[r1\] unknown lexicon {nope}" <<<"$out" || fail "lint semantic: $out"

# lint --strict: every bundled rule set is free of errors and warnings.
for f in "$RULES"/*.textproto; do
  out=$("$ENTENTE" lint --strict "$f" 2>&1) || fail "lint --strict $f: $out"
  grep -qx "1 file(s): 0 error(s), 0 warning(s)" <<<"$out" || fail "lint --strict $f: $out"
done

# A holder group after many plain groups lints clean and classifies: it
# used to abort the classifier (std::out_of_range) on every match.
cat >"$TMP/groups.textproto" <<'RULES'
name: "groups"
stance { id: "ceasefire" }
actor { id: "CHN" type: STATE name: "China" }
rule {
  id: "r1"
  stance: "ceasefire"
  polarity: SUPPORT
  pattern: "(a)?(b)?(c)?(d)?(e)?(f)?(g)?(h)?(?P<holder>China) calls for a ceasefire"
  example { text: "China calls for a ceasefire." holders: "CHN" }
}
RULES
"$ENTENTE" lint --strict "$TMP/groups.textproto" >/dev/null 2>&1 || fail "lint of groups rule set"
out=$("$ENTENTE" classify --rules "$TMP/groups.textproto" "China calls for a ceasefire.")
grep -qx "    ceasefire SUPPORT  holders: CHN (role: \"China\")  score 0.70" <<<"$out" \
  || fail "classify with many groups: $out"

# test: every embedded example passes.
out=$("$ENTENTE" test --rules "$RULES")
grep -q " 0 failed" <<<"$out" || fail "test: $out"

# batch: one line out per line in, error records, exit status 1 on errors.
printf '%s\n' '{"id":"a","text":"We call for a ceasefire.","speaker":"FRA"}' 'not json' \
  '{"id":"c","text":"Nothing."}' >"$TMP/in.jsonl"
set +e
"$ENTENTE" batch --rules "$RULES" --summary "$TMP/in.jsonl" >"$TMP/out.jsonl" 2>"$TMP/err"
status=$?
set -e
[ $status -eq 1 ] || fail "batch exit status $status"
[ "$(wc -l <"$TMP/out.jsonl")" -eq 3 ] || fail "batch line count"
lines=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if "error" in r:
        print("error line", r["line"], r["error"])
        continue
    print(r["id"], r["rule_set"], " ".join(
        "%s/%s/%s" % (a["stance"], a["polarity"], ",".join(h["actor"] for h in a["holders"]))
        for a in r.get("annotations", [])))
' "$TMP/out.jsonl")
want='a default ceasefire/SUPPORT/FRA
error line 2 bad JSON at byte 0: a line must be a JSON object
c default '
[ "$lines" = "$want" ] || fail "batch output: $lines"
grep -q '"documents":2' "$TMP/err" || fail "batch summary: $(cat "$TMP/err")"

# batch as a streaming filter (stdin to stdout, as under Spark's pipe): the
# same lines in order, and exit 0 despite the error record when asked.
"$ENTENTE" batch --rules "$RULES" --fail_on_errors=false <"$TMP/in.jsonl" >"$TMP/piped.jsonl" ||
  fail "batch --fail_on_errors=false exit status $?"
cmp -s "$TMP/out.jsonl" "$TMP/piped.jsonl" || fail "batch from stdin differs from batch of the file"

echo "cli_test: all checks passed"
