// Measures how the time to classify hostile text grows with its size: each
// input kind at 1, 2, 4 and 8 MiB (and up to 16 MiB with --max_mib), one
// core, best of --repeat runs. A linear engine shows a constant MB/s and a
// time ratio near 2 per doubling.
//
//   bazel run -c opt //bench/hostile:scaling -- [--rules rules/default.textproto]
//       [--max_mib 8] [--repeat 3] [--corpus ../shared/corpus/ungdc.jsonl.gz]
//
// With --corpus, also prints how long the corpus's sentences are (to check
// that kMaxSentenceBytes does not cut real sentences).

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/json_line.h"
#include "engine/classifier.h"
#include "engine/segmenter.h"

namespace {

std::string Repeat(const std::string& unit, size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() < bytes) out += unit;
  return out;
}

struct Kind {
  const char* name;
  std::string unit;
};

void CorpusSentences(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return;
  }
  std::string line;
  std::vector<char> buf(1 << 16);
  entente::JsonFields fields({"text"});
  std::vector<entente::SentenceSpan> spans;
  std::map<int, long> histogram;
  long total = 0;
  long at_limit = 0;
  size_t longest = 0;
  auto process = [&] {
    if (!entente::ParseJsonObject(line, &fields).ok()) return;
    entente::SplitSentences(fields.value(0), &spans);
    for (const auto& s : spans) {
      size_t n = s.end - s.begin;
      int bucket = 0;
      while ((size_t{1} << bucket) < n) ++bucket;
      ++histogram[bucket];
      ++total;
      longest = std::max(longest, n);
      if (n + 64 >= entente::kMaxSentenceBytes) ++at_limit;
    }
  };
  int n;
  while ((n = gzread(f, buf.data(), buf.size())) > 0) {
    for (int i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        process();
        line.clear();
      } else {
        line.push_back(buf[i]);
      }
    }
  }
  if (!line.empty()) process();
  gzclose(f);
  std::printf("\ncorpus %s: %ld sentences, longest %zu bytes, %ld within 64 bytes of the "
              "%zu-byte limit\n",
              path.c_str(), total, longest, at_limit, entente::kMaxSentenceBytes);
  for (const auto& [bucket, count] : histogram) {
    if (bucket >= 9) std::printf("  <= %6zu bytes: %ld\n", size_t{1} << bucket, count);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string rules_path = "rules/default.textproto";
  std::string corpus;
  int max_mib = 8;
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rules")) rules_path = argv[i + 1];
    if (!std::strcmp(argv[i], "--max_mib")) max_mib = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeat")) repeat = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--corpus")) corpus = argv[i + 1];
  }
  std::vector<entente::Diagnostic> diagnostics;
  auto rules = entente::CompileRuleSetFile(rules_path, &diagnostics);
  if (!rules.ok()) {
    std::fprintf(stderr, "%s\n", std::string(rules.status().message()).c_str());
    return 1;
  }
  const std::vector<Kind> kinds = {
      {"one word", "a"},
      {"one-letter sentences", "B? "},
      {"initials (no sentence end)", "B. "},
      {"words, no punctuation", "the talks went on "},
      {"run-on, a stance every 32 bytes", "China calls for a ceasefire and "},
      {"run-on, negated first persons", "we do not support a ceasefire and "},
      {"run-on, compound holders", "China and Iran and Russia reject the truce while "},
      {"sentences with stances", "China calls for a ceasefire. Iran rejected the truce. "},
      {"emoji and combining marks", "\xF0\x9F\x95\x8A\xEF\xB8\x8F cea\xCC\x81sefire "},
  };
  std::printf("%-34s %6s %9s %8s %7s %11s\n", "input", "MiB", "seconds", "MB/s", "ratio",
              "annotations");
  entente::ClassifyOptions options;
  options.speaker = "CHN";
  for (const Kind& kind : kinds) {
    double previous = 0;
    for (int mib = 1; mib <= max_mib; mib *= 2) {
      const std::string text = Repeat(kind.unit, static_cast<size_t>(mib) << 20);
      double best = 1e9;
      int annotations = 0;
      for (int r = 0; r < repeat; ++r) {
        auto start = std::chrono::steady_clock::now();
        entente::v1::ClassifyResult result = entente::Classify(**rules, text, options);
        best = std::min(best, std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - start).count());
        annotations = result.annotations_size();
      }
      std::string ratio = previous > 0 ? absl::StrCat(best / previous).substr(0, 5) : "";
      std::printf("%-34s %6d %9.3f %8.1f %7s %11d\n", kind.name, mib, best,
                  text.size() / 1e6 / best, ratio.c_str(), annotations);
      std::fflush(stdout);
      previous = best;
    }
  }
  if (!corpus.empty()) CorpusSentences(corpus);
  return 0;
}
