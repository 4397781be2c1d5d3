#!/usr/bin/env bash
# The HTML reports render in a real browser: headless Chromium takes a
# screenshot, and the highlight colours of holders and rule matches must be
# on it. Also checks the pages are self-contained (no external assets).
set -euo pipefail

ENTENTE="$TEST_SRCDIR/entente/cli/entente"
RULES="$TEST_SRCDIR/entente/rules"
COLORS="$TEST_SRCDIR/entente/tests/png_colors.py"
TMP="${TEST_TMPDIR:-$(mktemp -d)}"
fail() { echo "FAIL: $*" >&2; exit 1; }
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || fail "chromium is not installed (tools/setup.sh installs it)"

shoot() {  # shoot PAGE.html OUT.png
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$TMP/profile-$RANDOM" --window-size=1200,1400 \
    --screenshot="$2" "file://$1" >/dev/null 2>&1 || true
  [ -s "$2" ] || fail "chromium wrote no screenshot of $1"
}

"$ENTENTE" explain --rules "$RULES" --speaker CHN --html "$TMP/explain.html" \
  "China and Iran called for an immediate ceasefire in Gaza. We do not support unilateral sanctions." \
  >/dev/null
grep -q 'class="holder"' "$TMP/explain.html" || fail "no holder span in the page"
grep -q 'class="trigger"' "$TMP/explain.html" || fail "no rule-match span in the page"
if grep -qiE '<(script|link|img)[^>]+(src|href)=' "$TMP/explain.html"; then
  fail "the page loads external assets"
fi
shoot "$TMP/explain.html" "$TMP/explain.png"
read -r holder trigger < <(/usr/bin/python3 "$COLORS" "$TMP/explain.png" 7fb2ff ffb347)
[ "$holder" -gt 200 ] || fail "holder highlight not rendered ($holder px)"
[ "$trigger" -gt 500 ] || fail "rule-match highlight not rendered ($trigger px)"

cat >"$TMP/gold.jsonl" <<'GOLD'
{"id": "a", "text": "We demand an immediate ceasefire in Lebanon.", "speaker": "HND", "labels": [{"stance": "ceasefire", "polarity": "SUPPORT", "holders": ["HND"]}]}
{"id": "b", "text": "The truce took effect on Monday.", "speaker": "FRA", "labels": []}
{"id": "c", "text": "Multilateralism must not remain only a word.", "speaker": "LUX", "labels": [{"stance": "multilateral", "polarity": "SUPPORT", "holders": ["LUX"]}]}
GOLD
"$ENTENTE" eval --rules "$RULES" --gold "$TMP/gold.jsonl" --html "$TMP/eval.html" >/dev/null
grep -q "Per stance" "$TMP/eval.html" || fail "eval page has no per-stance table"
shoot "$TMP/eval.html" "$TMP/eval.png"
read -r bar < <(/usr/bin/python3 "$COLORS" "$TMP/eval.png" 4a7bd0)
[ "$bar" -gt 500 ] || fail "per-stance bars not rendered ($bar px)"
echo "html_report_test: pages render (holder $holder px, match $trigger px, bars $bar px)"
