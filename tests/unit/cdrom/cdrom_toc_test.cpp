// READ TOC/PMA/ATIP formats 0 and 1 (LBA and MSF), READ DISC INFORMATION
// and READ TRACK INFORMATION, byte for byte.
#include "cdrom_fakes.h"

namespace nexus::cdrom::test {
namespace {

// 5000 blocks: lead-out at LBA 5000 = 01:08:50 MSF (5150 frames).
constexpr uint32_t kBlocks = 5000;

class CdromToc : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = make_drive({{"image", make_sparse_image(dir_, "disc.iso", uint64_t(kBlocks) * 2048)}});
    ASSERT_EQ(d_->status, Status::ok) << d_->options->all_errors();
  }
  std::unique_ptr<FakeCommand> run(std::vector<uint8_t> cdb, uint32_t len = 1024) {
    return exec(d_->dev.get(), std::move(cdb), len);
  }
  TempDir dir_;
  std::unique_ptr<Drive> d_;
};

TEST_F(CdromToc, Format0Lba) {
  auto c = run(read_toc(0, false));
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(), bytes({0x00, 0x12, 0x01, 0x01,                             // header
                              0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,     // track 1 @ 0
                              0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x13, 0x88}));  // lead-out
}

TEST_F(CdromToc, Format0Msf) {
  auto c = run(read_toc(0, true));
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(), bytes({0x00, 0x12, 0x01, 0x01,                             //
                              0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00,     // 00:02:00
                              0x00, 0x14, 0xAA, 0x00, 0x00, 0x01, 0x08, 0x32}));  // 01:08:50
}

TEST_F(CdromToc, Format0StartingAtLeadOut) {
  auto c = run(read_toc(0, false, 0xAA));
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(),
            bytes({0x00, 0x0A, 0x01, 0x01, 0x00, 0x14, 0xAA, 0x00, 0x00, 0x00, 0x13, 0x88}));
  EXPECT_EQ(run(read_toc(0, false, 1))->data().size(), 20u);
  auto bad = run(read_toc(0, false, 2));
  expect_sense(*bad, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(bad->sense().field_pointer, 6);
}

TEST_F(CdromToc, Format1SessionInfo) {
  auto lba = run(read_toc(1, false));
  EXPECT_GOOD(lba);
  EXPECT_EQ(lba->data(),
            bytes({0x00, 0x0A, 0x01, 0x01, 0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00}));
  auto msf = run(read_toc(1, true));
  EXPECT_EQ(msf->data(),
            bytes({0x00, 0x0A, 0x01, 0x01, 0x00, 0x14, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00}));
  // Linux sr's multisession probe: format in control byte bits 7-6.
  auto legacy = run(read_toc(0, false, 0, 12, 0x40));
  EXPECT_GOOD(legacy);
  EXPECT_EQ(legacy->data(), lba->data());
}

TEST_F(CdromToc, OtherFormatsAreInvalid) {
  for (uint8_t f : {2, 3, 4, 5}) {
    auto c = run(read_toc(f, false));
    expect_sense(*c, SenseKey::illegal_request, 0x24, 0x00);
    EXPECT_EQ(c->sense().field_pointer, 2);
  }
}

TEST_F(CdromToc, AllocationLengthTruncates) {
  auto c = run(read_toc(0, false, 0, 4), 4);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(), bytes({0x00, 0x12, 0x01, 0x01}));  // full length still reported
}

TEST_F(CdromToc, DiscInformation) {
  auto c = run(cdb10(op::kReadDiscInfo, 0, 0, 0, 34), 34);
  EXPECT_GOOD(c);
  std::vector<uint8_t> want(34, 0);
  want[1] = 0x20;
  want[2] = 0x0E;
  want[3] = want[4] = want[5] = want[6] = 1;
  for (int i = 16; i < 24; ++i) want[i] = 0xFF;
  EXPECT_EQ(c->data(), want);
  expect_sense(*run(cdb10(op::kReadDiscInfo, 1, 0, 0, 34), 34), SenseKey::illegal_request, 0x24,
               0x00);
}

TEST_F(CdromToc, TrackInformation) {
  std::vector<uint8_t> want(48, 0);
  want[1] = 0x2E;
  want[2] = want[3] = 1;
  want[5] = 0x04;
  want[6] = 0x01;
  put_be32(&want[24], kBlocks);
  auto by_track = run(cdb10(op::kReadTrackInfo, 1, 1, 0, 48), 48);
  EXPECT_GOOD(by_track);
  EXPECT_EQ(by_track->data(), want);
  EXPECT_EQ(run(cdb10(op::kReadTrackInfo, 0, kBlocks - 1, 0, 48), 48)->data(), want);
  EXPECT_EQ(run(cdb10(op::kReadTrackInfo, 2, 1, 0, 48), 48)->data(), want);
  expect_sense(*run(cdb10(op::kReadTrackInfo, 0, kBlocks, 0, 48), 48), SenseKey::illegal_request,
               0x21, 0x00);
  expect_sense(*run(cdb10(op::kReadTrackInfo, 1, 2, 0, 48), 48), SenseKey::illegal_request, 0x24,
               0x00);
  expect_sense(*run(cdb10(op::kReadTrackInfo, 3, 1, 0, 48), 48), SenseKey::illegal_request, 0x24,
               0x00);
}

TEST(CdromMsf, Conversion) {
  EXPECT_EQ(lba_to_msf(0).m, 0);
  EXPECT_EQ(lba_to_msf(0).s, 2);
  EXPECT_EQ(lba_to_msf(0).f, 0);
  Msf end = lba_to_msf(kMaxCdBlocks);  // the largest CD lead-out: 99:59:74
  EXPECT_EQ(end.m, 99);
  EXPECT_EQ(end.s, 59);
  EXPECT_EQ(end.f, 74);
  Msf sat = lba_to_msf(1ull << 40);
  EXPECT_EQ(sat.m, 0xFF);
  EXPECT_EQ(sat.s, 59);
  EXPECT_EQ(sat.f, 74);
}

}  // namespace
}  // namespace nexus::cdrom::test
