// End to end: the plugin loaded into the fake core, driven by libiscsi.
#include <gtest/gtest.h>

extern "C" {
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
}

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fake_core.h"

namespace nexus::test {
namespace {

constexpr const char* kInitiator = "iqn.2026-11.io.nexus.test:initiator";

struct Ctx {
  iscsi_context* c;
  explicit Ctx(const char* initiator = kInitiator) : c(iscsi_create_context(initiator)) {
    iscsi_set_timeout(c, 10);
    iscsi_set_noautoreconnect(c, 1);
  }
  ~Ctx() {
    if (c) iscsi_destroy_context(c);
  }
  bool connect(const FakeCore& core, const char* target = kTarget) {
    iscsi_set_targetname(c, target);
    iscsi_set_session_type(c, ISCSI_SESSION_NORMAL);
    return iscsi_full_connect_sync(c, core.portal().c_str(), 0) == 0;
  }
  std::string error() { return iscsi_get_error(c); }
};

struct Task {
  scsi_task* t;
  explicit Task(scsi_task* task) : t(task) {}
  ~Task() {
    if (t) scsi_free_scsi_task(t);
  }
  bool good() const { return t && t->status == SCSI_STATUS_GOOD; }
};

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 7 + seed + (i >> 9));
  return v;
}

void write_read_back(Ctx& s, uint32_t lba, size_t bytes, uint8_t seed) {
  auto data = pattern(bytes, seed);
  Task w(iscsi_write10_sync(s.c, 0, lba, data.data(), uint32_t(bytes), 512, 0, 0, 0, 0, 0));
  ASSERT_TRUE(w.good()) << s.error();
  Task r(iscsi_read10_sync(s.c, 0, lba, uint32_t(bytes), 512, 0, 0, 0, 0, 0));
  ASSERT_TRUE(r.good()) << s.error();
  ASSERT_EQ(size_t(r.t->datain.size), bytes);
  EXPECT_EQ(std::memcmp(r.t->datain.data, data.data(), bytes), 0);
}

TEST(IscsiEndToEnd, LoginInquiryCapacityWriteReadLogout) {
  FakeCore core;
  ASSERT_TRUE(core.started());
  {
    Ctx s;
    ASSERT_TRUE(s.connect(core)) << s.error();
    Task tur(iscsi_testunitready_sync(s.c, 0));
    EXPECT_TRUE(tur.good());
    Task inq(iscsi_inquiry_sync(s.c, 0, 0, 0, 96));
    ASSERT_TRUE(inq.good()) << s.error();
    EXPECT_EQ(inq.t->datain.size, 36);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(inq.t->datain.data) + 8, 5), "NEXUS");
    EXPECT_EQ(inq.t->residual_status, SCSI_RESIDUAL_UNDERFLOW);
    EXPECT_EQ(inq.t->residual, 60u);
    Task cap(iscsi_readcapacity10_sync(s.c, 0, 0, 0));
    ASSERT_TRUE(cap.good());
    auto* rc = static_cast<scsi_readcapacity10*>(scsi_datain_unmarshall(cap.t));
    ASSERT_NE(rc, nullptr);
    EXPECT_EQ(rc->block_size, 512u);
    EXPECT_EQ(rc->lba, (16u << 20) / 512 - 1);
    Task luns(iscsi_reportluns_sync(s.c, 0, 16));
    EXPECT_TRUE(luns.good());
    write_read_back(s, 0, 4096, 1);          // immediate data only
    write_read_back(s, 100, 200 * 1024, 2);  // immediate + unsolicited + R2T
    write_read_back(s, 2048, 1 << 20, 3);    // several bursts, many Data-In PDUs
    EXPECT_EQ(iscsi_logout_sync(s.c), 0) << s.error();
  }
  EXPECT_TRUE(core.wait_for([&] { return core.open_nexuses == 0; }, 3000));
  EXPECT_EQ(core.nexus_logged_out, 1);
  EXPECT_EQ(core.live_commands, 0);
}

TEST(IscsiEndToEnd, CheckConditionCarriesSense) {
  FakeCore core;
  ASSERT_TRUE(core.started());
  Ctx s;
  ASSERT_TRUE(s.connect(core)) << s.error();
  // READ beyond the end: CHECK CONDITION, LBA OUT OF RANGE.
  Task r(iscsi_read10_sync(s.c, 0, 0xfffff0, 4096, 512, 0, 0, 0, 0, 0));
  ASSERT_NE(r.t, nullptr);
  EXPECT_EQ(r.t->status, SCSI_STATUS_CHECK_CONDITION);
  EXPECT_EQ(r.t->sense.key, SCSI_SENSE_ILLEGAL_REQUEST);
  EXPECT_EQ(r.t->sense.ascq, 0x2100);
  iscsi_logout_sync(s.c);
}

TEST(IscsiEndToEnd, HeaderDigestAndStrictR2T) {
  FakeCore core(
      {{"immediate_data", "false"}, {"initial_r2t", "true"}, {"max_burst_length", "65536"}});
  ASSERT_TRUE(core.started());
  Ctx s;
  iscsi_set_header_digest(s.c, ISCSI_HEADER_DIGEST_CRC32C);
  iscsi_set_initial_r2t(s.c, ISCSI_INITIAL_R2T_YES);
  iscsi_set_immediate_data(s.c, ISCSI_IMMEDIATE_DATA_NO);
  ASSERT_TRUE(s.connect(core)) << s.error();
  write_read_back(s, 10, 300 * 1024, 4);
  write_read_back(s, 0, 512, 5);
  iscsi_logout_sync(s.c);
}

TEST(IscsiEndToEnd, ChapOneWay) {
  FakeCore core;
  core.target_auth = FakeAuth{true, false, "user1", "secret-of-user1", "", ""};
  Ctx good;
  iscsi_set_initiator_username_pwd(good.c, "user1", "secret-of-user1");
  ASSERT_TRUE(good.connect(core)) << good.error();
  write_read_back(good, 0, 8192, 6);
  iscsi_logout_sync(good.c);

  Ctx bad("iqn.2026-11.io.nexus.test:other");
  iscsi_set_initiator_username_pwd(bad.c, "user1", "wrong-password!");
  EXPECT_FALSE(bad.connect(core));

  Ctx none("iqn.2026-11.io.nexus.test:third");
  EXPECT_FALSE(none.connect(core));  // CHAP required, initiator offers None
}

TEST(IscsiEndToEnd, ChapMutual) {
  FakeCore core;
  core.target_auth =
      FakeAuth{true, true, "user1", "secret-of-user1", "target1", "secret-of-target1"};
  Ctx s;
  iscsi_set_initiator_username_pwd(s.c, "user1", "secret-of-user1");
  iscsi_set_target_username_pwd(s.c, "target1", "secret-of-target1");
  ASSERT_TRUE(s.connect(core)) << s.error();
  Task tur(iscsi_testunitready_sync(s.c, 0));
  EXPECT_TRUE(tur.good());
  iscsi_logout_sync(s.c);

  Ctx wrong("iqn.2026-11.io.nexus.test:w");
  iscsi_set_initiator_username_pwd(wrong.c, "user1", "secret-of-user1");
  iscsi_set_target_username_pwd(wrong.c, "target1", "not-the-target-secret");
  EXPECT_FALSE(wrong.connect(core));  // the initiator refuses our answer
}

TEST(IscsiEndToEnd, DiscoveryListsVisibleTargets) {
  FakeCore core;
  core.hidden_for = kInitiator;
  Ctx s;
  iscsi_set_session_type(s.c, ISCSI_SESSION_DISCOVERY);
  ASSERT_EQ(iscsi_connect_sync(s.c, core.portal().c_str()), 0) << s.error();
  ASSERT_EQ(iscsi_login_sync(s.c), 0) << s.error();
  iscsi_discovery_address* list = iscsi_discovery_sync(s.c);
  ASSERT_NE(list, nullptr) << s.error();
  std::vector<std::string> names;
  for (auto* a = list; a; a = a->next) {
    names.emplace_back(a->target_name);
    ASSERT_NE(a->portals, nullptr);
    EXPECT_EQ(std::string(a->portals->portal), core.portal() + ",1");
  }
  iscsi_free_discovery_data(s.c, list);
  EXPECT_EQ(names, std::vector<std::string>{kTarget});
  iscsi_logout_sync(s.c);
  EXPECT_EQ(core.open_nexuses, 0);
}

TEST(IscsiEndToEnd, Ipv6Portal) {
  FakeCore core;
  ASSERT_TRUE(core.started());
  Ctx s;
  iscsi_set_targetname(s.c, kTarget);
  iscsi_set_session_type(s.c, ISCSI_SESSION_NORMAL);
  ASSERT_EQ(iscsi_full_connect_sync(s.c, core.portal6().c_str(), 0), 0) << s.error();
  write_read_back(s, 8, 4096, 9);
  iscsi_logout_sync(s.c);
}

TEST(IscsiEndToEnd, DiscoveryChap) {
  FakeCore core;
  core.discovery = FakeAuth{true, false, "disc", "discovery-secret", "", ""};
  Ctx bad;
  iscsi_set_session_type(bad.c, ISCSI_SESSION_DISCOVERY);
  ASSERT_EQ(iscsi_connect_sync(bad.c, core.portal().c_str()), 0);
  EXPECT_NE(iscsi_login_sync(bad.c), 0);
  Ctx good;
  iscsi_set_session_type(good.c, ISCSI_SESSION_DISCOVERY);
  iscsi_set_initiator_username_pwd(good.c, "disc", "discovery-secret");
  ASSERT_EQ(iscsi_connect_sync(good.c, core.portal().c_str()), 0);
  EXPECT_EQ(iscsi_login_sync(good.c), 0) << good.error();
}

TEST(IscsiEndToEnd, UnknownAndDeniedTargets) {
  FakeCore core;
  core.hidden_for = kInitiator;
  Ctx a;
  EXPECT_FALSE(a.connect(core, "iqn.2026-11.io.nexus:none"));
  Ctx b;
  EXPECT_FALSE(b.connect(core, kHiddenTarget));
  Ctx c("iqn.2026-11.io.nexus.test:allowed");
  EXPECT_TRUE(c.connect(core, kHiddenTarget)) << c.error();
}

TEST(IscsiEndToEnd, ManySessionsAcrossReactors) {
  FakeCore core({}, 3);
  std::vector<std::unique_ptr<Ctx>> sessions;
  for (int i = 0; i < 6; ++i) {
    sessions.push_back(
        std::make_unique<Ctx>(("iqn.2026-11.io.nexus.test:i" + std::to_string(i)).c_str()));
    ASSERT_TRUE(sessions.back()->connect(core)) << sessions.back()->error();
  }
  for (int i = 0; i < 6; ++i) write_read_back(*sessions[i], uint32_t(i * 64), 16384, uint8_t(i));
  EXPECT_EQ(core.open_nexuses, 6);
  sessions.clear();  // drop without logout: nexus loss
  EXPECT_TRUE(core.wait_for([&] { return core.open_nexuses == 0; }, 3000));
  EXPECT_EQ(core.nexus_lost, 6);
  EXPECT_EQ(core.live_commands, 0);
}

TEST(IscsiEndToEnd, ShutdownDropsSessionsAfterGrace) {
  FakeCore core;
  Ctx s;
  ASSERT_TRUE(s.connect(core)) << s.error();
  // libiscsi's sync API does not poll while idle, so it never answers the
  // Async logout request: the grace period expires and we drop it.
  EXPECT_TRUE(core.shutdown(300, 5000));
  EXPECT_EQ(core.open_nexuses, 0);
  EXPECT_EQ(core.nexus_lost, 1);
}

}  // namespace
}  // namespace nexus::test
