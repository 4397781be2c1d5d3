// entente: the command-line interface to the stance engine.
//
//   entente classify [--speaker CHN] [--json] [TEXT...]   (stdin if no TEXT)
//   entente explain "sentence"
//   entente batch [--threads N] [FILE...]                 (JSON Lines; stdin if no FILE)
//   entente lint [RULES...]
//   entente test [RULES...] [--filter RULE]
//   entente eval --gold FILE.jsonl [--json] [--html FILE]
//   entente coverage CORPUS...
//   entente diff --old_rules A --new_rules B CORPUS...
//   entente calibrate --gold FILE.jsonl [--write WEIGHTS.textproto]
//
// --rules DIR|FILE picks the rules (default: the bundled rules/).

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "cli/commands.h"

namespace {

constexpr char kUsage[] =
    "entente COMMAND [flags] [args]\n"
    "commands:\n"
    "  classify [TEXT...]     classify texts (or stdin) and print stances with evidence\n"
    "  explain [TEXT...]      like classify, with why each rule did or did not match\n"
    "  batch [FILE...]        JSON Lines (or --format=text), plain or gzip, in; JSON Lines out\n"
    "  lint [RULES...]        check rule files: file:line:col: error|warning: message\n"
    "  test [RULES...]        run the examples embedded in the rules\n"
    "  eval --gold FILE       precision, recall, F1 against labelled sentences\n"
    "  coverage CORPUS...     how often each rule fires, samples, dead rules and terms\n"
    "  diff --old_rules A --new_rules B CORPUS...\n"
    "                         annotations that appear, disappear or change between versions\n"
    "  calibrate --gold FILE  fit rule weights from labelled data; reliability and Brier\n"
    "Run `entente --helpfull` for every flag.";

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) {
    std::cerr << kUsage << "\n";
    return 2;
  }
  const std::string command = positional[1];
  entente::Args args(positional.begin() + 2, positional.end());
  const char* argv0 = argv[0];
  if (command == "classify") return entente::RunClassify(argv0, args);
  if (command == "explain") return entente::RunExplain(argv0, args);
  if (command == "batch") return entente::RunBatchCommand(argv0, args);
  if (command == "lint") return entente::RunLint(argv0, args);
  if (command == "test") return entente::RunTest(argv0, args);
  if (command == "eval") return entente::RunEval(argv0, args);
  if (command == "coverage") return entente::RunCoverage(argv0, args);
  if (command == "diff") return entente::RunDiff(argv0, args);
  if (command == "calibrate") return entente::RunCalibrate(argv0, args);
  if (command == "help") {
    std::cout << kUsage << "\n";
    return 0;
  }
  std::cerr << "entente: unknown command \"" << command << "\"\n" << kUsage << "\n";
  return 2;
}
