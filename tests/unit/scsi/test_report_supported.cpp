#include <gtest/gtest.h>

#include "fake_device.h"
#include "scsi/report_supported_opcodes.h"
#include "scsi/report_supported_tmfs.h"

namespace nexus::scsi::test {
namespace {

class RsocTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> rsoc(uint8_t byte2, uint8_t opcode, uint16_t sa, uint32_t alloc = 4096) {
    std::vector<uint8_t> cdb = {0xA3, 0x0C, byte2, opcode, uint8_t(sa >> 8), uint8_t(sa), 0, 0,
                                0,    0,    0,     0};
    put_be32(&cdb[6], alloc);
    last_ = report_supported_opcodes(lu_.ctx, cdb, lu_.buf);
    return {lu_.buf.begin(), lu_.buf.begin() + last_.data_in_length};
  }
  std::vector<uint8_t> rstmf(uint8_t byte2, uint32_t alloc = 4096) {
    std::vector<uint8_t> cdb = {0xA3, 0x0D, byte2, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    put_be32(&cdb[6], alloc);
    last_ = report_supported_tmfs(lu_.ctx, cdb, lu_.buf);
    return {lu_.buf.begin(), lu_.buf.begin() + last_.data_in_length};
  }
  void expect_invalid_cdb(uint16_t byte) {
    EXPECT_EQ(last_.status, ScsiStatus::check_condition);
    EXPECT_EQ(last_.sense.asc, 0x24);
    EXPECT_EQ(last_.sense.field_pointer, byte);
  }
  Lu lu_;
  Result last_;
};

TEST_F(RsocTest, AllCommands) {
  auto d = rsoc(0x00, 0, 0);
  const size_t n = lu_.table.rows().size();
  ASSERT_EQ(d.size(), 4 + 8 * n);
  EXPECT_EQ(get_be32(d.data()), 8 * n);
  // First descriptor: TEST UNIT READY.
  EXPECT_EQ(std::vector<uint8_t>(d.begin() + 4, d.begin() + 12), bytes({0, 0, 0, 0, 0, 0, 0, 6}));
  // Find MAINTENANCE IN / RSOC: SERVACTV=1.
  bool found = false;
  for (size_t off = 4; off < d.size(); off += 8) {
    if (d[off] == 0xA3 && d[off + 3] == 0x0C) {
      EXPECT_EQ(std::vector<uint8_t>(d.begin() + off, d.begin() + off + 8),
                bytes({0xA3, 0, 0, 0x0C, 0, 0x01, 0, 12}));
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(RsocTest, AllCommandsWithTimeouts) {
  auto d = rsoc(0x80, 0, 0);
  const size_t n = lu_.table.rows().size();
  ASSERT_EQ(d.size(), 4 + 20 * n);
  EXPECT_EQ(d[4 + 5], 0x02);               // CTDP
  EXPECT_EQ(get_be16(&d[4 + 8]), 0x000A);  // DESCRIPTOR LENGTH
  for (size_t off = 4; off < d.size(); off += 20) {
    if (d[off] == 0x28) {
      EXPECT_EQ(get_be32(&d[off + 8 + 8]), 30u);  // READ(10): 30 s
    }
  }
}

TEST_F(RsocTest, AllCommandsTruncated) {
  auto d = rsoc(0x00, 0, 0, 10);
  ASSERT_EQ(d.size(), 10u);
  EXPECT_EQ(get_be32(d.data()), 8 * lu_.table.rows().size());
}

TEST_F(RsocTest, OneCommandWithoutServiceAction) {
  EXPECT_EQ(rsoc(0x01, 0x12, 0), bytes({0, 0x03, 0, 6, 0x12, 0x01, 0xFF, 0xFF, 0xFF, 0x00}));
  EXPECT_EQ(rsoc(0x01, 0xFE, 0), bytes({0, 0x01, 0, 0}));  // not supported
  rsoc(0x01, 0xA3, 0x0C);                                  // has service actions
  expect_invalid_cdb(2);
  // Vendor specific opcode: SUPPORT 101b.
  EXPECT_EQ(rsoc(0x01, 0xC0, 0)[1], 0x05);
}

TEST_F(RsocTest, OneCommandWithServiceAction) {
  EXPECT_EQ(rsoc(0x02, 0xA3, 0x0C), bytes({0, 0x03, 0, 12, 0xA3, 0x0C, 0x87, 0xFF, 0xFF, 0xFF, 0xFF,
                                           0xFF, 0xFF, 0xFF, 0x00, 0x00}));
  EXPECT_EQ(rsoc(0x02, 0xA3, 0x1E), bytes({0, 0x01, 0, 0}));
  EXPECT_EQ(rsoc(0x02, 0x9E, 0x10)[5], 0x10);
  rsoc(0x02, 0x12, 0);  // INQUIRY has no service actions
  expect_invalid_cdb(2);
  // Variable length CDB: service action in bytes 8..9 of the usage data.
  auto v = rsoc(0x02, 0x7F, 0x0009);
  ASSERT_EQ(v.size(), 4u + 32);
  EXPECT_EQ(get_be16(&v[2]), 32);
  EXPECT_EQ(v[4 + 8], 0x00);
  EXPECT_EQ(v[4 + 9], 0x09);
}

TEST_F(RsocTest, OneCommandEitherWay) {
  EXPECT_EQ(rsoc(0x03, 0x12, 0x55)[1], 0x03);
  EXPECT_EQ(rsoc(0x03, 0xA3, 0x0D)[1], 0x03);
  EXPECT_EQ(rsoc(0x03, 0xA3, 0x0E)[1], 0x01);
  rsoc(0x04, 0x12, 0);
  expect_invalid_cdb(2);
}

TEST_F(RsocTest, OneCommandWithTimeouts) {
  auto d = rsoc(0x81, 0x28, 0);
  ASSERT_EQ(d.size(), 4u + 10 + 12);
  EXPECT_EQ(d[1], 0x83);  // CTDP + supported
  EXPECT_EQ(get_be16(&d[14]), 0x000A);
  EXPECT_EQ(get_be32(&d[14 + 8]), 30u);
}

TEST_F(RsocTest, TaskManagementFunctions) {
  EXPECT_EQ(rstmf(0x00), bytes({0xDC, 0x07, 0x00, 0x00}));
  EXPECT_EQ(rstmf(0x80), bytes({0xDC, 0x07, 0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(rstmf(0x80, 4).size(), 4u);
  rstmf(0x00, 3);
  expect_invalid_cdb(6);
}

}  // namespace
}  // namespace nexus::scsi::test
