#include "engine/token_pattern.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/lexicon.h"

namespace entente {
namespace {

// Separates consecutive tokens: white space and punctuation.
constexpr char kSeparator[] = "\\W+";

}  // namespace

absl::StatusOr<std::string> TokenPatternToRegex(absl::string_view tokens) {
  std::vector<absl::string_view> elements =
      absl::StrSplit(tokens, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
  if (elements.empty()) return absl::InvalidArgumentError("empty token sequence");

  std::string out;
  bool have_element = false;      // an element has been emitted
  bool pending_leading = false;   // the previous elements were all optional
  for (size_t i = 0; i < elements.size(); ++i) {
    absl::string_view element = elements[i];
    if (element[0] == '~') {
      int gap = 0;
      if (!absl::SimpleAtoi(element.substr(1), &gap) || gap < 1 || gap > 20) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad gap \"", element, "\": use ~N with N from 1 to 20"));
      }
      if (!have_element || i + 1 == elements.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("gap \"", element, "\" must stand between two elements"));
      }
      absl::StrAppend(&out, "(?:", kSeparator, "\\w+){0,", gap, "}");
      continue;
    }
    bool optional = false;
    while (!element.empty() && element.back() == '?') {
      optional = true;
      element.remove_suffix(1);
    }
    if (element.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("element \"", elements[i],
                                                     "\" has nothing to match"));
    }
    std::string fragment;
    bool is_reference = false;
    ForEachLexiconReference(element, [&](absl::string_view, size_t begin, size_t end) {
      if (begin == 0 && end == element.size()) is_reference = true;
    });
    fragment = is_reference ? std::string(element) : PhraseToRegex(element);

    if (!have_element) {
      if (optional) {
        absl::StrAppend(&out, "(?:", fragment, kSeparator, ")?");
        pending_leading = true;
      } else {
        absl::StrAppend(&out, fragment);
        have_element = true;
        pending_leading = false;
      }
      continue;
    }
    if (optional) {
      absl::StrAppend(&out, "(?:", kSeparator, fragment, ")?");
    } else {
      absl::StrAppend(&out, kSeparator, fragment);
    }
  }
  if (!have_element || pending_leading) {
    return absl::InvalidArgumentError(
        "token sequence needs at least one element that is not optional");
  }
  return out;
}

}  // namespace entente
