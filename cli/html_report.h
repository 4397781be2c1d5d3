// File: cli/html_report.h
//
// Self-contained HTML reports for analysts: no external assets, opens
// offline in any browser. Sentences show holder, trigger (rule match),
// target and modifier spans highlighted in colour; hovering a span shows the
// rules and modifiers behind it. The evaluation report adds per-stance bars
// for precision, recall and F1, the confusion table, and the errors.
//
//   std::string page = entente::ExplainHtml(result, "entente explain");
//   std::string page = entente::EvalHtml(report, gold, results);

#ifndef ENTENTE_CLI_HTML_REPORT_H_
#define ENTENTE_CLI_HTML_REPORT_H_

#include <string>
#include <vector>

#include "proto/evaluation.pb.h"
#include "proto/result.pb.h"

namespace entente {

// A page for one classified text: its annotated sentences, each annotation
// with score bar, holders and evidence, the document aggregate, and the
// explanation when the result has one.
std::string ExplainHtml(const entente::v1::ClassifyResult& result, const std::string& title);

// A page for an evaluation: per-stance bars, micro scores, holder accuracy,
// confusion, and false positives / negatives / holder mismatches with their
// sentences highlighted. `results` is parallel to `gold`.
std::string EvalHtml(const entente::v1::EvaluationReport& report,
                     const std::vector<entente::v1::LabelledSentence>& gold,
                     const std::vector<entente::v1::ClassifyResult>& results);

// `text` with HTML metacharacters escaped.
std::string HtmlEscape(const std::string& text);

}  // namespace entente

#endif  // ENTENTE_CLI_HTML_REPORT_H_
