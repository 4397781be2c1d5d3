#include "engine/inflection.h"

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

TEST(InflectWord, WordNetExceptionsReplaceTheRegularSlot) {
  EXPECT_THAT(
      InflectWord("withdraw", WordClass::kVerb),
      UnorderedElementsAre("withdraw", "withdraws", "withdrew", "withdrawn", "withdrawing"));
  EXPECT_THAT(InflectWord("seek", WordClass::kVerb),
              UnorderedElementsAre("seek", "seeks", "sought", "seeking"));
  EXPECT_THAT(InflectWord("lead", WordClass::kVerb),
              UnorderedElementsAre("lead", "leads", "led", "leading"));
  EXPECT_THAT(InflectWord("stop", WordClass::kVerb),
              UnorderedElementsAre("stop", "stops", "stopped", "stopping"));
  EXPECT_THAT(InflectWord("commit", WordClass::kVerb),
              UnorderedElementsAre("commit", "commits", "committed", "committing"));
}

TEST(InflectWord, Nouns) {
  EXPECT_THAT(InflectWord("ceasefire", WordClass::kNoun), ElementsAre("ceasefire", "ceasefires"));
  EXPECT_THAT(InflectWord("truce", WordClass::kNoun), ElementsAre("truce", "truces"));
  EXPECT_THAT(InflectWord("crisis", WordClass::kNoun), ElementsAre("crisis", "crises"));
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
              UnorderedElementsAre("withdraw from", "withdraws from", "withdrew from",
                                   "withdrawn from", "withdrawing from"));
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
