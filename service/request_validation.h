// File: service/request_validation.h
//
// Checks of what a client sends, before any classification: the text (not
// empty, valid UTF-8, the server's per-text limit) and the options (known
// fields only, values in range). Each returns INVALID_ARGUMENT with a message
// that names the offending field, so a client can fix its request.
//
//   absl::Status text_ok = entente::CheckText(request.text(), "text");
//   absl::StatusOr<entente::ClassifyOptions> options =
//       entente::EngineOptions(request.options(), request.id(), request.speaker());

#ifndef ENTENTE_SERVICE_REQUEST_VALIDATION_H_
#define ENTENTE_SERVICE_REQUEST_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/classifier.h"
#include "proto/service.pb.h"

namespace entente {

// OK if `text` is non-empty, well-formed UTF-8. `field` names the field in
// the message ("text", "documents[3].text").
absl::Status CheckText(absl::string_view text, absl::string_view field);

// The engine's options for one text, from the request's options. Returns
// INVALID_ARGUMENT when `options` carries fields this server does not know
// (a newer client's option is refused rather than silently ignored) or a
// min_score outside [0, 1].
absl::StatusOr<ClassifyOptions> EngineOptions(const entente::v1::ClassifyOptions& options,
                                              const std::string& id, const std::string& speaker);

}  // namespace entente

#endif  // ENTENTE_SERVICE_REQUEST_VALIDATION_H_
