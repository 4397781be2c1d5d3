#include "service/worker_pool.h"

#include <algorithm>
#include <utility>

namespace entente {

WorkerPool::WorkerPool(int threads, int small_lane_threads)
    : general_threads_(std::max(1, threads)) {
  const int small = std::max(0, small_lane_threads);
  threads_.reserve(general_threads_ + small);
  for (int i = 0; i < general_threads_; ++i) threads_.emplace_back([this] { Work(false); });
  for (int i = 0; i < small; ++i) threads_.emplace_back([this] { Work(true); });
}

WorkerPool::~WorkerPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Schedule(std::function<void()> task, Lane lane) {
  absl::MutexLock lock(&mu_);
  (lane == Lane::kSmall ? small_ : general_).push_back(std::move(task));
}

size_t WorkerPool::QueueLength() const {
  absl::MutexLock lock(&mu_);
  return general_.size() + small_.size();
}

bool WorkerPool::HasWorkOrStopping() const {
  return stopping_ || !general_.empty() || !small_.empty();
}

bool WorkerPool::HasSmallWorkOrStopping() const { return stopping_ || !small_.empty(); }

void WorkerPool::Work(bool small_only) {
  const absl::Condition ready = small_only
                                    ? absl::Condition(this, &WorkerPool::HasSmallWorkOrStopping)
                                    : absl::Condition(this, &WorkerPool::HasWorkOrStopping);
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(ready);
      std::deque<std::function<void()>>* queue =
          !small_.empty() ? &small_ : (small_only ? nullptr : &general_);
      // Stopping, and nothing left to run here. (General tasks scheduled
      // by a task during destruction are run by the general workers.)
      if (queue == nullptr || queue->empty()) return;
      task = std::move(queue->front());
      queue->pop_front();
    }
    task();
  }
}

int WorkerCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace entente
