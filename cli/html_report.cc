#include "cli/html_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/result_text.h"

namespace entente {
namespace {

using entente::v1::Annotation;
using entente::v1::ClassifyResult;

constexpr char kStyle[] = R"css(
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 70em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.sentence { line-height: 2em; margin: 0.8em 0 0.2em 0; font-size: 1.05em; }
.holder { background: #7fb2ff; border-radius: 3px; padding: 1px 0; }
.trigger { background: #ffb347; border-radius: 3px; padding: 1px 0; }
.target { background: #8fe08f; border-radius: 3px; padding: 1px 0; }
.modifier { background: #ff8a8a; border-radius: 3px; padding: 1px 0; }
.holder.trigger { background: linear-gradient(#7fb2ff 50%, #ffb347 50%); }
.legend span { margin-right: 1em; padding: 2px 6px; }
.annotation { margin: 0 0 0.3em 2em; font-size: 0.92em; }
.SUPPORT { color: #11691f; font-weight: bold; } .OPPOSE { color: #a31515; font-weight: bold; }
.bar { display: inline-block; height: 0.8em; background: #4a7bd0; vertical-align: middle; }
.barbox { display: inline-block; width: 12em; background: #e6e6e6; margin-right: 0.5em; }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f2f2f2; } td.name { text-align: left; }
.case { margin: 0.6em 0; } .meta { color: #666; font-size: 0.85em; }
pre { background: #f6f6f6; padding: 0.6em; white-space: pre-wrap; }
)css";

struct Mark {
  int begin;
  int end;
  std::string cls;
  std::string title;
};

std::string Page(const std::string& title, const std::string& body) {
  return absl::StrCat("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>",
                      HtmlEscape(title), "</title><style>", kStyle, "</style></head><body><h1>",
                      HtmlEscape(title), "</h1>\n",
                      "<p class=\"legend\"><span class=\"holder\">holder</span>"
                      "<span class=\"trigger\">rule match</span>"
                      "<span class=\"target\">target</span>"
                      "<span class=\"modifier\">modifier</span></p>\n",
                      body, "</body></html>\n");
}

// The sentence [begin, end) of `text` (its own text, offset `begin` in the
// document) with `marks` (document offsets) highlighted.
std::string Highlight(const std::string& sentence, int begin, const std::vector<Mark>& marks) {
  std::set<int> cuts = {0, static_cast<int>(sentence.size())};
  for (const Mark& m : marks) {
    int b = std::clamp(m.begin - begin, 0, static_cast<int>(sentence.size()));
    int e = std::clamp(m.end - begin, 0, static_cast<int>(sentence.size()));
    if (e > b) {
      cuts.insert(b);
      cuts.insert(e);
    }
  }
  std::string out;
  for (auto it = cuts.begin(); std::next(it) != cuts.end(); ++it) {
    int b = *it;
    int e = *std::next(it);
    std::set<std::string> classes;
    std::vector<std::string> titles;
    for (const Mark& m : marks) {
      if (m.begin - begin <= b && m.end - begin >= e) {
        classes.insert(m.cls);
        if (std::find(titles.begin(), titles.end(), m.title) == titles.end()) {
          titles.push_back(m.title);
        }
      }
    }
    std::string piece = HtmlEscape(sentence.substr(b, e - b));
    if (classes.empty()) {
      out += piece;
    } else {
      absl::StrAppend(&out, "<span class=\"", absl::StrJoin(classes, " "), "\" title=\"",
                      HtmlEscape(absl::StrJoin(titles, "; ")), "\">", piece, "</span>");
    }
  }
  return out;
}

std::vector<Mark> MarksOf(const Annotation& a) {
  std::vector<Mark> marks;
  for (const auto& h : a.holders()) {
    if (h.span().end() > h.span().begin()) {
      marks.push_back({h.span().begin(), h.span().end(), "holder",
                       absl::StrCat("holder ", h.actor(), " (", ViaText(h.via()), ")")});
    }
  }
  for (const auto& e : a.evidence()) {
    marks.push_back(
        {e.span().begin(), e.span().end(), "trigger",
         absl::StrFormat("rule %s: %s %s, weight %.2f -> %.3f", e.rule_id(), a.stance(),
                         entente::v1::Polarity_Name(a.polarity()), e.weight(), e.contribution())});
    if (e.target().end() > e.target().begin()) {
      marks.push_back({e.target().begin(), e.target().end(), "target",
                       absl::StrCat("target of ", e.rule_id())});
    }
    for (const auto& m : e.modifiers()) {
      marks.push_back({m.span().begin(), m.span().end(), "modifier",
                       absl::StrFormat("modifier %s (%s x%.2f)", m.trigger_id(),
                                       entente::v1::Effect_Name(m.effect()), m.factor())});
    }
  }
  return marks;
}

std::string AnnotationLine(const Annotation& a) {
  std::vector<std::string> holders, rules;
  for (const auto& h : a.holders()) holders.push_back(h.actor());
  for (const auto& e : a.evidence()) rules.push_back(e.rule_id());
  return absl::StrFormat(
      "<div class=\"annotation\">%s <span class=\"%s\">%s</span> "
      "<span class=\"barbox\"><span class=\"bar\" style=\"width:%.0f%%\"></span></span>%.2f "
      "holders [%s] <span class=\"meta\">rules %s</span></div>\n",
      HtmlEscape(a.stance()), entente::v1::Polarity_Name(a.polarity()),
      entente::v1::Polarity_Name(a.polarity()), a.score() * 100, a.score(),
      HtmlEscape(absl::StrJoin(holders, ", ")), HtmlEscape(absl::StrJoin(rules, ", ")));
}

// Every annotated sentence of `result`, highlighted, with its annotations.
std::string AnnotatedSentences(const ClassifyResult& result) {
  std::map<int, std::vector<const Annotation*>> by_sentence;
  for (const auto& a : result.annotations()) by_sentence[a.sentence_index()].push_back(&a);
  std::string out;
  for (const auto& [index, annotations] : by_sentence) {
    std::vector<Mark> marks;
    for (const Annotation* a : annotations) {
      std::vector<Mark> m = MarksOf(*a);
      marks.insert(marks.end(), m.begin(), m.end());
    }
    const auto& s = annotations.front()->sentence();
    absl::StrAppend(&out, "<p class=\"sentence\" id=\"s", index, "\">[", index + 1, "] ",
                    Highlight(s.text(), s.begin(), marks), "</p>\n");
    for (const Annotation* a : annotations) out += AnnotationLine(*a);
  }
  return out;
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string ExplainHtml(const ClassifyResult& result, const std::string& title) {
  std::string body = absl::StrCat("<p class=\"meta\">rule set ", HtmlEscape(result.rule_set()), " ",
                                  HtmlEscape(result.rule_set_version()), "</p>\n");
  if (result.annotations_size() == 0) body += "<p>No stance found.</p>\n";
  body += AnnotatedSentences(result);
  const auto& agg = result.aggregate();
  if (agg.actor_stances_size() > 0) {
    body +=
        "<h2>Actors</h2><table><tr><th>actor</th><th>stance</th><th>polarity</th>"
        "<th>score</th><th>count</th></tr>\n";
    for (const auto& s : agg.actor_stances()) {
      absl::StrAppendFormat(&body,
                            "<tr><td class=\"name\">%s</td><td class=\"name\">%s</td>"
                            "<td class=\"name %s\">%s</td><td>%.2f</td><td>%d</td></tr>\n",
                            HtmlEscape(s.actor()), HtmlEscape(s.stance()),
                            entente::v1::Polarity_Name(s.polarity()),
                            entente::v1::Polarity_Name(s.polarity()), s.score(), s.count());
    }
    body += "</table>\n";
  }
  if (agg.edges_size() > 0) {
    body +=
        "<h2>Alignment</h2><table><tr><th>actors</th><th>stance</th><th>score</th>"
        "<th>mutual</th></tr>\n";
    for (const auto& e : agg.edges()) {
      absl::StrAppendFormat(&body,
                            "<tr><td class=\"name\">%s &ndash; %s</td><td class=\"name\">%s %s</td>"
                            "<td>%.2f</td><td>%s</td></tr>\n",
                            HtmlEscape(e.actor_a()), HtmlEscape(e.actor_b()),
                            HtmlEscape(e.stance()), entente::v1::Polarity_Name(e.polarity()),
                            e.score(), e.mutual() ? "yes" : "");
    }
    body += "</table>\n";
  }
  if (result.explanation().sentences_size() > 0) {
    body += "<h2>Explanation</h2>\n";
    for (const auto& s : result.explanation().sentences()) {
      std::string lines;
      for (const auto& r : s.rules()) {
        absl::StrAppend(&lines, "rule ", r.rule_id(), ": ", OutcomeText(r.outcome()),
                        r.note().empty() ? "" : absl::StrCat(" (", r.note(), ")"), "\n");
      }
      for (const auto& t : s.triggers()) {
        absl::StrAppend(&lines, "trigger ", t.trigger_id(), " \"", t.span().text(), "\"\n");
      }
      for (const auto& step : s.attribution_steps())
        absl::StrAppend(&lines, "holder: ", step, "\n");
      for (const auto& step : s.score_steps()) absl::StrAppend(&lines, "score: ", step, "\n");
      absl::StrAppend(&body, "<p class=\"meta\">sentence ", s.sentence_index() + 1, "</p><pre>",
                      HtmlEscape(lines), "</pre>\n");
    }
  }
  return Page(title, body);
}

std::string EvalHtml(const entente::v1::EvaluationReport& report,
                     const std::vector<entente::v1::LabelledSentence>& gold,
                     const std::vector<ClassifyResult>& results) {
  std::string body;
  auto bar = [](double v) {
    return absl::StrFormat(
        "<span class=\"barbox\"><span class=\"bar\" style=\"width:%.0f%%\"></span></span>%.3f",
        v * 100, v);
  };
  body +=
      "<h2>Per stance</h2><table><tr><th>stance</th><th>tp</th><th>fp</th><th>fn</th>"
      "<th>precision</th><th>recall</th><th>F1</th></tr>\n";
  std::map<std::string, entente::v1::Counts> rows(report.by_stance().begin(),
                                                  report.by_stance().end());
  std::map<std::string, entente::v1::Counts> labels(report.by_label().begin(),
                                                    report.by_label().end());
  auto row = [&](const std::string& name, const entente::v1::Counts& c) {
    absl::StrAppendFormat(&body,
                          "<tr><td class=\"name\">%s</td><td>%d</td><td>%d</td><td>%d</td>"
                          "<td class=\"name\">%s</td><td class=\"name\">%s</td>"
                          "<td class=\"name\">%s</td></tr>\n",
                          HtmlEscape(name), c.true_positives(), c.false_positives(),
                          c.false_negatives(), bar(c.precision()), bar(c.recall()), bar(c.f1()));
  };
  for (const auto& [name, c] : rows) row(name, c);
  for (const auto& [name, c] : labels) row(name, c);
  row("micro", report.micro());
  body += "</table>\n";
  absl::StrAppendFormat(&body, "<p>%d sentences; holders exact on %d of %d true positives.</p>\n",
                        report.sentences(), report.holders_exact(), report.holders_total());
  body += "<h2>Confusion (gold &rarr; predicted)</h2><table>\n";
  for (const auto& r : report.confusion()) {
    std::map<std::string, int> cells(r.cells().begin(), r.cells().end());
    std::vector<std::string> parts;
    for (const auto& [k, v] : cells) parts.push_back(absl::StrCat(k, ": ", v));
    absl::StrAppend(&body, "<tr><td class=\"name\">", HtmlEscape(r.stance()),
                    "</td><td class=\"name\">", HtmlEscape(absl::StrJoin(parts, ", ")),
                    "</td></tr>\n");
  }
  body += "</table>\n";

  std::map<std::string, size_t> by_id;
  for (size_t i = 0; i < gold.size(); ++i) by_id[gold[i].id()] = i;
  auto cases = [&](const char* title,
                   const google::protobuf::RepeatedPtrField<entente::v1::EvaluationCase>& list) {
    absl::StrAppend(&body, "<h2>", title, " (", list.size(), ")</h2>\n");
    for (const auto& c : list) {
      absl::StrAppendFormat(&body,
                            "<div class=\"case\"><span class=\"meta\">%s &middot; %s "
                            "<span class=\"%s\">%s</span> &middot; gold [%s] &middot; predicted "
                            "[%s] &middot; rules [%s]</span>\n",
                            HtmlEscape(c.id()), HtmlEscape(c.stance()),
                            entente::v1::Polarity_Name(c.polarity()),
                            entente::v1::Polarity_Name(c.polarity()),
                            HtmlEscape(absl::StrJoin(c.gold_holders(), ", ")),
                            HtmlEscape(absl::StrJoin(c.predicted_holders(), ", ")),
                            HtmlEscape(absl::StrJoin(c.rules(), ", ")));
      auto it = by_id.find(c.id());
      if (it != by_id.end() && it->second < results.size() &&
          results[it->second].annotations_size() > 0) {
        body += AnnotatedSentences(results[it->second]);
      } else {
        absl::StrAppend(&body, "<p class=\"sentence\">", HtmlEscape(c.text()), "</p>\n");
      }
      body += "</div>\n";
    }
  };
  cases("False positives", report.false_positives());
  cases("False negatives", report.false_negatives());
  cases("Holder mismatches", report.holder_mismatches());
  return Page("entente eval", body);
}

}  // namespace entente
