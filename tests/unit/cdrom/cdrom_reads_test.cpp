// READ(10), READ(12), READ CD and READ CAPACITY against an image file.
#include "cdrom_fakes.h"

namespace nexus::cdrom::test {
namespace {

constexpr uint64_t kBlocks = 40;

class CdromReads : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = make_image(dir_, "disc.iso", kBlocks * 2048, 3);
    d_ = make_drive({{"image", path_}});
    ASSERT_EQ(d_->status, Status::ok) << d_->options->all_errors();
  }
  std::vector<uint8_t> expected(uint64_t lba, uint64_t n) const {
    std::vector<uint8_t> v(n * 2048);
    for (uint64_t i = 0; i < v.size(); ++i) v[i] = pattern(lba * 2048 + i, 3);
    return v;
  }
  TempDir dir_;
  std::string path_;
  std::unique_ptr<Drive> d_;
};

TEST_F(CdromReads, Read10ReturnsImageBlocks) {
  auto c = exec(d_->dev.get(), read10(5, 3), 3 * 2048, 1, 3);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->transfer(), 3u * 2048);
  EXPECT_EQ(c->data(), expected(5, 3));
}

TEST_F(CdromReads, Read12ReturnsImageBlocks) {
  auto c = exec(d_->dev.get(), read12(0, 2), 2 * 2048, 1, 1);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(), expected(0, 2));
}

TEST_F(CdromReads, LastBlockReadsAndBeyondIsOutOfRange) {
  auto last = exec(d_->dev.get(), read10(kBlocks - 1, 1), 2048);
  EXPECT_GOOD(last);
  EXPECT_EQ(last->data(), expected(kBlocks - 1, 1));
  expect_sense(*exec(d_->dev.get(), read10(kBlocks - 1, 2), 4096), SenseKey::illegal_request, 0x21,
               0x00);
  expect_sense(*exec(d_->dev.get(), read10(kBlocks, 1), 2048), SenseKey::illegal_request, 0x21,
               0x00);
  expect_sense(*exec(d_->dev.get(), read12(0xFFFFFFFF, 1), 2048), SenseKey::illegal_request, 0x21,
               0x00);
}

TEST_F(CdromReads, ZeroLengthReadIsGood) {
  auto c = exec(d_->dev.get(), read10(3, 0), 0);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->transfer(), 0u);
}

TEST_F(CdromReads, ReadCapacityReportsLastLbaAnd2048) {
  auto c = exec(d_->dev.get(), cdb10(op::kReadCapacity10), 8);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(), bytes({0, 0, 0, kBlocks - 1, 0x00, 0x00, 0x08, 0x00}));
  // SBC-3: PMI=0 with a non-zero LBA is invalid.
  expect_sense(*exec(d_->dev.get(), cdb10(op::kReadCapacity10, 0, 5), 8), SenseKey::illegal_request,
               0x24, 0x00);
}

TEST_F(CdromReads, ReadCdUserData) {
  uint32_t len = 0;
  SenseInfo s{};
  auto cdb = read_cd(7, 2);
  ASSERT_TRUE(d_->dev->data_length({cdb.data(), cdb.size()}, &len, &s));
  EXPECT_EQ(len, 2u * 2048);
  auto c = exec(d_->dev.get(), cdb, len);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(), expected(7, 2));
  // Expected sector type Mode 1 matches; CD-DA does not.
  EXPECT_GOOD(exec(d_->dev.get(), read_cd(7, 1, 0x10, 2 << 2), 2048));
  expect_sense(*exec(d_->dev.get(), read_cd(7, 1, 0x10, 1 << 2), 2048), SenseKey::illegal_request,
               0x64, 0x00);
  expect_sense(*exec(d_->dev.get(), read_cd(kBlocks, 1), 2048), SenseKey::illegal_request, 0x21,
               0x00);
}

TEST_F(CdromReads, ReadCdRawSectorsAreRejected) {
  uint32_t len = 0;
  SenseInfo s{};
  auto raw = read_cd(0, 1, 0xF8);  // sync + headers + user data + EDC/ECC
  EXPECT_FALSE(d_->dev->data_length({raw.data(), raw.size()}, &len, &s));
  EXPECT_EQ(s.asc, 0x24);
  EXPECT_EQ(s.field_pointer, 9);
  auto none = read_cd(0, 5, 0x00);
  ASSERT_TRUE(d_->dev->data_length({none.data(), none.size()}, &len, &s));
  EXPECT_EQ(len, 0u);
}

TEST(CdromReadsPartial, PartialLastBlockIsZeroPadded) {
  TempDir dir;
  std::string path = make_image(dir, "odd.iso", 2048 + 100, 9);
  auto d = make_drive({{"image", path}});
  ASSERT_EQ(d->status, Status::ok);
  auto c = exec(d->dev.get(), read10(1, 1), 2048);
  EXPECT_GOOD(c);
  auto data = c->data();
  for (size_t i = 0; i < 100; ++i) ASSERT_EQ(data[i], pattern(2048 + i, 9)) << i;
  for (size_t i = 100; i < 2048; ++i) ASSERT_EQ(data[i], 0) << i;
}

TEST(CdromReadsDvd, ReadCdOnDvdIsIncompatible) {
  TempDir dir;
  std::string path = make_sparse_image(dir, "big.iso", (kMaxCdBlocks + 1) * 2048);
  auto d = make_drive({{"image", path}});
  ASSERT_EQ(d->status, Status::ok);
  expect_sense(*exec(d->dev.get(), read_cd(0, 1), 2048), SenseKey::illegal_request, 0x30, 0x02);
  EXPECT_GOOD(exec(d->dev.get(), read10(kMaxCdBlocks, 1), 2048));
}

}  // namespace
}  // namespace nexus::cdrom::test
