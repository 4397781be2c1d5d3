// File: cli/commands.h
//
// The subcommands of the `entente` CLI. Each takes the positional arguments
// after its name and returns the process exit status: 0 success, 1 the
// command ran and found problems (lint errors, failed tests, error records),
// 2 it could not run (bad flags, unreadable rules).

#ifndef ENTENTE_CLI_COMMANDS_H_
#define ENTENTE_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace entente {

using Args = std::vector<std::string>;

int RunClassify(const char* argv0, const Args& args);
int RunExplain(const char* argv0, const Args& args);
int RunBatchCommand(const char* argv0, const Args& args);
int RunLint(const char* argv0, const Args& args);
int RunTest(const char* argv0, const Args& args);
int RunEval(const char* argv0, const Args& args);
int RunCoverage(const char* argv0, const Args& args);
int RunDiff(const char* argv0, const Args& args);
int RunCalibrate(const char* argv0, const Args& args);

}  // namespace entente

#endif  // ENTENTE_CLI_COMMANDS_H_
