// File: cli/json_line.h
//
// A small, strict reader for the flat JSON objects of batch input lines
// ({"id": "...", "text": "...", "speaker": "..."}), fast enough to keep up
// with the engine. It extracts the named fields and validates the rest of
// the line without building a document tree. Also: JSON string escaping.
//
//   entente::JsonFields fields({"id", "text", "speaker"});
//   absl::Status s = entente::ParseJsonObject(line, &fields);
//   if (s.ok() && fields.found(1)) Use(fields.value(1));

#ifndef ENTENTE_CLI_JSON_LINE_H_
#define ENTENTE_CLI_JSON_LINE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace entente {

// The fields wanted from an object and, after parsing, their values.
// Strings are unescaped; numbers keep their text; null counts as absent.
class JsonFields {
 public:
  explicit JsonFields(std::vector<std::string> names)
      : names_(std::move(names)),
        values_(names_.size()),
        found_(names_.size(), false),
        is_string_(names_.size(), false) {}

  bool found(size_t i) const { return found_[i]; }
  const std::string& value(size_t i) const { return values_[i]; }
  // True if the value was a JSON string (not a number or boolean).
  bool is_string(size_t i) const { return is_string_[i]; }

  // For the parser: the index of field `key`, or -1; where to store its
  // value; recording that it was found; clearing all values.
  int IndexOf(absl::string_view key) const;
  std::string* mutable_value(size_t i) { return &values_[i]; }
  void MarkFound(size_t i, bool found, bool is_string) {
    found_[i] = found;
    is_string_[i] = is_string;
  }
  void Reset();

 private:
  std::vector<std::string> names_;
  std::vector<std::string> values_;
  std::vector<bool> found_;
  std::vector<bool> is_string_;
};

// Parses `line` as one JSON object and fills `fields`. Returns
// InvalidArgument with the byte offset and reason for malformed JSON, a
// top-level value that is not an object, or nesting deeper than 64.
absl::Status ParseJsonObject(absl::string_view line, JsonFields* fields);

// Appends `s` to `out` as a JSON string literal (with quotes).
void AppendJsonString(absl::string_view s, std::string* out);

}  // namespace entente

#endif  // ENTENTE_CLI_JSON_LINE_H_
