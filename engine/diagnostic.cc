#include "engine/diagnostic.h"

#include "absl/strings/str_cat.h"

namespace entente {

std::string SourceLocation::ToString() const {
  std::string out = file.empty() ? "<input>" : file;
  if (line > 0) {
    absl::StrAppend(&out, ":", line);
    if (column > 0) absl::StrAppend(&out, ":", column);
  }
  return out;
}

std::string Diagnostic::ToString() const {
  std::string out = absl::StrCat(location.ToString(), ": ",
                                 severity == Severity::kError ? "error" : "warning", ": ");
  if (!subject.empty()) absl::StrAppend(&out, "[", subject, "] ");
  absl::StrAppend(&out, message);
  return out;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  for (const Diagnostic& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::kError) return true;
  }
  return false;
}

}  // namespace entente
