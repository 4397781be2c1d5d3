#include "cli/result_json.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace entente {

void AppendResultJson(const entente::v1::ClassifyResult& result, std::string* out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(result, &json, options);
  if (!status.ok()) {
    // Only invalid UTF-8 can get here, and callers validate it first.
    absl::StrAppend(out, "{\"id\":\"\",\"error\":\"cannot print result\"}\n");
    return;
  }
  if (result.annotations_size() == 0 && !json.empty() && json.back() == '}') {
    json.pop_back();
    absl::StrAppend(&json, json.size() > 1 ? "," : "", "\"annotations\":[]}");
  }
  absl::StrAppend(out, json, "\n");
}

void AppendSentenceResultsJson(const entente::v1::ClassifyResult& result, std::string* out) {
  // Annotations by sentence index, in one pass: a document of a hundred
  // thousand sentences must not cost sentences times annotations.
  absl::flat_hash_map<int, std::vector<const entente::v1::Annotation*>> by_sentence;
  for (const auto& a : result.annotations()) by_sentence[a.sentence_index()].push_back(&a);
  for (const auto& sentence : result.sentences()) {
    entente::v1::ClassifyResult one;
    one.set_id(absl::StrCat(result.id(), ":", sentence.index()));
    one.set_rule_set(result.rule_set());
    one.set_rule_set_version(result.rule_set_version());
    *one.add_sentences() = sentence;
    auto it = by_sentence.find(sentence.index());
    if (it != by_sentence.end()) {
      for (const entente::v1::Annotation* a : it->second) *one.add_annotations() = *a;
    }
    AppendResultJson(one, out);
  }
}

}  // namespace entente
