#include "lba_range_lock.h"

#include <gtest/gtest.h>

#include <vector>

namespace nexus::disk {
namespace {

std::vector<LbaRangeLock::Entry*> g_granted;
void on_grant(LbaRangeLock::Entry* e) noexcept { g_granted.push_back(e); }

LbaRangeLock::Entry entry(uint64_t lba, uint64_t count) {
  LbaRangeLock::Entry e;
  e.lba = lba;
  e.count = count;
  e.granted = &on_grant;
  return e;
}

TEST(LbaRangeLock, DisjointRangesRunTogether) {
  LbaRangeLock l;
  auto a = entry(0, 8), b = entry(8, 8);
  EXPECT_TRUE(l.acquire(&a));
  EXPECT_TRUE(l.acquire(&b));
  EXPECT_EQ(l.held_count(), 2u);
  l.release(&a);
  l.release(&b);
  EXPECT_EQ(l.held_count(), 0u);
}

TEST(LbaRangeLock, OverlapWaitsAndIsGrantedInOrder) {
  g_granted.clear();
  LbaRangeLock l;
  auto a = entry(0, 8), b = entry(4, 8), c = entry(10, 1), d = entry(100, 1);
  EXPECT_TRUE(l.acquire(&a));
  EXPECT_FALSE(l.acquire(&b));  // overlaps a
  EXPECT_FALSE(l.acquire(&c));  // doesn't overlap a, but queued b: FIFO
  EXPECT_TRUE(l.acquire(&d));   // overlaps nothing
  EXPECT_EQ(l.waiting_count(), 2u);
  l.release(&a);
  ASSERT_EQ(g_granted.size(), 1u);
  EXPECT_EQ(g_granted[0], &b);
  l.release(&b);
  ASSERT_EQ(g_granted.size(), 2u);
  EXPECT_EQ(g_granted[1], &c);
  l.release(&c);
  l.release(&d);
  EXPECT_EQ(l.held_count(), 0u);
  EXPECT_EQ(l.waiting_count(), 0u);
}

}  // namespace
}  // namespace nexus::disk
