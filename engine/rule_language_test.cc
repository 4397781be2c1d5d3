// The rule language end to end, from rule text to annotations: inflected
// lexicons, several readings per rule, token sequences with roles, actor
// classes and clause gaps, templates, overrides, negation inside a match,
// and targets.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/classifier.h"
#include "engine/compiled_rule_set.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

using entente::v1::ClassifyResult;

constexpr char kHeader[] = R"pb(
  name: "lang"
  stance { id: "s" }
  stance { id: "core" }
  actor { id: "CHN" type: STATE name: "China" capital: "Beijing" }
  actor { id: "IRN" type: STATE name: "Iran" }
  actor { id: "RUS" type: STATE name: "Russia" }
  actor { id: "UKR" type: STATE name: "Ukraine" }
  actor { id: "SCO" type: ORGANIZATION name: "Shanghai Cooperation Organization" name: "SCO" }
  actor { id: "UN" type: ORGANIZATION name: "United Nations" name: "UN" }
  attribution { first_person_lexicon: "first_person" }
  lexicon { name: "first_person" term: "we" term: "our" }
  token_syntax { clause_break_lexicon: "clause_break" }
  lexicon { name: "clause_break" term: "but" term: "however" }
  context {
    id: "neg"
    kind: NEGATION
    term: "not"
    term: "never"
    direction: FORWARD
    scope_tokens: 4
    effect: FLIP
    factor: 0.9
  }
)pb";

std::shared_ptr<const CompiledRuleSet> CompileOrDie(const std::string& rules) {
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<LoadedRuleSet> loaded =
      LoadRuleSetFromText(absl::StrCat(kHeader, rules), "lang.textproto", &diagnostics);
  std::string all;
  for (const auto& d : diagnostics) all += d.ToString() + "\n";
  EXPECT_TRUE(loaded.ok()) << all;
  if (!loaded.ok()) return nullptr;
  auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
  all.clear();
  for (const auto& d : diagnostics) all += d.ToString() + "\n";
  EXPECT_TRUE(compiled.ok()) << all;
  return compiled.ok() ? *compiled : nullptr;
}

// "stance POLARITY [holders] (rules)" per annotation, in order.
std::string Annotations(const CompiledRuleSet& rules, const std::string& text,
                        const std::string& speaker = "") {
  ClassifyOptions options;
  options.speaker = speaker;
  ClassifyResult r = Classify(rules, text, options);
  std::vector<std::string> out;
  for (const auto& a : r.annotations()) {
    std::vector<std::string> holders, ids;
    for (const auto& h : a.holders()) holders.push_back(h.actor());
    for (const auto& e : a.evidence()) ids.push_back(e.rule_id());
    out.push_back(absl::StrCat(a.stance(), " ", entente::v1::Polarity_Name(a.polarity()), " [",
                               absl::StrJoin(holders, ","), "] (", absl::StrJoin(ids, ","), ")"));
  }
  return absl::StrJoin(out, "; ");
}

TEST(RuleLanguage, InflectedLexiconsMatchFormsNobodyListed) {
  auto rules = CompileOrDie(R"pb(
    lexicon {
      name: "ask"
      inflect: VERB
      term: "urge"
      term: "call for"
      term: "seek"
      term: "withdraw from"
    }
    lexicon {
      name: "truce"
      inflect: NOUN
      term: "truce"
      term: "ceasefire"
      forms { term: "ceasefire" form: "cease-fire" form: "ceasefires" }
    }
    rule { id: "ask" stance: "s" polarity: SUPPORT tokens: "{ask} ~3 {truce}" }
  )pb");
  ASSERT_NE(rules, nullptr);
  for (const char* text : {"China urged a truce.", "Iran is calling for a cease-fire.",
                           "Russia sought new truces.", "They withdrew from the ceasefires."}) {
    EXPECT_NE(Annotations(*rules, text), "") << text;
  }
  EXPECT_EQ(Annotations(*rules, "China voted for a truce."), "");
}

TEST(RuleLanguage, EveryReadingOfARuleIsEvidenceOnce) {
  auto rules = CompileOrDie(R"pb(
    rule {
      id: "r"
      stance: "s"
      polarity: SUPPORT
      tokens: "holder:{actor} [call] for ~3 truce"
      tokens: "truce ~2 [be] [demand] by holder:{actor}"
      pattern: "truce,? (?:which|that) (?P<holder>\\w+) wants"
    }
  )pb");
  ASSERT_NE(rules, nullptr);
  ASSERT_EQ(rules->rules()[0].readings.size(), 3u);
  EXPECT_EQ(Annotations(*rules, "China called for a truce."), "s SUPPORT [CHN] (r)");
  EXPECT_EQ(Annotations(*rules, "A truce was demanded by Russia and Iran."),
            "s SUPPORT [RUS,IRN] (r)");
  EXPECT_EQ(Annotations(*rules, "The truce that Iran wants."), "s SUPPORT [IRN] (r)");
}

TEST(RuleLanguage, ActorClassSlotsMatchOnlyTheirType) {
  auto rules = CompileOrDie(R"pb(
    rule {
      id: "within"
      stance: "s"
      polarity: SUPPORT
      tokens: "[coordinate/V] within the? target:{actor:ORGANIZATION}"
    }
  )pb");
  ASSERT_NE(rules, nullptr);
  ClassifyResult r =
      Classify(*rules, "We will coordinate within the SCO and the UN.", ClassifyOptions{"", "CHN"});
  ASSERT_EQ(r.annotations_size(), 1);
  std::vector<std::string> targets;
  for (const auto& t : r.annotations(0).targets()) targets.push_back(t.actor());
  EXPECT_EQ(targets, (std::vector<std::string>{"SCO", "UN"}));
  EXPECT_EQ(r.annotations(0).targets(0).via(), entente::v1::Holder::TARGET);
  EXPECT_EQ(r.annotations(0).targets(0).span().text(), "SCO");
  EXPECT_EQ(Annotations(*rules, "We will coordinate within China."), "");
}

TEST(RuleLanguage, TemplatesAreWrittenOnceForManyThemes) {
  auto rules = CompileOrDie(R"pb(
    template {
      name: "ask_for"
      param: "THEME"
      tokens: "holder:{actor}? [call] for ~3 $THEME"
      tokens: "$THEME ~2 [be] [demand] by holder:{actor}"
    }
    rule {
      id: "cf"
      stance: "s"
      polarity: SUPPORT
      use {
        template: "ask_for"
        bind { key: "THEME" value: "([truce/N] | ceasefire)" }
      }
    }
    rule {
      id: "sanctions"
      stance: "core"
      polarity: SUPPORT
      use {
        template: "ask_for"
        bind { key: "THEME" value: "[sanction/N]" }
      }
    }
  )pb");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(Annotations(*rules, "Iran called for truces."), "s SUPPORT [IRN] (cf)");
  EXPECT_EQ(Annotations(*rules, "Sanctions were demanded by China."),
            "core SUPPORT [CHN] (sanctions)");
}

TEST(RuleLanguage, AnOverridingRuleRemovesTheMatchesItContains) {
  auto rules = CompileOrDie(R"pb(
    rule { id: "mention" stance: "s" polarity: SUPPORT tokens: "truce" }
    rule { id: "until" stance: "s" polarity: OPPOSE tokens: "no truce until" overrides: "*" }
  )pb");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(Annotations(*rules, "There will be no truce until they leave.", "ISR"),
            "s OPPOSE [ISR] (until)");
  EXPECT_EQ(Annotations(*rules, "A truce now.", "FRA"), "s SUPPORT [FRA] (mention)");
}

TEST(RuleLanguage, ANegationInsideAGapApplies) {
  auto rules = CompileOrDie(R"pb(
    rule { id: "call" stance: "s" polarity: SUPPORT tokens: "[call] on ~6 [agree] to ~2 truce" }
  )pb");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(Annotations(*rules, "We call on them not to agree to a truce.", "ISR"),
            "s OPPOSE [ISR] (call)");
  EXPECT_EQ(Annotations(*rules, "We call on them to agree to a truce.", "FRA"),
            "s SUPPORT [FRA] (call)");
}

TEST(RuleLanguage, ClauseGapsDoNotCrossClauseBreaks) {
  auto rules = CompileOrDie(R"pb(
    rule { id: "r" stance: "s" polarity: SUPPORT tokens: "[support] ~6 truce" }
  )pb");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(Annotations(*rules, "We support peace, but not this truce.", "FRA"), "");
  EXPECT_EQ(Annotations(*rules, "We support, as ever, a truce.", "FRA"), "s SUPPORT [FRA] (r)");
}

TEST(RuleLanguage, AHolderRequiredRuleNeedsANamedHolder) {
  auto rules = CompileOrDie(R"pb(
    rule { id: "each" stance: "core" polarity: SUPPORT tokens: "[support] each other"
           holder_required: true }
  )pb");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(Annotations(*rules, "China and Iran will support each other.", "USA"),
            "core SUPPORT [CHN,IRN] (each)");
  EXPECT_EQ(Annotations(*rules, "We support each other.", "USA"), "core SUPPORT [USA] (each)");
  // Without a named holder the speaker would hold it: dropped.
  EXPECT_EQ(Annotations(*rules, "Peace and development must support each other.", "USA"), "");
}

TEST(RuleLanguage, VetoesLookOnlyWhereTheirScopeSays) {
  auto rules = CompileOrDie(R"pb(
    rule { id: "clause" stance: "core" polarity: SUPPORT tokens: "[support] each other"
           veto: "\\b(?:athletes|volunteers)\\b" veto_scope: CLAUSE }
  )pb");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(Annotations(*rules, "Athletes support each other.", "USA"), "");
  // The veto's word in another clause does not cancel the stance.
  EXPECT_EQ(Annotations(*rules, "We thank the volunteers; China and Iran support each other.",
                        "USA"),
            "core SUPPORT [CHN,IRN] (clause)");
}

TEST(RuleLanguage, MistakesGetTheirColumnAndASuggestion) {
  // Written line by line (not as a formatted proto literal) so that the
  // positions below are those of this text.
  const std::string text = absl::StrCat(
      "name: \"x\" stance { id: \"s\" }\n",
      "lexicon { name: \"sanc_term\" term: \"sanctions\" }\n",
      "rule { id: \"a\" stance: \"s\" polarity: SUPPORT tokens: \"call* for sanctions\" }\n",
      "rule { id: \"b\" stance: \"s\" polarity: SUPPORT\n",
      "  tokens: \"[call] for {sanc_trem}\" }\n",
      "rule { id: \"c\" stance: \"s\" polarity: SUPPORT use { template: \"ask_fr\" } }\n",
      "rule { id: \"d\" stance: \"s\" polarity: SUPPORT tokens: \"x\" overrides: \"nobody\" }\n");
  std::vector<Diagnostic> d;
  absl::StatusOr<LoadedRuleSet> loaded = LoadRuleSetFromText(text, "lang.textproto", &d);
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(CompiledRuleSet::Compile(*loaded, {}, &d).ok());
  std::string all;
  for (const auto& x : d) all += x.ToString() + "\n";
  EXPECT_NE(all.find("lang.textproto:3:59: error: [a] \"*\" is regex"), std::string::npos) << all;
  EXPECT_NE(all.find("lang.textproto:5:23: error: [b] unknown lexicon {sanc_trem} (did you mean "
                     "{sanc_term}?)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("lang.textproto:6:46: error: [c] unknown template \"ask_fr\""),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("[d] overrides unknown rule \"nobody\""), std::string::npos) << all;
}

}  // namespace
}  // namespace entente
