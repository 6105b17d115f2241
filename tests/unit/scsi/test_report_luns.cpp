#include <gtest/gtest.h>

#include "fake_device.h"
#include "scsi/report_luns.h"

namespace nexus::scsi::test {
namespace {

class ReportLunsTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> run(uint8_t select, uint32_t alloc = 4096) {
    std::vector<uint8_t> cdb = {0xA0, 0, select, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    put_be32(&cdb[6], alloc);
    last_ = report_luns(lu_.ctx, cdb, lu_.buf);
    return {lu_.buf.begin(), lu_.buf.begin() + last_.data_in_length};
  }
  Lu lu_;
  Result last_;
};

TEST_F(ReportLunsTest, SelectNormal) {
  EXPECT_EQ(run(0x00), bytes({0,    0,    0, 24, 0, 0, 0, 0,     //
                              0x00, 0x00, 0, 0,  0, 0, 0, 0,     // LUN 0 peripheral
                              0x00, 0x01, 0, 0,  0, 0, 0, 0,     // LUN 1 peripheral
                              0x41, 0x2C, 0, 0,  0, 0, 0, 0}));  // LUN 300 flat space
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_TRUE(last_.reported_luns);
}

TEST_F(ReportLunsTest, SelectWellKnownAndAll) {
  EXPECT_EQ(run(0x01), bytes({0, 0, 0, 8, 0, 0, 0, 0, 0xC1, 0x01, 0, 0, 0, 0, 0, 0}));
  auto all = run(0x02);
  ASSERT_EQ(all.size(), 8u + 4 * 8);
  EXPECT_EQ(all[3], 32);
  EXPECT_EQ(all[32], 0xC1);
  EXPECT_EQ(all[33], 0x01);
}

TEST_F(ReportLunsTest, ConglomerateSelectsAreEmpty) {
  for (uint8_t s : {0x10, 0x11, 0x12}) EXPECT_EQ(run(s), bytes({0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST_F(ReportLunsTest, NoLunsAndWellKnownInTheList) {
  lu_.luns = {0xC101};  // never listed under select 00h
  lu_.ctx.visible_luns = lu_.luns;
  EXPECT_EQ(run(0x00), bytes({0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST_F(ReportLunsTest, Errors) {
  run(0x03);
  EXPECT_EQ(last_.status, ScsiStatus::check_condition);
  EXPECT_EQ(last_.sense.asc, 0x24);
  EXPECT_EQ(last_.sense.field_pointer, 2);
  run(0xFF);
  EXPECT_EQ(last_.sense.field_pointer, 2);
  run(0x00, 15);
  EXPECT_EQ(last_.status, ScsiStatus::check_condition);
  EXPECT_EQ(last_.sense.field_pointer, 6);
}

TEST_F(ReportLunsTest, TruncatesToAllocationLength) {
  auto d = run(0x00, 16);
  ASSERT_EQ(d.size(), 16u);
  EXPECT_EQ(d[3], 24);  // LUN LIST LENGTH is not altered
  EXPECT_EQ(lu_.buf[16], 0xAA);
}

TEST_F(ReportLunsTest, WorksOnUnmappedLun) {
  lu_.ctx.device = nullptr;
  lu_.ctx.lun = 9;
  EXPECT_EQ(run(0x00).size(), 32u);
}

}  // namespace
}  // namespace nexus::scsi::test
