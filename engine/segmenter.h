// File: engine/segmenter.h
//
// Splits a document into sentences with byte offsets. A sentence ends at
// '.', '!' or '?' (with any closing quotes or brackets) followed by white
// space and a token that can start a sentence, at a blank line, and at a
// line break after clause-closing punctuation; a line break inside a
// sentence (hard-wrapped text) is white space. Abbreviations ("Mr.", "U.S.",
// "No. 5", initials such as "John F. Kennedy") do not end a sentence.
//
//   std::vector<entente::SentenceSpan> spans;
//   entente::SplitSentences("Mr. Wang spoke. China agreed.", &spans);
//   // spans: [0, 15) "Mr. Wang spoke."  [16, 29) "China agreed."

#ifndef ENTENTE_ENGINE_SEGMENTER_H_
#define ENTENTE_ENGINE_SEGMENTER_H_

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"

namespace entente {

// The longest sentence SplitSentences returns. Longer runs of text without a
// sentence end (a transcript without punctuation, hostile input) are cut,
// at white space when there is some, so that the later stages, whose work on
// one sentence can grow with the square of its length, stay linear in the
// document. The longest sentence of the UN General Debate corpus (199 MB,
// 2.5 million sentences) has 4,156 bytes.
constexpr size_t kMaxSentenceBytes = 8192;

// A sentence as the byte range [begin, end) of its document, without
// surrounding white space. Never empty.
struct SentenceSpan {
  size_t begin = 0;
  size_t end = 0;
};

// Replaces the contents of `out` with the sentences of `text`. Works on any
// bytes (invalid UTF-8 included) in time linear in the text's length; reuses
// `out`'s capacity. No sentence is longer than kMaxSentenceBytes; a cut never
// splits a valid UTF-8 character.
void SplitSentences(absl::string_view text, std::vector<SentenceSpan>* out);

}  // namespace entente

#endif  // ENTENTE_ENGINE_SEGMENTER_H_
