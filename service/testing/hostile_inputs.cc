#include "service/testing/hostile_inputs.h"

#include "absl/strings/str_cat.h"

namespace entente {

std::string NewsLikeText(size_t bytes) {
  static const char* const kSentences[] = {
      "China and Iran called for an immediate ceasefire in Gaza. ",
      "Wang Yi said that both sides ought to support each other on core interests. ",
      "The two countries will strengthen coordination within the SCO and BRICS. ",
      "The ministers discussed the truce talks, the humanitarian corridor and the hostages. ",
      "Delegations met in Beijing to discuss trade, energy and regional security. ",
      "Russia rejected the proposed ceasefire, calling it a trap. ",
      "Will the United Nations support a cessation of hostilities? ",
      "The spokesman did not say whether the government backs multilateral talks. ",
  };
  std::string text;
  text.reserve(bytes);
  for (size_t i = 0;; ++i) {
    const std::string sentence = kSentences[i % (sizeof(kSentences) / sizeof(kSentences[0]))];
    if (text.size() + sentence.size() > bytes) break;
    text += sentence;
  }
  return text;
}

std::string LargeRuleSet(size_t bytes) {
  std::string text = "name: \"large\"\nversion: \"1\"\nstance { id: \"s\" label: \"S\" }\n";
  for (int rule = 0;; ++rule) {
    std::string words;
    for (int w = 0; w < 8; ++w) {
      absl::StrAppend(&words, w == 0 ? "" : "|", "w", rule, "x", w);
    }
    const std::string entry =
        absl::StrCat("rule { id: \"r", rule, "\" stance: \"s\" polarity: SUPPORT weight: 0.8\n",
                     "  pattern: \"\\\\b(?:", words, ")\\\\s+ceasefire\\\\b\"\n",
                     "  example { text: \"The delegation said on Tuesday that they want w", rule,
                     "x7 ceasefire now, before the talks resume.\" }\n",
                     "  counterexample { text: \"Nothing was said about w", rule,
                     "x7 or about any other matter at the meeting.\" } }\n");
    if (text.size() + entry.size() > bytes) break;
    text += entry;
  }
  return text;
}

}  // namespace entente
