#include "service/entente_service.h"

#include <malloc.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "engine/classifier.h"
#include "engine/rule_examples.h"
#include "engine/rule_set_lint.h"
#include "engine/rule_set_loader.h"
#include "google/protobuf/text_format.h"
#include "service/proto_convert.h"
#include "service/request_validation.h"

namespace entente {
namespace {

using entente::v1::ClassifyRequest;
using entente::v1::ClassifyStreamResponse;

constexpr char kDrainingMessage[] = "the server is shutting down; retry on another replica";

grpc::Status Draining() { return grpc::Status(grpc::StatusCode::UNAVAILABLE, kDrainingMessage); }

// What a response of `response_bytes` serialized bytes holds while gRPC
// sends it: the message, about three times its serialized size in memory
// (measured on results with and without explanations: 2.9 to 3.1), and the
// serialized copy.
int64_t HeldWhileSent(int64_t response_bytes) { return 4 * response_bytes; }

// After a call that held this much, free memory goes back to the system:
// glibc keeps freed memory in its arenas, and a server that answered one
// large call would otherwise keep its peak resident for good.
constexpr int64_t kTrimAfterBytes = 32 << 20;

void ReturnFreeMemory() { malloc_trim(0); }

WorkerPool::Lane LaneFor(int64_t request_bytes) {
  return request_bytes <= kSmallRequestBytes ? WorkerPool::Lane::kSmall
                                             : WorkerPool::Lane::kGeneral;
}

// True once the call's deadline has passed or the client has gone: the
// engine's cancellation check for work done on behalf of `context`.
std::function<bool()> Abandoned(grpc::CallbackServerContext* context) {
  return [context, deadline = context->deadline()] {
    return std::chrono::system_clock::now() >= deadline || context->IsCancelled();
  };
}

// DEADLINE_EXCEEDED once the call's deadline has passed, CANCELLED once the
// client has gone, else OK. `progress` says how far the call got.
grpc::Status CheckStillWanted(grpc::CallbackServerContext* context, absl::string_view progress) {
  if (std::chrono::system_clock::now() >= context->deadline()) {
    return grpc::Status(
        grpc::StatusCode::DEADLINE_EXCEEDED,
        absl::StrCat("deadline exceeded", progress.empty() ? "" : " after ", progress));
  }
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled the call");
  }
  return grpc::Status::OK;
}

// Classifies `text` into `result` with the serving version's name, and
// returns the number of sentences.
int64_t ClassifyInto(const ServingRuleSet& rules, absl::string_view text,
                     const ClassifyOptions& options, entente::v1::ClassifyResult* result) {
  thread_local ClassifierScratch scratch;
  *result = entente::Classify(*rules.rules, text, options, &scratch);
  result->set_rule_set(rules.name);
  result->set_rule_set_version(rules.version);
  return static_cast<int64_t>(scratch.sentences.size());
}

void NameVersion(const ServingRuleSet& rules, CallRecord* record) {
  record->rule_set = rules.name;
  record->version = rules.version;
}

std::optional<absl::string_view> Authorization(grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

// The reactor of a unary call. Unlike the context's default reactor, it
// keeps the call in the CallLog's in-flight count until gRPC is done with it
// (its response sent, or the call cancelled): the drain ends when that count
// is zero and then cancels what is left, which would cut off a response
// still being written. It also holds the call's share of the in-flight byte
// budget until then. Deletes itself.
class EntenteService::HeldUnaryReactor : public grpc::ServerUnaryReactor {
 public:
  HeldUnaryReactor(CallLog* calls, Budget* bytes) : calls_(calls), bytes_(bytes) { calls_->Hold(); }

  // Takes `amount` more bytes of the budget for this call, until OnDone();
  // false (taking nothing) if they do not fit. Call before Finish().
  bool Hold(int64_t amount) {
    if (!bytes_->TryTake(amount)) return false;
    held_ += amount;
    return true;
  }

  void OnDone() override {
    bytes_->Give(held_);
    if (held_ >= kTrimAfterBytes) ReturnFreeMemory();
    calls_->Release();
    delete this;
  }

 private:
  CallLog* const calls_;
  Budget* const bytes_;
  int64_t held_ = 0;
};

EntenteService::EntenteService(RuleSetStore* store, WorkerPool* pool, CallLog* calls,
                               const AdminAuthorizer* admin, ServiceOptions options,
                               std::function<ReloadOutcome()> reload)
    : store_(store),
      pool_(pool),
      calls_(calls),
      admin_(admin),
      options_(std::move(options)),
      reload_(std::move(reload)),
      inflight_bytes_("max_inflight_bytes", options_.max_inflight_bytes),
      streams_("max_streams", options_.max_streams),
      validations_("max_concurrent_validations", options_.max_concurrent_validations),
      validation_pool_(std::max(1, options_.max_concurrent_validations)) {}

EntenteService::~EntenteService() = default;

grpc::Status EntenteService::ResponseTooLarge(int64_t bytes, absl::string_view what,
                                              absl::string_view hint) {
  calls_->Refusal("max_response_bytes");
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrCat(what, " of ", bytes, " bytes is over the limit of ",
                                   options_.max_response_bytes, " (--max_response_bytes); ", hint));
}

grpc::Status EntenteService::ServerBusy(int64_t bytes, absl::string_view what) {
  calls_->Refusal("max_inflight_bytes");
  return grpc::Status(
      grpc::StatusCode::RESOURCE_EXHAUSTED,
      absl::StrCat("the server is busy: ", what, " of ", bytes, " bytes does not fit beside the ",
                   inflight_bytes_.used(), " bytes other calls hold (--max_inflight_bytes=",
                   inflight_bytes_.limit(), "); retry later"));
}

grpc::ServerUnaryReactor* EntenteService::RunUnary(grpc::CallbackServerContext* context,
                                                   absl::string_view method,
                                                   const google::protobuf::Message& request,
                                                   google::protobuf::Message* response,
                                                   WorkerPool::Lane lane,
                                                   std::function<grpc::Status(CallRecord*)> work) {
  HeldUnaryReactor* reactor = new HeldUnaryReactor(calls_, &inflight_bytes_);
  CallRecord record = calls_->Start(method, context->peer());
  const int64_t request_bytes = static_cast<int64_t>(request.ByteSizeLong());
  grpc::Status refused = grpc::Status::OK;
  if (draining()) {
    refused = Draining();
  } else if (!reactor->Hold(request_bytes)) {
    refused = ServerBusy(request_bytes, "a request");
  }
  if (!refused.ok()) {
    calls_->Finish(record, refused);
    reactor->Finish(refused);
    return reactor;
  }
  pool_->Schedule(
      [this, context, reactor, response, record = std::move(record),
       work = std::move(work)]() mutable {
        grpc::Status status = work(&record);
        if (status.ok()) {
          const int64_t bytes = static_cast<int64_t>(response->ByteSizeLong());
          if (bytes > options_.max_response_bytes) {
            status = ResponseTooLarge(
                bytes, "the response",
                "send smaller texts, or leave out sentences (omit_sentences) or annotations "
                "(min_score)");
          } else if (!reactor->Hold(HeldWhileSent(bytes))) {
            status = ServerBusy(HeldWhileSent(bytes), "the response");
          }
          if (!status.ok()) response->Clear();
        }
        if (!record.rule_set.empty()) {
          context->AddTrailingMetadata("entente-rule-set", record.rule_set);
          context->AddTrailingMetadata("entente-rule-set-version", record.version);
        }
        calls_->Finish(record, status);
        reactor->Finish(status);
      },
      lane);
  return reactor;
}

grpc::ServerUnaryReactor* EntenteService::Classify(grpc::CallbackServerContext* context,
                                                   const ClassifyRequest* request,
                                                   entente::v1::ClassifyResponse* response) {
  return RunUnary(context, "Classify", *request, response, LaneFor(request->ByteSizeLong()),
                  [this, context, request, response](CallRecord* record) {
                    if (grpc::Status s = CheckStillWanted(context, ""); !s.ok()) return s;
                    if (absl::Status s = CheckText(request->text(), "text"); !s.ok())
                      return ToGrpcStatus(s);
                    absl::StatusOr<ClassifyOptions> options =
                        EngineOptions(request->options(), request->id(), request->speaker());
                    if (!options.ok()) return ToGrpcStatus(options.status());
                    options->explain_limits = options_.explain_limits;
                    options->cancelled = Abandoned(context);
                    absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules =
                        store_->Find(request->rule_set());
                    if (!rules.ok()) return ToGrpcStatus(rules.status());
                    NameVersion(**rules, record);
                    const int64_t sentences = ClassifyInto(**rules, request->text(), *options,
                                                           response->mutable_result());
                    if (grpc::Status s = CheckStillWanted(context, "part of the text"); !s.ok()) {
                      response->Clear();
                      return s;
                    }
                    record->sentences = sentences;
                    record->items = 1;
                    return grpc::Status::OK;
                  });
}

// One ClassifyBatch call in progress. Its documents are shared out among up
// to one task per worker, which take the next unclassified document until
// none is left, the deadline passes, the client goes or the results pass
// max_response_bytes; the last task to finish finishes the call. Results go
// straight into their slot of the response (pre-sized), so order is kept
// without copying. The documents share the call's explanation budget.
class EntenteService::BatchCall : public std::enable_shared_from_this<BatchCall> {
 public:
  BatchCall(EntenteService* service, grpc::CallbackServerContext* context,
            const entente::v1::ClassifyBatchRequest* request,
            entente::v1::ClassifyBatchResponse* response, HeldUnaryReactor* reactor,
            CallRecord record, std::shared_ptr<const ServingRuleSet> rules, ClassifyOptions options)
      : service_(service),
        context_(context),
        request_(request),
        response_(response),
        reactor_(reactor),
        record_(std::move(record)),
        rules_(std::move(rules)),
        options_(std::move(options)),
        size_(request->documents_size()),
        errors_(size_),
        explanation_left_(options_.explain_limits.max_bytes) {
    response_->mutable_results()->Reserve(size_);
    for (int i = 0; i < size_; ++i) response_->add_results();
    response_->set_rule_set(rules_->name);
    response_->set_rule_set_version(rules_->version);
    NameVersion(*rules_, &record_);
  }

  // Schedules the tasks in `lane`. Call once.
  void Start(WorkerPool::Lane lane) {
    constexpr int kMinDocumentsPerTask = 4;
    const int tasks =
        std::max(1, std::min(service_->pool_->size(),
                             (size_ + kMinDocumentsPerTask - 1) / kMinDocumentsPerTask));
    remaining_tasks_.store(tasks);
    for (int i = 0; i < tasks; ++i) {
      service_->pool_->Schedule([self = shared_from_this()] { self->Work(); }, lane);
    }
  }

 private:
  // Stops the call with `status` unless it is stopped already.
  void Stop(const grpc::Status& status) {
    absl::MutexLock lock(&mu_);
    if (!stopped_.exchange(true)) stop_status_ = status;
  }

  void Work() {
    int64_t sentences = 0;
    const std::function<bool()> abandoned = Abandoned(context_);
    while (!stopped_.load()) {
      const int i = next_.fetch_add(1);
      if (i >= size_) break;
      grpc::Status wanted =
          CheckStillWanted(context_, absl::StrCat(i, " of ", size_, " documents"));
      if (!wanted.ok()) {
        Stop(wanted);
        break;
      }
      const entente::v1::Document& document = request_->documents(i);
      entente::v1::ClassifyResult* result = response_->mutable_results(i);
      absl::Status check = CheckText(document.text(), absl::StrCat("documents[", i, "].text"));
      if (!check.ok()) {
        errors_[i] = check;
        result->set_id(document.id());
        result->set_rule_set(rules_->name);
        result->set_rule_set_version(rules_->version);
        result->set_error(std::string(check.message()));
        continue;
      }
      ClassifyOptions options = options_;
      options.id = document.id();
      options.speaker = document.speaker();
      options.cancelled = [&] { return stopped_.load() || abandoned(); };
      options.explain_limits.max_bytes = std::max<int64_t>(0, explanation_left_.load());
      sentences += ClassifyInto(*rules_, document.text(), options, result);
      // A document cut short by the deadline or the client's going.
      if (grpc::Status s = CheckStillWanted(context_, absl::StrCat("part of document ", i));
          !s.ok()) {
        Stop(s);
        break;
      }
      if (options.explain) {
        explanation_left_.fetch_sub(static_cast<int64_t>(result->explanation().ByteSizeLong()));
      }
      const int64_t bytes =
          response_bytes_.fetch_add(static_cast<int64_t>(result->ByteSizeLong())) +
          static_cast<int64_t>(result->ByteSizeLong());
      if (bytes > service_->options_.max_response_bytes) {
        Stop(service_->ResponseTooLarge(
            bytes, absl::StrCat("the results of documents 0 to ", i, " (of ", size_, ")"),
            "send fewer or smaller documents, leave out sentences (omit_sentences) or "
            "annotations (min_score), or use ClassifyStream"));
        break;
      }
    }
    sentences_.fetch_add(sentences);
    if (remaining_tasks_.fetch_sub(1) == 1) Complete();
  }

  // Runs once, after every task is done.
  void Complete() {
    grpc::Status status = grpc::Status::OK;
    {
      absl::MutexLock lock(&mu_);
      if (stopped_.load()) status = stop_status_;
    }
    if (status.ok()) {
      for (int i = 0; i < size_; ++i) {
        if (errors_[i].ok()) continue;
        entente::v1::ItemError* error = response_->add_errors();
        error->set_index(i);
        error->set_code(static_cast<int32_t>(errors_[i].code()));
        error->set_message(std::string(errors_[i].message()));
        service_->calls_->ItemError(record_, static_cast<grpc::StatusCode>(errors_[i].code()));
      }
      record_.item_errors = response_->errors_size();
      record_.items = size_ - record_.item_errors;
      record_.sentences = sentences_.load();
      const int64_t bytes = static_cast<int64_t>(response_->ByteSizeLong());
      if (!reactor_->Hold(HeldWhileSent(bytes))) {
        status = service_->ServerBusy(HeldWhileSent(bytes), "the response");
      }
    }
    if (!status.ok()) response_->Clear();
    context_->AddTrailingMetadata("entente-rule-set", record_.rule_set);
    context_->AddTrailingMetadata("entente-rule-set-version", record_.version);
    service_->calls_->Finish(record_, status);
    reactor_->Finish(status);
  }

  EntenteService* const service_;
  grpc::CallbackServerContext* const context_;
  const entente::v1::ClassifyBatchRequest* const request_;
  entente::v1::ClassifyBatchResponse* const response_;
  HeldUnaryReactor* const reactor_;
  CallRecord record_;
  const std::shared_ptr<const ServingRuleSet> rules_;
  const ClassifyOptions options_;
  const int size_;
  // errors_[i] is written only by the task that took document i, and read
  // only by Complete(), after every task is done.
  std::vector<absl::Status> errors_;
  std::atomic<int> next_{0};
  std::atomic<int> remaining_tasks_{0};
  std::atomic<int64_t> sentences_{0};
  // Bytes of explanation the documents not yet classified may still use,
  // and bytes of the results so far. Documents classified at once may each
  // take what is left, so the explanations may pass the budget by up to
  // one document's share per worker.
  std::atomic<int64_t> explanation_left_;
  std::atomic<int64_t> response_bytes_{0};
  std::atomic<bool> stopped_{false};
  absl::Mutex mu_;
  grpc::Status stop_status_ ABSL_GUARDED_BY(mu_);
};

grpc::ServerUnaryReactor* EntenteService::ClassifyBatch(
    grpc::CallbackServerContext* context, const entente::v1::ClassifyBatchRequest* request,
    entente::v1::ClassifyBatchResponse* response) {
  HeldUnaryReactor* reactor = new HeldUnaryReactor(calls_, &inflight_bytes_);
  CallRecord record = calls_->Start("ClassifyBatch", context->peer());
  auto fail = [&](const grpc::Status& status) {
    calls_->Finish(record, status);
    reactor->Finish(status);
    return reactor;
  };
  if (draining()) return fail(Draining());
  if (request->documents_size() > options_.max_batch_size) {
    calls_->Refusal("max_batch_size");
    return fail(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrCat("batch of ", request->documents_size(),
                                  " documents is over the limit of ", options_.max_batch_size,
                                  " (--max_batch_size); split it or use "
                                  "ClassifyStream")));
  }
  const int64_t request_bytes = static_cast<int64_t>(request->ByteSizeLong());
  if (!reactor->Hold(request_bytes)) return fail(ServerBusy(request_bytes, "a request"));
  absl::StatusOr<ClassifyOptions> options = EngineOptions(request->options(), "", "");
  if (!options.ok()) return fail(ToGrpcStatus(options.status()));
  options->explain_limits = options_.explain_limits;
  absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules = store_->Find(request->rule_set());
  if (!rules.ok()) return fail(ToGrpcStatus(rules.status()));
  if (grpc::Status s = CheckStillWanted(context, ""); !s.ok()) return fail(s);
  auto call = std::make_shared<BatchCall>(this, context, request, response, reactor,
                                          std::move(record), *std::move(rules), *options);
  call->Start(LaneFor(request_bytes));
  return reactor;
}

// One ClassifyStream call. Reads, classification and writes overlap: up to
// `window` requests (and `window_bytes` bytes of requests and responses) are
// read ahead; they are classified on the worker pool, as many at once as
// there are general workers, while the responses not yet written fit the
// window; responses are written one at a time in request order. A client
// that does not read thus stops the classifying, then the reading (and
// HTTP/2 flow control then stops the client): a stream holds at most its
// window plus the responses of the items being classified when it filled.
// gRPC operations are never started while mu_ is held (their reactions may
// run on any thread); Finish() is called once no read, write or
// classification is outstanding. A task may still be on its way out of
// Process() then, so tasks hold a reference: the reactor is deleted after
// OnDone() and its last task.
class EntenteService::StreamReactor
    : public grpc::ServerBidiReactor<ClassifyRequest, ClassifyStreamResponse> {
 public:
  StreamReactor(EntenteService* service, grpc::CallbackServerContext* context)
      : service_(service),
        context_(context),
        window_(std::max(1, service->options_.stream_window)),
        window_bytes_(service->options_.stream_window_bytes),
        parallel_(std::max(1, service->pool_->size())),
        abandoned_by_client_(Abandoned(context)),
        record_(service->calls_->Start("ClassifyStream", context->peer())) {
    grpc::Status refused = grpc::Status::OK;
    if (service_->draining()) {
      refused = Draining();
    } else if (!service_->streams_.TryTake(1)) {
      service_->calls_->Refusal("max_streams");
      refused = grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat(service_->streams_.used(), " streams are open, the limit (--max_streams=",
                       service_->streams_.limit(), "); retry later, or use ClassifyBatch"));
    }
    if (!refused.ok()) {
      finish_status_ = refused;
      finished_ = true;
      Finish(finish_status_);
      return;
    }
    holds_stream_ = true;
    reading_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    Actions actions;
    std::shared_ptr<ClassifyRequest> item;
    int64_t bytes = 0;
    bool admitted = false;
    if (ok) {
      item = std::make_shared<ClassifyRequest>(std::move(request_));
      request_.Clear();
      bytes = static_cast<int64_t>(item->ByteSizeLong());
      admitted = service_->inflight_bytes_.TryTake(bytes);
    }
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (!ok) {
        reads_done_ = true;
      } else {
        waiting_.push_back({std::move(item), next_index_++, bytes, admitted});
        buffered_bytes_ += bytes;
      }
      Plan(&actions);
    }
    Perform(actions);
  }

  void OnWriteDone(bool ok) override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      Release(&written_);
      if (!ok) Break();  // the client is gone
      Plan(&actions);
    }
    Perform(actions);
  }

  void OnCancel() override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      Break();
      Plan(&actions);
    }
    Perform(actions);
  }

  void OnDone() override {
    CallRecord record;
    bool trim = false;
    {
      absl::MutexLock lock(&mu_);
      // Responses never written, requests never classified (the client went
      // away).
      for (auto& [index, pending] : ready_) Release(&pending);
      ready_.clear();
      Release(&written_);
      DropWaiting();
      record = record_;
      record.items = items_;
      record.item_errors = item_errors_;
      record.sentences = sentences_;
      trim = held_total_ >= kTrimAfterBytes;
    }
    if (trim) ReturnFreeMemory();
    if (holds_stream_) service_->streams_.Give(1);
    service_->calls_->Finish(record, finish_status_);
    Unref();
  }

 private:
  // A response waiting to be written, or being written.
  struct Pending {
    std::unique_ptr<ClassifyStreamResponse> response;
    // Its size, counted in the stream's window, and what it holds of the
    // in-flight budget.
    int64_t bytes = 0;
    int64_t held = 0;
  };

  // Drops one reference; the last one deletes the reactor.
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // A request read and not yet classified.
  struct Waiting {
    std::shared_ptr<ClassifyRequest> request;
    int64_t index = 0;
    int64_t bytes = 0;
    // Whether the in-flight budget took its bytes.
    bool admitted = false;
  };

  // Frees `pending`'s response and gives back what it holds.
  void Release(Pending* pending) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    buffered_bytes_ -= pending->bytes;
    response_bytes_ -= pending->bytes;
    service_->inflight_bytes_.Give(pending->held);
    *pending = Pending();
  }

  // Forgets the requests not yet classified.
  void DropWaiting() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const Waiting& w : waiting_) {
      buffered_bytes_ -= w.bytes;
      if (w.admitted) service_->inflight_bytes_.Give(w.bytes);
    }
    waiting_.clear();
  }

  // The client is gone: stop reading and writing, and stop classifying.
  void Break() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    broken_ = true;
    abandoned_.store(true);
  }

  // What to start once mu_ is released.
  struct Actions {
    bool read = false;
    // No buffer hint on writes: a hinted write may not complete until a
    // later write flushes it, and the next write waits for this one.
    ClassifyStreamResponse* write = nullptr;
    bool finish = false;
  };

  // Decides the next operations from the state, and schedules the
  // classification of the requests that may start.
  void Plan(Actions* actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (broken_) DropWaiting();
    while (!waiting_.empty() && in_flight_ < parallel_ && response_bytes_ < window_bytes_) {
      Waiting next = std::move(waiting_.front());
      waiting_.pop_front();
      ++in_flight_;
      refs_.fetch_add(1, std::memory_order_relaxed);
      service_->pool_->Schedule(
          [this, next = std::move(next)] {
            Process(*next.request, next.index, next.bytes, next.admitted);
            Unref();
          },
          LaneFor(next.bytes));
    }
    if (!writing_ && !broken_) {
      auto it = ready_.find(next_write_);
      if (it != ready_.end()) {
        written_ = std::move(it->second);
        ready_.erase(it);
        ++next_write_;
        writing_ = true;
        actions->write = written_.response.get();
      }
    }
    const int64_t buffered = static_cast<int64_t>(waiting_.size()) + in_flight_ +
                             static_cast<int64_t>(ready_.size()) + (writing_ ? 1 : 0);
    if (!reading_ && !reads_done_ && !broken_ && buffered < window_ &&
        buffered_bytes_ < window_bytes_) {
      reading_ = true;
      actions->read = true;
    }
    const bool drained = in_flight_ == 0 && waiting_.empty() && !writing_ && !reading_;
    if (drained && (broken_ || (reads_done_ && ready_.empty()))) {
      finished_ = true;
      finish_status_ = broken_ ? grpc::Status(grpc::StatusCode::CANCELLED, "stream cancelled")
                               : grpc::Status::OK;
      actions->finish = true;
    }
  }

  void Perform(const Actions& actions) {
    if (actions.write != nullptr) StartWrite(actions.write);
    if (actions.read) StartRead(&request_);
    if (actions.finish) Finish(finish_status_);  // last: OnDone may follow at once
  }

  // Classifies one request of `request_bytes` on a worker; `admitted` says
  // whether the in-flight budget took them.
  void Process(const ClassifyRequest& request, int64_t index, int64_t request_bytes,
               bool admitted) {
    auto response = std::make_unique<ClassifyStreamResponse>();
    int64_t sentences = 0;
    absl::Status status;
    if (admitted) {
      status = ProcessItem(request, response.get(), &sentences);
      service_->inflight_bytes_.Give(request_bytes);
    } else {
      grpc::Status busy = service_->ServerBusy(request_bytes, "a stream item");
      status = absl::Status(static_cast<absl::StatusCode>(busy.error_code()), busy.error_message());
    }
    int64_t held = 0;
    if (status.ok()) {
      const int64_t bytes = static_cast<int64_t>(response->ByteSizeLong());
      grpc::Status refused = grpc::Status::OK;
      if (bytes > service_->options_.max_response_bytes) {
        refused = service_->ResponseTooLarge(bytes, "the item's response",
                                             "send smaller texts, or leave out sentences "
                                             "(omit_sentences) or annotations (min_score)");
      } else if (service_->inflight_bytes_.TryTake(HeldWhileSent(bytes))) {
        held = HeldWhileSent(bytes);
      } else {
        refused = service_->ServerBusy(HeldWhileSent(bytes), "the item's response");
      }
      if (!refused.ok()) {
        response->Clear();
        status = absl::Status(static_cast<absl::StatusCode>(refused.error_code()),
                              refused.error_message());
      }
    }
    if (!status.ok()) {
      entente::v1::ItemError* error = response->mutable_error();
      error->set_index(static_cast<int32_t>(index));
      error->set_code(static_cast<int32_t>(status.code()));
      error->set_message(std::string(status.message()));
      entente::v1::ClassifyResult* result = response->mutable_result();
      result->set_id(request.id());
      result->set_error(std::string(status.message()));
      if (auto rules = service_->store_->Find(request.rule_set()); rules.ok()) {
        result->set_rule_set((*rules)->name);
        result->set_rule_set_version((*rules)->version);
      }
    }
    Pending pending;
    pending.held = held;
    // Counted in the window as it is held (or, for an error, its size).
    pending.bytes = held > 0 ? held : static_cast<int64_t>(response->ByteSizeLong());
    pending.response = std::move(response);
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      buffered_bytes_ += pending.bytes - request_bytes;
      response_bytes_ += pending.bytes;
      held_total_ += request_bytes + pending.held;
      if (status.ok()) {
        ++items_;
        sentences_ += sentences;
      } else {
        ++item_errors_;
        service_->calls_->ItemError(record_, static_cast<grpc::StatusCode>(status.code()));
      }
      ready_[index] = std::move(pending);
      Plan(&actions);
    }
    Perform(actions);
  }

  absl::Status ProcessItem(const ClassifyRequest& request, ClassifyStreamResponse* response,
                           int64_t* sentences) {
    if (absl::Status s = CheckText(request.text(), "text"); !s.ok()) return s;
    absl::StatusOr<ClassifyOptions> options =
        EngineOptions(request.options(), request.id(), request.speaker());
    if (!options.ok()) return options.status();
    options->explain_limits = service_->options_.explain_limits;
    options->cancelled = [this] { return abandoned_.load() || abandoned_by_client_(); };
    absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules =
        service_->store_->Find(request.rule_set());
    if (!rules.ok()) return rules.status();
    {
      absl::MutexLock lock(&mu_);
      NameVersion(**rules, &record_);
    }
    *sentences = ClassifyInto(**rules, request.text(), *options, response->mutable_result());
    if (options->cancelled()) {
      response->Clear();
      return absl::CancelledError("the stream ended before this item was classified");
    }
    return absl::OkStatus();
  }

  EntenteService* const service_;
  grpc::CallbackServerContext* const context_;
  const int64_t window_;
  const int64_t window_bytes_;
  // Requests of this stream classified at once, at most.
  const int64_t parallel_;
  // The call's deadline passed, or the client cancelled.
  const std::function<bool()> abandoned_by_client_;
  ClassifyRequest request_;  // the read in progress writes here
  // Set with broken_: tasks read it without the lock.
  std::atomic<bool> abandoned_{false};
  // Whether the stream took a place of --max_streams (given back in OnDone).
  bool holds_stream_ = false;

  absl::Mutex mu_;
  CallRecord record_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_index_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_write_ ABSL_GUARDED_BY(mu_) = 0;
  // Bytes of requests read and not yet answered, and of responses not yet
  // written (as they are held): what --stream_window_bytes bounds. And the
  // responses' part of it.
  int64_t buffered_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t response_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<Waiting> waiting_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, Pending> ready_ ABSL_GUARDED_BY(mu_);
  Pending written_ ABSL_GUARDED_BY(mu_);
  int64_t items_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t item_errors_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t sentences_ ABSL_GUARDED_BY(mu_) = 0;
  // Bytes the stream's items held, in all (see kTrimAfterBytes).
  int64_t held_total_ ABSL_GUARDED_BY(mu_) = 0;
  // Written before Finish(), read in OnDone().
  grpc::Status finish_status_;
  // One reference for gRPC, dropped in OnDone(), and one for each task on
  // the worker pool, dropped when it returns: OnDone() may run on another
  // thread while a task is still in Process() after its last unlock
  // (AddressSanitizer caught a task touching a deleted reactor under the
  // soak test).
  std::atomic<int> refs_{1};
};

grpc::ServerBidiReactor<ClassifyRequest, ClassifyStreamResponse>* EntenteService::ClassifyStream(
    grpc::CallbackServerContext* context) {
  return new StreamReactor(this, context);
}

grpc::ServerUnaryReactor* EntenteService::ListRuleSets(
    grpc::CallbackServerContext* context, const entente::v1::ListRuleSetsRequest* request,
    entente::v1::ListRuleSetsResponse* response) {
  return RunUnary(context, "ListRuleSets", *request, response, WorkerPool::Lane::kSmall,
                  [this, response](CallRecord* record) {
                    for (const auto& rule_set : store_->List()) {
                      *response->add_rule_sets() = ToSummary(*rule_set, store_->directory());
                      if (rule_set->name == store_->default_rule_set()) {
                        NameVersion(*rule_set, record);
                      }
                    }
                    response->set_default_rule_set(store_->default_rule_set());
                    *response->mutable_last_reload() =
                        ToReloadReport(store_->LastReload(), store_->directory());
                    return grpc::Status::OK;
                  });
}

grpc::ServerUnaryReactor* EntenteService::GetRuleSet(grpc::CallbackServerContext* context,
                                                     const entente::v1::GetRuleSetRequest* request,
                                                     entente::v1::GetRuleSetResponse* response) {
  return RunUnary(context, "GetRuleSet", *request, response, WorkerPool::Lane::kSmall,
                  [this, request, response](CallRecord* record) {
                    absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules =
                        store_->Find(request->name());
                    if (!rules.ok()) return ToGrpcStatus(rules.status());
                    NameVersion(**rules, record);
                    *response->mutable_rule_set() = ToSummary(**rules, store_->directory());
                    google::protobuf::TextFormat::Printer printer;
                    printer.SetUseUtf8StringEscaping(true);
                    printer.PrintToString((*rules)->rules->source(), response->mutable_text());
                    return grpc::Status::OK;
                  });
}

grpc::Status EntenteService::Validate(grpc::CallbackServerContext* context, absl::Time budget_end,
                                      const entente::v1::ValidateRuleSetRequest& request,
                                      entente::v1::ValidateRuleSetResponse* response) {
  const std::function<bool()> abandoned = Abandoned(context);
  const auto stopped = [&] { return absl::Now() >= budget_end || abandoned(); };
  // Why the validation stopped after `stage`, or OK.
  const auto check = [&](absl::string_view stage) {
    if (grpc::Status s = CheckStillWanted(context, stage); !s.ok()) return s;
    if (absl::Now() < budget_end) return grpc::Status::OK;
    calls_->Refusal("max_validate_time_ms");
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("validation stopped after ", stage, ": it took longer than the ",
                     absl::FormatDuration(options_.max_validate_time),
                     " a validation may take (--max_validate_time_ms); send a smaller rule set, "
                     "or validate it with `entente lint`"));
  };
  const std::string file_name = request.file_name().empty() ? "request" : request.file_name();
  std::vector<Diagnostic> diagnostics;
  absl::StatusOr<LoadedRuleSet> loaded =
      LoadRuleSetFromText(request.text(), file_name, &diagnostics);
  if (grpc::Status s = check("parsing"); !s.ok()) return s;
  bool valid = loaded.ok();
  if (loaded.ok()) {
    response->set_name(loaded->rule_set.name());
    response->set_version(loaded->rule_set.version());
    absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> compiled =
        CompiledRuleSet::Compile(*loaded, options_.compile, &diagnostics);
    if (grpc::Status s = check("compiling"); !s.ok()) return s;
    valid = compiled.ok();
    if (compiled.ok()) {
      response->set_rules(static_cast<int32_t>((*compiled)->rules().size()));
      if (request.lint()) {
        std::vector<Diagnostic> warnings = LintRuleSet(**compiled);
        diagnostics.insert(diagnostics.end(), warnings.begin(), warnings.end());
        if (grpc::Status s = check("linting"); !s.ok()) return s;
      }
      if (request.run_examples()) {
        std::vector<ExampleOutcome> outcomes = RunRuleExamples(**compiled, "", stopped);
        if (grpc::Status s = check(absl::StrCat(outcomes.size(), " examples")); !s.ok()) {
          return s;
        }
        for (const ExampleOutcome& outcome : outcomes) {
          response->set_examples_run(response->examples_run() + 1);
          if (outcome.passed) continue;
          response->set_examples_failed(response->examples_failed() + 1);
          diagnostics.push_back({Diagnostic::Severity::kError, outcome.location, outcome.rule_id,
                                 outcome.Describe()});
        }
        if (response->examples_failed() > 0) valid = false;
      }
    }
  }
  if (HasErrors(diagnostics)) valid = false;
  response->set_valid(valid);
  for (const Diagnostic& d : diagnostics) *response->add_diagnostics() = ToProto(d);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* EntenteService::ValidateRuleSet(
    grpc::CallbackServerContext* context, const entente::v1::ValidateRuleSetRequest* request,
    entente::v1::ValidateRuleSetResponse* response) {
  HeldUnaryReactor* reactor = new HeldUnaryReactor(calls_, &inflight_bytes_);
  CallRecord record = calls_->Start("ValidateRuleSet", context->peer());
  auto fail = [&](const grpc::Status& status) {
    calls_->Finish(record, status);
    reactor->Finish(status);
    return reactor;
  };
  if (draining()) return fail(Draining());
  if (request->text().empty()) {
    return fail(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "text is empty: no rule set sent"));
  }
  if (absl::Status s = CheckText(request->text(), "text"); !s.ok()) return fail(ToGrpcStatus(s));
  const int64_t size = static_cast<int64_t>(request->text().size());
  if (size > options_.max_validate_bytes) {
    calls_->Refusal("max_validate_bytes");
    return fail(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("rule set of ", size, " bytes is over the limit of ",
                     options_.max_validate_bytes,
                     " for ValidateRuleSet (--max_validate_bytes); validate it with `entente "
                     "lint`")));
  }
  if (!validations_.TryTake(1)) {
    calls_->Refusal("max_concurrent_validations");
    return fail(
        grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                     absl::StrCat(validations_.limit(),
                                  " validations are running, the most this server runs at once "
                                  "(--max_concurrent_validations); retry later")));
  }
  const int64_t request_bytes = static_cast<int64_t>(request->ByteSizeLong());
  if (!reactor->Hold(request_bytes)) {
    validations_.Give(1);
    return fail(ServerBusy(request_bytes, "a request"));
  }
  const absl::Time budget_end = absl::Now() + options_.max_validate_time;
  validation_pool_.Schedule(
      [this, context, request, response, reactor, budget_end, record = std::move(record)] {
        grpc::Status status = Validate(context, budget_end, *request, response);
        validations_.Give(1);
        if (status.ok()) {
          const int64_t bytes = static_cast<int64_t>(response->ByteSizeLong());
          if (bytes > options_.max_response_bytes) {
            status = ResponseTooLarge(bytes, "the response", "send a smaller rule set");
          } else if (!reactor->Hold(HeldWhileSent(bytes))) {
            status = ServerBusy(HeldWhileSent(bytes), "the response");
          }
        }
        if (!status.ok()) response->Clear();
        calls_->Finish(record, status);
        reactor->Finish(status);
      });
  return reactor;
}

grpc::ServerUnaryReactor* EntenteService::ReloadRuleSets(
    grpc::CallbackServerContext* context, const entente::v1::ReloadRuleSetsRequest* request,
    entente::v1::ReloadRuleSetsResponse* response) {
  absl::Status allowed = admin_->Authorize(Authorization(context));
  if (!allowed.ok()) {
    HeldUnaryReactor* reactor = new HeldUnaryReactor(calls_, &inflight_bytes_);
    CallRecord record = calls_->Start("ReloadRuleSets", context->peer());
    grpc::Status status = ToGrpcStatus(allowed);
    calls_->Finish(record, status);
    reactor->Finish(status);
    return reactor;
  }
  return RunUnary(context, "ReloadRuleSets", *request, response, WorkerPool::Lane::kGeneral,
                  [this, response](CallRecord* record) {
                    ReloadOutcome outcome = reload_();
                    *response->mutable_report() = ToReloadReport(outcome, store_->directory());
                    for (const auto& rule_set : store_->List()) {
                      *response->add_rule_sets() = ToSummary(*rule_set, store_->directory());
                      if (rule_set->name == store_->default_rule_set()) {
                        NameVersion(*rule_set, record);
                      }
                    }
                    return grpc::Status::OK;
                  });
}

}  // namespace entente
