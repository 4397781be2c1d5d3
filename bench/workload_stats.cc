// Prints what the engine's prefilter does on a corpus sample: how many
// literals it scans for, which occur most, how many candidate rules a
// sentence gets, and how often each rule is a candidate and matches. A
// diagnostic for tuning rules (a rule that is often a candidate and rarely
// matches wastes time) and the prefilter.
//
//   bazel run //bench:workload_stats -- --rules=$PWD/rules
//       --corpus=$PWD/../shared/corpus/ungdc.jsonl.gz [--rule=cf_call_for]

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/corpus.h"
#include "engine/rule_set_directory.h"
#include "re2/re2.h"

ABSL_FLAG(std::string, rules, "rules", "rules directory or file");
ABSL_FLAG(std::string, rule_set, "default", "rule set name");
ABSL_FLAG(std::string, corpus, "../shared/corpus/ungdc.jsonl.gz", "JSON Lines corpus");
ABSL_FLAG(int, every, 20, "take every N-th document of the corpus");
ABSL_FLAG(int, documents, 0, "stop after this many documents (0: no limit)");
ABSL_FLAG(std::string, rule, "", "show this rule's required literals and how often each occurs");

namespace {

std::string Show(const entente::RequiredLiteral& l) {
  return absl::StrCat(l.word_start ? "\\b" : "", l.text, l.word_end ? "\\b" : "");
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::vector<entente::Diagnostic> diagnostics;
  auto rules = entente::LoadRuleSetFromPath(absl::GetFlag(FLAGS_rules),
                                            absl::GetFlag(FLAGS_rule_set), &diagnostics);
  if (!rules.ok()) {
    std::cerr << rules.status() << "\n";
    return 1;
  }
  const entente::CompiledRuleSet& rs = **rules;
  entente::bench::Corpus corpus;
  auto s = entente::bench::LoadCorpus(absl::GetFlag(FLAGS_corpus), absl::GetFlag(FLAGS_every),
                                      absl::GetFlag(FLAGS_documents), "country", &corpus);
  if (!s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  const double ns = static_cast<double>(corpus.sentences.size());
  const auto& literals = rs.prefilter().literals();

  // In how many sentences each literal occurs, found with the prefilter's
  // own scan.
  std::vector<int64_t> occurs(literals.size());
  std::vector<int> last_sentence(literals.size(), -1);
  int sentence_index = 0;
  for (absl::string_view sentence : corpus.sentences) {
    rs.prefilter().matcher().FindAll(sentence, [&](int id) {
      if (last_sentence[id] == sentence_index) return;
      last_sentence[id] = sentence_index;
      ++occurs[id];
    });
    ++sentence_index;
  }
  std::map<entente::RequiredLiteral, int64_t> frequency;
  for (size_t i = 0; i < literals.size(); ++i) frequency[literals[i]] = occurs[i];

  if (!absl::GetFlag(FLAGS_rule).empty()) {
    int r = rs.FindRule(absl::GetFlag(FLAGS_rule));
    if (r < 0) {
      std::cerr << "no rule " << absl::GetFlag(FLAGS_rule) << "\n";
      return 1;
    }
    for (size_t i = 0; i < rs.readings().size(); ++i) {
      if (rs.readings()[i].rule != r) continue;
      absl::PrintF("reading %d: %s\n", rs.readings()[i].reading, rs.reading(i).source);
      const auto& condition = rs.prefilter().condition(static_cast<int>(i));
      if (condition.always()) absl::PrintF("  no required literal: runs on every sentence\n");
      for (const auto& clause : condition.clauses) {
        std::vector<std::string> parts;
        for (const auto& l : clause) {
          parts.push_back(absl::StrFormat("%s %.2f%%", Show(l), 100.0 * frequency[l] / ns));
        }
        absl::PrintF("  one of: %s\n", absl::StrJoin(parts, ", "));
      }
    }
    return 0;
  }

  // Per reading (index into rs.readings()).
  const size_t n = rs.readings().size();
  std::vector<int64_t> candidate(n), matched(n);
  std::vector<double> seconds(n);
  std::vector<int> candidates;
  int64_t total_candidates = 0, with_match = 0;
  std::map<int, int64_t> histogram;
  for (absl::string_view sentence : corpus.sentences) {
    rs.SelectCandidates(sentence, &candidates);
    total_candidates += static_cast<int64_t>(candidates.size());
    ++histogram[std::min<int>(static_cast<int>(candidates.size()), 10)];
    bool any = false;
    for (int r : candidates) {
      ++candidate[r];
      auto start = std::chrono::steady_clock::now();
      bool hit = RE2::PartialMatch(re2::StringPiece(sentence.data(), sentence.size()),
                                   *rs.reading(r).regex);
      seconds[r] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (hit) {
        ++matched[r];
        any = true;
      }
    }
    if (any) ++with_match;
  }
  absl::PrintF("readings %d  literals %d  unfiltered %d  documents %d  sentences %d  bytes %d\n", n,
               literals.size(), rs.unfiltered_readings().size(), corpus.documents.size(),
               corpus.sentences.size(), corpus.sentence_bytes);
  absl::PrintF("literal scan: %d states, %d symbols, %d bytes of tables\n",
               rs.prefilter().matcher().state_count(), rs.prefilter().matcher().symbol_count(),
               rs.prefilter().matcher().memory_bytes());
  absl::PrintF("candidates/sentence %.3f  sentences with a match %.2f%%\n", total_candidates / ns,
               100 * with_match / ns);
  for (const auto& [k, v] : histogram) {
    absl::PrintF("  %s%d candidates: %.1f%%\n", k == 10 ? ">=" : "", k, 100 * v / ns);
  }
  std::vector<size_t> order(literals.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return occurs[a] > occurs[b]; });
  absl::PrintF("commonest literals:");
  for (size_t i = 0; i < order.size() && i < 20; ++i) {
    absl::PrintF(" %s %.1f%%", Show(literals[order[i]]), 100.0 * occurs[order[i]] / ns);
  }
  absl::PrintF("\n%-40s %12s %10s %10s %8s %9s %9s\n", "rule#reading", "candidate%", "matched",
               "ms", "us/call", "pattern", "program");
  std::vector<size_t> by_rate(n);
  for (size_t i = 0; i < n; ++i) by_rate[i] = i;
  std::sort(by_rate.begin(), by_rate.end(),
            [&](size_t a, size_t b) { return candidate[a] > candidate[b]; });
  for (size_t r : by_rate) {
    const entente::CompiledRule& rule = rs.rules()[rs.readings()[r].rule];
    const entente::CompiledReading& reading = rs.reading(static_cast<int>(r));
    absl::PrintF("%-40s %11.2f%% %10d %10.1f %8.2f %9d %9d\n",
                 absl::StrCat(rule.id, "#", rs.readings()[r].reading), 100 * candidate[r] / ns,
                 matched[r], 1e3 * seconds[r],
                 candidate[r] > 0 ? 1e6 * seconds[r] / candidate[r] : 0.0, reading.expanded.size(),
                 reading.regex->ProgramSize());
  }
  return 0;
}
