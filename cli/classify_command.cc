// `entente classify [TEXT...]` and `entente explain [TEXT...]`.

#include <fstream>
#include <iostream>
#include <iterator>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/html_report.h"
#include "cli/result_json.h"
#include "cli/result_text.h"
#include "cli/rules_option.h"
#include "engine/classifier.h"
#include "engine/utf8.h"

namespace entente {
namespace {

int ClassifyTexts(const char* argv0, const Args& args, bool explain) {
  auto rules = LoadRulesOrReport(argv0);
  if (rules == nullptr) return 2;
  std::vector<std::string> texts = args;
  if (texts.empty()) {
    texts.emplace_back(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  int status = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    size_t bad = 0;
    if (!IsValidUtf8(texts[i], &bad)) {
      std::cerr << "entente: text " << i + 1 << " is not valid UTF-8 (byte " << bad << ")\n";
      status = 1;
      continue;
    }
    ClassifyOptions options;
    options.id = std::to_string(i + 1);
    options.speaker = absl::GetFlag(FLAGS_speaker);
    options.min_score = absl::GetFlag(FLAGS_min_score);
    options.explain = explain;
    if (absl::GetFlag(FLAGS_all)) options.explain_limits.max_near_misses = 1 << 30;
    entente::v1::ClassifyResult result = Classify(*rules, texts[i], options);
    if (const std::string html = absl::GetFlag(FLAGS_html); !html.empty()) {
      // One page per text: the first keeps the name, later ones get a suffix.
      std::string path = i == 0 ? html : html + "." + std::to_string(i + 1) + ".html";
      std::ofstream out(path);
      out << ExplainHtml(result, explain ? "entente explain" : "entente classify");
      if (!out) {
        std::cerr << "entente: cannot write " << path << "\n";
        status = 2;
      }
    }
    if (absl::GetFlag(FLAGS_json)) {
      std::string line;
      AppendResultJson(result, &line);
      std::cout << line;
    } else {
      if (explain) std::cout << FormatExplanationText(result) << "\n";
      std::cout << FormatResultText(result);
    }
  }
  return status;
}

}  // namespace

int RunClassify(const char* argv0, const Args& args) {
  return ClassifyTexts(argv0, args, absl::GetFlag(FLAGS_explain));
}

int RunExplain(const char* argv0, const Args& args) { return ClassifyTexts(argv0, args, true); }

}  // namespace entente
