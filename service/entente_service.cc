#include "service/entente_service.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
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

// DEADLINE_EXCEEDED once the call's deadline has passed, CANCELLED once the
// client has gone, else OK. `progress` says how far the call got.
grpc::Status CheckStillWanted(grpc::CallbackServerContext* context, absl::string_view progress) {
  if (std::chrono::system_clock::now() >= context->deadline()) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        absl::StrCat("deadline exceeded", progress.empty() ? "" : " after ",
                                     progress));
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

// The reactor of a unary call. Unlike the context's default reactor, it
// keeps the call in the CallLog's in-flight count until gRPC is done with it
// (its response sent, or the call cancelled): the drain ends when that count
// is zero and then cancels what is left, which would cut off a response
// still being written. Deletes itself.
class HeldUnaryReactor : public grpc::ServerUnaryReactor {
 public:
  explicit HeldUnaryReactor(CallLog* calls) : calls_(calls) { calls_->Hold(); }

  void OnDone() override {
    calls_->Release();
    delete this;
  }

 private:
  CallLog* const calls_;
};

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

EntenteService::EntenteService(RuleSetStore* store, WorkerPool* pool, CallLog* calls,
                               const AdminAuthorizer* admin, ServiceOptions options,
                               std::function<ReloadOutcome()> reload)
    : store_(store),
      pool_(pool),
      calls_(calls),
      admin_(admin),
      options_(std::move(options)),
      reload_(std::move(reload)) {}

grpc::ServerUnaryReactor* EntenteService::RunUnary(
    grpc::CallbackServerContext* context, absl::string_view method,
    std::function<grpc::Status(CallRecord*)> work) {
  grpc::ServerUnaryReactor* reactor = new HeldUnaryReactor(calls_);
  CallRecord record = calls_->Start(method, context->peer());
  if (draining()) {
    grpc::Status status = Draining();
    calls_->Finish(record, status);
    reactor->Finish(status);
    return reactor;
  }
  pool_->Schedule([this, context, reactor, record = std::move(record),
                   work = std::move(work)]() mutable {
    grpc::Status status = work(&record);
    if (!record.rule_set.empty()) {
      context->AddTrailingMetadata("entente-rule-set", record.rule_set);
      context->AddTrailingMetadata("entente-rule-set-version", record.version);
    }
    calls_->Finish(record, status);
    reactor->Finish(status);
  });
  return reactor;
}

grpc::ServerUnaryReactor* EntenteService::Classify(grpc::CallbackServerContext* context,
                                                   const ClassifyRequest* request,
                                                   entente::v1::ClassifyResponse* response) {
  return RunUnary(context, "Classify", [this, context, request, response](CallRecord* record) {
    if (grpc::Status s = CheckStillWanted(context, ""); !s.ok()) return s;
    if (absl::Status s = CheckText(request->text(), "text"); !s.ok()) return ToGrpcStatus(s);
    absl::StatusOr<ClassifyOptions> options =
        EngineOptions(request->options(), request->id(), request->speaker());
    if (!options.ok()) return ToGrpcStatus(options.status());
    absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules =
        store_->Find(request->rule_set());
    if (!rules.ok()) return ToGrpcStatus(rules.status());
    NameVersion(**rules, record);
    record->sentences =
        ClassifyInto(**rules, request->text(), *options, response->mutable_result());
    record->items = 1;
    return grpc::Status::OK;
  });
}

// One ClassifyBatch call in progress. Its documents are shared out among up
// to one task per worker, which take the next unclassified document until
// none is left or the deadline passes; the last task to finish finishes the
// call. Results go straight into their slot of the response (pre-sized), so
// order is kept without copying.
class EntenteService::BatchCall : public std::enable_shared_from_this<BatchCall> {
 public:
  BatchCall(EntenteService* service, grpc::CallbackServerContext* context,
            const entente::v1::ClassifyBatchRequest* request,
            entente::v1::ClassifyBatchResponse* response, grpc::ServerUnaryReactor* reactor,
            CallRecord record, std::shared_ptr<const ServingRuleSet> rules,
            ClassifyOptions options)
      : service_(service),
        context_(context),
        request_(request),
        response_(response),
        reactor_(reactor),
        record_(std::move(record)),
        rules_(std::move(rules)),
        options_(std::move(options)),
        size_(request->documents_size()),
        errors_(size_) {
    response_->mutable_results()->Reserve(size_);
    for (int i = 0; i < size_; ++i) response_->add_results();
    response_->set_rule_set(rules_->name);
    response_->set_rule_set_version(rules_->version);
    NameVersion(*rules_, &record_);
  }

  // Schedules the tasks. Call once.
  void Start() {
    constexpr int kMinDocumentsPerTask = 4;
    const int tasks = std::max(
        1, std::min(service_->pool_->size(), (size_ + kMinDocumentsPerTask - 1) / kMinDocumentsPerTask));
    remaining_tasks_.store(tasks);
    for (int i = 0; i < tasks; ++i) {
      service_->pool_->Schedule([self = shared_from_this()] { self->Work(); });
    }
  }

 private:
  void Work() {
    int64_t sentences = 0;
    while (!stopped_.load()) {
      const int i = next_.fetch_add(1);
      if (i >= size_) break;
      grpc::Status wanted =
          CheckStillWanted(context_, absl::StrCat(i, " of ", size_, " documents"));
      if (!wanted.ok()) {
        absl::MutexLock lock(&mu_);
        if (!stopped_.exchange(true)) stop_status_ = wanted;
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
      sentences += ClassifyInto(*rules_, document.text(), options, result);
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
    } else {
      response_->Clear();
    }
    context_->AddTrailingMetadata("entente-rule-set", record_.rule_set);
    context_->AddTrailingMetadata("entente-rule-set-version", record_.version);
    service_->calls_->Finish(record_, status);
    reactor_->Finish(status);
  }

  EntenteService* const service_;
  grpc::CallbackServerContext* const context_;
  const entente::v1::ClassifyBatchRequest* const request_;
  entente::v1::ClassifyBatchResponse* const response_;
  grpc::ServerUnaryReactor* const reactor_;
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
  std::atomic<bool> stopped_{false};
  absl::Mutex mu_;
  grpc::Status stop_status_ ABSL_GUARDED_BY(mu_);
};

grpc::ServerUnaryReactor* EntenteService::ClassifyBatch(
    grpc::CallbackServerContext* context, const entente::v1::ClassifyBatchRequest* request,
    entente::v1::ClassifyBatchResponse* response) {
  grpc::ServerUnaryReactor* reactor = new HeldUnaryReactor(calls_);
  CallRecord record = calls_->Start("ClassifyBatch", context->peer());
  auto fail = [&](const grpc::Status& status) {
    calls_->Finish(record, status);
    reactor->Finish(status);
    return reactor;
  };
  if (draining()) return fail(Draining());
  if (request->documents_size() > options_.max_batch_size) {
    return fail(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("batch of ", request->documents_size(), " documents is over the limit of ",
                     options_.max_batch_size, " (--max_batch_size); split it or use "
                     "ClassifyStream")));
  }
  absl::StatusOr<ClassifyOptions> options = EngineOptions(request->options(), "", "");
  if (!options.ok()) return fail(ToGrpcStatus(options.status()));
  absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules = store_->Find(request->rule_set());
  if (!rules.ok()) return fail(ToGrpcStatus(rules.status()));
  if (grpc::Status s = CheckStillWanted(context, ""); !s.ok()) return fail(s);
  auto call = std::make_shared<BatchCall>(this, context, request, response, reactor,
                                          std::move(record), *std::move(rules), *options);
  call->Start();
  return reactor;
}

// One ClassifyStream call. Reads, classification and writes overlap: up to
// `window` requests are read ahead and classified on the worker pool, and
// responses are written one at a time in request order. gRPC operations are
// never started while mu_ is held (their reactions may run on any thread);
// Finish() is called once no read, write or classification is outstanding.
// A task may still be on its way out of Process() then, so tasks hold a
// reference: the reactor is deleted after OnDone() and its last task.
class EntenteService::StreamReactor
    : public grpc::ServerBidiReactor<ClassifyRequest, ClassifyStreamResponse> {
 public:
  StreamReactor(EntenteService* service, grpc::CallbackServerContext* context)
      : service_(service),
        context_(context),
        window_(std::max(1, service->options_.stream_window)),
        record_(service->calls_->Start("ClassifyStream", context->peer())) {
    if (service_->draining()) {
      finish_status_ = Draining();
      finished_ = true;
      Finish(finish_status_);
      return;
    }
    reading_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (!ok) {
        reads_done_ = true;
      } else {
        auto item = std::make_shared<ClassifyRequest>(std::move(request_));
        request_.Clear();
        const int64_t index = next_index_++;
        ++in_flight_;
        refs_.fetch_add(1, std::memory_order_relaxed);
        service_->pool_->Schedule([this, item, index] {
          Process(*item, index);
          Unref();
        });
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
      written_.reset();
      if (!ok) broken_ = true;  // the client is gone
      Plan(&actions);
    }
    Perform(actions);
  }

  void OnCancel() override {
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      broken_ = true;
      Plan(&actions);
    }
    Perform(actions);
  }

  void OnDone() override {
    CallRecord record;
    {
      absl::MutexLock lock(&mu_);
      record = record_;
      record.items = items_;
      record.item_errors = item_errors_;
      record.sentences = sentences_;
    }
    service_->calls_->Finish(record, finish_status_);
    Unref();
  }

 private:
  // Drops one reference; the last one deletes the reactor.
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  // What to start once mu_ is released.
  struct Actions {
    bool read = false;
    // No buffer hint on writes: a hinted write may not complete until a
    // later write flushes it, and the next write waits for this one.
    ClassifyStreamResponse* write = nullptr;
    bool finish = false;
  };

  // Decides the next operations from the state.
  void Plan(Actions* actions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (!writing_ && !broken_) {
      auto it = ready_.find(next_write_);
      if (it != ready_.end()) {
        written_ = std::move(it->second);
        ready_.erase(it);
        ++next_write_;
        writing_ = true;
        actions->write = written_.get();
      }
    }
    const int64_t buffered = in_flight_ + static_cast<int64_t>(ready_.size()) + (writing_ ? 1 : 0);
    if (!reading_ && !reads_done_ && !broken_ && buffered < window_) {
      reading_ = true;
      actions->read = true;
    }
    const bool drained = in_flight_ == 0 && !writing_ && !reading_;
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

  // Classifies one request on a worker.
  void Process(const ClassifyRequest& request, int64_t index) {
    auto response = std::make_unique<ClassifyStreamResponse>();
    int64_t sentences = 0;
    absl::Status status = ProcessItem(request, response.get(), &sentences);
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
    Actions actions;
    {
      absl::MutexLock lock(&mu_);
      --in_flight_;
      if (status.ok()) {
        ++items_;
        sentences_ += sentences;
      } else {
        ++item_errors_;
        service_->calls_->ItemError(record_, static_cast<grpc::StatusCode>(status.code()));
      }
      ready_[index] = std::move(response);
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
    absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules =
        service_->store_->Find(request.rule_set());
    if (!rules.ok()) return rules.status();
    {
      absl::MutexLock lock(&mu_);
      NameVersion(**rules, &record_);
    }
    *sentences = ClassifyInto(**rules, request.text(), *options, response->mutable_result());
    return absl::OkStatus();
  }

  EntenteService* const service_;
  grpc::CallbackServerContext* const context_;
  const int64_t window_;
  ClassifyRequest request_;  // the read in progress writes here

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
  std::map<int64_t, std::unique_ptr<ClassifyStreamResponse>> ready_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<ClassifyStreamResponse> written_ ABSL_GUARDED_BY(mu_);
  int64_t items_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t item_errors_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t sentences_ ABSL_GUARDED_BY(mu_) = 0;
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
    grpc::CallbackServerContext* context, const entente::v1::ListRuleSetsRequest* /*request*/,
    entente::v1::ListRuleSetsResponse* response) {
  return RunUnary(context, "ListRuleSets", [this, response](CallRecord* record) {
    for (const auto& rule_set : store_->List()) {
      *response->add_rule_sets() = ToSummary(*rule_set);
      if (rule_set->name == store_->default_rule_set()) NameVersion(*rule_set, record);
    }
    response->set_default_rule_set(store_->default_rule_set());
    *response->mutable_last_reload() = ToReloadReport(store_->LastReload(), store_->directory());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* EntenteService::GetRuleSet(
    grpc::CallbackServerContext* context, const entente::v1::GetRuleSetRequest* request,
    entente::v1::GetRuleSetResponse* response) {
  return RunUnary(context, "GetRuleSet", [this, request, response](CallRecord* record) {
    absl::StatusOr<std::shared_ptr<const ServingRuleSet>> rules = store_->Find(request->name());
    if (!rules.ok()) return ToGrpcStatus(rules.status());
    NameVersion(**rules, record);
    *response->mutable_rule_set() = ToSummary(**rules);
    google::protobuf::TextFormat::Printer printer;
    printer.SetUseUtf8StringEscaping(true);
    printer.PrintToString((*rules)->rules->source(), response->mutable_text());
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* EntenteService::ValidateRuleSet(
    grpc::CallbackServerContext* context, const entente::v1::ValidateRuleSetRequest* request,
    entente::v1::ValidateRuleSetResponse* response) {
  return RunUnary(context, "ValidateRuleSet", [this, request, response](CallRecord*) {
    if (request->text().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "text is empty: no rule set sent");
    }
    if (absl::Status s = CheckText(request->text(), "text"); !s.ok()) return ToGrpcStatus(s);
    const std::string file_name = request->file_name().empty() ? "request" : request->file_name();
    std::vector<Diagnostic> diagnostics;
    absl::StatusOr<LoadedRuleSet> loaded =
        LoadRuleSetFromText(request->text(), file_name, &diagnostics);
    bool valid = loaded.ok();
    if (loaded.ok()) {
      response->set_name(loaded->rule_set.name());
      response->set_version(loaded->rule_set.version());
      absl::StatusOr<std::shared_ptr<const CompiledRuleSet>> compiled =
          CompiledRuleSet::Compile(*loaded, options_.compile, &diagnostics);
      valid = compiled.ok();
      if (compiled.ok()) {
        response->set_rules(static_cast<int32_t>((*compiled)->rules().size()));
        if (request->lint()) {
          std::vector<Diagnostic> warnings = LintRuleSet(**compiled);
          diagnostics.insert(diagnostics.end(), warnings.begin(), warnings.end());
        }
        if (request->run_examples()) {
          for (const ExampleOutcome& outcome : RunRuleExamples(**compiled, "")) {
            response->set_examples_run(response->examples_run() + 1);
            if (outcome.passed) continue;
            response->set_examples_failed(response->examples_failed() + 1);
            diagnostics.push_back({Diagnostic::Severity::kError, outcome.location,
                                   outcome.rule_id, outcome.Describe()});
          }
          if (response->examples_failed() > 0) valid = false;
        }
      }
    }
    if (HasErrors(diagnostics)) valid = false;
    response->set_valid(valid);
    for (const Diagnostic& d : diagnostics) *response->add_diagnostics() = ToProto(d);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* EntenteService::ReloadRuleSets(
    grpc::CallbackServerContext* context, const entente::v1::ReloadRuleSetsRequest* /*request*/,
    entente::v1::ReloadRuleSetsResponse* response) {
  absl::Status allowed = admin_->Authorize(Authorization(context));
  if (!allowed.ok()) {
    grpc::ServerUnaryReactor* reactor = new HeldUnaryReactor(calls_);
    CallRecord record = calls_->Start("ReloadRuleSets", context->peer());
    grpc::Status status = ToGrpcStatus(allowed);
    calls_->Finish(record, status);
    reactor->Finish(status);
    return reactor;
  }
  return RunUnary(context, "ReloadRuleSets", [this, response](CallRecord* record) {
    ReloadOutcome outcome = reload_();
    *response->mutable_report() = ToReloadReport(outcome, store_->directory());
    for (const auto& rule_set : store_->List()) {
      *response->add_rule_sets() = ToSummary(*rule_set);
      if (rule_set->name == store_->default_rule_set()) NameVersion(*rule_set, record);
    }
    return grpc::Status::OK;
  });
}

}  // namespace entente
