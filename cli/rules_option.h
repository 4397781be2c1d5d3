// File: cli/rules_option.h
//
// Resolves --rules and --rule_set to a compiled rule set, printing every
// diagnostic to stderr as file:line:col.

#ifndef ENTENTE_CLI_RULES_OPTION_H_
#define ENTENTE_CLI_RULES_OPTION_H_

#include <memory>
#include <string>

#include "engine/compiled_rule_set.h"
#include "proto/evaluation.pb.h"

namespace entente {

// The directory or file --rules names, or the bundled rules/.
std::string RulesPath(const char* argv0);

// Loads the rule set --rule_set from RulesPath(). Prints diagnostics;
// returns null (after printing why) if it cannot be used.
std::shared_ptr<const CompiledRuleSet> LoadRulesOrReport(const char* argv0);

// Reads the labelled sentences named by --gold (or the first argument) into
// *gold. Returns false after printing why `command` cannot run.
bool LoadGoldOrReport(const std::vector<std::string>& args, const char* command,
                      std::vector<entente::v1::LabelledSentence>* gold);

}  // namespace entente

#endif  // ENTENTE_CLI_RULES_OPTION_H_
