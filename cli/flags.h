// File: cli/flags.h
//
// Flags of the `entente` CLI, shared by its subcommands (see `entente help`).

#ifndef ENTENTE_CLI_FLAGS_H_
#define ENTENTE_CLI_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"

ABSL_DECLARE_FLAG(std::string, rules);
ABSL_DECLARE_FLAG(std::string, rule_set);
ABSL_DECLARE_FLAG(std::string, speaker);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(bool, explain);
ABSL_DECLARE_FLAG(bool, all);
ABSL_DECLARE_FLAG(int, threads);
ABSL_DECLARE_FLAG(double, min_score);
ABSL_DECLARE_FLAG(std::string, id_field);
ABSL_DECLARE_FLAG(std::string, text_field);
ABSL_DECLARE_FLAG(std::string, speaker_field);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(std::string, output);
ABSL_DECLARE_FLAG(bool, sentences);
ABSL_DECLARE_FLAG(bool, summary);
ABSL_DECLARE_FLAG(std::string, shard);
ABSL_DECLARE_FLAG(bool, resume);
ABSL_DECLARE_FLAG(bool, fail_on_errors);
ABSL_DECLARE_FLAG(std::string, progress);
ABSL_DECLARE_FLAG(bool, strict);
ABSL_DECLARE_FLAG(std::string, filter);
ABSL_DECLARE_FLAG(std::string, gold);
ABSL_DECLARE_FLAG(int, max_cases);
ABSL_DECLARE_FLAG(std::string, old_rules);
ABSL_DECLARE_FLAG(std::string, new_rules);
ABSL_DECLARE_FLAG(int64_t, limit);
ABSL_DECLARE_FLAG(int, samples);
ABSL_DECLARE_FLAG(std::string, html);
ABSL_DECLARE_FLAG(int, folds);
ABSL_DECLARE_FLAG(std::string, write);

#endif  // ENTENTE_CLI_FLAGS_H_
