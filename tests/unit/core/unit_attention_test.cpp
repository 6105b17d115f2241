#include "core/unit_attention.h"

#include <gtest/gtest.h>

using nexus::server::UnitAttention;
using nexus::server::UnitAttentionQueues;

TEST(UnitAttention, DeliveredOldestFirstAndClearedWhenPopped) {
  UnitAttentionQueues q;
  q.attach(1);
  q.raise(1, {0x29, 0x00});
  q.raise(1, {0x2A, 0x01});
  UnitAttention ua{};
  ASSERT_TRUE(q.pop(1, ua));
  EXPECT_EQ(ua, (UnitAttention{0x29, 0x00}));
  ASSERT_TRUE(q.pop(1, ua));
  EXPECT_EQ(ua, (UnitAttention{0x2A, 0x01}));
  EXPECT_FALSE(q.pop(1, ua));
}

TEST(UnitAttention, DuplicatesAreNotQueuedTwice) {
  UnitAttentionQueues q;
  q.attach(1);
  q.raise(1, {0x2A, 0x01});
  q.raise(1, {0x2A, 0x01});
  UnitAttention ua{};
  ASSERT_TRUE(q.pop(1, ua));
  EXPECT_FALSE(q.pending(1));
}

TEST(UnitAttention, AllButSkipsTheOriginNexus) {
  UnitAttentionQueues q;
  q.attach(1);
  q.attach(2);
  q.attach(3);
  q.raise_all_but(2, {0x2A, 0x01});
  EXPECT_TRUE(q.pending(1));
  EXPECT_FALSE(q.pending(2));
  EXPECT_TRUE(q.pending(3));
}

TEST(UnitAttention, UnknownNexusIsIgnored) {
  UnitAttentionQueues q;
  q.raise(9, {0x29, 0x00});
  EXPECT_FALSE(q.pending(9));
}

TEST(UnitAttention, OverflowCollapsesToPowerOnReset) {
  UnitAttentionQueues q;
  q.attach(1);
  for (uint8_t i = 0; i < UnitAttentionQueues::kMaxPerNexus + 3; ++i) q.raise(1, {0x3F, i});
  UnitAttention ua{};
  ASSERT_TRUE(q.pop(1, ua));
  EXPECT_EQ(ua, (UnitAttention{0x29, 0x00}));
}

TEST(UnitAttention, ClearDropsOneConditionOnly) {
  UnitAttentionQueues q;
  q.attach(1);
  q.raise(1, {0x3F, 0x0E});
  q.raise(1, {0x2A, 0x01});
  q.clear(1, {0x3F, 0x0E});
  UnitAttention ua{};
  ASSERT_TRUE(q.peek(1, ua));
  EXPECT_EQ(ua, (UnitAttention{0x2A, 0x01}));
}
