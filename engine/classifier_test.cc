// Tests of the pipeline on a small inline rule set: context scopes, holder
// attribution, scoring and aggregation.

#include "engine/classifier.h"

#include <cmath>
#include <set>

#include "engine/scorer.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

using entente::v1::ClassifyResult;
using entente::v1::OPPOSE;
using entente::v1::SUPPORT;

constexpr char kRules[] = R"pb(
  name: "test"
  version: "7"
  stance { id: "ceasefire" }
  stance { id: "core_interests" }
  attribution {
    first_person_lexicon: "first_person"
    plural_anaphor_lexicon: "plural"
    person_pronoun_lexicon: "pronoun"
    preposition_lexicon: "prep"
    reporting_verb_lexicon: "reporting"
  }
  lexicon { name: "first_person" term: "we" term: "our" term: "I" }
  lexicon { name: "plural" term: "the two nations" term: "both sides" }
  lexicon { name: "pronoun" term: "he" term: "she" }
  lexicon { name: "prep" term: "in" term: "with" term: "by" }
  lexicon { name: "reporting" term: "said" term: "according to" }
  lexicon { name: "truce" term: "ceasefire" term: "truce" }
  lexicon { name: "call" term: "call for" term: "calls for" term: "called for" term: "support" }
  rule { id: "call" stance: "ceasefire" polarity: SUPPORT weight: 0.8 tokens: "{call} ~3 {truce}" }
  rule {
    id: "reject"
    stance: "ceasefire"
    polarity: OPPOSE
    weight: 0.9
    tokens: "rejected ~3 {truce}"
  }
  rule {
    id: "urgent"
    stance: "ceasefire"
    polarity: SUPPORT
    weight: 0.5
    pattern: "{truce} is urgent"
  }
  rule {
    id: "by_role"
    stance: "ceasefire"
    polarity: SUPPORT
    weight: 0.7
    pattern: "{truce} proposed by (?P<holder>[A-Z][a-z]+)"
  }
  rule {
    id: "mutual"
    stance: "core_interests"
    polarity: SUPPORT
    mutual: true
    tokens: "support each other"
  }
  context {
    id: "neg"
    kind: NEGATION
    term: "not"
    term: "never"
    direction: FORWARD
    scope_tokens: 4
    terminator: "but"
    pseudo: "not only"
    effect: FLIP
    factor: 0.9
  }
  context { id: "hedge" kind: HEDGE term: "may" direction: FORWARD effect: DISCOUNT factor: 0.5 }
  context { id: "q" kind: QUESTION pattern: "\\?$" direction: BACKWARD effect: DROP }
  actor { id: "CHN" type: STATE name: "China" capital: "Beijing" demonym: "Chinese" }
  actor { id: "IRN" type: STATE name: "Iran" }
  actor { id: "RUS" type: STATE name: "Russia" name: "Russian Federation" }
  actor { id: "HAMAS" type: ARMED_GROUP name: "Hamas" }
  actor { id: "US" type: STATE name: "US" }
  person { name: "Wang Yi" actor: "CHN" }
)pb";

class ClassifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<Diagnostic> diagnostics;
    auto loaded = LoadRuleSetFromText(kRules, "test.textproto", &diagnostics);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    auto compiled = CompiledRuleSet::Compile(*loaded, {}, &diagnostics);
    for (const auto& d : diagnostics) ADD_FAILURE() << d.ToString();
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    rules_ = new std::shared_ptr<const CompiledRuleSet>(*compiled);
  }

  static ClassifyResult Run(const std::string& text, const std::string& speaker = "",
                            bool explain = false) {
    ClassifyOptions options;
    options.speaker = speaker;
    options.explain = explain;
    return Classify(**rules_, text, options);
  }

  static std::set<std::string> HoldersOf(const entente::v1::Annotation& a) {
    std::set<std::string> out;
    for (const auto& h : a.holders()) out.insert(h.actor());
    return out;
  }

  static std::shared_ptr<const CompiledRuleSet>* rules_;
};

std::shared_ptr<const CompiledRuleSet>* ClassifierTest::rules_ = nullptr;

TEST_F(ClassifierTest, ResultNamesRuleSetAndVersion) {
  ClassifyResult r = Run("Nothing here.");
  EXPECT_EQ(r.rule_set(), "test");
  EXPECT_EQ(r.rule_set_version(), "7");
  EXPECT_EQ(r.annotations_size(), 0);
  EXPECT_EQ(r.sentences_size(), 1);
}

TEST_F(ClassifierTest, FirstPersonResolvesToSpeaker) {
  ClassifyResult r = Run("We call for a ceasefire.", "NOR");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(r.annotations(0).polarity(), SUPPORT);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"NOR"});
  EXPECT_EQ(r.annotations(0).holders(0).via(), entente::v1::Holder::FIRST_PERSON);
  // Without a speaker, first person has no holder.
  r = Run("We call for a ceasefire.");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(r.annotations(0).holders_size(), 0);
}

TEST_F(ClassifierTest, UnattributedAssertionIsTheSpeakers) {
  ClassifyResult r = Run("A ceasefire is urgent.", "ARM");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"ARM"});
  EXPECT_EQ(r.annotations(0).holders(0).via(), entente::v1::Holder::SPEAKER);
}

TEST_F(ClassifierTest, CompoundHoldersAndPrepositionalObjects) {
  ClassifyResult r = Run("In Beijing, China and Iran called for a truce.");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), (std::set<std::string>{"CHN", "IRN"}));
  r = Run("China, Iran and the Russian Federation called for a truce.");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), (std::set<std::string>{"CHN", "IRN", "RUS"}));
  // An actor after a preposition is not the subject.
  r = Run("Talks with Iran called for a truce.", "FRA");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"FRA"});
}

TEST_F(ClassifierTest, ReportedStanceBelongsToTheReportedActor) {
  ClassifyResult r = Run("Hamas rejected the truce.", "USA");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(r.annotations(0).polarity(), OPPOSE);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"HAMAS"});
}

TEST_F(ClassifierTest, TrailingReportingVerbNamesTheSource) {
  ClassifyResult r = Run("\"We never rejected the truce,\" Wang Yi said.", "USA");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"CHN"});
  EXPECT_EQ(r.annotations(0).holders(0).via(), entente::v1::Holder::REPORTED);
  r = Run("A ceasefire is urgent, according to Iran.", "USA");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"IRN"});
  // Unquoted first person stays the speaker's.
  r = Run("We call for a truce, Iran said.", "USA");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"USA"});
}

TEST_F(ClassifierTest, AcronymsMatchOnlyInCapitals) {
  ClassifyResult r = Run("The US called for a truce.", "");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(HoldersOf(r.annotations(0)), std::set<std::string>{"US"});
  r = Run("Let us call for a truce.", "");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(r.annotations(0).holders_size(), 0);
}

TEST_F(ClassifierTest, HolderRoleWins) {
  ClassifyResult r = Run("We back the truce proposed by Iran.", "FRA");
  bool found = false;
  for (const auto& a : r.annotations()) {
    for (const auto& e : a.evidence()) {
      if (e.rule_id() == "by_role") {
        found = true;
        EXPECT_EQ(HoldersOf(a), std::set<std::string>{"IRN"});
        EXPECT_EQ(a.holders(0).via(), entente::v1::Holder::ROLE);
      }
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ClassifierTest, AnaphoraResolveToEarlierActors) {
  ClassifyResult r =
      Run("China and Iran held talks. Wang Yi spoke first. The two nations support each other. "
          "He called for a truce.");
  std::set<std::string> core, ceasefire;
  for (const auto& a : r.annotations()) {
    (a.stance() == "core_interests" ? core : ceasefire) = HoldersOf(a);
  }
  EXPECT_EQ(core, (std::set<std::string>{"CHN", "IRN"}));
  EXPECT_EQ(ceasefire, std::set<std::string>{"CHN"});
}

TEST_F(ClassifierTest, NegationFlipsWithinScopeOnly) {
  ClassifyResult r = Run("We do not support a ceasefire.", "ISR");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(r.annotations(0).polarity(), OPPOSE);
  ASSERT_EQ(r.annotations(0).evidence(0).modifiers_size(), 1);
  EXPECT_EQ(r.annotations(0).evidence(0).modifiers(0).trigger_id(), "neg");
  EXPECT_NEAR(r.annotations(0).score(), 0.8 * 0.9, 1e-9);

  // A negated opposition is support.
  r = Run("We never rejected the truce.", "RUS");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(r.annotations(0).polarity(), SUPPORT);

  // Out of scope: more than 4 tokens away, where the negation is about
  // something else and the call stands (GUIDELINES: SUPPORT).
  r = Run("Not one delegation walked out of the hall, and we call for a ceasefire.", "X");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_EQ(r.annotations(0).polarity(), SUPPORT);
  EXPECT_EQ(r.annotations(0).evidence(0).modifiers_size(), 0);

  // A terminator ends the scope; a pseudo-trigger is no trigger.
  r = Run("Not now, but we support a ceasefire.", "X");
  EXPECT_EQ(r.annotations(0).polarity(), SUPPORT);
  r = Run("We not only support a ceasefire.", "X");
  EXPECT_EQ(r.annotations(0).polarity(), SUPPORT);
}

TEST_F(ClassifierTest, HedgeDiscountsAndQuestionDrops) {
  ClassifyResult r = Run("We may call for a ceasefire.", "X");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_NEAR(r.annotations(0).score(), 0.8 * 0.5, 1e-9);
  EXPECT_EQ(Run("Do you call for a ceasefire?", "X").annotations_size(), 0);
}

TEST_F(ClassifierTest, EvidenceCombinesByNoisyOr) {
  ClassifyResult r = Run("We call for a ceasefire. A ceasefire is urgent.", "X");
  ASSERT_EQ(r.annotations_size(), 2);  // one per sentence
  r = Run("We call for a ceasefire; a ceasefire is urgent.", "X");
  ASSERT_EQ(r.annotations_size(), 1);
  EXPECT_NEAR(r.annotations(0).score(), 1 - (1 - 0.8) * (1 - 0.5), 1e-9);
  EXPECT_EQ(r.annotations(0).evidence_size(), 2);
  EXPECT_NEAR(NoisyOr({}), 0.0, 1e-12);
  EXPECT_NEAR(NoisyOr({1.0, 0.3}), 1.0, 1e-12);
}

TEST_F(ClassifierTest, MinScoreFiltersAnnotations) {
  ClassifyOptions options;
  options.speaker = "X";
  options.min_score = 0.6;
  EXPECT_EQ(Classify(**rules_, "A ceasefire is urgent.", options).annotations_size(), 0);
  EXPECT_EQ(Classify(**rules_, "We call for a ceasefire.", options).annotations_size(), 1);
}

TEST_F(ClassifierTest, AggregateHasMutualEdges) {
  ClassifyResult r = Run("China and Iran support each other. Russia called for a truce.");
  bool mutual = false;
  for (const auto& e : r.aggregate().edges()) {
    if (e.actor_a() == "CHN" && e.actor_b() == "IRN" && e.stance() == "core_interests") {
      mutual = e.mutual();
    }
  }
  EXPECT_TRUE(mutual);
  int stances = 0;
  for (const auto& s : r.aggregate().actor_stances()) stances += s.actor() == "RUS";
  EXPECT_EQ(stances, 1);
}

TEST_F(ClassifierTest, OffsetsAreBytesOfUtf8Text) {
  std::string text = "Déjà vu. Le Président: “We call for a ceasefire.”";
  ClassifyResult r = Run(text, "FRA");
  ASSERT_EQ(r.annotations_size(), 1);
  const auto& span = r.annotations(0).evidence(0).span();
  EXPECT_EQ(text.substr(span.begin(), span.end() - span.begin()), "call for a ceasefire");
  EXPECT_EQ(span.text(), "call for a ceasefire");
}

TEST_F(ClassifierTest, ExplainShowsNearMissesTriggersAndSteps) {
  ClassifyResult r = Run("We do not support a truce proposed by 42 states.", "X", true);
  ASSERT_EQ(r.explanation().sentences_size(), 1);
  const auto& s = r.explanation().sentences(0);
  std::set<std::string> outcomes;
  for (const auto& t : s.rules()) {
    outcomes.insert(t.rule_id() + ":" + entente::v1::RuleTrace::Outcome_Name(t.outcome()));
  }
  EXPECT_TRUE(outcomes.count("call:FIRED"));
  EXPECT_TRUE(outcomes.count("by_role:NEAR_MISS"));
  for (const auto& t : s.rules()) {
    if (t.rule_id() == "by_role") {
      EXPECT_NE(t.note().find("found {truce}"), std::string::npos) << t.note();
    }
  }
  EXPECT_GE(s.triggers_size(), 1);
  EXPECT_FALSE(s.attribution_steps().empty());
  ASSERT_FALSE(s.score_steps().empty());
  EXPECT_NE(s.score_steps(0).find("1 - (1 - 0.720)"), std::string::npos) << s.score_steps(0);
}

// A text of `n` sentences, each of which fires "call" and has a near miss.
std::string ManySentences(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "China may call for a ceasefire, and a truce proposed by 42 states is urgent. ";
  }
  return text;
}

TEST_F(ClassifierTest, CancelledStopsBeforeTheNextSentence) {
  int calls = 0;
  ClassifyOptions options;
  options.cancelled = [&calls] { return ++calls > 3; };
  ClassifyResult r = Classify(**rules_, ManySentences(100), options);
  EXPECT_EQ(calls, 4);  // checked before sentences 0, 1, 2 and 3; stopped at 3
  std::set<int> sentences;
  for (const auto& a : r.annotations()) sentences.insert(a.sentence_index());
  EXPECT_LE(sentences.size(), 3u);
  options.cancelled = [] { return false; };
  EXPECT_EQ(Classify(**rules_, ManySentences(100), options).annotations_size(),
            Classify(**rules_, ManySentences(100), {}).annotations_size());
}

TEST_F(ClassifierTest, ExplanationStaysWithinItsByteLimitAndSaysWhatWasCut) {
  const std::string text = ManySentences(200);
  ClassifyOptions options;
  options.explain = true;
  ClassifyResult full = Classify(**rules_, text, options);
  ASSERT_FALSE(full.explanation().has_truncated()) << full.explanation().truncated().DebugString();
  ASSERT_EQ(full.explanation().sentences_size(), 200);
  const int64_t full_bytes = static_cast<int64_t>(full.explanation().ByteSizeLong());

  options.explain_limits.max_bytes = full_bytes / 4;
  ClassifyResult cut = Classify(**rules_, text, options);
  const entente::v1::Explanation& explanation = cut.explanation();
  ASSERT_TRUE(explanation.has_truncated());
  const int explained = explanation.sentences_size();
  EXPECT_GT(explained, 0);
  EXPECT_LT(explained, 200);
  EXPECT_EQ(explanation.truncated().first_unexplained_sentence(), explained);
  EXPECT_EQ(explanation.truncated().sentences_omitted(), 200 - explained);
  entente::v1::Explanation without_note = explanation;
  without_note.clear_truncated();
  EXPECT_LE(static_cast<int64_t>(without_note.ByteSizeLong()), options.explain_limits.max_bytes);
  EXPECT_NE(explanation.truncated().limits().find("max_bytes="), std::string::npos);
  // Annotations are never cut.
  ClassifyResult plain = Classify(**rules_, text, {});
  ASSERT_EQ(cut.annotations_size(), plain.annotations_size());
  for (int i = 0; i < plain.annotations_size(); ++i) {
    EXPECT_EQ(cut.annotations(i).SerializeAsString(), plain.annotations(i).SerializeAsString());
  }
}

TEST_F(ClassifierTest, ExplanationCapsTracesSpansAndStepsPerSentence) {
  ClassifyOptions options;
  options.explain = true;
  options.explain_limits.max_rules_per_sentence = 1;
  options.explain_limits.max_spans_per_rule = 1;
  options.explain_limits.max_steps_per_sentence = 1;
  ClassifyResult r = Classify(**rules_, ManySentences(3), options);
  ASSERT_EQ(r.explanation().sentences_size(), 3);
  for (const auto& s : r.explanation().sentences()) {
    EXPECT_EQ(s.rules_size(), 1);
    for (const auto& t : s.rules()) EXPECT_LE(t.spans_size(), 1);
    EXPECT_LE(s.triggers_size(), 1);
    EXPECT_LE(s.attribution_steps_size(), 1);
    EXPECT_LE(s.score_steps_size(), 1);
  }
  ASSERT_TRUE(r.explanation().has_truncated());
  EXPECT_EQ(r.explanation().truncated().sentences_capped(), 3);
  EXPECT_EQ(r.explanation().truncated().sentences_omitted(), 0);
}

TEST_F(ClassifierTest, EmptyAndWhitespaceTexts) {
  EXPECT_EQ(Run("").annotations_size(), 0);
  EXPECT_EQ(Run("   \n\t ").sentences_size(), 0);
}

}  // namespace
}  // namespace entente
