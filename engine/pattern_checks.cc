#include "engine/pattern_checks.h"

namespace entente {

bool FindAnyByteEscape(absl::string_view pattern, size_t* offset) {
  for (size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] != '\\') continue;
    if (pattern[i + 1] == 'C') {
      *offset = i;
      return true;
    }
    ++i;  // Skip the escaped character, whatever it is.
  }
  return false;
}

bool CanMatchEmpty(const RE2& re) {
  static const char* const kProbes[] = {"", "a", " ", "a b", "a.", ".a", "1\n", "\xC3\xA9"};
  for (const char* probe : kProbes) {
    re2::StringPiece text(probe);
    // An anchored match of the empty text at `pos`, with the probe around
    // it as context for \b, ^ and $: RE2 answers it without building a DFA,
    // which for a long alternation costs more than compiling it did.
    for (size_t pos = 0; pos <= text.size(); ++pos) {
      re2::StringPiece match;
      if (re.Match(text, pos, pos, RE2::ANCHOR_BOTH, &match, 1)) return true;
    }
  }
  return false;
}

}  // namespace entente
