// File: cli/result_json.h
//
// Results as JSON Lines: the proto3 JSON form of entente.v1.ClassifyResult
// with proto field names. `annotations` is always present (an empty list
// when nothing was found) so that consumers can index it unconditionally.
//
//   std::string line;
//   entente::AppendResultJson(result, &line);  // {"id":"...","annotations":[...],...}\n

#ifndef ENTENTE_CLI_RESULT_JSON_H_
#define ENTENTE_CLI_RESULT_JSON_H_

#include <string>

#include "proto/result.pb.h"

namespace entente {

// Appends `result` as one JSON line (with the trailing newline).
void AppendResultJson(const entente::v1::ClassifyResult& result, std::string* out);

// Appends one JSON line per sentence of `result` (which must list its
// sentences): id "<doc id>:<sentence index>", that sentence, and its
// annotations.
void AppendSentenceResultsJson(const entente::v1::ClassifyResult& result, std::string* out);

}  // namespace entente

#endif  // ENTENTE_CLI_RESULT_JSON_H_
