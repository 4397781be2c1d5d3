// File: engine/literal_matcher.h
//
// A LiteralMatcher finds which of a fixed set of required literals (see
// engine/required_literals.h) occur in a text, in one pass over its bytes,
// with an Aho-Corasick automaton. It is the prefilter's scan: a literal set
// is what RE2::Set would scan for with one `(?i)literal` pattern each, but
// an automaton over case-folded symbols needs a few hundred kilobytes where
// RE2's DFA for the same set needs megabytes, takes no lock, and runs
// several times faster.
//
// Matching is RE2's (?i) matching of the literal, word boundaries checked as
// RE2 checks \b (ASCII word characters). It never misses an occurrence RE2
// would find; it may report a literal with non-ASCII characters where RE2
// would not (any non-ASCII character stands for any other), which only costs
// a prefilter candidate.
//
//   std::vector<entente::RequiredLiteral> literals = {{"ceasefire"}, {"un", true, true}};
//   entente::LiteralMatcher matcher = entente::LiteralMatcher::Build(literals, 1 << 20);
//   matcher.FindAll("The UN wants a CEASEFIRE.", [](int id) { /* 1, then 0 */ });

#ifndef ENTENTE_ENGINE_LITERAL_MATCHER_H_
#define ENTENTE_ENGINE_LITERAL_MATCHER_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "engine/required_literals.h"

namespace entente {

// Immutable after Build; FindAll is safe to call from many threads at once.
// Copyable and movable.
class LiteralMatcher {
 public:
  LiteralMatcher() = default;

  // Builds the automaton for `literals` (literal i gets id i). When its
  // tables would take more than `max_bytes`, the result is not ok() and
  // finds nothing.
  static LiteralMatcher Build(const std::vector<RequiredLiteral>& literals, int64_t max_bytes);

  bool ok() const { return ok_; }

  // Number of automaton states and of symbols (classes of characters).
  int state_count() const {
    return static_cast<int>(output_begin_.empty() ? 0 : output_begin_.size() - 1);
  }
  int symbol_count() const { return symbols_; }

  // Bytes the tables take.
  int64_t memory_bytes() const;

  // Calls `found(id)` for every occurrence of a literal in `text`, in the
  // order the occurrences end (a literal that occurs twice is reported
  // twice). `text` may be any bytes.
  template <typename Fn>
  void FindAll(absl::string_view text, Fn found) const;

 private:
  static constexpr int kRoot = 0;
  // byte_symbol_ values that are not symbols: a UTF-8 continuation byte,
  // which belongs to the character its lead byte began (no symbol of its
  // own), and a lead byte whose character may fold to an ASCII letter.
  static constexpr uint8_t kContinuation = 255;
  static constexpr uint8_t kDecode = 254;

  enum class Fold { kOther, kLongS, kKelvin };
  // Decodes the UTF-8 sequence at text[pos] (a byte >= 0x80): its length
  // (1 for an invalid byte), and whether it folds to an ASCII letter as
  // RE2's (?i) folds it: U+017F to s, U+212A to k. No other non-ASCII
  // character folds to ASCII (engine/literal_matcher_test.cc checks this
  // against RE2).
  static Fold DecodeNonAscii(absl::string_view text, size_t pos, size_t* length);
  static bool AtBoundary(absl::string_view text, size_t pos);
  // Where the symbol `count` - 1 symbols before the one starting at
  // bytes[last] starts. Every byte but a UTF-8 continuation byte starts a
  // symbol, as in Scan.
  static size_t SymbolStart(const unsigned char* bytes, size_t last, int count);

  // Scans `text` with the transition table `next` (next16_ or next32_).
  template <typename Cell, typename Fn>
  void Scan(const Cell* next, absl::string_view text, Fn& found) const;

  bool ok_ = false;
  int symbols_ = 1;  // symbol 0 is "a character no literal has"
  // The symbol of each byte, or kContinuation / kDecode.
  uint8_t byte_symbol_[256] = {};
  int s_symbol_ = 0;          // the symbol of 's' (for the long s, U+017F)
  int k_symbol_ = 0;          // the symbol of 'k' (for the Kelvin sign, U+212A)
  int non_ascii_symbol_ = 0;  // any other non-ASCII character
  // The automaton, with its failure links folded in so that every byte
  // costs one lookup: next[state * symbols_ + symbol] is the target state,
  // with the top bit set when the target ends some literal. 16-bit cells
  // when the states fit (the common case: a table a quarter the size stays
  // in cache), else 32-bit ones; one of the two is empty.
  std::vector<uint16_t> next16_;
  std::vector<uint32_t> next32_;
  // Literals that end in each state (its own and its suffixes'): CSR.
  std::vector<uint32_t> output_begin_;
  std::vector<int> outputs_;
  // Per literal: length in symbols and whether it needs \b before or after.
  std::vector<int> symbol_length_;
  std::vector<uint8_t> word_start_;
  std::vector<uint8_t> word_end_;
};

// Implementation details below.

inline bool LiteralMatcher::AtBoundary(absl::string_view text, size_t pos) {
  auto word = [](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  const bool before = pos > 0 && word(static_cast<unsigned char>(text[pos - 1]));
  const bool after = pos < text.size() && word(static_cast<unsigned char>(text[pos]));
  return before != after;
}

inline size_t LiteralMatcher::SymbolStart(const unsigned char* bytes, size_t last, int count) {
  size_t start = last;
  for (int i = 1; i < count && start > 0; ++i) {
    do {
      --start;
    } while (start > 0 && (bytes[start] & 0xC0) == 0x80);
  }
  return start;
}

inline LiteralMatcher::Fold LiteralMatcher::DecodeNonAscii(absl::string_view text, size_t pos,
                                                           size_t* length) {
  const unsigned char b = static_cast<unsigned char>(text[pos]);
  size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (n > text.size() - pos) n = 1;
  for (size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(text[pos + i]) & 0xC0) != 0x80) {
      n = 1;
      break;
    }
  }
  *length = n;
  if (n == 2 && b == 0xC5 && static_cast<unsigned char>(text[pos + 1]) == 0xBF) return Fold::kLongS;
  if (n == 3 && b == 0xE2 && static_cast<unsigned char>(text[pos + 1]) == 0x84 &&
      static_cast<unsigned char>(text[pos + 2]) == 0xAA) {
    return Fold::kKelvin;
  }
  return Fold::kOther;
}

template <typename Fn>
void LiteralMatcher::FindAll(absl::string_view text, Fn found) const {
  if (!ok_) return;
  if (!next16_.empty()) {
    Scan(next16_.data(), text, found);
  } else {
    Scan(next32_.data(), text, found);
  }
}

template <typename Cell, typename Fn>
void LiteralMatcher::Scan(const Cell* next, absl::string_view text, Fn& found) const {
  constexpr Cell kHasOutput = Cell{1} << (8 * sizeof(Cell) - 1);
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t size = text.size();
  const size_t symbols = static_cast<size_t>(symbols_);
  size_t state = kRoot;
  for (size_t pos = 0; pos < size; ++pos) {
    size_t symbol = byte_symbol_[bytes[pos]];
    if (__builtin_expect(symbol >= kDecode, 0)) {
      if (symbol == kContinuation) continue;
      size_t length;
      switch (DecodeNonAscii(text, pos, &length)) {
        case Fold::kLongS:
          symbol = s_symbol_;
          break;
        case Fold::kKelvin:
          symbol = k_symbol_;
          break;
        case Fold::kOther:
          symbol = non_ascii_symbol_;
          break;
      }
    }
    const Cell cell = next[state * symbols + symbol];
    state = cell & static_cast<Cell>(~kHasOutput);
    if (__builtin_expect((cell & kHasOutput) == 0, 1)) continue;
    // The end of this symbol: past the continuation bytes of a non-ASCII one.
    size_t end = pos + 1;
    while (end < size && (bytes[end] & 0xC0) == 0x80) ++end;
    for (uint32_t o = output_begin_[state]; o < output_begin_[state + 1]; ++o) {
      const int id = outputs_[o];
      if (word_start_[id] && !AtBoundary(text, SymbolStart(bytes, pos, symbol_length_[id]))) {
        continue;
      }
      if (word_end_[id] && !AtBoundary(text, end)) continue;
      found(id);
    }
  }
}

}  // namespace entente

#endif  // ENTENTE_ENGINE_LITERAL_MATCHER_H_
