#include "engine/rule_set_loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace entente {
namespace {

namespace fs = std::filesystem;
using ::entente::v1::RuleSet;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::TextFormat;

// Collects text-format parse errors as diagnostics for one file.
class DiagnosticCollector : public google::protobuf::io::ErrorCollector {
 public:
  DiagnosticCollector(std::string file, absl::string_view text, std::vector<Diagnostic>* out)
      : file_(std::move(file)), text_(text), out_(out) {}

  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    Add(Diagnostic::Severity::kError, line, column, message);
  }
  void AddWarning(int line, google::protobuf::io::ColumnNumber column,
                  const std::string& message) override {
    Add(Diagnostic::Severity::kWarning, line, column, message);
  }

 private:
  void Add(Diagnostic::Severity severity, int line, int column, const std::string& message) {
    Diagnostic d;
    d.severity = severity;
    // The parser counts from 0.
    d.location = {file_, line + 1, column + 1};
    d.message = message;
    if (absl::EndsWith(message, "got: ")) d.message += "end of file";
    PointAtBadEnumValue(&d);
    out_->push_back(std::move(d));
  }

  // The parser reports an unknown enum value at the token after it; point
  // at the value itself, which is what the analyst has to fix.
  void PointAtBadEnumValue(Diagnostic* d) const {
    constexpr absl::string_view kPrefix = "Unknown enumeration value of \"";
    if (!absl::StartsWith(d->message, kPrefix)) return;
    size_t end_quote = d->message.find('"', kPrefix.size());
    if (end_quote == std::string::npos) return;
    std::string value = d->message.substr(kPrefix.size(), end_quote - kPrefix.size());
    // Offset of the reported position.
    size_t offset = 0;
    for (int line = 1; line < d->location.line && offset < text_.size(); ++offset) {
      if (text_[offset] == '\n') ++line;
    }
    offset = std::min(text_.size(), offset + d->location.column - 1);
    size_t found = text_.substr(0, offset).rfind(value);
    if (found == absl::string_view::npos) return;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < found; ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    d->location.line = line;
    d->location.column = static_cast<int>(found - line_start) + 1;
  }

  std::string file_;
  absl::string_view text_;
  std::vector<Diagnostic>* out_;
};

SourceLocation LocationOf(const std::string& file, const TextFormat::ParseInfoTree& tree,
                          const FieldDescriptor* field, int index) {
  TextFormat::ParseLocation loc = tree.GetLocation(field, index);
  if (loc.line < 0) return {file, 0, 0};
  return {file, loc.line + 1, loc.column + 1};
}

// Appends the locations of `field`'s `count` elements parsed into `tree`.
void AppendLocations(const std::string& file, const TextFormat::ParseInfoTree& tree,
                     const char* field_name, int count, std::vector<SourceLocation>* out) {
  const FieldDescriptor* field = RuleSet::descriptor()->FindFieldByName(field_name);
  for (int i = 0; i < count; ++i) out->push_back(LocationOf(file, tree, field, i));
}

// The locations of the elements of repeated field `name` of a message
// parsed into `tree`.
std::vector<SourceLocation> FieldLocations(const std::string& file,
                                           const TextFormat::ParseInfoTree& tree,
                                           const google::protobuf::Descriptor* descriptor,
                                           const char* name, int count) {
  std::vector<SourceLocation> out;
  const FieldDescriptor* field = descriptor->FindFieldByName(name);
  for (int i = 0; i < count; ++i) out.push_back(LocationOf(file, tree, field, i));
  return out;
}

// Appends the locations of the parts of each rule (or template) in the
// repeated message field `field_name` of `parsed`.
template <typename Message>
void AppendParts(const std::string& file, const TextFormat::ParseInfoTree& tree,
                 const char* field_name,
                 const google::protobuf::RepeatedPtrField<Message>& messages,
                 std::vector<RuleLocations>* out) {
  const FieldDescriptor* field = RuleSet::descriptor()->FindFieldByName(field_name);
  const auto* descriptor = Message::descriptor();
  for (int i = 0; i < messages.size(); ++i) {
    RuleLocations parts;
    const TextFormat::ParseInfoTree* nested = tree.GetTreeForNested(field, i);
    if (nested != nullptr) {
      const Message& m = messages[i];
      parts.tokens = FieldLocations(file, *nested, descriptor, "tokens", m.tokens_size());
      parts.patterns = FieldLocations(file, *nested, descriptor, "pattern", m.pattern_size());
      if constexpr (std::is_same_v<Message, entente::v1::Rule>) {
        parts.vetoes = FieldLocations(file, *nested, descriptor, "veto", m.veto_size());
        parts.examples = FieldLocations(file, *nested, descriptor, "example", m.example_size());
        parts.counterexamples =
            FieldLocations(file, *nested, descriptor, "counterexample", m.counterexample_size());
        parts.uses = FieldLocations(file, *nested, descriptor, "use", m.use_size());
      }
    }
    out->push_back(std::move(parts));
  }
}

absl::StatusOr<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such rule file"));
  }
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path, ": ", ec.message()));
  if (size > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path, ": rule file is ", size, " bytes, over the limit of ", max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// True if `path` is `root` or lies below it (both canonical).
bool IsInside(const fs::path& path, const fs::path& root) {
  auto mismatch = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return mismatch.first == root.end();
}

class Loader {
 public:
  Loader(const LoadOptions& options, std::vector<Diagnostic>* diagnostics)
      : options_(options), diagnostics_(diagnostics) {}

  // Parses `text` (from `file`) and merges it into the result; follows its
  // includes when `directory` is set.
  absl::Status Merge(const std::string& file, const std::string& text, const fs::path* directory,
                     bool top_level) {
    RuleSet parsed;
    TextFormat::Parser parser;
    DiagnosticCollector collector(file, text, diagnostics_);
    TextFormat::ParseInfoTree tree;
    parser.RecordErrorsTo(&collector);
    parser.WriteLocationsTo(&tree);
    if (!parser.ParseFromString(text, &parsed)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": not a valid entente.v1.RuleSet text proto"));
    }
    result_.files.push_back(file);
    if (top_level) {
      result_.rule_set.set_name(parsed.name());
      result_.rule_set.set_version(parsed.version());
      result_.rule_set.set_description(parsed.description());
    } else if (!parsed.name().empty()) {
      AddWarning(file, tree, "name",
                 absl::StrCat("included file sets name \"", parsed.name(),
                              "\"; only the top-level file's name is used"));
    }
    result_.file_texts[file] = text;
    AppendLocations(file, tree, "rule", parsed.rule_size(), &result_.rule_locations);
    AppendParts(file, tree, "rule", parsed.rule(), &result_.rule_parts);
    AppendLocations(file, tree, "template", parsed.template__size(), &result_.template_locations);
    AppendParts(file, tree, "template", parsed.template_(), &result_.template_parts);
    AppendLocations(file, tree, "lexicon", parsed.lexicon_size(), &result_.lexicon_locations);
    AppendLocations(file, tree, "context", parsed.context_size(), &result_.context_locations);
    AppendLocations(file, tree, "actor", parsed.actor_size(), &result_.actor_locations);
    AppendLocations(file, tree, "person", parsed.person_size(), &result_.person_locations);
    AppendLocations(file, tree, "stance", parsed.stance_size(), &result_.stance_locations);
    AppendLocations(file, tree, "rule_weight", parsed.rule_weight_size(),
                    &result_.rule_weight_locations);

    RuleSet* merged = &result_.rule_set;
    for (auto& r : *parsed.mutable_rule()) *merged->add_rule() = std::move(r);
    for (auto& l : *parsed.mutable_lexicon()) *merged->add_lexicon() = std::move(l);
    for (auto& c : *parsed.mutable_context()) *merged->add_context() = std::move(c);
    for (auto& a : *parsed.mutable_actor()) *merged->add_actor() = std::move(a);
    for (auto& p : *parsed.mutable_person()) *merged->add_person() = std::move(p);
    for (auto& s : *parsed.mutable_stance()) *merged->add_stance() = std::move(s);
    for (auto& w : *parsed.mutable_rule_weight()) *merged->add_rule_weight() = std::move(w);
    for (auto& t : *parsed.mutable_template_()) *merged->add_template_() = std::move(t);
    if (parsed.has_token_syntax()) {
      merged->mutable_token_syntax()->MergeFrom(parsed.token_syntax());
    }
    if (parsed.has_attribution()) {
      merged->mutable_attribution()->MergeFrom(parsed.attribution());
    }

    const FieldDescriptor* include_field = RuleSet::descriptor()->FindFieldByName("include");
    absl::Status status = absl::OkStatus();
    for (int i = 0; i < parsed.include_size(); ++i) {
      SourceLocation where = LocationOf(file, tree, include_field, i);
      merged->add_include(parsed.include(i));
      absl::Status s = Include(parsed.include(i), directory, where);
      if (!s.ok() && status.ok()) status = s;
    }
    return status;
  }

  absl::Status LoadFile(const fs::path& path, const SourceLocation* included_from) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (ec) canonical = path;
    if (!visited_.insert(canonical.string()).second) {
      // Including a file twice would duplicate its rules: report the cycle or
      // repetition where it happens.
      Error(included_from, canonical.string(),
            absl::StrCat("file included more than once: ", path.string()));
      return absl::InvalidArgumentError(absl::StrCat(path.string(), " included more than once"));
    }
    if (static_cast<int>(visited_.size()) > options_.max_files) {
      Error(included_from, path.string(),
            absl::StrCat("rule set reads more than ", options_.max_files, " files"));
      return absl::ResourceExhaustedError(
          absl::StrCat("rule set reads more than ", options_.max_files, " files"));
    }
    absl::StatusOr<std::string> text = ReadFile(path.string(), options_.max_file_bytes);
    if (!text.ok()) {
      Error(included_from, path.string(), std::string(text.status().message()));
      return text.status();
    }
    total_bytes_ += text->size();
    if (total_bytes_ > options_.max_total_bytes) {
      std::string message =
          absl::StrCat("rule set files add up to more than ", options_.max_total_bytes, " bytes (",
                       path.string(), " brings them to ", total_bytes_, ")");
      Error(included_from, path.string(), message);
      return absl::ResourceExhaustedError(message);
    }
    fs::path directory = fs::absolute(path, ec).lexically_normal().parent_path();
    return Merge(path.string(), *text, &directory, included_from == nullptr);
  }

  void SetRoot(fs::path root) {
    root_ = std::move(root);
    if (root_.has_parent_path() && root_.filename().empty()) root_ = root_.parent_path();
  }
  LoadedRuleSet& result() { return result_; }

 private:
  absl::Status Include(const std::string& include, const fs::path* directory,
                       const SourceLocation& where) {
    if (directory == nullptr) {
      Error(&where, where.file, "include is not allowed in a rule set sent as text");
      return absl::InvalidArgumentError("include in a rule set sent as text");
    }
    // Checked lexically: an include string cannot climb out with "..", while
    // symbolic links that the operator put in the rules directory (Bazel
    // runfiles are made of them) are trusted.
    // Each include is a level of recursion (LoadFile -> Merge -> Include).
    if (depth_ >= options_.max_include_depth) {
      Error(&where, where.file,
            absl::StrCat("include \"", include, "\" nests more than ", options_.max_include_depth,
                         " files deep"));
      return absl::ResourceExhaustedError(
          absl::StrCat("includes nest more than ", options_.max_include_depth, " deep"));
    }
    fs::path target = (*directory / include).lexically_normal();
    if (fs::path(include).is_absolute() || !IsInside(target, root_)) {
      Error(&where, where.file,
            absl::StrCat("include \"", include, "\" resolves outside the rules directory ",
                         root_.string()));
      return absl::PermissionDeniedError(
          absl::StrCat("include \"", include, "\" leaves the rules directory"));
    }
    ++depth_;
    absl::Status status = LoadFile(target, &where);
    --depth_;
    return status;
  }

  void Error(const SourceLocation* where, const std::string& file, std::string message) {
    Diagnostic d;
    d.location = where != nullptr ? *where : SourceLocation{file, 0, 0};
    d.message = std::move(message);
    diagnostics_->push_back(std::move(d));
  }

  void AddWarning(const std::string& file, const TextFormat::ParseInfoTree& tree, const char* field,
                  std::string message) {
    Diagnostic d;
    d.severity = Diagnostic::Severity::kWarning;
    d.location = LocationOf(file, tree, RuleSet::descriptor()->FindFieldByName(field), -1);
    d.message = std::move(message);
    diagnostics_->push_back(std::move(d));
  }

  const LoadOptions& options_;
  std::vector<Diagnostic>* diagnostics_;
  fs::path root_;
  std::set<std::string> visited_;
  size_t total_bytes_ = 0;
  int depth_ = 0;
  LoadedRuleSet result_;
};

}  // namespace

absl::StatusOr<LoadedRuleSet> LoadRuleSet(const std::string& path, const LoadOptions& options,
                                          std::vector<Diagnostic>* diagnostics) {
  Loader loader(options, diagnostics);
  std::error_code ec;
  fs::path root = options.root.empty() ? fs::path(path).parent_path() : fs::path(options.root);
  if (root.empty()) root = ".";
  loader.SetRoot(fs::absolute(root, ec).lexically_normal());
  absl::Status status = loader.LoadFile(path, nullptr);
  if (!status.ok()) return status;
  loader.result().path = path;
  return std::move(loader.result());
}

absl::StatusOr<LoadedRuleSet> LoadRuleSetFromText(absl::string_view text, const std::string& name,
                                                  std::vector<Diagnostic>* diagnostics) {
  LoadOptions options;
  if (text.size() > options.max_total_bytes) {
    std::string message = absl::StrCat("rule set text is ", text.size(),
                                       " bytes, over the limit of ", options.max_total_bytes);
    diagnostics->push_back({Diagnostic::Severity::kError, {name, 0, 0}, "", message});
    return absl::ResourceExhaustedError(message);
  }
  Loader loader(options, diagnostics);
  absl::Status status = loader.Merge(name, std::string(text), nullptr, true);
  if (!status.ok()) return status;
  loader.result().path = name;
  return std::move(loader.result());
}

absl::StatusOr<std::vector<std::string>> ListRuleSetFiles(const std::string& directory) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return absl::NotFoundError(absl::StrCat(directory, ": not a rules directory"));
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".textproto") {
      files.push_back(entry.path().string());
    }
  }
  if (ec) return absl::NotFoundError(absl::StrCat(directory, ": ", ec.message()));
  std::sort(files.begin(), files.end());
  return files;
}

SourceLocation LocateInString(const LoadedRuleSet& loaded, const SourceLocation& field,
                              size_t offset) {
  auto it = loaded.file_texts.find(field.file);
  if (it == loaded.file_texts.end() || field.line <= 0 || field.column <= 0) return field;
  const std::string& text = it->second;
  // The byte where the field's name starts.
  size_t pos = 0;
  for (int line = 1; line < field.line && pos < text.size(); ++pos) {
    if (text[pos] == '\n') ++line;
  }
  pos += field.column - 1;
  auto position_of = [&](size_t at) {
    SourceLocation out{field.file, 1, 1};
    size_t line_start = 0;
    for (size_t i = 0; i < at && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++out.line;
        line_start = i + 1;
      }
    }
    out.column = static_cast<int>(at - line_start) + 1;
    return out;
  };
  // Skip the name and the colon.
  while (pos < text.size() && text[pos] != '"' && text[pos] != '\'' && text[pos] != '\n') ++pos;
  size_t consumed = 0;  // bytes of the value before `pos`
  while (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
    const char quote = text[pos++];
    while (pos < text.size() && text[pos] != quote && text[pos] != '\n') {
      if (consumed == offset) return position_of(pos);
      if (text[pos] == '\\' && pos + 1 < text.size()) {
        char c = text[pos + 1];
        if (c == 'x' || c == 'X') {
          pos += 2;
          for (int k = 0;
               k < 2 && pos < text.size() && std::isxdigit(static_cast<unsigned char>(text[pos]));
               ++k)
            ++pos;
        } else if (c >= '0' && c <= '7') {
          pos += 1;
          for (int k = 0; k < 3 && pos < text.size() && text[pos] >= '0' && text[pos] <= '7'; ++k)
            ++pos;
        } else {
          pos += 2;
        }
      } else {
        ++pos;
      }
      ++consumed;
    }
    if (pos >= text.size() || text[pos] != quote) return field;
    ++pos;
    // Adjacent literals continue the value.
    size_t next = pos;
    while (next < text.size() && std::isspace(static_cast<unsigned char>(text[next]))) ++next;
    if (next < text.size() && (text[next] == '"' || text[next] == '\'')) {
      pos = next;
    } else {
      break;
    }
  }
  // An offset at the very end points just past the last character.
  if (consumed == offset && pos > 0) return position_of(pos - 1);
  return field;
}

}  // namespace entente
