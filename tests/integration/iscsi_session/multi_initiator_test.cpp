// Several initiators on one LU: the state that depends on which I_T nexus a
// command came from (DESIGN.md lesson 2).
#include <gtest/gtest.h>

#include "iscsi_client.h"
#include "nexusd_process.h"

using namespace nexus::test;

namespace {

const char* kConfig = R"(server:
  state_dir: {DIR}/state
devices:
  - name: disk0
    handler: disk
    options: {backend: ram, size: 16M}
targets:
  - name: iqn.2026-11.io.nexus.test:shared
    portals: ["127.0.0.1:{PORT}"]
    luns:
      - {lun: 0, device: disk0}
)";
const char* kTarget = "iqn.2026-11.io.nexus.test:shared";

// MODE SENSE(6) of the Caching page, then MODE SELECT(6) of it with WCE flipped.
bool flip_wce(IscsiClient& c) {
  TaskResult ms = c.command(0, {0x1A, 0x08, 0x08, 0, 255, 0}, {}, 255);
  if (ms.status != 0 || ms.data.size() < 4) return false;
  size_t bdl = ms.data[3];
  std::vector<uint8_t> page(ms.data.begin() + 4 + long(bdl), ms.data.end());
  if (page.size() < 3 || (page[0] & 0x3F) != 0x08) return false;
  page[0] &= 0x3F;  // PS bit is reserved in MODE SELECT
  page[2] ^= 0x04;  // WCE
  std::vector<uint8_t> params = {0, 0, 0, 0};
  params.insert(params.end(), page.begin(), page.end());
  TaskResult sel = c.command(0, {0x15, 0x10, 0, 0, uint8_t(params.size()), 0}, params);
  return sel.status == 0;
}

}  // namespace

TEST(MultiInitiator, ModeSelectRaisesModeParametersChangedForOthersOnly) {
  NexusdProcess nx(kConfig);
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient a("iqn.2026-11.io.nexus.test:a"), b("iqn.2026-11.io.nexus.test:b");
    ASSERT_TRUE(a.login(nx.portal(), kTarget)) << a.error();
    ASSERT_TRUE(b.login(nx.portal(), kTarget)) << b.error();
    a.clear_unit_attentions();
    b.clear_unit_attentions();
    ASSERT_TRUE(flip_wce(a));
    TaskResult ta = a.command(0, {0, 0, 0, 0, 0, 0});
    EXPECT_EQ(ta.status, 0) << "the initiator that changed the page gets no UA";
    TaskResult tb = b.command(0, {0, 0, 0, 0, 0, 0});
    EXPECT_EQ(tb.status, SCSI_STATUS_CHECK_CONDITION);
    EXPECT_EQ(tb.sense_key, SCSI_SENSE_UNIT_ATTENTION);
    EXPECT_EQ(tb.asc, 0x2A);
    EXPECT_EQ(tb.ascq, 0x01);
    EXPECT_EQ(b.command(0, {0, 0, 0, 0, 0, 0}).status, 0) << "the UA is reported once";
  }
  EXPECT_EQ(nx.stop(), 0);
}

TEST(MultiInitiator, AptplRegistrationAndReservationSurviveRestart) {
  NexusdProcess nx(kConfig);
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient a("iqn.2026-11.io.nexus.test:a");
    ASSERT_TRUE(a.login(nx.portal(), kTarget)) << a.error();
    a.clear_unit_attentions();
    std::vector<uint8_t> reg(24, 0);
    reg[15] = 0x34;  // SERVICE ACTION RESERVATION KEY 0x1234
    reg[14] = 0x12;
    reg[20] = 0x01;  // APTPL
    ASSERT_EQ(a.command(0, {0x5F, 0x00, 0, 0, 0, 0, 0, 0, 24, 0}, reg).status, 0);
    std::vector<uint8_t> res(24, 0);
    res[6] = 0x12;  // RESERVATION KEY 0x1234
    res[7] = 0x34;
    ASSERT_EQ(a.command(0, {0x5F, 0x01, 0x01, 0, 0, 0, 0, 0, 24, 0}, res).status, 0);
  }
  ASSERT_EQ(nx.stop(), 0) << nx.log();
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient b("iqn.2026-11.io.nexus.test:b");
    ASSERT_TRUE(b.login(nx.portal(), kTarget)) << b.error();
    b.clear_unit_attentions();
    TaskResult keys = b.command(0, {0x5E, 0x00, 0, 0, 0, 0, 0, 0, 64, 0}, {}, 64);
    ASSERT_EQ(keys.status, 0);
    ASSERT_GE(keys.data.size(), 16u);
    EXPECT_EQ(keys.data[7], 8) << "one registration expected after restart";
    EXPECT_EQ(keys.data[14], 0x12);
    EXPECT_EQ(keys.data[15], 0x34);
    TaskResult rr = b.command(0, {0x5E, 0x01, 0, 0, 0, 0, 0, 0, 64, 0}, {}, 64);
    ASSERT_EQ(rr.status, 0);
    ASSERT_GE(rr.data.size(), 22u);
    EXPECT_EQ(rr.data[7], 16) << "a reservation is held";
    EXPECT_EQ(rr.data[21] & 0x0F, 0x01) << "Write Exclusive";
    std::vector<uint8_t> block(512, 0xEE);
    EXPECT_EQ(b.command(0, write10(0, 1), block).status, SCSI_STATUS_RESERVATION_CONFLICT);
  }
  EXPECT_EQ(nx.stop(), 0);
}

TEST(MultiInitiator, TapeBlockSizeChangeIsSeenByTheOtherInitiator) {
  NexusdProcess nx(R"(server:
  state_dir: {DIR}/state
devices:
  - name: tape0
    handler: tape
    options:
      medium: {DIR}/A00001L8.tape
      create_medium: {barcode: A00001L8, capacity: 64M}
targets:
  - name: iqn.2026-11.io.nexus.test:shared
    portals: ["127.0.0.1:{PORT}"]
    luns:
      - {lun: 0, device: tape0}
)");
  ASSERT_TRUE(nx.start()) << nx.log();
  {
    IscsiClient a("iqn.2026-11.io.nexus.test:a"), b("iqn.2026-11.io.nexus.test:b");
    ASSERT_TRUE(a.login(nx.portal(), kTarget)) << a.error();
    ASSERT_TRUE(b.login(nx.portal(), kTarget)) << b.error();
    a.clear_unit_attentions();
    b.clear_unit_attentions();
    // MODE SELECT(6): header + block descriptor with block length 65536.
    std::vector<uint8_t> params = {0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00};
    TaskResult sel = a.command(0, {0x15, 0x10, 0, 0, uint8_t(params.size()), 0}, params);
    ASSERT_EQ(sel.status, 0) << "sense " << sel.sense_key << "/" << std::hex << sel.asc;
    EXPECT_EQ(a.command(0, {0, 0, 0, 0, 0, 0}).status, 0);
    TaskResult tb = b.command(0, {0, 0, 0, 0, 0, 0});
    EXPECT_EQ(tb.status, SCSI_STATUS_CHECK_CONDITION);
    EXPECT_EQ(tb.sense_key, SCSI_SENSE_UNIT_ATTENTION);
    EXPECT_EQ(tb.asc, 0x2A);
    EXPECT_EQ(tb.ascq, 0x01);
    // B now sees the block length A chose: the drive state is shared.
    TaskResult ms = b.command(0, {0x1A, 0, 0, 0, 12, 0}, {}, 12);
    ASSERT_EQ(ms.status, 0);
    ASSERT_GE(ms.data.size(), 12u);
    EXPECT_EQ((ms.data[9] << 16) | (ms.data[10] << 8) | ms.data[11], 65536);
  }
  EXPECT_EQ(nx.stop(), 0);
}
