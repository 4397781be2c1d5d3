// The four-way comparison on the same corpus sentences, and scaling with
// rule count and threads:
//   BM_Engine            entente's Classify on every document (one thread);
//   BM_NaiveLoop         every rule's RE2 (all matches, with captures and
//                        vetoes, as the engine runs them) on every sentence;
//   BM_Floor             one bare RE2::Set scan of every sentence with the
//                        same rule patterns, no other work;
//   BM_LiteralFloor      one bare RE2::Set scan for the literals the rules
//                        require (the least a scan-then-confirm design does);
//   BM_PrefilterScan     the engine's own prefilter step alone (the literal
//                        scan and candidate selection);
//   BM_ConfirmCandidates the engine's confirmation step alone;
//   BM_Engine/threads:2  the engine on two threads;
//   BM_Engine/rules:N    the engine with N rules (bench/rule_variants.h);
//   BM_Compile           loading and compiling every bundled rule set.
// The Python `re` baseline (bench/python_baseline.py) reads the sentences and
// patterns this binary writes with --dump_sentences / --dump_patterns.
// bench/run_benchmarks.sh runs everything and writes BENCHMARKS.md.
//
//   bazel run -c opt //bench:engine_bench -- --rules=$PWD/rules
//       --corpus=$PWD/../shared/corpus/ungdc.jsonl.gz --benchmark_filter=Engine

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "bench/corpus.h"
#include "bench/rule_variants.h"
#include "benchmark/benchmark.h"
#include "cli/json_line.h"
#include "engine/classifier.h"
#include "engine/rule_set_directory.h"
#include "engine/rule_set_loader.h"
#include "re2/re2.h"
#include "re2/set.h"

ABSL_FLAG(std::string, rules, "rules", "rules directory");
ABSL_FLAG(std::string, rule_set, "default", "rule set name");
ABSL_FLAG(std::string, corpus, "../shared/corpus/ungdc.jsonl.gz", "JSON Lines corpus");
ABSL_FLAG(int, every, 20, "take every N-th document of the corpus");
ABSL_FLAG(int, documents, 0, "stop after this many documents (0: no limit)");
ABSL_FLAG(std::string, dump_sentences, "",
          "write the benchmark sentences here, one per line, and exit");
ABSL_FLAG(std::string, dump_patterns, "",
          "write the rules' expanded patterns here as JSON Lines, and exit");
ABSL_FLAG(int, min_atom_length, entente::CompileOptions().min_atom_length,
          "shortest literal the engine's prefilter looks for");
ABSL_FLAG(int64_t, rule_max_mem, entente::CompileOptions().rule_max_mem,
          "memory budget of each rule's RE2");
ABSL_FLAG(bool, scaling, true, "also run the rule-count and thread scaling benchmarks");
ABSL_FLAG(std::string, rule_counts, "10,100,1000", "rule counts of the scaling benchmarks");

namespace entente {
namespace bench {
namespace {

Corpus* corpus = nullptr;

RE2::Options RuleOptions() {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  return options;
}

void SetCounters(benchmark::State& state, int64_t matches) {
  state.SetBytesProcessed(state.iterations() * corpus->sentence_bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(corpus->sentences.size()));
  state.counters["sentences"] = static_cast<double>(corpus->sentences.size());
  state.counters["bytes"] = static_cast<double>(corpus->sentence_bytes);
  state.counters["matches"] = static_cast<double>(matches);
}

// Classifies every document, as `entente batch` does (no sentence list, with
// the aggregate), on `threads` threads splitting the documents.
void Engine(benchmark::State& state, std::shared_ptr<const CompiledRuleSet> rules, int threads) {
  int64_t annotations = 0;
  for (auto _ : state) {
    std::atomic<int64_t> found{0};
    std::atomic<size_t> next{0};
    auto work = [&] {
      ClassifierScratch scratch;
      ClassifyOptions options;
      options.include_sentences = false;
      int64_t local = 0;
      for (size_t i; (i = next.fetch_add(1)) < corpus->documents.size();) {
        const CorpusDocument& doc = corpus->documents[i];
        options.speaker = doc.speaker;
        local += Classify(*rules, doc.text, options, &scratch).annotations_size();
      }
      found += local;
    };
    if (threads == 1) {
      work();
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(work);
      for (auto& t : pool) t.join();
    }
    annotations = found;
  }
  SetCounters(state, annotations);
  state.counters["rules"] = static_cast<double>(rules->rules().size());
  state.counters["threads"] = threads;
}

// Finds every match of `reading` in `sentence` with the captures the engine
// needs, as the engine's confirmation step does; returns how many.
int FindAllMatches(const CompiledReading& reading, absl::string_view sentence) {
  std::vector<re2::StringPiece> groups(1 +
                                       std::max({reading.holder_group, reading.target_group, 0}));
  re2::StringPiece input(sentence.data(), sentence.size());
  int found = 0;
  size_t pos = 0;
  while (pos < sentence.size() &&
         reading.regex->Match(input, pos, sentence.size(), RE2::UNANCHORED, groups.data(),
                              static_cast<int>(groups.size()))) {
    const size_t b = groups[0].data() - sentence.data();
    const size_t e = b + groups[0].size();
    pos = e > b ? e : b + 1;
    ++found;
  }
  return found;
}

// Every reading of every rule on every sentence, finding all matches with
// the captures the engine needs, and running the vetoes of the rules that
// match.
void NaiveLoop(benchmark::State& state, std::shared_ptr<const CompiledRuleSet> rules) {
  int64_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    for (absl::string_view sentence : corpus->sentences) {
      re2::StringPiece input(sentence.data(), sentence.size());
      for (const CompiledRule& rule : rules->rules()) {
        int found = 0;
        for (const CompiledReading& reading : rule.readings) {
          found += FindAllMatches(reading, sentence);
        }
        if (found == 0) continue;
        bool vetoed = false;
        for (const auto& veto : rule.vetoes) {
          if (veto->Match(input, 0, sentence.size(), RE2::UNANCHORED, nullptr, 0)) {
            vetoed = true;
            break;
          }
        }
        if (!vetoed) ++matches;
      }
    }
    benchmark::DoNotOptimize(matches);
  }
  SetCounters(state, matches);
}

// One RE2::Set of every rule's expanded pattern; one scan per sentence.
void Floor(benchmark::State& state, std::shared_ptr<const CompiledRuleSet> rules) {
  RE2::Options options = RuleOptions();
  options.set_max_mem(256 << 20);
  RE2::Set set(options, RE2::UNANCHORED);
  for (const CompiledRule& rule : rules->rules()) {
    for (const CompiledReading& reading : rule.readings) {
      if (set.Add(reading.expanded, nullptr) < 0) {
        state.SkipWithError("pattern rejected by RE2::Set");
        return;
      }
    }
  }
  if (!set.Compile()) {
    state.SkipWithError("RE2::Set does not compile");
    return;
  }
  std::vector<int> ids;
  int64_t matches = 0;
  int64_t failures = 0;
  for (auto _ : state) {
    matches = 0;
    for (absl::string_view sentence : corpus->sentences) {
      RE2::Set::ErrorInfo info;
      if (set.Match(re2::StringPiece(sentence.data(), sentence.size()), &ids, &info)) {
        matches += ids.size();
      } else if (info.kind != RE2::Set::kNoError) {
        ++failures;
      }
    }
  }
  SetCounters(state, matches);
  state.counters["out_of_memory"] = static_cast<double>(failures);
}

// The literals the engine's prefilter requires (engine/required_literals.h)
// in one bare RE2::Set: the least work any scan-once-then-confirm design
// does per sentence with these rules.
void LiteralFloor(benchmark::State& state, std::shared_ptr<const CompiledRuleSet> rules) {
  RE2::Options options = RuleOptions();
  options.set_max_mem(64 << 20);
  RE2::Set set(options, RE2::UNANCHORED);
  for (const RequiredLiteral& literal : rules->prefilter().literals()) {
    set.Add(literal.ToRegex(), nullptr);
  }
  if (!set.Compile()) {
    state.SkipWithError("RE2::Set does not compile");
    return;
  }
  std::vector<int> ids;
  int64_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    for (absl::string_view sentence : corpus->sentences) {
      if (set.Match(re2::StringPiece(sentence.data(), sentence.size()), &ids)) {
        matches += ids.size();
      }
    }
  }
  SetCounters(state, matches);
  state.counters["literals"] = static_cast<double>(rules->prefilter().literal_count());
}

// The engine's prefilter alone: candidate selection for every sentence.
void PrefilterScan(benchmark::State& state, std::shared_ptr<const CompiledRuleSet> rules) {
  std::vector<int> candidates;
  int64_t total = 0;
  for (auto _ : state) {
    total = 0;
    for (absl::string_view sentence : corpus->sentences) {
      rules->SelectCandidates(sentence, &candidates);
      total += candidates.size();
    }
  }
  SetCounters(state, total);
  state.counters["candidates_per_sentence"] =
      static_cast<double>(total) / std::max<size_t>(1, corpus->sentences.size());
}

// The engine's confirmation step alone: the full patterns of the
// candidates the prefilter selected (selected before timing).
void ConfirmCandidates(benchmark::State& state, std::shared_ptr<const CompiledRuleSet> rules) {
  std::vector<std::vector<int>> selected(corpus->sentences.size());
  for (size_t i = 0; i < corpus->sentences.size(); ++i) {
    rules->SelectCandidates(corpus->sentences[i], &selected[i]);
  }
  int64_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    for (size_t i = 0; i < corpus->sentences.size(); ++i) {
      for (int r : selected[i]) matches += FindAllMatches(rules->reading(r), corpus->sentences[i]);
    }
  }
  SetCounters(state, matches);
}

// Loads and compiles every rule set of the rules directory, as the server
// does at start and on each reload.
void Compile(benchmark::State& state, std::string directory, CompileOptions options) {
  int rule_sets = 0;
  for (auto _ : state) {
    DirectoryLoad load = LoadRuleSetDirectory(directory, options);
    rule_sets = static_cast<int>(load.rule_sets.size());
    benchmark::DoNotOptimize(load);
  }
  state.counters["rule_sets"] = rule_sets;
}

// Mean number of candidate rules the prefilter selects per sentence.
double CandidatesPerSentence(const CompiledRuleSet& rules) {
  std::vector<int> candidates;
  int64_t total = 0;
  for (absl::string_view sentence : corpus->sentences) {
    rules.SelectCandidates(sentence, &candidates);
    total += static_cast<int64_t>(candidates.size());
  }
  return static_cast<double>(total) / std::max<size_t>(1, corpus->sentences.size());
}

int DumpSentences(const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  for (absl::string_view s : corpus->sentences) out << s << "\n";
  return out ? 0 : 1;
}

int DumpPatterns(const CompiledRuleSet& rules, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  for (const CompiledRule& rule : rules.rules()) {
    for (const CompiledReading& reading : rule.readings) {
      std::string line = "{\"id\":";
      AppendJsonString(rule.id, &line);
      absl::StrAppend(&line, ",\"holder_group\":", reading.holder_group,
                      ",\"target_group\":", reading.target_group, ",\"pattern\":");
      AppendJsonString(reading.expanded, &line);
      line += ",\"vetoes\":[";
      for (size_t i = 0; i < rule.vetoes.size(); ++i) {
        if (i > 0) line += ",";
        AppendJsonString(rule.vetoes[i]->pattern(), &line);
      }
      line += "]}";
      out << line << "\n";
    }
  }
  return out ? 0 : 1;
}

// Registers one run over the whole sample per repetition; the report keeps
// the fastest (the least disturbed by the rest of the machine).
template <typename Fn, typename... Args>
void Register(const std::string& name, int repetitions, Fn fn, Args... args) {
  benchmark::RegisterBenchmark(name.c_str(), fn, args...)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->Iterations(1)
      ->Repetitions(repetitions)
      ->ComputeStatistics("min", [](const std::vector<double>& v) {
        return *std::min_element(v.begin(), v.end());
      });
}

}  // namespace
}  // namespace bench
}  // namespace entente

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  using namespace entente;
  using namespace entente::bench;
  static Corpus loaded_corpus;
  corpus = &loaded_corpus;
  absl::Status s = LoadCorpus(absl::GetFlag(FLAGS_corpus), absl::GetFlag(FLAGS_every),
                              absl::GetFlag(FLAGS_documents), "country", corpus);
  if (!s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  std::vector<Diagnostic> diagnostics;
  CompileOptions compile_options;
  compile_options.min_atom_length = absl::GetFlag(FLAGS_min_atom_length);
  compile_options.rule_max_mem = absl::GetFlag(FLAGS_rule_max_mem);
  auto rules = LoadRuleSetFromPath(absl::GetFlag(FLAGS_rules), absl::GetFlag(FLAGS_rule_set),
                                   &diagnostics, compile_options);
  if (!rules.ok()) {
    std::cerr << rules.status() << "\n";
    return 1;
  }
  if (!absl::GetFlag(FLAGS_dump_sentences).empty()) {
    return DumpSentences(absl::GetFlag(FLAGS_dump_sentences));
  }
  if (!absl::GetFlag(FLAGS_dump_patterns).empty()) {
    return DumpPatterns(**rules, absl::GetFlag(FLAGS_dump_patterns));
  }
  Register("BM_Engine", 7, Engine, *rules, 1);
  Register("BM_NaiveLoop", 3, NaiveLoop, *rules);
  Register("BM_Floor", 2, Floor, *rules);
  Register("BM_LiteralFloor", 5, LiteralFloor, *rules);
  Register("BM_PrefilterScan", 5, PrefilterScan, *rules);
  Register("BM_ConfirmCandidates", 5, ConfirmCandidates, *rules);
  if (absl::GetFlag(FLAGS_scaling)) {
    Register("BM_Engine/threads:2", 7, Engine, *rules, 2);
    const std::string directory = absl::GetFlag(FLAGS_rules);
    Register("BM_Compile", 5, Compile, directory, compile_options);
    const std::vector<std::string> words = ContentWords(corpus->sentences, 3000);
    for (absl::string_view count_text : absl::StrSplit(absl::GetFlag(FLAGS_rule_counts), ',')) {
      int count = 0;
      if (!absl::SimpleAtoi(count_text, &count) || count <= 0) {
        std::cerr << "bad --rule_counts entry: " << count_text << "\n";
        return 1;
      }
      std::vector<Diagnostic> variant_diagnostics;
      auto variant =
          CompiledRuleSet::Compile(WithRuleCount((*rules)->loaded(), count, words, /*seed=*/7),
                                   compile_options, &variant_diagnostics);
      if (!variant.ok()) {
        std::cerr << "rule set with " << count << " rules: " << variant.status() << "\n";
        for (const Diagnostic& d : variant_diagnostics) std::cerr << d.ToString() << "\n";
        return 1;
      }
      const double candidates = CandidatesPerSentence(**variant);
      benchmark::RegisterBenchmark(absl::StrCat("BM_Engine/rules:", count).c_str(),
                                   [variant = *variant, candidates](benchmark::State& state) {
                                     Engine(state, variant, 1);
                                     state.counters["candidates_per_sentence"] = candidates;
                                   })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->Iterations(1)
          ->Repetitions(3)
          ->ComputeStatistics("min", [](const std::vector<double>& v) {
            return *std::min_element(v.begin(), v.end());
          });
    }
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
