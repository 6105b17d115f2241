#include <gtest/gtest.h>

#include "fake_device.h"
#include "scsi/transfer_length.h"

namespace nexus::scsi::test {
namespace {

class TransferLengthTest : public ::testing::Test {
 protected:
  TransferLength tl(std::vector<uint8_t> cdb, uint32_t bs = 512) {
    auto r = table_.lookup(cdb);
    EXPECT_TRUE(r) << "lookup failed";
    if (!r) return {};
    return transfer_length(*r.row, cdb, bs, &dev_);
  }
  std::vector<OpcodeInfo> rows_ = disk_rows();
  OpcodeTable table_{core_rows(PeripheralType::disk), rows_};
  FakeDevice dev_;
};

TEST_F(TransferLengthTest, Blocks) {
  auto t = tl({0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0});
  EXPECT_TRUE(t.ok);
  EXPECT_EQ(t.direction, DataDir::read);
  EXPECT_EQ(t.bytes, 4096u);
  EXPECT_FALSE(t.allocation_length);
  t = tl({0x2A, 0, 0, 0, 0, 0, 0, 0, 2, 0}, 4096);
  EXPECT_EQ(t.direction, DataDir::write);
  EXPECT_EQ(t.bytes, 8192u);
  t = tl({0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(t.direction, DataDir::none);
  EXPECT_EQ(t.bytes, 0u);
}

TEST_F(TransferLengthTest, SixByteZeroMeans256) {
  EXPECT_EQ(tl({0x08, 0, 0, 0, 0, 0}).bytes, 256u * 512);
  EXPECT_EQ(tl({0x08, 0, 0, 0, 3, 0}).bytes, 3u * 512);
}

TEST_F(TransferLengthTest, AllocationLength) {
  auto t = tl({0x12, 0, 0, 0x01, 0x00, 0});
  EXPECT_EQ(t.bytes, 256u);
  EXPECT_TRUE(t.allocation_length);
  EXPECT_EQ(t.direction, DataDir::read);
  t = tl({0xA0, 0, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x00, 0, 0});
  EXPECT_EQ(t.bytes, 65536u);
  t = tl({0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0});
  EXPECT_EQ(t.bytes, 32u);
  EXPECT_TRUE(t.allocation_length);
}

TEST_F(TransferLengthTest, VerifyBytchk) {
  auto t = tl({0x2F, 0x00, 0, 0, 0, 0, 0, 0, 4, 0});
  EXPECT_EQ(t.direction, DataDir::none);
  EXPECT_EQ(t.bytes, 0u);
  t = tl({0x2F, 0x02, 0, 0, 0, 0, 0, 0, 4, 0});
  EXPECT_EQ(t.direction, DataDir::write);
  EXPECT_EQ(t.bytes, 2048u);
  t = tl({0x2F, 0x06, 0, 0, 0, 0, 0, 0, 4, 0});
  EXPECT_EQ(t.bytes, 512u);
  t = tl({0x2F, 0x04, 0, 0, 0, 0, 0, 0, 4, 0});
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.sense.asc, 0x24);
  EXPECT_EQ(t.sense.field_pointer, 1);
  EXPECT_EQ(t.sense.field_bit, 2);
}

TEST_F(TransferLengthTest, SpecialUnits) {
  std::vector<uint8_t> caw(16, 0);
  caw[0] = 0x89;
  caw[13] = 2;
  EXPECT_EQ(tl(caw).bytes, 2u * 2 * 512);
  std::vector<uint8_t> ws(16, 0);
  ws[0] = 0x93;
  ws[13] = 100;
  EXPECT_EQ(tl(ws, 4096).bytes, 4096u);
  auto t = tl({0xC0, 0, 0, 0, 0, 0});
  EXPECT_EQ(t.bytes, 1234u);
  t = tl({0xC0, 0xEE, 0, 0, 0, 0});
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.sense.asc, 0x24);
  auto none = tl({0x00, 0, 0, 0, 0, 0});
  EXPECT_EQ(none.direction, DataDir::none);
  // Without a device a LengthUnit::device row cannot be sized.
  auto r = table_.lookup(bytes({0xC0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(transfer_length(*r.row, bytes({0xC0, 0, 0, 0, 0, 0}), 512, nullptr).ok);
}

TEST_F(TransferLengthTest, VariableLengthRead32) {
  std::vector<uint8_t> cdb(32, 0);
  cdb[0] = 0x7F;
  cdb[7] = 0x18;
  cdb[9] = 0x09;
  cdb[31] = 3;
  EXPECT_EQ(tl(cdb).bytes, 3u * 512);
}

}  // namespace
}  // namespace nexus::scsi::test
