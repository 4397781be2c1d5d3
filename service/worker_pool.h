// File: service/worker_pool.h
//
// A fixed set of threads that run the CPU-bound work of the service
// (classification, rule compilation) so that gRPC's callback threads only
// shuttle messages. Sized by --threads: one worker per core by default.
//
// Tasks go in one of two lanes. Small tasks (small requests, listings) run
// before general ones and have workers of their own besides, so that a
// short call never waits behind a large document: at worst it shares the
// cores with it.
//
//   entente::WorkerPool pool(4, /*small_lane_threads=*/1);
//   pool.Schedule([reactor] { ...classify...; reactor->Finish(grpc::Status::OK); });
//   pool.Schedule([reactor] { ...list...; }, entente::WorkerPool::Lane::kSmall);

#ifndef ENTENTE_SERVICE_WORKER_POOL_H_
#define ENTENTE_SERVICE_WORKER_POOL_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace entente {

// Thread-safe: Schedule() may be called from any thread, including from a
// task. Not copyable or movable.
class WorkerPool {
 public:
  enum class Lane {
    // Any work; run by the general workers, after the small tasks queued.
    kGeneral,
    // Short work; run first by every worker, and by the small lane's own.
    kSmall,
  };

  // Starts `threads` general workers (at least one) and
  // `small_lane_threads` workers that run small tasks only.
  explicit WorkerPool(int threads, int small_lane_threads = 0);

  // Runs every task already scheduled, then joins the workers.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` to run on a worker, in FIFO order with the other tasks
  // of its lane. Tasks must not throw. A task may schedule more tasks, even
  // while the pool is being destroyed; other threads must not schedule once
  // destruction has begun.
  void Schedule(std::function<void()> task, Lane lane = Lane::kGeneral);

  // The number of general workers.
  int size() const { return general_threads_; }

  // Tasks queued and not yet started, in both lanes (for tests and metrics).
  size_t QueueLength() const;

 private:
  void Work(bool small_only);
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasSmallWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> general_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> small_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int general_threads_ = 0;
  std::vector<std::thread> threads_;
};

// The number of workers for --threads=`requested`: `requested` if positive,
// else the number of cores (at least 1).
int WorkerCount(int requested);

}  // namespace entente

#endif  // ENTENTE_SERVICE_WORKER_POOL_H_
