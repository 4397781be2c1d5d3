// `entente calibrate --gold FILE.jsonl [--folds K] [--write FILE]`.

#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/rules_option.h"
#include "engine/calibration.h"
#include "engine/evaluation.h"

namespace entente {

int RunCalibrate(const char* argv0, const Args& args) {
  std::vector<entente::v1::LabelledSentence> gold;
  if (!LoadGoldOrReport(args, "calibrate", &gold)) return 2;
  auto rules = LoadRulesOrReport(argv0);
  if (rules == nullptr) return 2;
  CalibrationOptions options;
  options.folds = absl::GetFlag(FLAGS_folds);
  CalibrationReport report = Calibrate(*rules, gold, options);
  std::cout << FormatCalibration(report);
  const std::string write = absl::GetFlag(FLAGS_write);
  if (!write.empty()) {
    std::ofstream out(write);
    const std::string source = args.empty() ? absl::GetFlag(FLAGS_gold) : args[0];
    out << WeightsTextProto(report, source.substr(source.find_last_of('/') + 1));
    if (!out) {
      std::cerr << "entente: cannot write " << write << "\n";
      return 2;
    }
    std::cout << "wrote " << write << " (include it from the rule set to use the weights)\n";
  }
  return 0;
}

}  // namespace entente
