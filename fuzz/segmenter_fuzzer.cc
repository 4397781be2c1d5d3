// Fuzzes the sentence segmenter with arbitrary bytes and checks its
// contract: sentences are non-empty, ordered, disjoint, inside the text,
// without surrounding white space, at most kMaxSentenceBytes long, and a cut
// never splits a character of valid UTF-8.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "engine/segmenter.h"
#include "engine/utf8.h"

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\n' || c == '\r';
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<entente::SentenceSpan> spans;
  entente::SplitSentences(text, &spans);
  const bool valid = entente::IsValidUtf8(text);
  size_t previous_end = 0;
  for (const entente::SentenceSpan& s : spans) {
    Check(s.begin < s.end && s.end <= text.size());
    Check(s.begin >= previous_end);
    Check(s.end - s.begin <= entente::kMaxSentenceBytes);
    Check(!IsSpace(text[s.begin]) && !IsSpace(text[s.end - 1]));
    if (valid) Check(entente::IsValidUtf8(text.substr(s.begin, s.end - s.begin)));
    previous_end = s.end;
  }
  // Every byte that is not white space belongs to a sentence (checked byte
  // by byte: a count could be made up by spaces inside sentences).
  std::vector<bool> covered(text.size(), false);
  for (const entente::SentenceSpan& s : spans) {
    for (size_t i = s.begin; i < s.end; ++i) covered[i] = true;
  }
  for (size_t i = 0; i < text.size(); ++i) Check(covered[i] || IsSpace(text[i]));
  return 0;
}
