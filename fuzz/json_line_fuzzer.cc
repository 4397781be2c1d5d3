// Fuzzes the JSON Lines batch reader: one input line through
// ParseJsonObject and ParseDocumentLine. Checks that an accepted document's
// text and id are valid UTF-8 (results carry them in proto strings) and that
// AppendJsonString writes what ParseJsonObject reads back.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/document_source.h"
#include "cli/json_line.h"
#include "engine/utf8.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view line(reinterpret_cast<const char*>(data), size);

  entente::JsonFields fields({"id", "text", "speaker"});
  absl::Status parsed = entente::ParseJsonObject(line, &fields);
  if (!parsed.ok()) Check(parsed.code() == absl::StatusCode::kInvalidArgument);

  entente::DocumentFields document_fields;
  entente::Document document;
  absl::Status s = entente::ParseDocumentLine(line, 7, document_fields, &fields, &document);
  Check(entente::IsValidUtf8(document.id));
  if (s.ok()) {
    Check(entente::IsValidUtf8(document.text));
    Check(parsed.ok());
  }

  document_fields.format = "text";
  s = entente::ParseDocumentLine(line, 7, document_fields, &fields, &document);
  Check(s.ok() == entente::IsValidUtf8(line));

  // Round trip: any bytes written as a JSON string read back the same.
  std::string json = "{\"text\":";
  entente::AppendJsonString(line, &json);
  json += "}";
  entente::JsonFields text_only({"text"});
  Check(entente::ParseJsonObject(json, &text_only).ok());
  Check(text_only.found(0) && text_only.value(0) == line);
  return 0;
}
