// Fuzzes classification with the default rules. Callers must validate
// UTF-8 before classifying (engine/utf8.h); this target does so with the
// raw bytes, and also classifies valid UTF-8 made from them (each invalid
// byte replaced by U+FFFD), with and without explanations, and checks the
// result's contract (fuzz/result_checks.h).
//
// The rules are read from $ENTENTE_RULES, or rules/default.textproto under
// the working directory (run from the repository root).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/classifier.h"
#include "engine/utf8.h"
#include "fuzz/result_checks.h"

namespace {

std::shared_ptr<const entente::CompiledRuleSet>* rules = nullptr;

using entente::fuzz::Check;

void ClassifyAndCheck(absl::string_view text, bool explain) {
  entente::ClassifyOptions options;
  options.speaker = "CHN";
  options.explain = explain;
  entente::fuzz::CheckResult(entente::Classify(**rules, text, options), text);
}

// Valid UTF-8 from any bytes: each byte that does not start a valid
// sequence becomes U+FFFD.
std::string MakeValid(absl::string_view bytes) {
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    size_t bad = 0;
    absl::string_view rest = bytes.substr(i);
    if (entente::IsValidUtf8(rest, &bad)) {
      out.append(rest.data(), rest.size());
      break;
    }
    out.append(rest.data(), bad);
    out.append("\xEF\xBF\xBD");
    i += bad + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* env = std::getenv("ENTENTE_RULES");
  std::string path = env != nullptr ? env : "rules/default.textproto";
  std::vector<entente::Diagnostic> diagnostics;
  auto compiled = entente::CompileRuleSetFile(path, &diagnostics);
  if (!compiled.ok()) {
    std::fprintf(stderr, "classify_fuzzer: cannot compile %s: %s\n", path.c_str(),
                 std::string(compiled.status().message()).c_str());
    std::exit(2);
  }
  rules = new std::shared_ptr<const entente::CompiledRuleSet>(*compiled);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (entente::IsValidUtf8(bytes)) ClassifyAndCheck(bytes, false);
  std::string valid = MakeValid(bytes);
  Check(entente::IsValidUtf8(valid));
  ClassifyAndCheck(valid, size > 0 && (data[0] & 1));
  return 0;
}
