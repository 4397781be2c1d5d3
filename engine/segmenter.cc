#include "engine/segmenter.h"

#include <cctype>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"

namespace entente {
namespace {

// Words that end with a period without ending the sentence. Compared
// case-sensitively against the word before the period.
const absl::flat_hash_set<absl::string_view>& Abbreviations() {
  static const auto* abbreviations = new absl::flat_hash_set<absl::string_view>{
      "Mr",  "Mrs", "Ms",     "Messrs", "Dr",    "Prof",    "St",     "Mt",   "Ft",    "Gen",
      "Lt",  "Col", "Capt",   "Cmdr",   "Sgt",   "Maj",     "Adm",    "Gov",  "Sen",   "Rep",
      "Hon", "Rev", "Amb",    "Pres",   "Sr",    "Jr",      "Messrs", "Mme",  "Mlle",  "Msgr",
      "H.E", "U.S", "U.K",    "U.N",    "U.S.A", "U.S.S.R", "E.U",    "e.g",  "i.e",   "cf",
      "vs",  "viz", "approx", "Art",    "arts",  "para",    "paras",  "Para", "Paras", "Vol",
      "vol", "Fig", "fig",    "Ch",     "ch",    "pp",      "Inc",    "Ltd",  "Co",    "Corp",
      "Jan", "Feb", "Mar",    "Apr",    "Jun",   "Jul",     "Aug",    "Sep",  "Sept",  "Oct",
      "Nov", "Dec", "Res",    "Doc",    "Rev",   "Add",     "Suppl"};
  return *abbreviations;
}

// Abbreviations that only hold before a number ("No. 5", "p. 12").
const absl::flat_hash_set<absl::string_view>& NumberAbbreviations() {
  static const auto* abbreviations =
      new absl::flat_hash_set<absl::string_view>{"No", "Nos", "no", "nos", "p", "Sec"};
  return *abbreviations;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }
bool IsLineBreak(char c) { return c == '\n' || c == '\r'; }
bool IsClosing(char c) { return c == '"' || c == '\'' || c == ')' || c == ']'; }

// True if `text[i..]` starts with a right quotation mark (’ or ”) in UTF-8.
size_t ClosingQuoteLength(absl::string_view text, size_t i) {
  if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xE2 &&
      static_cast<unsigned char>(text[i + 1]) == 0x80 &&
      (static_cast<unsigned char>(text[i + 2]) == 0x99 ||
       static_cast<unsigned char>(text[i + 2]) == 0x9D)) {
    return 3;
  }
  return 0;
}

// The word that ends just before position `dot` (letters, digits, periods).
absl::string_view WordBefore(absl::string_view text, size_t dot) {
  size_t begin = dot;
  while (begin > 0) {
    char c = text[begin - 1];
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') {
      --begin;
    } else {
      break;
    }
  }
  return text.substr(begin, dot - begin);
}

// True if a sentence can start at byte `c`: a capital, a digit, an opening
// quote or bracket, or any non-ASCII byte (accented capitals, curly quotes).
bool CanStartSentence(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isupper(u) || std::isdigit(u) || u >= 0x80 || c == '"' || c == '\'' || c == '(' ||
         c == '[' || c == '*';
}

bool IsAbbreviation(absl::string_view text, size_t dot, char next) {
  absl::string_view word = WordBefore(text, dot);
  if (word.empty()) return false;
  if (Abbreviations().contains(word)) return true;
  if (NumberAbbreviations().contains(word) && std::isdigit(static_cast<unsigned char>(next))) {
    return true;
  }
  // An initial: one capital letter ("John F. Kennedy").
  if (word.size() == 1 && std::isupper(static_cast<unsigned char>(word[0]))) return true;
  // Dotted acronyms ("U.S.", "a.m.") keep the period inside the word.
  if (word.find('.') != absl::string_view::npos) return true;
  return false;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Where to cut a run-on sentence that starts at `begin` and is longer than
// kMaxSentenceBytes: after the last white space of the second half of the
// allowed length, or else before the character that crosses the limit.
size_t CutPoint(absl::string_view text, size_t begin) {
  const size_t limit = begin + kMaxSentenceBytes;
  for (size_t i = limit; i > begin + kMaxSentenceBytes / 2; --i) {
    if (IsSpace(text[i - 1]) || IsLineBreak(text[i - 1])) return i;
  }
  size_t cut = limit;
  // At most three continuation bytes: invalid UTF-8 cannot make this loop long.
  for (int k = 0; k < 3 && cut > begin + 1 && IsContinuationByte(text[cut]); ++k) --cut;
  return cut;
}

// A line break ends a sentence when a blank line follows (a paragraph) or
// the line ends in punctuation that closes a clause; otherwise the text is
// hard-wrapped mid-sentence (about 60% of the line breaks of the UN General
// Debate corpus) and the break is white space.
bool IsHardLineBreak(absl::string_view text, size_t i) {
  size_t next = i + 1;
  if (text[i] == '\r' && next < text.size() && text[next] == '\n') ++next;
  while (next < text.size() && IsSpace(text[next])) ++next;
  if (next >= text.size() || IsLineBreak(text[next])) return true;
  size_t prev = i;
  while (prev > 0 && (IsSpace(text[prev - 1]) || IsLineBreak(text[prev - 1]))) --prev;
  if (prev == 0) return true;
  char last = text[prev - 1];
  if (last == '.' || last == '!' || last == '?' || last == ':' || last == ';' || last == '"' ||
      last == ')') {
    return true;
  }
  // Closing curly quotes (’ ”) end in 0x99 / 0x9D.
  if (prev >= 3 && static_cast<unsigned char>(text[prev - 3]) == 0xE2 &&
      static_cast<unsigned char>(text[prev - 2]) == 0x80 &&
      (static_cast<unsigned char>(text[prev - 1]) == 0x99 ||
       static_cast<unsigned char>(text[prev - 1]) == 0x9D)) {
    return true;
  }
  return false;
}

void Emit(absl::string_view text, size_t begin, size_t end, std::vector<SentenceSpan>* out) {
  for (;;) {
    while (begin < end && (IsSpace(text[begin]) || IsLineBreak(text[begin]))) ++begin;
    while (end > begin && (IsSpace(text[end - 1]) || IsLineBreak(text[end - 1]))) --end;
    if (end - begin <= kMaxSentenceBytes) break;
    const size_t cut = CutPoint(text, begin);
    Emit(text, begin, cut, out);
    begin = cut;
  }
  if (end > begin) out->push_back({begin, end});
}

// The bytes SplitSentences acts on: terminators and line breaks. Every
// other byte is passed over in a tight loop.
struct BoundaryBytes {
  bool is[256] = {};
  constexpr BoundaryBytes() {
    for (unsigned char c : {'.', '!', '?', '\n', '\r'}) is[c] = true;
  }
};
constexpr BoundaryBytes kBoundaryBytes;

}  // namespace

void SplitSentences(absl::string_view text, std::vector<SentenceSpan>* out) {
  out->clear();
  size_t start = 0;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    while (i < n && !kBoundaryBytes.is[static_cast<unsigned char>(text[i])]) ++i;
    if (i == n) break;
    char c = text[i];
    if (IsLineBreak(c)) {
      if (IsHardLineBreak(text, i)) {
        Emit(text, start, i, out);
        start = i + 1;
      }
      continue;
    }
    if (c != '.' && c != '!' && c != '?') continue;
    // Absorb runs of terminators ("?!", "...") and closing quotes/brackets.
    size_t end = i + 1;
    while (end < n && (text[end] == '.' || text[end] == '!' || text[end] == '?')) ++end;
    for (;;) {
      if (end < n && IsClosing(text[end])) {
        ++end;
      } else if (size_t q = ClosingQuoteLength(text, end)) {
        end += q;
      } else {
        break;
      }
    }
    if (end < n && !IsSpace(text[end]) && !IsLineBreak(text[end])) {
      i = end - 1;
      continue;
    }
    size_t next = end;
    while (next < n && IsSpace(text[next])) ++next;
    if (next >= n || IsLineBreak(text[next])) {
      Emit(text, start, end, out);
      start = end;
      i = end - 1;
      continue;
    }
    if (!CanStartSentence(text[next]) ||
        (c == '.' && end == i + 1 && IsAbbreviation(text, i, text[next]))) {
      i = end - 1;
      continue;
    }
    Emit(text, start, end, out);
    start = end;
    i = end - 1;
  }
  Emit(text, start, n, out);
}

}  // namespace entente
