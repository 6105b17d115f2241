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

TEST(UnitAttention, PopIfFrontKeepsAnOverflowMarkerThatReplacedTheReportedCondition) {
  // REQUEST SENSE peeks 2Ah/01h; before it pops, another reactor overflows
  // the queue to 29h/00h. The marker must survive the pop.
  UnitAttentionQueues q;
  q.attach(1);
  q.raise(1, {0x2A, 0x01});
  UnitAttention seen{};
  ASSERT_TRUE(q.peek(1, seen));
  // 1 + 15 fill the queue; the 16th raise collapses it to the marker.
  for (uint8_t i = 0; i < UnitAttentionQueues::kMaxPerNexus; ++i) q.raise(1, {0x3F, i});
  EXPECT_FALSE(q.pop_if_front(1, seen));
  UnitAttention now{};
  ASSERT_TRUE(q.peek(1, now));
  EXPECT_EQ(now, (UnitAttention{0x29, 0x00}));
  EXPECT_TRUE(q.pop_if_front(1, now));
  EXPECT_FALSE(q.pending(1));
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

namespace {
nexus::server::resv::NexusIdentity port(const char* name, const char* isid, uint16_t tport = 1) {
  nexus::server::resv::NexusIdentity id;
  id.initiator_name = name;
  id.isid = isid;
  id.relative_target_port = tport;
  return id;
}
}  // namespace

TEST(UnitAttentionQueues, ADepartedPortLearnsWhatChangedAtItsNextLogin) {
  UnitAttentionQueues q;
  q.attach(1, port("iqn.a", "400001370000"));
  q.attach(2, port("iqn.b", "400001370000"));
  q.raise(1, {0x2A, 0x01});
  q.detach(1);  // logout with a condition still pending
  EXPECT_EQ(q.parked(), 1u);
  q.raise_all_but(2, {0x28, 0x00});  // e.g. a cartridge moved meanwhile
  q.raise_all({0x3F, 0x0E});
  // Same initiator port (name compared case-insensitively), new session.
  q.attach(3, port("IQN.A", "400001370000"));
  EXPECT_EQ(q.parked(), 0u);
  UnitAttention ua{};
  ASSERT_TRUE(q.pop(3, ua));
  EXPECT_EQ(ua, (UnitAttention{0x2A, 0x01}));
  ASSERT_TRUE(q.pop(3, ua));
  EXPECT_EQ(ua, (UnitAttention{0x28, 0x00}));
  ASSERT_TRUE(q.pop(3, ua));
  EXPECT_EQ(ua, (UnitAttention{0x3F, 0x0E}));
  EXPECT_FALSE(q.pop(3, ua));
}

TEST(UnitAttentionQueues, AnotherIsidOrTargetPortIsAnotherNexus) {
  UnitAttentionQueues q;
  q.attach(1, port("iqn.a", "400001370000", 1));
  q.raise(1, {0x2A, 0x01});
  q.detach(1);
  q.attach(2, port("iqn.a", "400001370001", 1));
  q.attach(3, port("iqn.a", "400001370000", 2));
  EXPECT_FALSE(q.pending(2));
  EXPECT_FALSE(q.pending(3));
  EXPECT_EQ(q.parked(), 1u);
}

TEST(UnitAttentionQueues, ReinstatedSessionTakesOverTheOldOnesConditions) {
  UnitAttentionQueues q;
  // RFC 7143 6.3.5: the new session logs in before the old one is gone.
  q.attach(1, port("iqn.a", "400001370000"));
  q.raise(1, {0x2A, 0x01});
  q.attach(2, port("iqn.a", "400001370000"));
  q.detach(1);
  EXPECT_EQ(q.parked(), 0u);
  UnitAttention ua{};
  ASSERT_TRUE(q.pop(2, ua));
  EXPECT_EQ(ua, (UnitAttention{0x2A, 0x01}));
}

TEST(UnitAttentionQueues, ParkedPortsAreBoundedAndReservationEffectsReachThem) {
  UnitAttentionQueues q;
  for (uint64_t i = 0; i < UnitAttentionQueues::kMaxParked + 5; ++i) {
    std::string name = "iqn.host" + std::to_string(i);
    q.attach(i, port(name.c_str(), "400001370000"));
    q.detach(i);
  }
  EXPECT_EQ(q.parked(), UnitAttentionQueues::kMaxParked);
  q.raise_parked_if(
      [](const nexus::server::resv::NexusIdentity& id) {
        return id.initiator_name == "iqn.host10";
      },
      {0x2A, 0x04});  // RESERVATIONS RELEASED
  q.attach(100, port("iqn.host10", "400001370000"));
  q.attach(101, port("iqn.host11", "400001370000"));
  q.attach(102, port("iqn.host0", "400001370000"));  // forgotten: the oldest
  UnitAttention ua{};
  ASSERT_TRUE(q.pop(100, ua));
  EXPECT_EQ(ua, (UnitAttention{0x2A, 0x04}));
  EXPECT_FALSE(q.pending(101));
  EXPECT_FALSE(q.pending(102));
  // Without an identity nothing is parked.
  q.attach(200);
  q.raise(200, {0x2A, 0x01});
  size_t before = q.parked();
  q.detach(200);
  EXPECT_EQ(q.parked(), before);
}
