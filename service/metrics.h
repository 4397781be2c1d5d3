// File: service/metrics.h
//
// The server's counters, gauges and latency histograms, rendered in the
// Prometheus text exposition format (version 0.0.4) for /metrics. Metric
// names:
//   entente_requests_total{method,code}             calls finished
//   entente_request_duration_seconds{method}        histogram of call latency
//   entente_items_total{method}                     texts classified
//   entente_item_errors_total{method,code}          batch/stream items refused
//   entente_sentences_classified_total              sentences classified
//   entente_calls_in_flight                         calls started, not finished
//   entente_rule_set_info{rule_set,version}         1 per serving rule set
//   entente_rule_set_reloads_total{outcome}         ok, failed
//   entente_rule_set_last_reload_ok                 1 or 0
//   entente_rule_set_last_reload_timestamp_seconds  when the last reload ended
//   entente_serving                                 1 when health is SERVING
//   entente_rules_directory_ok                      0 while the directory cannot be read
//   entente_limit_refusals_total{limit}             calls or items refused by a limit
//   plus the gauges added with AddGauge (the limits' usage, see server.cc)
//
//   entente::Metrics metrics;
//   metrics.RecordCall("Classify", "OK", absl::Milliseconds(2), /*items=*/1, /*sentences=*/3);
//   std::string page = metrics.RenderPrometheus();

#ifndef ENTENTE_SERVICE_METRICS_H_
#define ENTENTE_SERVICE_METRICS_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace entente {

// Thread-safe: every method may be called from any thread.
class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram buckets, before +Inf.
  static constexpr std::array<double, 14> kLatencyBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Records one finished call of `method` with gRPC status `code` ("OK",
  // "INVALID_ARGUMENT", ...): its latency, the texts it classified and the
  // sentences they held.
  void RecordCall(absl::string_view method, absl::string_view code, absl::Duration latency,
                  int64_t items, int64_t sentences);

  // Records one refused item of a batch or stream.
  void RecordItemError(absl::string_view method, absl::string_view code);

  // A call started (+1) or finished (-1).
  void AddInFlight(int delta);

  // Records a reload outcome and replaces the set of serving rule sets
  // (name -> version).
  void RecordReload(bool ok, absl::Time when,
                    const std::vector<std::pair<std::string, std::string>>& serving);

  void SetServing(bool serving);

  // Whether the last reload could read the rules directory at all.
  void SetRulesDirectoryOk(bool ok);

  // Counts one call or item refused because `limit` (a flag's name without
  // dashes, e.g. "max_inflight_bytes") was reached.
  void RecordRefusal(absl::string_view limit);

  // Adds a gauge whose value `read` returns when the page is rendered
  // (without the metrics' lock held). Call before serving the page.
  void AddGauge(std::string name, std::string help, std::function<double()> read);

  // The whole page in the Prometheus text format.
  std::string RenderPrometheus() const;

 private:
  struct Histogram {
    std::array<int64_t, kLatencyBuckets.size()> buckets{};  // non-cumulative
    int64_t count = 0;
    double sum = 0;
  };

  mutable absl::Mutex mu_;
  std::map<std::pair<std::string, std::string>, int64_t> requests_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Histogram> latency_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> items_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, int64_t> item_errors_ ABSL_GUARDED_BY(mu_);
  int64_t sentences_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::pair<std::string, std::string>> rule_sets_ ABSL_GUARDED_BY(mu_);
  int64_t reloads_ok_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t reloads_failed_ ABSL_GUARDED_BY(mu_) = 0;
  bool last_reload_ok_ ABSL_GUARDED_BY(mu_) = false;
  double last_reload_seconds_ ABSL_GUARDED_BY(mu_) = 0;
  bool serving_ ABSL_GUARDED_BY(mu_) = false;
  bool directory_ok_ ABSL_GUARDED_BY(mu_) = true;
  std::map<std::string, int64_t> refusals_ ABSL_GUARDED_BY(mu_);
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges_ ABSL_GUARDED_BY(mu_);
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_METRICS_H_
