#include "engine/near_miss.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace entente {
namespace {

using Range = std::pair<size_t, size_t>;

// How an element is written, for messages.
std::string ElementName(const TokenElement& e) {
  switch (e.kind) {
    case TokenElement::Kind::kWord:
      return absl::StrCat("\"", e.text, "\"");
    case TokenElement::Kind::kLexicon:
      return absl::StrCat("{", e.text, "}");
    case TokenElement::Kind::kLemma:
      return absl::StrCat("[", e.text, e.lemma_class == WordClass::kNoun ? "/N" : "", "]");
    case TokenElement::Kind::kActor:
      return e.text.empty() ? "{actor}" : absl::StrCat("{actor:", e.text, "}");
    case TokenElement::Kind::kParam:
      return absl::StrCat("$", e.text);
    case TokenElement::Kind::kGroup: {
      std::vector<std::string> parts;
      for (const TokenSequence& alternative : e.alternatives) {
        std::vector<std::string> words;
        for (const TokenElement& x : alternative) words.push_back(ElementName(x));
        parts.push_back(absl::StrJoin(words, " "));
      }
      std::string joined = absl::StrJoin(parts, " | ");
      if (joined.size() > 40) joined = joined.substr(0, 37) + "...";
      return absl::StrCat("(", joined, ")");
    }
    case TokenElement::Kind::kGap:
      break;
  }
  return "~";
}

// The occurrences of `re` in `sentence`, left to right, not overlapping.
std::vector<Range> Occurrences(const RE2& re, absl::string_view sentence) {
  std::vector<Range> out;
  re2::StringPiece input(sentence.data(), sentence.size());
  re2::StringPiece m;
  size_t pos = 0;
  while (pos < sentence.size() && re.Match(input, pos, sentence.size(), RE2::UNANCHORED, &m, 1)) {
    const size_t b = m.data() - sentence.data();
    const size_t e = b + m.size();
    if (e > b) out.push_back({b, e});
    pos = e > b ? e : b + 1;
  }
  return out;
}

int WordsIn(absl::string_view text) {
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool w = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (w && !in_word) ++words;
    in_word = w;
  }
  return words;
}

// One required-or-optional element of a reading and what may precede it.
struct Slot {
  const TokenElement* element;
  const RE2* pattern;
  int max_words = 0;            // the gap before it (0: adjacent)
  bool across_clauses = false;  // the gap before it may cross clauses
  std::vector<Range> occurrences;
};

class ReadingAnalysis {
 public:
  ReadingAnalysis(const CompiledRuleSet& rules, absl::string_view sentence)
      : rules_(rules), sentence_(sentence) {}

  // Fills `miss` (fraction, what, found) for token reading `index`.
  void Tokens(int index, NearMiss* miss) {
    const CompiledReading& reading = rules_.reading(index);
    const auto& patterns = rules_.ElementPatterns(index);
    std::vector<Slot> slots;
    int gap = 0;
    bool across = false;
    for (size_t i = 0; i < reading.sequence.size(); ++i) {
      const TokenElement& e = reading.sequence[i];
      if (e.kind == TokenElement::Kind::kGap) {
        gap = e.gap;
        across = e.across_clauses;
        continue;
      }
      Slot slot{&e, i < patterns.size() ? patterns[i].get() : nullptr, gap, across, {}};
      if (slot.pattern != nullptr) slot.occurrences = Occurrences(*slot.pattern, sentence_);
      slots.push_back(std::move(slot));
      gap = 0;
      across = false;
    }
    int required = 0, present = 0;
    for (const Slot& s : slots) {
      if (s.element->optional) continue;
      ++required;
      if (!s.occurrences.empty()) ++present;
    }
    // Extend the chain element by element: `ends` holds where a chain of the
    // elements so far can end.
    std::vector<Range> ends = {{0, 0}};
    bool first = true;
    int chained = 0;
    std::string failure;
    std::vector<Range> found;
    const Slot* previous = nullptr;
    for (const Slot& slot : slots) {
      std::vector<Range> next;
      for (const Range& occ : slot.occurrences) {
        for (const Range& end : ends) {
          if (first || Fits(end, occ, slot)) {
            next.push_back(occ);
            break;
          }
        }
      }
      if (next.empty() && slot.element->optional) continue;  // skip it
      if (next.empty()) {
        failure = Failure(previous, ends, slot, first);
        break;
      }
      found.push_back(next.front());
      ends = std::move(next);
      first = false;
      previous = &slot;
      if (!slot.element->optional) ++chained;
    }
    miss->fraction = required > 0 ? (present + chained) / (2.0 * required) : 0;
    miss->what = failure.empty() ? "every element occurs in order; the whole reading did not "
                                   "match (a role or an inner part failed)"
                                 : failure;
    if (present == 0) miss->what.clear();
    miss->found = std::move(found);
  }

  // Fills `miss` for a raw pattern: which of the rule's lexicons occur.
  void Pattern(const CompiledRule& rule, NearMiss* miss) {
    std::vector<std::string> found, missing;
    for (const std::string& name : rule.lexicons) {
      const RE2* re = rules_.LexiconRegex(name);
      if (re == nullptr) continue;
      std::vector<Range> occ = Occurrences(*re, sentence_);
      if (occ.empty()) {
        missing.push_back(absl::StrCat("{", name, "}"));
      } else {
        found.push_back(absl::StrCat("{", name, "}"));
        miss->found.push_back(occ.front());
      }
    }
    const size_t total = found.size() + missing.size();
    miss->fraction = total > 0 ? 0.5 * found.size() / total : 0;
    if (found.empty()) return;
    miss->what =
        absl::StrCat("pattern: found ", absl::StrJoin(found, ", "),
                     missing.empty() ? "; the words between are not as it wants"
                                     : absl::StrCat("; missing ", absl::StrJoin(missing, ", ")));
  }

 private:
  // True if `occ` may follow a chain ending at `end` under `slot`'s gap.
  bool Fits(const Range& end, const Range& occ, const Slot& slot) const {
    if (occ.first < end.second) return false;
    absl::string_view between = sentence_.substr(end.second, occ.first - end.second);
    if (WordsIn(between) > slot.max_words) return false;
    return slot.across_clauses || !CrossesClause(between);
  }

  bool CrossesClause(absl::string_view between) const {
    if (between.find_first_of(".;:?!") != absl::string_view::npos) return true;
    re2::StringPiece input(between.data(), between.size());
    return rules_.clause_break().Match(input, 0, between.size(), RE2::UNANCHORED, nullptr, 0);
  }

  // Why no occurrence of `slot` continues the chain.
  std::string Failure(const Slot* previous, const std::vector<Range>& ends, const Slot& slot,
                      bool first) const {
    const std::string name = ElementName(*slot.element);
    if (slot.occurrences.empty()) return absl::StrCat("missing ", name);
    if (first || previous == nullptr) return absl::StrCat("found ", name, " but not as a whole");
    const std::string before = ElementName(*previous->element);
    // The closest pair, after the chain's end if any.
    int best_words = -1;
    bool clause = false;
    for (const Range& occ : slot.occurrences) {
      for (const Range& end : ends) {
        if (occ.first < end.second) continue;
        absl::string_view between = sentence_.substr(end.second, occ.first - end.second);
        const int words = WordsIn(between);
        if (best_words < 0 || words < best_words) {
          best_words = words;
          clause = !slot.across_clauses && CrossesClause(between);
        }
      }
    }
    if (best_words < 0) return absl::StrCat("found ", before, " and ", name, " in the other order");
    if (best_words > slot.max_words) {
      return absl::StrCat("found ", before, " and ", name, " ", best_words,
                          " words apart (at most ", slot.max_words, ")");
    }
    if (clause) return absl::StrCat("found ", before, " and ", name, " across a clause boundary");
    return absl::StrCat("found ", before, " and ", name, " but not as the reading wants");
  }

  const CompiledRuleSet& rules_;
  absl::string_view sentence_;
};

}  // namespace

NearMiss AnalyzeRule(const CompiledRuleSet& rules, int rule_index, absl::string_view sentence) {
  NearMiss best;
  best.rule = rule_index;
  const CompiledRule& rule = rules.rules()[rule_index];
  for (size_t i = 0; i < rules.readings().size(); ++i) {
    const auto& ref = rules.readings()[i];
    if (ref.rule != rule_index) continue;
    NearMiss miss;
    miss.rule = rule_index;
    miss.reading = ref.reading;
    ReadingAnalysis analysis(rules, sentence);
    if (rules.reading(static_cast<int>(i)).from_tokens &&
        !rules.reading(static_cast<int>(i)).sequence.empty()) {
      analysis.Tokens(static_cast<int>(i), &miss);
    } else {
      analysis.Pattern(rule, &miss);
    }
    if (best.reading < 0 || miss.fraction > best.fraction) best = std::move(miss);
  }
  return best;
}

}  // namespace entente
