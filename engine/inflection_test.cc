#include "engine/inflection.h"

#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(InflectWord, RegularVerbs) {
  EXPECT_THAT(InflectWord("urge", WordClass::kVerb),
              ElementsAre("urge", "urges", "urged", "urging"));
  EXPECT_THAT(InflectWord("call", WordClass::kVerb),
              ElementsAre("call", "calls", "called", "calling"));
  EXPECT_THAT(InflectWord("push", WordClass::kVerb),
              ElementsAre("push", "pushes", "pushed", "pushing"));
  EXPECT_THAT(InflectWord("rally", WordClass::kVerb),
              ElementsAre("rally", "rallies", "rallied", "rallying"));
  EXPECT_THAT(InflectWord("agree", WordClass::kVerb),
              ElementsAre("agree", "agrees", "agreed", "agreeing"));
  EXPECT_THAT(InflectWord("veto", WordClass::kVerb),
              ElementsAre("veto", "vetoes", "vetoed", "vetoing"));
}

TEST(InflectWord, WordNetExceptionsJoinTheRegularForms) {
  auto has = [](const std::vector<std::string>& forms, const char* form) {
    return std::find(forms.begin(), forms.end(), form) != forms.end();
  };
  for (const char* form : {"withdraw", "withdraws", "withdrew", "withdrawn", "withdrawing"}) {
    EXPECT_TRUE(has(InflectWord("withdraw", WordClass::kVerb), form)) << form;
  }
  EXPECT_TRUE(has(InflectWord("seek", WordClass::kVerb), "sought"));
  EXPECT_TRUE(has(InflectWord("lead", WordClass::kVerb), "led"));
  EXPECT_TRUE(has(InflectWord("stop", WordClass::kVerb), "stopped"));
  EXPECT_TRUE(has(InflectWord("stop", WordClass::kVerb), "stopping"));
  EXPECT_TRUE(has(InflectWord("commit", WordClass::kVerb), "committing"));
  // A variant WordNet lists does not hide the common form.
  EXPECT_TRUE(has(InflectWord("work", WordClass::kVerb), "worked"));
  EXPECT_TRUE(has(InflectWord("work", WordClass::kVerb), "wrought"));
}

TEST(InflectWord, Nouns) {
  EXPECT_THAT(InflectWord("ceasefire", WordClass::kNoun), ElementsAre("ceasefire", "ceasefires"));
  EXPECT_THAT(InflectWord("truce", WordClass::kNoun), ElementsAre("truce", "truces"));
  EXPECT_THAT(InflectWord("crisis", WordClass::kNoun), ElementsAre("crisis", "crisises", "crises"));
  EXPECT_THAT(InflectWord("body", WordClass::kNoun), ElementsAre("body", "bodies"));
  EXPECT_THAT(InflectWord("sanction", WordClass::kNoun), ElementsAre("sanction", "sanctions"));
}

TEST(InflectWord, KeepsACapital) {
  EXPECT_THAT(InflectWord("Urge", WordClass::kVerb),
              ElementsAre("Urge", "Urges", "Urged", "Urging"));
}

TEST(InflectPhrase, VerbsInflectTheFirstWordNounsTheLast) {
  EXPECT_THAT(InflectPhrase("call  for", WordClass::kVerb),
              ElementsAre("call for", "calls for", "called for", "calling for"));
  EXPECT_THAT(InflectPhrase("withdraw from", WordClass::kVerb),
              UnorderedElementsAre("withdraw from", "withdraws from", "withdrawed from",
                                   "withdrew from", "withdrawn from", "withdrawing from"));
  EXPECT_THAT(InflectPhrase("humanitarian pause", WordClass::kNoun),
              ElementsAre("humanitarian pause", "humanitarian pauses"));
  EXPECT_EQ(HeadWord("call for", WordClass::kVerb), "call");
  EXPECT_EQ(HeadWord("humanitarian pause", WordClass::kNoun), "pause");
}

TEST(IsWordNetLemma, KnowsLemmasOfEachClass) {
  EXPECT_TRUE(IsWordNetLemma("withdraw", WordClass::kVerb));
  EXPECT_TRUE(IsWordNetLemma("call for", WordClass::kVerb));
  EXPECT_TRUE(IsWordNetLemma("Truce", WordClass::kNoun));
  EXPECT_FALSE(IsWordNetLemma("ceasefire", WordClass::kNoun));  // WordNet has cease-fire
  EXPECT_FALSE(IsWordNetLemma("greenlight", WordClass::kVerb));
  EXPECT_FALSE(IsWordNetLemma("truce", WordClass::kVerb));
}

}  // namespace
}  // namespace entente
