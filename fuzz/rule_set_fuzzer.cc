// Fuzzes the first two stages: rule-set text (any bytes) through the
// text-proto loader, then the compiler. Whatever the text, the result is a
// rule set or diagnostics, never a crash, a hang or unbounded memory.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/compiled_rule_set.h"
#include "engine/rule_set_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<entente::Diagnostic> diagnostics;
  absl::StatusOr<entente::LoadedRuleSet> loaded =
      entente::LoadRuleSetFromText(text, "fuzz", &diagnostics);
  if (!loaded.ok()) {
    // A refusal always says why.
    if (diagnostics.empty()) std::abort();
    return 0;
  }
  // Small budgets keep each input fast; the limits are what is fuzzed, not
  // their size.
  entente::CompileOptions options;
  options.rule_max_mem = 1 << 20;
  options.prefilter_max_mem = 4 << 20;
  options.max_pattern_bytes = 256 << 10;
  const size_t before = diagnostics.size();
  auto compiled = entente::CompiledRuleSet::Compile(*loaded, options, &diagnostics);
  if (!compiled.ok() && diagnostics.size() == before) std::abort();
  return 0;
}
