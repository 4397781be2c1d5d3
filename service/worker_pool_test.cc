#include "service/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskOnItsThreads) {
  WorkerPool pool(3);
  EXPECT_EQ(pool.size(), 3);
  constexpr int kTasks = 1000;
  absl::BlockingCounter done(kTasks);
  std::atomic<int> ran{0};
  absl::Mutex mu;
  bool on_callers_thread = false;
  const std::thread::id caller = std::this_thread::get_id();
  for (int i = 0; i < kTasks; ++i) {
    pool.Schedule([&] {
      ran.fetch_add(1);
      if (std::this_thread::get_id() == caller) {
        absl::MutexLock lock(&mu);
        on_callers_thread = true;
      }
      done.DecrementCount();
    });
  }
  done.Wait();
  EXPECT_EQ(ran.load(), kTasks);
  absl::MutexLock lock(&mu);
  EXPECT_FALSE(on_callers_thread);
}

// Exactly `size()` tasks run at once: three tasks that each wait until all
// three have started can only finish on three threads (a barrier; a pool of
// one or two threads fails here by timing out, not by hanging), and while
// they hold their threads no fourth task starts.
TEST(WorkerPoolTest, RunsExactlyItsSizeOfTasksAtOnce) {
  WorkerPool pool(3);
  absl::Mutex mu;
  int started = 0;
  int running = 0;
  int most_running = 0;
  bool release = false;
  std::set<std::thread::id> threads;
  absl::BlockingCounter done(6);
  for (int i = 0; i < 6; ++i) {
    pool.Schedule([&] {
      absl::MutexLock lock(&mu);
      ++started;
      ++running;
      most_running = std::max(most_running, running);
      threads.insert(std::this_thread::get_id());
      mu.Await(absl::Condition(&release));
      --running;
      done.DecrementCount();
    });
  }
  {
    absl::MutexLock lock(&mu);
    // Generous: this only bounds how long a broken pool takes to fail.
    auto three_started = [&] { return started >= 3; };
    ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&three_started), absl::Seconds(60)))
        << "only " << started << " of 3 tasks started: fewer than 3 threads";
    EXPECT_EQ(started, 3);  // the other three wait for a free thread
    EXPECT_EQ(pool.QueueLength(), 3u);
    release = true;
  }
  done.Wait();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(most_running, 3);
  EXPECT_EQ(threads.size(), 3u);
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

// A small task runs while every general worker is busy: the small lane's
// own worker takes it.
TEST(WorkerPoolTest, SmallTasksDoNotWaitBehindGeneralOnes) {
  WorkerPool pool(1, /*small_lane_threads=*/1);
  EXPECT_EQ(pool.size(), 1);
  absl::Notification release_general, small_ran;
  std::atomic<bool> general_ran_first{false};
  pool.Schedule([&] { release_general.WaitForNotification(); });
  pool.Schedule([&] { general_ran_first.store(!small_ran.HasBeenNotified()); });
  pool.Schedule([&] { small_ran.Notify(); }, WorkerPool::Lane::kSmall);
  small_ran.WaitForNotification();  // would hang if it waited for the general worker
  release_general.Notify();
}

// The small lane's workers never run general tasks.
TEST(WorkerPoolTest, SmallLaneWorkersRunSmallTasksOnly) {
  std::atomic<int> general{0};
  absl::Notification started, release;
  {
    WorkerPool pool(1, /*small_lane_threads=*/2);
    pool.Schedule([&] {
      started.Notify();
      release.WaitForNotification();
    });
    started.WaitForNotification();
    for (int i = 0; i < 5; ++i) pool.Schedule([&] { general.fetch_add(1); });
    absl::BlockingCounter small(3);
    for (int i = 0; i < 3; ++i) {
      pool.Schedule([&] { small.DecrementCount(); }, WorkerPool::Lane::kSmall);
    }
    small.Wait();
    EXPECT_EQ(general.load(), 0);  // the only general worker is still blocked
    EXPECT_EQ(pool.QueueLength(), 5u);
    release.Notify();
  }
  EXPECT_EQ(general.load(), 5);
}

TEST(WorkerPoolTest, WorkerCountDefaultsToTheCores) {
  EXPECT_EQ(WorkerCount(4), 4);
  EXPECT_GE(WorkerCount(0), 1);
  EXPECT_GE(WorkerCount(-3), 1);
}

}  // namespace
}  // namespace entente
