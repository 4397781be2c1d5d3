// File: cli/document_source.h
//
// Documents from corpus files: JSON Lines (with configurable field names) or
// plain text (one document per line), plain or gzip-compressed, or stdin.
// The corpus commands (coverage, diff) read their input through this.
//
//   entente::DocumentFields fields;
//   fields.speaker_field = "country";
//   int64_t errors = 0;
//   absl::Status s = entente::ForEachDocument({"corpus.jsonl.gz"}, fields, 0,
//       [](const entente::Document& d) { ... }, &errors);

#ifndef ENTENTE_CLI_DOCUMENT_SOURCE_H_
#define ENTENTE_CLI_DOCUMENT_SOURCE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cli/json_line.h"

namespace entente {

struct DocumentFields {
  std::string id_field = "id";
  std::string text_field = "text";
  std::string speaker_field = "speaker";
  // "jsonl" or "text".
  std::string format = "jsonl";
  // Speaker of documents that name none.
  std::string default_speaker;
};

struct Document {
  std::string id;  // the line number when the input has none
  std::string text;
  std::string speaker;
  int64_t line = 0;
};

// Parses one input line. Returns InvalidArgument for malformed JSON, a
// missing or non-string text field, or text that is not valid UTF-8; `out->id`
// is set whenever it could be read. `fields_scratch` must name
// {id_field, text_field, speaker_field} in that order.
absl::Status ParseDocumentLine(absl::string_view line, int64_t line_number,
                               const DocumentFields& fields, JsonFields* fields_scratch,
                               Document* out);

// Calls `fn` for every document of `inputs` ("-" is stdin), skipping blank
// lines, up to `limit` documents (0: all). Malformed lines are counted in
// *errors and skipped. Returns an error only if an input cannot be read.
absl::Status ForEachDocument(const std::vector<std::string>& inputs,
                             const DocumentFields& fields, int64_t limit,
                             const std::function<void(const Document&)>& fn, int64_t* errors);

}  // namespace entente

#endif  // ENTENTE_CLI_DOCUMENT_SOURCE_H_
