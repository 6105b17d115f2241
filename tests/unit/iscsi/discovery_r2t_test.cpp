#include <gtest/gtest.h>

#include "discovery.h"
#include "pdu.h"
#include "r2t.h"
#include "text_keys.h"

namespace nexus::iscsi {
namespace {

using namespace std::string_literals;

std::vector<DiscoveryTarget> targets() {
  return {{"iqn.a", 1, {"127.0.0.1:3260", "[::1]:3260"}}, {"iqn.b", 2, {"0.0.0.0:3261"}}};
}

TEST(Discovery, AllListsVisibleTargets) {
  auto all = [](std::string_view) { return true; };
  std::string r = send_targets_reply("All", true, "", targets(), all, "10.0.0.1:3261");
  EXPECT_EQ(r,
            "TargetName=iqn.a\0TargetAddress=127.0.0.1:3260,1\0TargetAddress=[::1]:3260,1\0"
            "TargetName=iqn.b\0TargetAddress=10.0.0.1:3261,2\0"s);
  auto only_b = [](std::string_view t) { return t == "iqn.b"; };
  r = send_targets_reply("All", true, "", targets(), only_b, "10.0.0.1:3261");
  EXPECT_EQ(r, "TargetName=iqn.b\0TargetAddress=10.0.0.1:3261,2\0"s);
}

TEST(Discovery, NamedAndEmpty) {
  auto all = [](std::string_view) { return true; };
  EXPECT_EQ(send_targets_reply("iqn.a", true, "", targets(), all, "").substr(0, 17),
            "TargetName=iqn.a\0"s);
  EXPECT_EQ(send_targets_reply("iqn.zzz", true, "", targets(), all, ""), "");
  EXPECT_EQ(send_targets_reply("", false, "iqn.b", targets(), all, "1.2.3.4:3260"),
            "TargetName=iqn.b\0TargetAddress=1.2.3.4:3260,2\0"s);
  EXPECT_EQ(send_targets_reply("All", false, "iqn.b", targets(), all, ""), "");
  EXPECT_EQ(send_targets_reply("", true, "", targets(), all, ""), "");
}

TEST(Discovery, FormatPortal) {
  EXPECT_EQ(format_portal("127.0.0.1", 3260), "127.0.0.1:3260");
  EXPECT_EQ(format_portal("::1", 3260), "[::1]:3260");
}

TEST(DataOutTracker, ImmediateThenR2TsHonourBurstAndWindow) {
  DataOutTracker t;
  t.init(10000, 1000, false, 4096);
  EXPECT_EQ(t.received(), 1000u);
  EXPECT_FALSE(t.unsolicited_pending());
  t.request(10000);
  R2TPlan p;
  ASSERT_TRUE(t.next_r2t(4000, 2, 11, &p));
  EXPECT_EQ(p.offset, 1000u);
  EXPECT_EQ(p.length, 4000u);
  EXPECT_EQ(p.r2t_sn, 0u);
  ASSERT_TRUE(t.next_r2t(4000, 2, 12, &p));
  EXPECT_EQ(p.offset, 5000u);
  EXPECT_FALSE(t.next_r2t(4000, 2, 13, &p));  // MaxOutstandingR2T reached
  std::string why;
  EXPECT_TRUE(t.accept(11, 0, 1000, 4000, true, &why));
  EXPECT_EQ(t.outstanding(), 1u);
  ASSERT_TRUE(t.next_r2t(4000, 2, 13, &p));
  EXPECT_EQ(p.offset, 9000u);
  EXPECT_EQ(p.length, 1000u);
  EXPECT_EQ(p.r2t_sn, 2u);
  EXPECT_TRUE(t.accept(12, 0, 5000, 4000, true, &why));
  EXPECT_FALSE(t.request_satisfied());
  EXPECT_TRUE(t.accept(13, 0, 9000, 1000, true, &why));
  EXPECT_TRUE(t.request_satisfied());
}

TEST(DataOutTracker, UnsolicitedBurstBeforeR2T) {
  DataOutTracker t;
  t.init(100000, 8192, true, 65536);
  EXPECT_TRUE(t.unsolicited_pending());
  t.request(100000);
  R2TPlan p;
  EXPECT_FALSE(t.next_r2t(262144, 1, 1, &p));  // wait for the unsolicited burst
  std::string why;
  EXPECT_FALSE(t.accept(kReservedTag, 0, 0, 100, false, &why));  // wrong offset
  EXPECT_TRUE(t.accept(kReservedTag, 0, 8192, 57344, true, &why));
  EXPECT_FALSE(t.unsolicited_pending());
  ASSERT_TRUE(t.next_r2t(262144, 1, 1, &p));
  EXPECT_EQ(p.offset, 65536u);
  EXPECT_EQ(p.length, 100000u - 65536u);
}

TEST(DataOutTracker, SequenceErrors) {
  DataOutTracker t;
  t.init(4096, 0, false, 65536);
  std::string why;
  EXPECT_FALSE(t.accept(kReservedTag, 0, 0, 512, true, &why));  // unsolicited not allowed
  t.request(4096);
  R2TPlan p;
  ASSERT_TRUE(t.next_r2t(65536, 1, 5, &p));
  EXPECT_FALSE(t.accept(6, 0, 0, 512, false, &why));   // wrong TTT
  EXPECT_FALSE(t.accept(5, 0, 0, 8192, false, &why));  // beyond the R2T
  EXPECT_TRUE(t.accept(5, 0, 0, 4096, true, &why));
}

}  // namespace
}  // namespace nexus::iscsi

namespace nexus::iscsi {
namespace {
TEST(DataOutTracker, DataSnPerSequence) {
  DataOutTracker t;
  t.init(8192, 0, true, 4096);
  std::string why;
  EXPECT_TRUE(t.accept(kReservedTag, 0, 0, 2048, false, &why));
  EXPECT_FALSE(t.accept(kReservedTag, 0, 2048, 2048, true, &why));  // repeated DataSN
  EXPECT_TRUE(t.accept(kReservedTag, 1, 2048, 2048, true, &why));
  t.request(8192);
  R2TPlan p;
  ASSERT_TRUE(t.next_r2t(65536, 1, 9, &p));
  EXPECT_FALSE(t.accept(9, 2, 4096, 4096, true, &why));  // new sequence starts at 0
  EXPECT_TRUE(t.accept(9, 0, 4096, 4096, true, &why));
  EXPECT_TRUE(t.request_satisfied());
}
}  // namespace
}  // namespace nexus::iscsi
