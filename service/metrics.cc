#include "service/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace entente {
namespace {

// Escapes a label value: backslash, double quote and newline.
std::string LabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Shortest form for bucket bounds ("0.0005", "2.5", "10").
std::string Bound(double value) { return absl::StrFormat("%g", value); }

std::string Number(double value) { return absl::StrFormat("%.9g", value); }

void Header(absl::string_view name, absl::string_view type, absl::string_view help,
            std::string* out) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

}  // namespace

constexpr std::array<double, 14> Metrics::kLatencyBuckets;

void Metrics::RecordCall(absl::string_view method, absl::string_view code, absl::Duration latency,
                         int64_t items, int64_t sentences) {
  const double seconds = absl::ToDoubleSeconds(latency);
  absl::MutexLock lock(&mu_);
  ++requests_[{std::string(method), std::string(code)}];
  Histogram& h = latency_[std::string(method)];
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      ++h.buckets[i];
      break;
    }
  }
  ++h.count;
  h.sum += seconds;
  if (items > 0) items_[std::string(method)] += items;
  sentences_ += sentences;
}

void Metrics::RecordItemError(absl::string_view method, absl::string_view code) {
  absl::MutexLock lock(&mu_);
  ++item_errors_[{std::string(method), std::string(code)}];
}

void Metrics::AddInFlight(int delta) {
  absl::MutexLock lock(&mu_);
  in_flight_ += delta;
}

void Metrics::RecordReload(bool ok, absl::Time when,
                           const std::vector<std::pair<std::string, std::string>>& serving) {
  absl::MutexLock lock(&mu_);
  if (ok) {
    ++reloads_ok_;
  } else {
    ++reloads_failed_;
  }
  last_reload_ok_ = ok;
  last_reload_seconds_ = absl::ToDoubleSeconds(when - absl::UnixEpoch());
  rule_sets_ = serving;
}

void Metrics::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  serving_ = serving;
}

void Metrics::SetRulesDirectoryOk(bool ok) {
  absl::MutexLock lock(&mu_);
  directory_ok_ = ok;
}

void Metrics::RecordRefusal(absl::string_view limit) {
  absl::MutexLock lock(&mu_);
  ++refusals_[std::string(limit)];
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::RenderPrometheus() const {
  std::vector<Gauge> gauges;
  {
    absl::MutexLock lock(&mu_);
    gauges = gauges_;
  }
  std::string out;
  for (const Gauge& gauge : gauges) {
    Header(gauge.name, "gauge", gauge.help, &out);
    absl::StrAppend(&out, gauge.name, " ", Number(gauge.read()), "\n");
  }
  absl::MutexLock lock(&mu_);
  Header("entente_requests_total", "counter", "Calls finished, by method and status code.", &out);
  for (const auto& [key, count] : requests_) {
    absl::StrAppend(&out, "entente_requests_total{method=\"", LabelValue(key.first), "\",code=\"",
                    LabelValue(key.second), "\"} ", count, "\n");
  }
  Header("entente_request_duration_seconds", "histogram", "Call latency, by method.", &out);
  for (const auto& [method, h] : latency_) {
    int64_t cumulative = 0;
    const std::string m = LabelValue(method);
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      absl::StrAppend(&out, "entente_request_duration_seconds_bucket{method=\"", m, "\",le=\"",
                      Bound(kLatencyBuckets[i]), "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, "entente_request_duration_seconds_bucket{method=\"", m,
                    "\",le=\"+Inf\"} ", h.count, "\n");
    absl::StrAppend(&out, "entente_request_duration_seconds_sum{method=\"", m, "\"} ",
                    Number(h.sum), "\n");
    absl::StrAppend(&out, "entente_request_duration_seconds_count{method=\"", m, "\"} ", h.count,
                    "\n");
  }
  Header("entente_items_total", "counter", "Texts classified, by method.", &out);
  for (const auto& [method, count] : items_) {
    absl::StrAppend(&out, "entente_items_total{method=\"", LabelValue(method), "\"} ", count, "\n");
  }
  Header("entente_item_errors_total", "counter",
         "Batch and stream items refused, by method and status code.", &out);
  for (const auto& [key, count] : item_errors_) {
    absl::StrAppend(&out, "entente_item_errors_total{method=\"", LabelValue(key.first),
                    "\",code=\"", LabelValue(key.second), "\"} ", count, "\n");
  }
  Header("entente_sentences_classified_total", "counter", "Sentences classified.", &out);
  absl::StrAppend(&out, "entente_sentences_classified_total ", sentences_, "\n");
  Header("entente_calls_in_flight", "gauge", "Calls started and not yet finished.", &out);
  absl::StrAppend(&out, "entente_calls_in_flight ", in_flight_, "\n");
  Header("entente_rule_set_info", "gauge", "The serving rule sets and their versions.", &out);
  for (const auto& [name, version] : rule_sets_) {
    absl::StrAppend(&out, "entente_rule_set_info{rule_set=\"", LabelValue(name), "\",version=\"",
                    LabelValue(version), "\"} 1\n");
  }
  Header("entente_rule_set_reloads_total", "counter", "Rule set reloads, by outcome.", &out);
  absl::StrAppend(&out, "entente_rule_set_reloads_total{outcome=\"ok\"} ", reloads_ok_, "\n");
  absl::StrAppend(&out, "entente_rule_set_reloads_total{outcome=\"failed\"} ", reloads_failed_,
                  "\n");
  Header("entente_rule_set_last_reload_ok", "gauge",
         "1 if every rule file loaded at the last reload.", &out);
  absl::StrAppend(&out, "entente_rule_set_last_reload_ok ", last_reload_ok_ ? 1 : 0, "\n");
  Header("entente_rule_set_last_reload_timestamp_seconds", "gauge",
         "Unix time at which the last reload ended.", &out);
  absl::StrAppend(&out, "entente_rule_set_last_reload_timestamp_seconds ",
                  absl::StrFormat("%.3f", last_reload_seconds_), "\n");
  Header("entente_serving", "gauge", "1 when the health status is SERVING.", &out);
  absl::StrAppend(&out, "entente_serving ", serving_ ? 1 : 0, "\n");
  Header("entente_rules_directory_ok", "gauge",
         "0 while the rules directory cannot be read (the last good rule sets serve).", &out);
  absl::StrAppend(&out, "entente_rules_directory_ok ", directory_ok_ ? 1 : 0, "\n");
  Header("entente_limit_refusals_total", "counter",
         "Calls and stream items refused because a limit was reached, by the limit's flag.", &out);
  for (const auto& [limit, count] : refusals_) {
    absl::StrAppend(&out, "entente_limit_refusals_total{limit=\"", LabelValue(limit), "\"} ", count,
                    "\n");
  }
  return out;
}

}  // namespace entente
