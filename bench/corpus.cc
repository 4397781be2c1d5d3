#include "bench/corpus.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"
#include "cli/json_line.h"
#include "engine/segmenter.h"
#include "engine/utf8.h"

namespace entente {
namespace bench {

absl::Status LoadCorpus(const std::string& path, int every, int max_documents,
                        const std::string& speaker_field, Corpus* corpus) {
  if (every < 1) every = 1;
  int64_t record = 0;
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  gzbuffer(file, 1 << 18);
  JsonFields fields({"id", "text", speaker_field});
  std::string pending;
  std::vector<char> buffer(1 << 20);
  auto take_line = [&](absl::string_view line) {
    if (record++ % every != 0) return;
    if (!ParseJsonObject(line, &fields).ok() || !fields.found(1) || !fields.is_string(1)) return;
    if (!IsValidUtf8(fields.value(1))) return;
    CorpusDocument& doc = corpus->documents.emplace_back();
    doc.id = fields.found(0) ? fields.value(0) : "";
    doc.speaker = fields.found(2) ? fields.value(2) : "";
    doc.text = fields.value(1);
  };
  bool done = false;
  while (!done) {
    int n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n <= 0) break;
    pending.append(buffer.data(), n);
    size_t start = 0;
    for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
      take_line(absl::string_view(pending).substr(start, nl - start));
      if (max_documents > 0 && static_cast<int>(corpus->documents.size()) >= max_documents) {
        done = true;
        break;
      }
    }
    pending.erase(0, start);
  }
  if (!done && !pending.empty()) take_line(pending);
  gzclose(file);

  std::vector<SentenceSpan> spans;
  for (const CorpusDocument& doc : corpus->documents) {
    corpus->document_bytes += static_cast<int64_t>(doc.text.size());
    SplitSentences(doc.text, &spans);
    for (const SentenceSpan& s : spans) {
      corpus->sentences.push_back(absl::string_view(doc.text).substr(s.begin, s.end - s.begin));
      corpus->sentence_bytes += static_cast<int64_t>(s.end - s.begin);
    }
  }
  return absl::OkStatus();
}

}  // namespace bench
}  // namespace entente
