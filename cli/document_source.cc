#include "cli/document_source.h"

#include "absl/strings/str_cat.h"
#include "cli/line_reader.h"
#include "engine/utf8.h"

namespace entente {

absl::Status ParseDocumentLine(absl::string_view line, int64_t line_number,
                               const DocumentFields& fields, JsonFields* scratch,
                               Document* out) {
  out->line = line_number;
  out->id = absl::StrCat(line_number);
  out->speaker = fields.default_speaker;
  if (fields.format == "text") {
    out->text.assign(line.data(), line.size());
  } else {
    absl::Status s = ParseJsonObject(line, scratch);
    if (scratch->found(0) && IsValidUtf8(scratch->value(0))) out->id = scratch->value(0);
    if (!s.ok()) return s;
    if (!scratch->found(1) || !scratch->is_string(1)) {
      return absl::InvalidArgumentError(
          absl::StrCat("missing string field \"", fields.text_field, "\""));
    }
    if (scratch->found(2) && IsValidUtf8(scratch->value(2))) out->speaker = scratch->value(2);
    out->text = scratch->value(1);
  }
  size_t bad = 0;
  if (!IsValidUtf8(out->text, &bad)) {
    return absl::InvalidArgumentError(absl::StrCat("text is not valid UTF-8 (byte ", bad, ")"));
  }
  return absl::OkStatus();
}

absl::Status ForEachDocument(const std::vector<std::string>& inputs,
                             const DocumentFields& fields, int64_t limit,
                             const std::function<void(const Document&)>& fn, int64_t* errors) {
  JsonFields scratch({fields.id_field, fields.text_field, fields.speaker_field});
  Document document;
  std::string line;
  int64_t done = 0;
  for (const std::string& path : inputs) {
    LineReader reader;
    absl::Status status = reader.Open(path);
    if (!status.ok()) return status;
    int64_t number = 0;
    while (reader.Next(&line, &status)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      if (!ParseDocumentLine(line, number, fields, &scratch, &document).ok()) {
        ++*errors;
        continue;
      }
      fn(document);
      if (limit > 0 && ++done >= limit) return absl::OkStatus();
    }
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace entente
