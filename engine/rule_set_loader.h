// File: engine/rule_set_loader.h
//
// Loading is the first stage of the pipeline: it reads a rule-set text proto
// and the files it includes, merges them into one RuleSet, and remembers
// where every rule, lexicon, trigger and actor came from so that later
// stages can report errors at file:line:col.
//
//   std::vector<entente::Diagnostic> diagnostics;
//   absl::StatusOr<entente::LoadedRuleSet> loaded =
//       entente::LoadRuleSet("rules/default.textproto", {}, &diagnostics);
//   if (!loaded.ok()) { /* diagnostics say why, with positions */ }

#ifndef ENTENTE_ENGINE_RULE_SET_LOADER_H_
#define ENTENTE_ENGINE_RULE_SET_LOADER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/diagnostic.h"
#include "proto/rule_set.pb.h"

namespace entente {

// Where the parts of one rule (or template) are: each reading, veto,
// example and template use, at the start of its field.
struct RuleLocations {
  std::vector<SourceLocation> tokens;
  std::vector<SourceLocation> patterns;
  std::vector<SourceLocation> vetoes;
  std::vector<SourceLocation> examples;
  std::vector<SourceLocation> counterexamples;
  std::vector<SourceLocation> uses;
};

// A merged rule set with the source position of each element. The location
// vectors are parallel to the repeated fields of `rule_set`.
struct LoadedRuleSet {
  entente::v1::RuleSet rule_set;
  // The top-level file.
  std::string path;
  // Every file read, top-level first.
  std::vector<std::string> files;
  // The text of every file read, by path: diagnostics inside a string
  // field point at the column in its line (LocateInString).
  std::map<std::string, std::string> file_texts;
  std::vector<SourceLocation> rule_locations;
  // The parts of each rule, parallel to rule_set.rule.
  std::vector<RuleLocations> rule_parts;
  std::vector<SourceLocation> template_locations;
  // The readings of each template, parallel to rule_set.template.
  std::vector<RuleLocations> template_parts;
  std::vector<SourceLocation> lexicon_locations;
  std::vector<SourceLocation> context_locations;
  std::vector<SourceLocation> actor_locations;
  std::vector<SourceLocation> person_locations;
  std::vector<SourceLocation> stance_locations;
  std::vector<SourceLocation> rule_weight_locations;
};

struct LoadOptions {
  // Includes must resolve inside this directory. Empty means the directory
  // of the top-level file.
  std::string root;
  // Upper bound on the bytes of one file, to refuse runaway inputs.
  size_t max_file_bytes = 16 << 20;
  // Upper bound on the bytes of all files together. Parsing costs time and
  // memory in proportion (about 0.2 s and 30 MB a MiB), before the compiler
  // could measure anything, so the loader stops first. The bundled rule sets
  // are about 0.3 MiB.
  size_t max_total_bytes = 16 << 20;
  // How deep includes may nest (a includes b includes c ...). Each level is
  // a frame of the loader's recursion: a chain of thousands of files must
  // get a diagnostic, not a stack overflow.
  int max_include_depth = 32;
  // Upper bound on the number of files one rule set reads.
  int max_files = 1024;
};

// Reads the rule set at `path` and everything it includes. Appends every
// problem found to `diagnostics`; returns InvalidArgument when there was a
// syntax error, NotFound when a file is missing, PermissionDenied when an
// include leaves the root, ResourceExhausted when a file, the files together,
// the include depth or the number of files is over its limit in `options`.
// Never crashes on malformed input.
absl::StatusOr<LoadedRuleSet> LoadRuleSet(const std::string& path, const LoadOptions& options,
                                          std::vector<Diagnostic>* diagnostics);

// Parses rule-set text that did not come from a file (a ValidateRuleSet
// request). `name` labels diagnostics. Includes are refused: the text has no
// directory to resolve them in.
absl::StatusOr<LoadedRuleSet> LoadRuleSetFromText(absl::string_view text, const std::string& name,
                                                  std::vector<Diagnostic>* diagnostics);

// The position of byte `offset` of the string value of the field at
// `field` (a location the loader recorded, at the field's name): the line
// and column of that character inside the quoted literal, following escapes
// and literals split over lines. Returns `field` itself when the file's text
// is unknown or the literal cannot be read.
SourceLocation LocateInString(const LoadedRuleSet& loaded, const SourceLocation& field,
                              size_t offset);

// Lists the top-level rule-set files of a rules directory: the *.textproto
// files directly inside it, sorted. Fragments live in subdirectories.
absl::StatusOr<std::vector<std::string>> ListRuleSetFiles(const std::string& directory);

}  // namespace entente

#endif  // ENTENTE_ENGINE_RULE_SET_LOADER_H_
