// One nexusd, one or more libiscsi sessions: login, I/O, ACLs, CHAP, shutdown.
#include <gtest/gtest.h>

#include <random>

#include "iscsi_client.h"
#include "nexusd_process.h"

using namespace nexus::test;

namespace {

const char* kTarget = "iqn.2026-11.io.nexus.test:disk";

std::string base_config(const std::string& target_extra = "", const std::string& top_extra = "") {
  return std::string(R"(server:
  state_dir: {DIR}/state
  shutdown_grace: 3s
devices:
  - name: disk0
    handler: disk
    options: {backend: file, path: {DIR}/disk0.img, size: 64M, create: true}
  - name: ram1
    handler: disk
    options: {backend: ram, size: 8M, block_size: 4096}
)") + top_extra +
         R"(targets:
  - name: iqn.2026-11.io.nexus.test:disk
    portals: ["127.0.0.1:{PORT}"]
)" + target_extra;
}

const char* kOpenLuns = R"(    luns:
      - {lun: 0, device: disk0}
      - {lun: 3, device: ram1}
)";

std::vector<uint8_t> pattern(size_t n, unsigned seed) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(seed);
  for (auto& b : v) b = uint8_t(rng());
  return v;
}

}  // namespace

TEST(IscsiSession, LoginWriteReadBackAndCleanShutdown) {
  NexusdProcess nx(base_config(kOpenLuns));
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient c("iqn.2026-11.io.nexus.test:init-a");
    ASSERT_TRUE(c.login(nx.portal(), kTarget)) << c.error();
    c.clear_unit_attentions();
    TaskResult cap = c.command(0, {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {}, 8);
    ASSERT_EQ(cap.status, 0);
    ASSERT_EQ(cap.data.size(), 8u);
    uint32_t last_lba =
        (cap.data[0] << 24) | (cap.data[1] << 16) | (cap.data[2] << 8) | cap.data[3];
    uint32_t block = (cap.data[4] << 24) | (cap.data[5] << 16) | (cap.data[6] << 8) | cap.data[7];
    EXPECT_EQ(block, 512u);
    EXPECT_EQ(uint64_t(last_lba + 1) * block, 64ull << 20);

    auto data = pattern(256 * 1024, 7);  // larger than FirstBurstLength: R2Ts needed
    TaskResult w = c.command(0, write10(1000, 512), data);
    ASSERT_EQ(w.status, 0);
    TaskResult r = c.command(0, read10(1000, 512), {}, uint32_t(data.size()));
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.data, data);

    // LUN 3 is a 4096-byte-block RAM disk.
    c.clear_unit_attentions(3);
    auto small = pattern(8192, 9);
    ASSERT_EQ(c.command(3, write10(5, 2), small).status, 0);
    EXPECT_EQ(c.command(3, read10(5, 2), {}, 8192).data, small);
  }
  EXPECT_EQ(nx.stop(), 0) << nx.log();
}

TEST(IscsiSession, DataSurvivesRestartOfTheFileBackend) {
  auto data = pattern(64 * 1024, 11);
  std::string cfg = base_config(kOpenLuns);
  NexusdProcess nx(cfg);
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient c("iqn.2026-11.io.nexus.test:init-a");
    ASSERT_TRUE(c.login(nx.portal(), kTarget)) << c.error();
    c.clear_unit_attentions();
    ASSERT_EQ(c.command(0, write10(77, 128), data).status, 0);
    ASSERT_EQ(c.command(0, {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0}).status, 0);  // SYNCHRONIZE CACHE
  }
  ASSERT_EQ(nx.stop(), 0) << nx.log();
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient c("iqn.2026-11.io.nexus.test:init-a");
    ASSERT_TRUE(c.login(nx.portal(), kTarget)) << c.error();
    c.clear_unit_attentions();
    EXPECT_EQ(c.command(0, read10(77, 128), {}, uint32_t(data.size())).data, data);
  }
  EXPECT_EQ(nx.stop(), 0);
}

TEST(IscsiSession, AclMasksLunsAndRefusesUnlistedInitiators) {
  std::string groups = R"(initiator_groups:
  - name: backup
    initiators: ["iqn.2026-11.io.nexus.test:backup-*"]
  - name: readers
    initiators: ["iqn.2026-11.io.nexus.test:reader"]
)";
  std::string acls = R"(    acls:
      - group: backup
        luns:
          - {lun: 0, device: disk0}
          - {lun: 3, device: ram1}
      - group: readers
        luns:
          - {lun: 0, device: disk0, read_only: true}
)";
  NexusdProcess nx(base_config(acls, groups));
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient stranger("iqn.2026-11.io.nexus.test:stranger");
    EXPECT_FALSE(stranger.login(nx.portal(), kTarget));
  }
  {
    IscsiClient reader("iqn.2026-11.io.nexus.test:reader");
    ASSERT_TRUE(reader.login(nx.portal(), kTarget)) << reader.error();
    reader.clear_unit_attentions();
    TaskResult luns = reader.command(0, {0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, {}, 256);
    ASSERT_EQ(luns.status, 0);
    ASSERT_GE(luns.data.size(), 8u);
    EXPECT_EQ(luns.data[3], 8) << "reader must see exactly one LUN";
    EXPECT_EQ(reader.command(0, read10(0, 1), {}, 512).status, 0);
    TaskResult w = reader.command(0, write10(0, 1), pattern(512, 1));
    EXPECT_EQ(w.status, SCSI_STATUS_CHECK_CONDITION);
    EXPECT_EQ(w.sense_key, SCSI_SENSE_DATA_PROTECTION);
    EXPECT_EQ(w.asc, 0x27);
    TaskResult hidden = reader.command(3, {0, 0, 0, 0, 0, 0});
    EXPECT_EQ(hidden.status, SCSI_STATUS_CHECK_CONDITION);
    EXPECT_EQ(hidden.asc, 0x25);  // LOGICAL UNIT NOT SUPPORTED
  }
  {
    IscsiClient backup("iqn.2026-11.io.nexus.test:backup-7");
    ASSERT_TRUE(backup.login(nx.portal(), kTarget)) << backup.error();
    backup.clear_unit_attentions();
    TaskResult luns = backup.command(0, {0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, {}, 256);
    ASSERT_EQ(luns.status, 0);
    EXPECT_EQ(luns.data[3], 16);
    EXPECT_EQ(backup.command(0, write10(0, 1), pattern(512, 1)).status, 0);
  }
  EXPECT_EQ(nx.stop(), 0);
}

TEST(IscsiSession, ChapOneWayAndMutual) {
  std::string target = std::string(kOpenLuns) + R"(    chap: {user: alice, secret: alice-secret-12}
    mutual_chap: {user: target1, secret: target-secret-12}
)";
  NexusdProcess nx(base_config(target));
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient none("iqn.2026-11.io.nexus.test:a");
    EXPECT_FALSE(none.login(nx.portal(), kTarget));
  }
  {
    IscsiClient wrong("iqn.2026-11.io.nexus.test:a");
    wrong.chap("alice", "not-the-secret");
    EXPECT_FALSE(wrong.login(nx.portal(), kTarget));
  }
  {
    IscsiClient bad_mutual("iqn.2026-11.io.nexus.test:a");
    bad_mutual.chap("alice", "alice-secret-12");
    bad_mutual.mutual_chap("target1", "wrong-target-secret");
    EXPECT_FALSE(bad_mutual.login(nx.portal(), kTarget));
  }
  {
    IscsiClient ok("iqn.2026-11.io.nexus.test:a");
    ok.chap("alice", "alice-secret-12");
    ok.mutual_chap("target1", "target-secret-12");
    ASSERT_TRUE(ok.login(nx.portal(), kTarget)) << ok.error();
    ok.clear_unit_attentions();
    EXPECT_EQ(ok.command(0, read10(0, 1), {}, 512).status, 0);
  }
  EXPECT_EQ(nx.stop(), 0);
}

TEST(IscsiSession, ShutdownWithLoggedInSessionsIsClean) {
  NexusdProcess nx(base_config(kOpenLuns));
  ASSERT_TRUE(nx.start()) << nx.log();
  IscsiClient a("iqn.2026-11.io.nexus.test:a"), b("iqn.2026-11.io.nexus.test:b");
  ASSERT_TRUE(a.login(nx.portal(), kTarget));
  ASSERT_TRUE(b.login(nx.portal(), kTarget));
  // The sessions stay logged in; nexusd must still stop within its grace.
  EXPECT_EQ(nx.stop(), 0) << nx.log();
  a.abandon();
  b.abandon();
}
