// File: fuzz/result_checks.h
//
// The contract of a ClassifyResult that the fuzz targets check on every
// input: each span lies inside the text and quotes it exactly, on UTF-8
// character boundaries; scores and contributions are numbers in [0, 1]; the
// result serializes (proto strings hold valid UTF-8 only). A violation
// aborts, which libFuzzer reports as a finding.
//
//   entente::v1::ClassifyResult result = entente::Classify(rules, text, options);
//   entente::fuzz::CheckResult(result, text);

#ifndef ENTENTE_FUZZ_RESULT_CHECKS_H_
#define ENTENTE_FUZZ_RESULT_CHECKS_H_

#include "absl/strings/string_view.h"
#include "proto/result.pb.h"

namespace entente {
namespace fuzz {

// Aborts unless `ok`.
void Check(bool ok);

// Aborts unless `result`, produced from `text` (valid UTF-8), keeps the
// contract above.
void CheckResult(const entente::v1::ClassifyResult& result, absl::string_view text);

}  // namespace fuzz
}  // namespace entente

#endif  // ENTENTE_FUZZ_RESULT_CHECKS_H_
