// No gold text in the rules: a rule example or counterexample that copies a
// labelled sentence fixes the answer for that input, so the quality gate
// (dev_quality_test) would measure memory, not skill. This test fails when
// any example or counterexample of any bundled rule set shares seven
// consecutive words with a sentence of the shared labelled files, and when
// an example that expects a stance does not name its holders (holders left
// unchecked let attribution regress unseen).

#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/evaluation.h"
#include "engine/rule_set_loader.h"
#include "gtest/gtest.h"
#include "tests/test_paths.h"

namespace entente {
namespace {

constexpr size_t kShingle = 7;

// Lower-case words (runs of letters and digits; other bytes separate them).
std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || (c & 0x80)) {
      word += absl::ascii_tolower(static_cast<unsigned char>(c));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::vector<std::string> Shingles(absl::string_view text) {
  std::vector<std::string> words = Words(text);
  std::vector<std::string> out;
  for (size_t i = 0; i + kShingle <= words.size(); ++i) {
    out.push_back(absl::StrJoin(words.begin() + i, words.begin() + i + kShingle, " "));
  }
  return out;
}

TEST(NoGoldText, ShinglesAreSevenConsecutiveWords) {
  EXPECT_TRUE(Shingles("one two three four five six").empty());
  EXPECT_EQ(Shingles("One, two three-four five six SEVEN."),
            std::vector<std::string>{"one two three four five six seven"});
}

TEST(NoGoldText, NoExampleSharesSevenWordsWithLabelledData) {
  std::set<std::string> gold;
  for (const char* name : {"data/dev.jsonl", "data/dev2.jsonl"}) {
    const std::string path = testing::SharedPath(name);
    ASSERT_FALSE(path.empty()) << "cannot find ../shared/" << name;
    auto sentences = ReadGoldFile(path);
    ASSERT_TRUE(sentences.ok()) << sentences.status();
    ASSERT_GE(sentences->size(), 100u);
    for (const auto& s : *sentences) {
      for (auto& shingle : Shingles(s.text())) gold.insert(std::move(shingle));
    }
  }
  std::vector<std::string> copied;
  std::vector<std::string> no_holders;
  int examples = 0;
  for (const char* set : {"default.textproto", "humanitarian.textproto"}) {
    std::vector<Diagnostic> diagnostics;
    auto loaded = LoadRuleSet(testing::RunfilesPath(absl::StrCat("rules/", set)), {}, &diagnostics);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    const auto& rules = loaded->rule_set.rule();
    for (int i = 0; i < rules.size(); ++i) {
      // rules/... rather than the runfiles path before it.
      std::string location = loaded->rule_locations[i].ToString();
      location.erase(0, location.rfind("/rules/") + 1);
      const std::string where = absl::StrCat(location, " [", rules[i].id(), "] ");
      auto check = [&](const entente::v1::Example& e, bool counterexample) {
        ++examples;
        for (const std::string& shingle : Shingles(e.text())) {
          if (gold.count(shingle)) {
            copied.push_back(absl::StrCat(where, "\"", e.text(), "\" shares \"", shingle, "\""));
            break;
          }
        }
        if (!counterexample && e.holders().empty()) {
          no_holders.push_back(absl::StrCat(where, "\"", e.text(), "\""));
        }
      };
      for (const auto& e : rules[i].example()) check(e, false);
      for (const auto& e : rules[i].counterexample()) check(e, true);
    }
  }
  EXPECT_GT(examples, 100);
  EXPECT_TRUE(copied.empty()) << copied.size() << " examples copy labelled text:\n"
                              << absl::StrJoin(copied, "\n");
  EXPECT_TRUE(no_holders.empty()) << no_holders.size()
                                  << " examples expect a stance but name no holders:\n"
                                  << absl::StrJoin(no_holders, "\n");
}

}  // namespace
}  // namespace entente
