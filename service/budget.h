// File: service/budget.h
//
// A quantity that calls take from and give back, with a fixed limit: bytes
// of requests and responses held by calls in progress, streams open,
// validations running. A call that cannot take what it needs is refused
// (RESOURCE_EXHAUSTED) instead of waiting, so that a limit reached never
// makes the server queue without bound.
//
//   entente::Budget streams("streams", 64);
//   if (!streams.TryTake(1)) return RESOURCE_EXHAUSTED;
//   ...
//   streams.Give(1);

#ifndef ENTENTE_SERVICE_BUDGET_H_
#define ENTENTE_SERVICE_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>

namespace entente {

// Thread-safe (lock-free). Not copyable.
class Budget {
 public:
  // A budget of `limit` units; `name` labels it in messages and metrics.
  Budget(std::string name, int64_t limit) : name_(std::move(name)), limit_(limit) {}

  Budget(const Budget&) = delete;
  Budget& operator=(const Budget&) = delete;

  // Takes `amount` units if they fit under the limit and returns true;
  // otherwise takes nothing and returns false. A zero or negative amount
  // always fits.
  bool TryTake(int64_t amount) {
    if (amount <= 0) return true;
    int64_t used = used_.load(std::memory_order_relaxed);
    do {
      if (used + amount > limit_) return false;
    } while (!used_.compare_exchange_weak(used, used + amount, std::memory_order_acq_rel));
    return true;
  }

  // Gives back `amount` units taken before.
  void Give(int64_t amount) {
    if (amount > 0) used_.fetch_sub(amount, std::memory_order_acq_rel);
  }

  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  int64_t limit() const { return limit_; }
  const std::string& name() const { return name_; }

 private:
  const std::string name_;
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
};

}  // namespace entente

#endif  // ENTENTE_SERVICE_BUDGET_H_
