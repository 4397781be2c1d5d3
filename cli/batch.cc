#include "cli/batch.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <queue>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/json_line.h"
#include "cli/line_reader.h"
#include "cli/result_json.h"
#include "engine/classifier.h"
#include "engine/utf8.h"

namespace entente {
namespace {

constexpr size_t kChunkRecords = 64;
constexpr size_t kChunkBytes = 1 << 20;

// A fixed set of threads running submitted tasks.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  void Submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return done_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::queue<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;
  bool done_ = false;
};

void ErrorRecord(const std::string& id, int64_t line, absl::string_view message, std::string* out) {
  out->append("{");
  if (!id.empty()) {
    out->append("\"id\":");
    AppendJsonString(id, out);
    out->append(",");
  }
  absl::StrAppend(out, "\"line\":", line, ",\"error\":");
  AppendJsonString(message, out);
  out->append("}\n");
}

}  // namespace

ScoredRecords ScoreRecords(const CompiledRuleSet& rules, const BatchOptions& options,
                           const std::vector<BatchRecord>& records) {
  ScoredRecords result;
  JsonFields fields({options.id_field, options.text_field, options.speaker_field});
  ClassifierScratch scratch;
  for (const BatchRecord& record : records) {
    result.counts.bytes += static_cast<int64_t>(record.text.size()) + 1;
    std::string id = absl::StrCat(record.line);
    std::string text_storage;
    absl::string_view text;
    std::string speaker = options.default_speaker;
    if (options.format == "text") {
      text = record.text;
    } else {
      absl::Status s = ParseJsonObject(record.text, &fields);
      // An id that is not valid UTF-8 cannot be printed: the line number
      // stands for it.
      const bool has_id = fields.found(0) && IsValidUtf8(fields.value(0));
      if (has_id) id = fields.value(0);
      if (!s.ok()) {
        ++result.counts.errors;
        ErrorRecord(has_id ? id : "", record.line, s.message(), &result.output);
        continue;
      }
      if (!fields.found(1) || !fields.is_string(1)) {
        ++result.counts.errors;
        ErrorRecord(id, record.line,
                    absl::StrCat("missing string field \"", options.text_field, "\""),
                    &result.output);
        continue;
      }
      if (fields.found(2)) speaker = fields.value(2);
      text_storage = fields.value(1);
      text = text_storage;
    }
    size_t bad = 0;
    if (!IsValidUtf8(text, &bad)) {
      ++result.counts.errors;
      ErrorRecord(IsValidUtf8(id) ? id : "", record.line,
                  absl::StrCat("text is not valid UTF-8 (byte ", bad, ")"), &result.output);
      continue;
    }
    if (!IsValidUtf8(speaker)) speaker.clear();
    ClassifyOptions classify;
    classify.id = id;
    classify.speaker = speaker;
    classify.min_score = options.min_score;
    classify.include_sentences = options.sentences;
    classify.aggregate = !options.sentences;
    entente::v1::ClassifyResult r = Classify(rules, text, classify, &scratch);
    ++result.counts.documents;
    result.counts.sentences += static_cast<int64_t>(scratch.sentences.size());
    for (const auto& a : r.annotations()) {
      ++result.counts
            .annotations[absl::StrCat(a.stance(), "/", entente::v1::Polarity_Name(a.polarity()))];
    }
    if (options.sentences) {
      AppendSentenceResultsJson(r, &result.output);
    } else {
      AppendResultJson(r, &result.output);
    }
  }
  result.counts.prefilter_fallbacks = scratch.prefilter_fallbacks;
  return result;
}

namespace {

// Counts the complete lines of `path` and truncates a partial last line.
absl::StatusOr<int64_t> PrepareResume(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read for --resume"));
  int64_t lines = 0;
  uintmax_t complete_bytes = 0;
  uintmax_t offset = 0;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), buf.size());
    std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        ++lines;
        complete_bytes = offset + i + 1;
      }
    }
    offset += n;
  }
  if (complete_bytes < offset) std::filesystem::resize_file(path, complete_bytes, ec);
  if (ec) return absl::InternalError(absl::StrCat(path, ": cannot truncate: ", ec.message()));
  return lines;
}

// The error for a failed write of the output: what failed, how far the
// job got, and how to go on.
absl::Status WriteError(const std::string& name, int error, const BatchSummary& summary) {
  return absl::DataLossError(
      absl::StrCat("cannot write ", name, ": ", std::strerror(error), " (", summary.documents,
                   " documents written; the last line may be partial). Free space and rerun with "
                   "--output ",
                   name, " --resume to finish without losing or repeating a line"));
}

}  // namespace

std::string BatchSummary::ToJson() const {
  std::string out = absl::StrFormat(
      "{\"documents\":%d,\"sentences\":%d,\"bytes\":%d,\"errors\":%d,\"resumed\":%d,"
      "\"prefilter_fallbacks\":%d,\"seconds\":%.3f,\"mb_per_second\":%.2f,\"documents_per_second\":"
      "%.1f,"
      "\"annotations\":{",
      documents, sentences, bytes, errors, resumed, prefilter_fallbacks, seconds,
      seconds > 0 ? bytes / 1e6 / seconds : 0.0, seconds > 0 ? documents / seconds : 0.0);
  bool first = true;
  for (const auto& [k, v] : annotations) {
    if (!first) out += ",";
    first = false;
    AppendJsonString(k, &out);
    absl::StrAppend(&out, ":", v);
  }
  out += "}}";
  return out;
}

absl::Status RunBatch(const CompiledRuleSet& rules, const std::vector<std::string>& inputs,
                      const BatchOptions& options, BatchSummary* summary) {
  if (options.shard_count < 1 || options.shard_index < 0 ||
      options.shard_index >= options.shard_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad shard ", options.shard_index, "/", options.shard_count));
  }
  if (options.format != "jsonl" && options.format != "text") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown format \"", options.format, "\" (jsonl or text)"));
  }
  const auto start = std::chrono::steady_clock::now();
  int64_t skip = 0;
  FILE* out = stdout;
  if (!options.output.empty()) {
    if (options.resume) {
      absl::StatusOr<int64_t> done = PrepareResume(options.output);
      if (!done.ok()) return done.status();
      skip = *done;
    }
    out = std::fopen(options.output.c_str(), options.resume ? "ab" : "wb");
    if (out == nullptr) {
      return absl::PermissionDeniedError(absl::StrCat(options.output, ": cannot write"));
    }
  } else if (options.resume) {
    return absl::InvalidArgumentError("--resume needs --output FILE");
  }

  int threads =
      options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  const bool progress =
      options.progress == "always" || (options.progress == "auto" && isatty(fileno(stderr)));
  ThreadPool pool(threads);
  std::deque<std::future<ScoredRecords>> window;
  const size_t max_window = 8 * static_cast<size_t>(threads) + 2;
  absl::Status failure;

  const std::string out_name = options.output.empty() ? "standard output" : options.output;
  // Writes the front chunk's lines. After the first failed write nothing
  // more is written, so the output stays a prefix of the full result (with
  // perhaps a partial last line, which --resume truncates): no line is lost
  // and none is out of order.
  auto write_front = [&]() {
    ScoredRecords r = window.front().get();
    window.pop_front();
    if (!failure.ok()) return;
    if (!r.output.empty() &&
        std::fwrite(r.output.data(), 1, r.output.size(), out) != r.output.size()) {
      failure = WriteError(out_name, errno, *summary);
      return;
    }
    summary->documents += r.counts.documents;
    summary->sentences += r.counts.sentences;
    summary->bytes += r.counts.bytes;
    summary->errors += r.counts.errors;
    summary->prefilter_fallbacks += r.counts.prefilter_fallbacks;
    for (const auto& [k, v] : r.counts.annotations) summary->annotations[k] += v;
  };
  auto submit = [&](std::vector<BatchRecord> chunk) {
    auto task = std::make_shared<std::packaged_task<ScoredRecords()>>(
        [&rules, &options, records = std::move(chunk)] {
          return ScoreRecords(rules, options, records);
        });
    window.push_back(task->get_future());
    pool.Submit([task] { (*task)(); });
    while (window.size() >= max_window && failure.ok()) write_front();
  };

  auto last_report = start;
  int64_t global_record = 0;  // across all inputs, before sharding
  int64_t total_size = 0;
  int64_t done_size = 0;
  std::string line;
  for (const std::string& path : inputs) {
    LineReader reader;
    absl::Status s = reader.Open(path);
    if (!s.ok()) {
      failure = s;
      break;
    }
    total_size += reader.size();
    std::vector<BatchRecord> chunk;
    size_t chunk_bytes = 0;
    int64_t line_number = 0;
    while (failure.ok() && reader.Next(&line, &s)) {
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      if (global_record++ % options.shard_count != options.shard_index) continue;
      ++summary->records;
      if (skip > 0) {
        --skip;
        ++summary->resumed;
        continue;
      }
      chunk_bytes += line.size();
      chunk.push_back({line_number, std::move(line)});
      line = std::string();
      if (chunk.size() >= kChunkRecords || chunk_bytes >= kChunkBytes) {
        submit(std::move(chunk));
        chunk = {};
        chunk_bytes = 0;
      }
      if (progress) {
        auto now = std::chrono::steady_clock::now();
        if (now - last_report > std::chrono::milliseconds(500)) {
          last_report = now;
          double secs = std::chrono::duration<double>(now - start).count();
          int64_t consumed = done_size + reader.consumed();
          double rate = secs > 0 ? consumed / secs : 0;
          std::string eta = total_size > 0 && rate > 0
                                ? absl::StrFormat(", ETA %.0fs", (total_size - consumed) / rate)
                                : "";
          std::fprintf(stderr, "\r%lld documents, %.1f MB/s%s   ",
                       static_cast<long long>(summary->documents), summary->bytes / 1e6 / secs,
                       eta.c_str());
        }
      }
    }
    if (!s.ok()) failure = s;
    if (!chunk.empty() && failure.ok()) submit(std::move(chunk));
    done_size += reader.size();
  }
  while (!window.empty()) write_front();
  if (progress) std::fprintf(stderr, "\n");
  // Buffered lines reach the file system here: a full disk often shows
  // only now.
  if (std::fflush(out) != 0 && failure.ok()) failure = WriteError(out_name, errno, *summary);
  if (out != stdout && std::fclose(out) != 0 && failure.ok()) {
    failure = WriteError(out_name, errno, *summary);
  }
  summary->seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return failure;
}

}  // namespace entente
