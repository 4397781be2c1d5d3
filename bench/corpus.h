// File: bench/corpus.h
//
// The benchmark workload: the first documents of a JSON Lines corpus (plain
// or gzip-compressed), and their sentences as the engine splits them, so
// that every baseline scans exactly the same bytes.
//
//   entente::bench::Corpus corpus;
//   absl::Status s = entente::bench::LoadCorpus("ungdc.jsonl.gz", 20, 0, "country", &corpus);
//   for (absl::string_view sentence : corpus.sentences) Scan(sentence);

#ifndef ENTENTE_BENCH_CORPUS_H_
#define ENTENTE_BENCH_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace entente {
namespace bench {

struct CorpusDocument {
  std::string id;
  std::string speaker;
  std::string text;
};

// Documents and their sentences. `sentences` point into `documents`' texts:
// do not modify the documents after loading.
struct Corpus {
  std::vector<CorpusDocument> documents;
  std::vector<absl::string_view> sentences;
  int64_t document_bytes = 0;
  int64_t sentence_bytes = 0;
};

// Reads every `every`-th record of `path` (1: all of them), up to
// `max_documents` (all when <= 0), with fields "id", "text" and
// `speaker_field`, skipping records that are not valid JSON with valid UTF-8
// text, and splits them into sentences.
absl::Status LoadCorpus(const std::string& path, int every, int max_documents,
                        const std::string& speaker_field, Corpus* corpus);

}  // namespace bench
}  // namespace entente

#endif  // ENTENTE_BENCH_CORPUS_H_
