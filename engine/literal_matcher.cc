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
  for (int b = 0; b < 128; ++b) {
    m.ascii_symbol_[b] =
        static_cast<uint8_t>(symbol_of[absl::ascii_tolower(static_cast<unsigned char>(b))]);
  }
  m.s_symbol_ = symbol_of['s'];
  m.k_symbol_ = symbol_of['k'];
  m.non_ascii_symbol_ = symbol_of[kNonAscii];
  if (m.symbols_ > 255) return m;  // cannot happen: at most 129 symbols

  // The trie.
  std::vector<std::map<int, uint32_t>> children(1);
  std::vector<std::vector<int>> ends(1);
  size_t longest = 1;
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
    longest = std::max(longest, spelled[i].size());
  }
  const size_t states = children.size();
  const int64_t table_bytes = static_cast<int64_t>(states) * m.symbols_ * sizeof(uint32_t);
  if (table_bytes > max_bytes) return m;

  // Breadth-first: failure links folded into a full transition table, and
  // each state's outputs extended with those of its failure state.
  m.next_.assign(states * m.symbols_, kRoot);
  std::vector<uint32_t> fail(states, kRoot);
  std::vector<std::vector<int>> outputs(states);
  std::deque<uint32_t> queue;
  for (const auto& [symbol, child] : children[kRoot]) {
    m.next_[static_cast<size_t>(kRoot) * m.symbols_ + symbol] = child;
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
      const uint32_t via_fail = m.next_[static_cast<size_t>(fail[node]) * m.symbols_ + symbol];
      if (it == children[node].end()) {
        m.next_[static_cast<size_t>(node) * m.symbols_ + symbol] = via_fail;
      } else {
        m.next_[static_cast<size_t>(node) * m.symbols_ + symbol] = it->second;
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
  if (m.memory_bytes() > max_bytes) return LiteralMatcher();

  for (size_t i = 0; i < literals.size(); ++i) {
    m.symbol_length_.push_back(static_cast<int>(spelled[i].size()));
    m.word_start_.push_back(literals[i].word_start ? 1 : 0);
    m.word_end_.push_back(literals[i].word_end ? 1 : 0);
  }
  size_t ring = 1;
  while (ring <= longest) ring <<= 1;
  m.ring_mask_ = ring - 1;
  m.ok_ = true;
  return m;
}

int64_t LiteralMatcher::memory_bytes() const {
  return static_cast<int64_t>(next_.size() * sizeof(uint32_t) +
                              output_begin_.size() * sizeof(uint32_t) +
                              outputs_.size() * sizeof(int) + symbol_length_.size() * 6);
}

}  // namespace entente
