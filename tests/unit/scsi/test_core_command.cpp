#include <gtest/gtest.h>

#include "fake_device.h"
#include "scsi/core_command.h"
#include "scsi/transfer_length.h"

namespace nexus::scsi::test {
namespace {

class CoreCommandTest : public ::testing::Test {
 protected:
  Result run(std::vector<uint8_t> cdb) { return execute_core_command(lu_.ctx, cdb, lu_.buf); }
  Lu lu_;
};

TEST_F(CoreCommandTest, TestUnitReady) {
  EXPECT_EQ(run({0, 0, 0, 0, 0, 0}).status, ScsiStatus::good);
  lu_.info.flags &= ~DeviceInfoFlags::ready;
  auto r = run({0, 0, 0, 0, 0, 0});
  EXPECT_EQ(r.sense.key, SenseKey::not_ready);
  EXPECT_EQ(r.sense.asc, 0x04);
  lu_.info.flags &= ~DeviceInfoFlags::medium_present;
  r = run({0, 0, 0, 0, 0, 0});
  EXPECT_EQ(r.sense.asc, 0x3A);
  lu_.ctx.device = nullptr;
  lu_.ctx.lun = 0xC101;
  EXPECT_EQ(run({0, 0, 0, 0, 0, 0}).status, ScsiStatus::good);
  lu_.ctx.lun = 4;
  EXPECT_EQ(run({0, 0, 0, 0, 0, 0}).sense.asc, 0x25);
}

TEST_F(CoreCommandTest, NotHandledRoutesToCoreModules) {
  for (auto cdb :
       {bytes({0x16, 0, 0, 0, 0, 0}), bytes({0x17, 0, 0, 0, 0, 0}),
        bytes({0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0}), bytes({0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
        bytes({0x5E, 0, 0, 0, 0, 0, 0, 0, 8, 0}), bytes({0x5F, 0, 0, 0, 0, 0, 0, 0, 24, 0}),
        bytes({0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0})}) {
    auto r = run(cdb);
    EXPECT_EQ(r.disposition, Disposition::not_handled) << int(cdb[0]);
  }
}

TEST_F(CoreCommandTest, Dispatch) {
  auto r = run({0x12, 0, 0, 0, 36, 0});
  EXPECT_EQ(r.data_in_length, 36u);
  r = run({0x1A, 0x08, 0x0A, 0, 0xFF, 0});
  EXPECT_EQ(r.data_in_length, 16u);
  r = run({0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0});
  EXPECT_EQ(r.data_in_length, 4u);
  r = run({0xA3, 0x0C, 0x01, 0x12, 0, 0, 0, 0, 0, 16, 0, 0});
  EXPECT_EQ(r.data_in_length, 10u);
  r = run({0xA3, 0x05, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0});
  EXPECT_EQ(r.sense.asc, 0x24);
  EXPECT_EQ(run({}).sense.asc, 0x20);
  // MODE SELECT through the entry point: the buffer is the parameter list.
  std::vector<uint8_t> params = {0, 0, 0, 0, 0x0A, 0x0A, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  r = execute_core_command(lu_.ctx, bytes({0x15, 0x10, 0, 0, 16, 0}), params);
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_TRUE(r.mode_parameters_changed);
  EXPECT_TRUE(lu_.control.d_sense);
}

TEST_F(CoreCommandTest, UnmappedLun) {
  lu_.ctx.device = nullptr;
  lu_.ctx.lun = 12;
  EXPECT_EQ(run({0x12, 0, 0, 0, 0xFF, 0}).data_in_length, 96u);
  EXPECT_EQ(lu_.buf[0], 0x7F);
  EXPECT_EQ(run({0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}).data_in_length, 32u);
  EXPECT_EQ(run({0x03, 0, 0, 0, 18, 0}).status, ScsiStatus::good);
  EXPECT_EQ(run({0x1A, 0, 0x3F, 0, 0xFF, 0}).sense.asc, 0x25);
  EXPECT_EQ(run({0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}).sense.asc, 0x25);
}

// The path the core takes: lookup, transfer length, execute into a buffer of
// that size.
TEST_F(CoreCommandTest, LookupTransferExecute) {
  auto cdb = bytes({0xA0, 0, 0x02, 0, 0, 0, 0, 0, 0, 20, 0, 0});
  auto row = lu_.table.lookup(cdb);
  ASSERT_TRUE(row);
  auto t = transfer_length(*row.row, cdb, lu_.info.block_size, &lu_.dev);
  ASSERT_TRUE(t.ok);
  EXPECT_TRUE(t.allocation_length);
  std::vector<uint8_t> buf(t.bytes);
  auto r = execute_core_command(lu_.ctx, cdb, buf);
  EXPECT_EQ(r.data_in_length, 20u);
  EXPECT_EQ(get_be32(buf.data()), 32u);
}

}  // namespace
}  // namespace nexus::scsi::test
