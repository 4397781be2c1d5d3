#include "service/budget.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace entente {
namespace {

TEST(BudgetTest, TakesWhatFitsAndNothingElse) {
  Budget budget("max_test", 10);
  EXPECT_TRUE(budget.TryTake(6));
  EXPECT_FALSE(budget.TryTake(5));
  EXPECT_EQ(budget.used(), 6);
  EXPECT_TRUE(budget.TryTake(4));
  EXPECT_TRUE(budget.TryTake(0));
  EXPECT_FALSE(budget.TryTake(1));
  budget.Give(6);
  EXPECT_EQ(budget.used(), 4);
  EXPECT_EQ(budget.limit(), 10);
  EXPECT_EQ(budget.name(), "max_test");
}

TEST(BudgetTest, NeverPassesItsLimitUnderContention) {
  Budget budget("max_test", 100);
  std::atomic<int64_t> peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        if (!budget.TryTake(7)) continue;
        int64_t used = budget.used();
        int64_t seen = peak.load();
        while (used > seen && !peak.compare_exchange_weak(seen, used)) {
        }
        budget.Give(7);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(peak.load(), 100);
  EXPECT_EQ(budget.used(), 0);
}

}  // namespace
}  // namespace entente
