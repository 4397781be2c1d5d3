// `entente eval --gold FILE.jsonl`: precision, recall, F1 against gold labels.

#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/html_report.h"
#include "cli/rules_option.h"
#include "engine/evaluation.h"
#include "google/protobuf/util/json_util.h"

namespace entente {

int RunEval(const char* argv0, const Args& args) {
  std::vector<entente::v1::LabelledSentence> gold;
  if (!LoadGoldOrReport(args, "eval", &gold)) return 2;
  auto rules = LoadRulesOrReport(argv0);
  if (rules == nullptr) return 2;
  std::vector<entente::v1::ClassifyResult> results;
  entente::v1::EvaluationReport report =
      Evaluate(*rules, gold, absl::GetFlag(FLAGS_min_score), &results);
  if (const std::string html = absl::GetFlag(FLAGS_html); !html.empty()) {
    std::ofstream out(html);
    out << EvalHtml(report, gold, results);
    if (!out) {
      std::cerr << "entente: cannot write " << html << "\n";
      return 2;
    }
  }
  if (absl::GetFlag(FLAGS_json)) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    options.always_print_primitive_fields = true;
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(report, &json, options);
    std::cout << json << "\n";
  } else {
    std::cout << FormatReport(report, absl::GetFlag(FLAGS_max_cases));
  }
  return 0;
}

}  // namespace entente
