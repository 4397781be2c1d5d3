#include "engine/literal_matcher.h"

#include <algorithm>
#include <deque>
#include <map>

#include "absl/strings/ascii.h"

namespace entente {

LiteralMatcher LiteralMatcher::Build(const std::vector<RequiredLiteral>& literals,
                                     int64_t max_bytes) {
  LiteralMatcher m;
  // Symbols: every ASCII character a literal has (letters folded to lower
  // case), one for all other characters, and 0 for what no literal has.
  constexpr int kNonAscii = 128;
  std::vector<std::vector<int>> spelled(literals.size());
  std::vector<bool> used(129, false);
  for (size_t i = 0; i < literals.size(); ++i) {
    const std::string& text = literals[i].text;
    for (size_t pos = 0; pos < text.size();) {
      const unsigned char b = static_cast<unsigned char>(text[pos]);
      int raw;
      size_t length = 1;
      if (b < 0x80) {
        raw = absl::ascii_tolower(b);
      } else {
        switch (DecodeNonAscii(text, pos, &length)) {
          case Fold::kLongS:
            raw = 's';
            break;
          case Fold::kKelvin:
            raw = 'k';
            break;
          default:
            raw = kNonAscii;
        }
      }
      used[raw] = true;
      spelled[i].push_back(raw);
      pos += length;
    }
  }
  std::vector<int> symbol_of(129, 0);
  for (int raw = 0; raw <= kNonAscii; ++raw) {
    if (used[raw]) symbol_of[raw] = m.symbols_++;
  }
  for (int b = 0; b < 256; ++b) {
    if (b < 0x80) {
      m.byte_symbol_[b] =
          static_cast<uint8_t>(symbol_of[absl::ascii_tolower(static_cast<unsigned char>(b))]);
    } else if (b < 0xC0) {
      m.byte_symbol_[b] = kContinuation;
    } else if (b == 0xC5 || b == 0xE2) {  // U+017F and U+212A start with these
      m.byte_symbol_[b] = kDecode;
    } else {
      m.byte_symbol_[b] = static_cast<uint8_t>(symbol_of[kNonAscii]);
    }
  }
  m.s_symbol_ = symbol_of['s'];
  m.k_symbol_ = symbol_of['k'];
  m.non_ascii_symbol_ = symbol_of[kNonAscii];
  if (m.symbols_ > kDecode) return m;  // cannot happen: at most 129 symbols
  const size_t stride = static_cast<size_t>(m.symbols_);

  // The trie.
  std::vector<std::map<int, uint32_t>> children(1);
  std::vector<std::vector<int>> ends(1);
  for (size_t i = 0; i < literals.size(); ++i) {
    uint32_t node = kRoot;
    for (int raw : spelled[i]) {
      const int symbol = symbol_of[raw];
      auto it = children[node].find(symbol);
      if (it == children[node].end()) {
        children.emplace_back();
        ends.emplace_back();
        const uint32_t child = static_cast<uint32_t>(children.size() - 1);
        children[node][symbol] = child;
        node = child;
      } else {
        node = it->second;
      }
    }
    if (node != kRoot) ends[node].push_back(static_cast<int>(i));  // empty literals never match
  }
  const size_t states = children.size();
  const bool narrow = states < (1u << 15);
  const int64_t table_bytes =
      static_cast<int64_t>(states * stride * (narrow ? sizeof(uint16_t) : sizeof(uint32_t)));
  if (table_bytes > max_bytes || states >= (1u << 31)) return m;

  // Breadth-first: failure links folded into a full transition table, and
  // each state's outputs extended with those of its failure state.
  // Built with plain state numbers, then packed into flagged cells.
  std::vector<uint32_t> next(states * stride, kRoot);
  std::vector<uint32_t> fail(states, kRoot);
  std::vector<std::vector<int>> outputs(states);
  std::deque<uint32_t> queue;
  for (const auto& [symbol, child] : children[kRoot]) {
    next[static_cast<size_t>(kRoot) * stride + symbol] = child;
    queue.push_back(child);
  }
  outputs[kRoot] = ends[kRoot];
  while (!queue.empty()) {
    const uint32_t node = queue.front();
    queue.pop_front();
    outputs[node] = ends[node];
    const auto& inherited = outputs[fail[node]];
    outputs[node].insert(outputs[node].end(), inherited.begin(), inherited.end());
    for (int symbol = 0; symbol < m.symbols_; ++symbol) {
      auto it = children[node].find(symbol);
      const uint32_t via_fail = next[static_cast<size_t>(fail[node]) * stride + symbol];
      if (it == children[node].end()) {
        next[static_cast<size_t>(node) * stride + symbol] = via_fail;
      } else {
        next[static_cast<size_t>(node) * stride + symbol] = it->second;
        fail[it->second] = via_fail;
        queue.push_back(it->second);
      }
    }
  }
  m.output_begin_.reserve(states + 1);
  for (size_t s = 0; s < states; ++s) {
    m.output_begin_.push_back(static_cast<uint32_t>(m.outputs_.size()));
    m.outputs_.insert(m.outputs_.end(), outputs[s].begin(), outputs[s].end());
  }
  m.output_begin_.push_back(static_cast<uint32_t>(m.outputs_.size()));
  if (narrow) {
    m.next16_.reserve(next.size());
    for (uint32_t target : next) {
      m.next16_.push_back(static_cast<uint16_t>(target | (outputs[target].empty() ? 0 : 1u << 15)));
    }
  } else {
    m.next32_.reserve(next.size());
    for (uint32_t target : next) {
      m.next32_.push_back(target | (outputs[target].empty() ? 0 : 1u << 31));
    }
  }
  if (m.memory_bytes() > max_bytes) return LiteralMatcher();

  for (size_t i = 0; i < literals.size(); ++i) {
    m.symbol_length_.push_back(static_cast<int>(spelled[i].size()));
    m.word_start_.push_back(literals[i].word_start ? 1 : 0);
    m.word_end_.push_back(literals[i].word_end ? 1 : 0);
  }
  m.ok_ = true;
  return m;
}

int64_t LiteralMatcher::memory_bytes() const {
  return static_cast<int64_t>(next16_.size() * sizeof(uint16_t) +
                              next32_.size() * sizeof(uint32_t) +
                              output_begin_.size() * sizeof(uint32_t) +
                              outputs_.size() * sizeof(int) + symbol_length_.size() * 6);
}

}  // namespace entente
