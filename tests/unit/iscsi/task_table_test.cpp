// The per-connection task table: lookup by ITT across growth, erase from
// chains, and Task recycling (the fast path allocates no Task per command).
#include "task_table.h"

#include <gtest/gtest.h>

#include <set>

namespace nexus::iscsi {
namespace {

TEST(TaskTable, FindsEveryTaskAcrossGrowthAndErase) {
  TaskTable table;
  std::vector<Task*> tasks;
  // More than the initial buckets, with ITTs that collide in the low bits.
  for (uint32_t i = 0; i < 1000; ++i) {
    Task* t = table.acquire();
    t->itt = i << 12;
    table.insert(t);
    tasks.push_back(t);
  }
  EXPECT_EQ(table.size(), 1000u);
  for (Task* t : tasks) EXPECT_EQ(table.find(t->itt), t);
  EXPECT_EQ(table.find(0xFFFFFFFFu), nullptr);
  for (size_t i = 0; i < tasks.size(); i += 2) {
    table.erase(tasks[i]);
    table.recycle(tasks[i]);
  }
  EXPECT_EQ(table.size(), 500u);
  for (size_t i = 0; i < tasks.size(); ++i)
    EXPECT_EQ(table.find(uint32_t(i) << 12), i % 2 ? tasks[i] : nullptr) << i;
  auto rest = table.take_all();
  EXPECT_EQ(rest.size(), 500u);
  EXPECT_EQ(table.size(), 0u);
  for (Task* t : rest) table.recycle(t);
}

TEST(TaskTable, RecycledTasksAreReusedAndReset) {
  TaskTable table;
  std::set<Task*> first;
  std::vector<Task*> batch;
  for (int i = 0; i < 32; ++i) batch.push_back(table.acquire());
  for (Task* t : batch) {
    t->itt = 7;
    t->started = true;
    t->expected_in = 4096;
    first.insert(t);
    table.recycle(t);
  }
  // Steady state: the same 32 objects come back, zeroed.
  for (int i = 0; i < 32; ++i) {
    Task* t = table.acquire();
    EXPECT_TRUE(first.count(t));
    EXPECT_EQ(t->itt, 0u);
    EXPECT_FALSE(t->started);
    EXPECT_EQ(t->expected_in, 0u);
    EXPECT_EQ(t->hash_next, nullptr);
    table.recycle(t);
  }
}

}  // namespace
}  // namespace nexus::iscsi
