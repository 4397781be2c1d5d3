// load_generator: drives a running entente_server over gRPC with N
// concurrent clients, unary and streaming, and prints throughput and latency
// percentiles beside the in-process engine's throughput on the same
// sentences (the ratio is the service's overhead).
//
//   bazel-bin/service/entente_server --listen=127.0.0.1:50051 &
//   bazel-bin/bench/load_generator --target=127.0.0.1:50051 \
//       --input=../shared/corpus/ungdc.jsonl.gz --concurrency=8 --duration_s=10
//
// Every request carries one text (unary: one Classify call; streaming: one
// message of a ClassifyStream, one document of a ClassifyBatch): a sentence,
// a paragraph or a whole document (--unit), taken in turn from the input, so
// the server and the in-process engine see the same texts. Rates count
// sentences either way.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/json_line.h"
#include "engine/classifier.h"
#include "engine/rule_set_directory.h"
#include "engine/segmenter.h"
#include "engine/utf8.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "proto/service.grpc.pb.h"
#include "zlib.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "Server address.");
ABSL_FLAG(std::string, input, "",
          "JSON Lines (.jsonl or .jsonl.gz) with a \"text\" field, or plain text; empty uses a "
          "few built-in sentences.");
ABSL_FLAG(int, max_documents, 300, "Documents read from --input.");
ABSL_FLAG(int, max_sentences, 20000, "Sentences used, at most.");
ABSL_FLAG(std::string, unit, "sentence",
          "What one request carries: \"sentence\", \"paragraph\" (a line of a document's "
          "text) or \"document\" (a whole record of --input).");
ABSL_FLAG(std::string, modes, "unary,stream,batch", "Comma-separated: unary, stream, batch.");
ABSL_FLAG(int, batch_size, 64, "Batch mode: texts per ClassifyBatch call.");
ABSL_FLAG(int, concurrency, 8, "Concurrent clients (one channel and connection each).");
ABSL_FLAG(int, stream_outstanding, 64,
          "Streaming: requests a client may have sent and not yet seen answered.");
ABSL_FLAG(double, duration_s, 10, "Measured seconds per mode.");
ABSL_FLAG(double, warmup_s, 2, "Unmeasured seconds before each mode.");
ABSL_FLAG(std::string, rule_set, "", "Rule set to request; empty means the server's default.");
ABSL_FLAG(std::string, speaker, "", "Speaker sent with every request.");
ABSL_FLAG(bool, omit_sentences, false, "Ask the server not to list sentences.");
ABSL_FLAG(std::string, rules, "",
          "Rules directory for the in-process comparison; default: the bundled rules/.");
ABSL_FLAG(int, engine_threads, 0,
          "Threads of the in-process comparison; 0 means one per core. Use the server's "
          "--threads.");
ABSL_FLAG(bool, in_process, true, "Also measure the in-process engine on the same sentences.");
ABSL_FLAG(int, server_pid, 0,
          "Pid of the server (on this machine): also report its CPU time per sentence, which "
          "other load on the machine does not distort.");

namespace entente {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kBuiltIn[] = {
    "China and Iran called for an immediate ceasefire in Gaza.",
    "The two sides agreed to support each other on issues concerning their core interests.",
    "We support the central role of the United Nations in international affairs.",
    "Both sides will strengthen coordination within the SCO and BRICS.",
    "The meeting was held in Beijing on Tuesday.",
    "We oppose any unilateral sanctions imposed outside the Security Council.",
    "Brazil welcomed the truce and urged all parties to respect it.",
    "Is a ceasefire possible without guarantees?",
    "Russia rejected calls for a cessation of hostilities.",
    "The ministers discussed trade, energy and climate change.",
};

// One request's text and how many sentences the engine finds in it.
struct Item {
  std::string text;
  int sentences = 1;
};

// Reads the texts of the first documents of `path`, cut into sentences or
// paragraphs (or whole, for unit "document").
absl::Status ReadItems(const std::string& path, const std::string& unit, int max_documents,
                       int max_sentences, std::vector<Item>* out) {
  const bool paragraphs = unit != "sentence";
  std::vector<SentenceSpan> spans;
  int64_t sentences = 0;
  auto add_text = [&](absl::string_view text) {
    SplitSentences(text, &spans);
    if (spans.empty()) return;
    if (paragraphs) {
      out->push_back({std::string(text), static_cast<int>(spans.size())});
      sentences += spans.size();
      return;
    }
    for (const SentenceSpan& span : spans) {
      if (sentences >= max_sentences) return;
      out->push_back({std::string(text.substr(span.begin, span.end - span.begin)), 1});
      ++sentences;
    }
  };
  if (path.empty()) {
    for (const char* s : kBuiltIn) add_text(s);
    return absl::OkStatus();
  }
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  const bool json = absl::StrContains(path, ".jsonl") || absl::StrContains(path, ".json");
  JsonFields fields({"text"});
  std::string pending;
  char buffer[1 << 16];
  int documents = 0;
  auto take_line = [&](absl::string_view line) {
    std::string text;
    if (json) {
      fields.Reset();
      if (!ParseJsonObject(line, &fields).ok() || !fields.found(0)) return;
      text = fields.value(0);
    } else {
      text = std::string(line);
    }
    if (!IsValidUtf8(text)) return;
    ++documents;
    if (unit == "document") {
      add_text(text);
      return;
    }
    for (absl::string_view paragraph : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
      if (sentences >= max_sentences) return;
      add_text(paragraph);
    }
  };
  int n;
  while (documents < max_documents && sentences < max_sentences &&
         (n = gzread(file, buffer, sizeof(buffer))) > 0) {
    pending.append(buffer, n);
    size_t start = 0, newline;
    while ((newline = pending.find('\n', start)) != std::string::npos &&
           documents < max_documents) {
      take_line(absl::string_view(pending).substr(start, newline - start));
      start = newline + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty() && documents < max_documents) take_line(pending);
  gzclose(file);
  if (out->empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no sentences"));
  return absl::OkStatus();
}

struct Result {
  std::string name;
  int64_t items = 0;
  int64_t sentences = 0;
  int64_t errors = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;  // sorted
  std::string first_error;
  // CPU seconds the measured process (the server, or this one for the
  // in-process engine) spent during the measurement; negative if unknown.
  double cpu_seconds = -1;

  // Sentences per second.
  double Rate() const { return seconds > 0 ? sentences / seconds : 0; }
  double Percentile(double p) const {
    if (latencies_ms.empty()) return 0;
    const size_t i = std::min(latencies_ms.size() - 1,
                              static_cast<size_t>(std::ceil(p * latencies_ms.size())) - 1);
    return latencies_ms[i];
  }
};

// What each client thread measured; merged after the run.
struct ClientStats {
  int64_t items = 0;
  int64_t sentences = 0;
  int64_t errors = 0;
  std::vector<double> latencies_ms;
  std::string first_error;
};

std::shared_ptr<grpc::Channel> NewChannel(const std::string& target, int index) {
  grpc::ChannelArguments args;
  // A connection of its own per client, as separate client processes would.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("entente.bench.client", index);
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

entente::v1::ClassifyRequest MakeRequest(const std::string& text, int64_t id) {
  static const entente::v1::ClassifyRequest* const kTemplate = [] {
    auto* request = new entente::v1::ClassifyRequest();
    request->set_rule_set(absl::GetFlag(FLAGS_rule_set));
    request->set_speaker(absl::GetFlag(FLAGS_speaker));
    request->mutable_options()->set_omit_sentences(absl::GetFlag(FLAGS_omit_sentences));
    return request;
  }();
  entente::v1::ClassifyRequest request = *kTemplate;
  request.set_id(absl::StrCat(id));
  request.set_text(text);
  return request;
}

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

Result Merge(const std::string& name, std::vector<ClientStats>& stats, double seconds) {
  Result result;
  result.name = name;
  result.seconds = seconds;
  for (ClientStats& s : stats) {
    result.items += s.items;
    result.sentences += s.sentences;
    result.errors += s.errors;
    if (result.first_error.empty()) result.first_error = s.first_error;
    result.latencies_ms.insert(result.latencies_ms.end(), s.latencies_ms.begin(),
                               s.latencies_ms.end());
  }
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

// CPU seconds (user + system) used so far by process `pid`, or by this
// process when `pid` is 0; negative if unknown.
double CpuSeconds(int pid) {
  if (pid == 0) {
    rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = contents.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(contents.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / sysconf(_SC_CLK_TCK);
}

// Runs `body(client, measuring, stats)` on `clients` threads for warmup +
// duration; `measuring` turns true after the warmup and back to false at
// the end (then the bodies must return).
template <typename Body>
Result RunClients(const std::string& name, int clients, int cpu_pid, Body body) {
  std::atomic<int> phase{0};  // 0 warmup, 1 measure, 2 stop
  std::vector<ClientStats> stats(clients);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] { body(c, phase, &stats[c]); });
  }
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_warmup_s)));
  const double cpu_start = cpu_pid >= 0 ? CpuSeconds(cpu_pid) : -1;
  const auto start = Clock::now();
  phase.store(1);
  absl::SleepFor(absl::Seconds(absl::GetFlag(FLAGS_duration_s)));
  phase.store(2);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu_end = cpu_pid >= 0 ? CpuSeconds(cpu_pid) : -1;
  for (std::thread& t : threads) t.join();
  Result result = Merge(name, stats, seconds);
  if (cpu_start >= 0 && cpu_end >= 0) result.cpu_seconds = cpu_end - cpu_start;
  return result;
}

Result RunUnary(const std::string& target, const std::vector<Item>& items, int clients) {
  const int pid = absl::GetFlag(FLAGS_server_pid) > 0 ? absl::GetFlag(FLAGS_server_pid) : -1;
  return RunClients(
      "unary Classify", clients, pid, [&](int c, std::atomic<int>& phase, ClientStats* stats) {
        auto stub = entente::v1::Entente::NewStub(NewChannel(target, c));
        size_t next = c * items.size() / clients;
        int64_t id = 0;
        while (phase.load() < 2) {
          const Item& item = items[next];
          entente::v1::ClassifyRequest request = MakeRequest(item.text, id++);
          next = (next + 1) % items.size();
          entente::v1::ClassifyResponse response;
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
          const auto begin = Clock::now();
          grpc::Status status = stub->Classify(&context, request, &response);
          const double ms = Millis(Clock::now() - begin);
          if (phase.load() != 1) continue;
          if (!status.ok()) {
            ++stats->errors;
            if (stats->first_error.empty()) stats->first_error = status.error_message();
            continue;
          }
          ++stats->items;
          stats->sentences += item.sentences;
          stats->latencies_ms.push_back(ms);
        }
      });
}

Result RunBatch(const std::string& target, const std::vector<Item>& items, int clients) {
  const int pid = absl::GetFlag(FLAGS_server_pid) > 0 ? absl::GetFlag(FLAGS_server_pid) : -1;
  const int batch_size = std::max(1, absl::GetFlag(FLAGS_batch_size));
  return RunClients(
      absl::StrCat("batch ClassifyBatch x", batch_size), clients, pid,
      [&](int c, std::atomic<int>& phase, ClientStats* stats) {
        auto stub = entente::v1::Entente::NewStub(NewChannel(target, c));
        size_t next = c * items.size() / clients;
        int64_t id = 0;
        while (phase.load() < 2) {
          entente::v1::ClassifyBatchRequest request;
          const entente::v1::ClassifyRequest settings = MakeRequest("", 0);
          request.set_rule_set(settings.rule_set());
          *request.mutable_options() = settings.options();
          int sentences = 0;
          for (int i = 0; i < batch_size; ++i) {
            const Item& item = items[next];
            next = (next + 1) % items.size();
            entente::v1::Document* document = request.add_documents();
            document->set_id(absl::StrCat(id++));
            document->set_text(item.text);
            document->set_speaker(settings.speaker());
            sentences += item.sentences;
          }
          entente::v1::ClassifyBatchResponse response;
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
          const auto begin = Clock::now();
          grpc::Status status = stub->ClassifyBatch(&context, request, &response);
          const double ms = Millis(Clock::now() - begin);
          if (phase.load() != 1) continue;
          if (!status.ok() || response.errors_size() > 0) {
            ++stats->errors;
            if (stats->first_error.empty()) {
              stats->first_error =
                  status.ok() ? response.errors(0).message() : status.error_message();
            }
            continue;
          }
          stats->items += batch_size;
          stats->sentences += sentences;
          stats->latencies_ms.push_back(ms);
        }
      });
}

Result RunStream(const std::string& target, const std::vector<Item>& items, int clients) {
  const int outstanding_limit = std::max(1, absl::GetFlag(FLAGS_stream_outstanding));
  const int pid = absl::GetFlag(FLAGS_server_pid) > 0 ? absl::GetFlag(FLAGS_server_pid) : -1;
  return RunClients("streaming ClassifyStream", clients, pid,
                    [&](int c, std::atomic<int>& phase, ClientStats* stats) {
                      auto stub = entente::v1::Entente::NewStub(NewChannel(target, c));
                      grpc::ClientContext context;
                      auto stream = stub->ClassifyStream(&context);
                      absl::Mutex mu;
                      // Send times and sentence counts of unanswered requests.
                      std::deque<std::pair<Clock::time_point, int>> sent;
                      std::thread writer([&] {
                        size_t next = c * items.size() / clients;
                        int64_t id = 0;
                        while (phase.load() < 2) {
                          const Item& item = items[next];
                          {
                            absl::MutexLock lock(&mu);
                            auto room = [&] {
                              return sent.size() < static_cast<size_t>(outstanding_limit);
                            };
                            mu.AwaitWithTimeout(absl::Condition(&room), absl::Milliseconds(100));
                            if (!room()) continue;
                            sent.emplace_back(Clock::now(), item.sentences);
                          }
                          if (!stream->Write(MakeRequest(item.text, id++))) break;
                          next = (next + 1) % items.size();
                        }
                        stream->WritesDone();
                      });
                      entente::v1::ClassifyStreamResponse response;
                      while (stream->Read(&response)) {
                        std::pair<Clock::time_point, int> request;
                        {
                          absl::MutexLock lock(&mu);
                          request = sent.front();
                          sent.pop_front();
                        }
                        if (phase.load() != 1) continue;
                        if (response.has_error()) {
                          ++stats->errors;
                          if (stats->first_error.empty())
                            stats->first_error = response.error().message();
                          continue;
                        }
                        ++stats->items;
                        stats->sentences += request.second;
                        stats->latencies_ms.push_back(Millis(Clock::now() - request.first));
                      }
                      writer.join();
                      grpc::Status status = stream->Finish();
                      if (!status.ok()) {
                        ++stats->errors;
                        if (stats->first_error.empty()) stats->first_error = status.error_message();
                      }
                    });
}

// The engine alone: `threads` threads classify the same texts, in turn, for
// the same duration.
Result RunInProcess(const CompiledRuleSet& rules, const std::vector<Item>& items, int threads) {
  return RunClients("in-process engine", threads, /*cpu_pid=*/0,
                    [&](int c, std::atomic<int>& phase, ClientStats* stats) {
                      ClassifierScratch scratch;
                      ClassifyOptions options;
                      options.speaker = absl::GetFlag(FLAGS_speaker);
                      options.include_sentences = !absl::GetFlag(FLAGS_omit_sentences);
                      size_t next = c * items.size() / threads;
                      while (phase.load() < 2) {
                        const Item& item = items[next];
                        const auto begin = Clock::now();
                        entente::v1::ClassifyResult result =
                            Classify(rules, item.text, options, &scratch);
                        const double ms = Millis(Clock::now() - begin);
                        next = (next + 1) % items.size();
                        if (phase.load() != 1) continue;
                        ++stats->items;
                        stats->sentences += item.sentences;
                        stats->latencies_ms.push_back(ms);
                      }
                    });
}

// Prints one result line; `engine` (may be null) is the in-process result
// to compare with; `server` says whose CPU time `r` measured.
void Print(const Result& r, const Result* engine, bool server) {
  std::cout << absl::StrFormat(
      "%-28s %9.0f sentences/s %8.0f texts/s  p50 %7.3f ms  "
      "p90 %7.3f ms  p99 %7.3f ms  (%d ok, %d errors)",
      r.name, r.Rate(), r.seconds > 0 ? r.items / r.seconds : 0, r.Percentile(0.50),
      r.Percentile(0.90), r.Percentile(0.99), r.items, r.errors);
  if (engine != nullptr && engine->Rate() > 0) {
    std::cout << absl::StrFormat("  %.2fx in-process rate", r.Rate() / engine->Rate());
  }
  std::cout << "\n";
  if (r.cpu_seconds >= 0 && r.sentences > 0) {
    const double us = r.cpu_seconds * 1e6 / r.sentences;
    std::cout << absl::StrFormat("%28s %9.1f us CPU per sentence (%s, %.2f cores busy)", "", us,
                                 server ? "server process" : "this process",
                                 r.cpu_seconds / r.seconds);
    if (engine != nullptr && engine->cpu_seconds > 0 && engine->sentences > 0) {
      const double engine_us = engine->cpu_seconds * 1e6 / engine->sentences;
      std::cout << absl::StrFormat("  = %.2fx the engine's", us / engine_us);
    }
    std::cout << "\n";
  }
  if (!r.first_error.empty()) std::cout << "    first error: " << r.first_error << "\n";
}

int Main(int argc, char** argv) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  absl::SetProgramUsageMessage(
      "Load generator for entente_server: load_generator --target=HOST:PORT [--input=...]");
  absl::ParseCommandLine(argc, argv);
  const std::string unit = absl::GetFlag(FLAGS_unit);
  if (unit != "sentence" && unit != "paragraph" && unit != "document") {
    std::cerr << "load_generator: --unit is sentence, paragraph or document\n";
    return 2;
  }
  std::vector<Item> items;
  absl::Status read =
      ReadItems(absl::GetFlag(FLAGS_input), unit, absl::GetFlag(FLAGS_max_documents),
                absl::GetFlag(FLAGS_max_sentences), &items);
  if (!read.ok()) {
    std::cerr << "load_generator: " << read.message() << "\n";
    return 2;
  }
  int64_t bytes = 0, sentences = 0;
  for (const Item& item : items) {
    bytes += item.text.size();
    sentences += item.sentences;
  }
  const int clients = std::max(1, absl::GetFlag(FLAGS_concurrency));
  const int engine_threads =
      absl::GetFlag(FLAGS_engine_threads) > 0
          ? absl::GetFlag(FLAGS_engine_threads)
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::cout << absl::StrFormat(
      "target %s, %d %ss (%d sentences, %.0f bytes per %s), %d clients, %.0f s per mode "
      "after %.0f s warm-up, %d cores\n",
      absl::GetFlag(FLAGS_target), items.size(), unit, sentences,
      static_cast<double>(bytes) / items.size(), unit, clients, absl::GetFlag(FLAGS_duration_s),
      absl::GetFlag(FLAGS_warmup_s), std::thread::hardware_concurrency());

  Result engine;
  bool have_engine = false;
  if (absl::GetFlag(FLAGS_in_process)) {
    std::string rules_path = absl::GetFlag(FLAGS_rules);
    if (rules_path.empty()) rules_path = DefaultRulesDirectory(argv[0]);
    std::vector<Diagnostic> diagnostics;
    auto rules = LoadRuleSetFromPath(rules_path, absl::GetFlag(FLAGS_rule_set), &diagnostics);
    if (!rules.ok()) {
      std::cerr << "load_generator: " << rules.status().message() << "\n";
      return 2;
    }
    engine = RunInProcess(**rules, items, engine_threads);
    engine.name = absl::StrCat("in-process engine (", engine_threads, " threads)");
    have_engine = true;
    Print(engine, nullptr, /*server=*/false);
  }
  const Result* compare = have_engine ? &engine : nullptr;
  for (absl::string_view mode : absl::StrSplit(absl::GetFlag(FLAGS_modes), ',')) {
    if (mode == "unary") {
      Print(RunUnary(absl::GetFlag(FLAGS_target), items, clients), compare, true);
    } else if (mode == "batch") {
      Print(RunBatch(absl::GetFlag(FLAGS_target), items, clients), compare, true);
    } else if (mode == "stream") {
      Print(RunStream(absl::GetFlag(FLAGS_target), items, clients), compare, true);
    } else {
      std::cerr << "load_generator: unknown mode " << mode << "\n";
      return 2;
    }
  }
  return 0;
}

}  // namespace
}  // namespace entente

int main(int argc, char** argv) { return entente::Main(argc, argv); }
