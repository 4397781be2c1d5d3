#include "service/worker_pool.h"

#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskOnItsThreads) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.size(), 3);
  constexpr int kTasks = 1000;
  absl::BlockingCounter done(kTasks);
  absl::Mutex mu;
  std::set<std::thread::id> threads;
  std::atomic<int> ran{0};
  for (int i = 0; i < kTasks; ++i) {
    pool.Schedule([&] {
      ran.fetch_add(1);
      {
        absl::MutexLock lock(&mu);
        threads.insert(std::this_thread::get_id());
      }
      done.DecrementCount();
    });
  }
  done.Wait();
  EXPECT_EQ(ran.load(), kTasks);
  EXPECT_LE(threads.size(), 3u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(WorkerPoolTest, DestructionRunsWhatIsQueuedAndTasksMaySchedule) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1);
    for (int i = 0; i < 10; ++i) {
      pool.Schedule([&ran, &pool] {
        ran.fetch_add(1);
        if (ran.load() == 1) pool.Schedule([&ran] { ran.fetch_add(100); });
      });
    }
  }
  EXPECT_EQ(ran.load(), 110);
}

TEST(WorkerPoolTest, WorkerCountDefaultsToTheCores) {
  EXPECT_EQ(WorkerCount(4), 4);
  EXPECT_GE(WorkerCount(0), 1);
  EXPECT_GE(WorkerCount(-3), 1);
}

}  // namespace
}  // namespace entente
