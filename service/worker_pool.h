// File: service/worker_pool.h
//
// A fixed set of threads that run the CPU-bound work of the service
// (classification, rule compilation) so that gRPC's callback threads only
// shuttle messages. Sized by --threads: one worker per core by default.
//
//   entente::WorkerPool pool(4);
//   pool.Schedule([reactor] { ...classify...; reactor->Finish(grpc::Status::OK); });

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
  // Starts `threads` workers (at least one).
  explicit WorkerPool(int threads);

  // Runs every task already scheduled, then joins the workers.
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` to run on a worker, in FIFO order with the other tasks.
  // Tasks must not throw. A task may schedule more tasks, even while the
  // pool is being destroyed; other threads must not schedule once
  // destruction has begun.
  void Schedule(std::function<void()> task);

  int size() const { return static_cast<int>(threads_.size()); }

  // Tasks queued and not yet started (for tests and metrics).
  size_t QueueLength() const;

 private:
  void Work();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// The number of workers for --threads=`requested`: `requested` if positive,
// else the number of cores (at least 1).
int WorkerCount(int requested);

}  // namespace entente

#endif  // ENTENTE_SERVICE_WORKER_POOL_H_
