#include <gtest/gtest.h>

#include "fake_device.h"
#include "scsi/request_sense.h"

namespace nexus::scsi::test {
namespace {

class RequestSenseTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> run(uint8_t desc, uint8_t alloc = 252) {
    last_ = request_sense(lu_.ctx, bytes({0x03, desc, 0, 0, alloc, 0}), lu_.buf);
    EXPECT_EQ(last_.status, ScsiStatus::good);
    return {lu_.buf.begin(), lu_.buf.begin() + last_.data_in_length};
  }
  Lu lu_;
  Result last_;
};

TEST_F(RequestSenseTest, NoSenseFixedAndDescriptor) {
  EXPECT_EQ(run(0), bytes({0x70, 0, 0, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_FALSE(last_.pending_sense_consumed);
  EXPECT_EQ(run(1), bytes({0x72, 0, 0, 0, 0, 0, 0, 0}));
}

TEST_F(RequestSenseTest, ReturnsPendingSense) {
  SenseInfo ua = sense::make(SenseKey::unit_attention, 0x29, 0x00);
  lu_.ctx.pending_sense = &ua;
  auto d = run(0);
  ASSERT_EQ(d.size(), 18u);
  EXPECT_EQ(d[2], 0x06);
  EXPECT_EQ(d[12], 0x29);
  EXPECT_TRUE(last_.pending_sense_consumed);
  EXPECT_EQ(run(1), bytes({0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0}));
}

TEST_F(RequestSenseTest, TruncatesToAllocationLength) {
  auto d = run(0, 8);
  ASSERT_EQ(d.size(), 8u);
  EXPECT_EQ(d[7], 0x0A);
  EXPECT_EQ(lu_.buf[8], 0xAA);
  EXPECT_TRUE(run(0, 0).empty());
}

TEST_F(RequestSenseTest, UnmappedLunReportsLunNotSupported) {
  lu_.ctx.device = nullptr;
  lu_.ctx.lun = 3;
  auto d = run(0);
  EXPECT_EQ(d[2], 0x05);
  EXPECT_EQ(d[12], 0x25);
}

}  // namespace
}  // namespace nexus::scsi::test
