#include "service/request_validation.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/utf8.h"
#include "google/protobuf/unknown_field_set.h"

namespace entente {

absl::Status CheckText(absl::string_view text, absl::string_view field) {
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is empty: nothing to classify"));
  }
  size_t bad = 0;
  if (!IsValidUtf8(text, &bad)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is not valid UTF-8 (first bad byte at offset ", bad, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ClassifyOptions> EngineOptions(const entente::v1::ClassifyOptions& options,
                                              const std::string& id, const std::string& speaker) {
  const google::protobuf::UnknownFieldSet& unknown =
      options.GetReflection()->GetUnknownFields(options);
  if (!unknown.empty()) {
    std::vector<int> numbers;
    for (int i = 0; i < unknown.field_count(); ++i) numbers.push_back(unknown.field(i).number());
    return absl::InvalidArgumentError(
        absl::StrCat("unknown option field(s) ", absl::StrJoin(numbers, ", "),
                     " in options: this server does not support them (known: min_score, explain, "
                     "omit_sentences, omit_aggregate)"));
  }
  if (!(options.min_score() >= 0.0 && options.min_score() <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("options.min_score must be in [0, 1], got ", options.min_score()));
  }
  ClassifyOptions out;
  out.id = id;
  out.speaker = speaker;
  out.min_score = options.min_score();
  out.explain = options.explain();
  out.include_sentences = !options.omit_sentences();
  out.aggregate = !options.omit_aggregate();
  return out;
}

}  // namespace entente
