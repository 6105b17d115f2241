// GET CONFIGURATION: feature header and descriptors, RT 0/1/2; MODE SENSE
// page 2Ah.
#include "cdrom_fakes.h"

namespace nexus::cdrom::test {
namespace {

const std::vector<uint8_t> kProfileList = bytes({0x00, 0x00, 0x03, 0x08,  //
                                                 0x00, 0x10, 0x00, 0x00, 0x00, 0x08, 0x01, 0x00});
const std::vector<uint8_t> kCore =
    bytes({0x00, 0x01, 0x0B, 0x08, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00});
const std::vector<uint8_t> kMorphing = bytes({0x00, 0x02, 0x07, 0x04, 0x02, 0x00, 0x00, 0x00});
const std::vector<uint8_t> kRemovable = bytes({0x00, 0x03, 0x0B, 0x04, 0x3D, 0x00, 0x00, 0x00});

std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> v;
  for (auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

std::vector<uint8_t> header(uint32_t total, uint16_t profile) {
  std::vector<uint8_t> h(8, 0);
  put_be32(h.data(), total - 4);
  put_be16(h.data() + 6, profile);
  return h;
}

TEST(CdromFeatures, AllFeaturesWithCd) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 16 * 2048)}});
  auto c = exec(d->dev.get(), get_config(0, 0), 512);
  EXPECT_GOOD(c);
  auto random_readable =
      bytes({0x00, 0x10, 0x01, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00});
  auto cd_read = bytes({0x00, 0x1E, 0x09, 0x04, 0x00, 0x00, 0x00, 0x00});
  auto dvd_read = bytes({0x00, 0x1F, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00});
  auto body = cat({kProfileList, kCore, kMorphing, kRemovable, random_readable, cd_read, dvd_read});
  EXPECT_EQ(c->data(), cat({header(8 + body.size(), 0x0008), body}));
}

TEST(CdromFeatures, CurrentOnlyWithoutDisc) {
  auto d = make_drive({});
  auto c = exec(d->dev.get(), get_config(1, 0), 512);
  EXPECT_GOOD(c);
  auto profiles = kProfileList;
  profiles[10] = 0x00;  // no CurrentP without a disc
  auto body = cat({profiles, kCore, kMorphing, kRemovable});
  EXPECT_EQ(c->data(), cat({header(8 + body.size(), 0x0000), body}));
}

TEST(CdromFeatures, OneFeatureAndStartingNumber) {
  auto d = make_drive({});
  auto one = exec(d->dev.get(), get_config(2, 0x0003), 512);
  EXPECT_GOOD(one);
  EXPECT_EQ(one->data(), cat({header(16, 0), kRemovable}));
  // RT=2 also returns a feature that is not current.
  auto dvd = exec(d->dev.get(), get_config(2, 0x001F), 512);
  EXPECT_EQ(dvd->data(), cat({header(16, 0), bytes({0x00, 0x1F, 0x04, 0x04, 0, 0, 0, 0})}));
  // Unknown feature: the header alone.
  EXPECT_EQ(exec(d->dev.get(), get_config(2, 0x0020), 512)->data(), header(8, 0));
  // RT=0 from 0002h on skips Profile List and Core.
  auto from2 = exec(d->dev.get(), get_config(0, 0x0002), 512)->data();
  ASSERT_GE(from2.size(), 12u);
  EXPECT_EQ(from2[8], 0x00);
  EXPECT_EQ(from2[9], 0x02);
  expect_sense(*exec(d->dev.get(), get_config(3, 0), 512), SenseKey::illegal_request, 0x24, 0x00);
}

TEST(CdromFeatures, HeaderOnlyAllocation) {
  // Linux's cdrom layer reads just the 8-byte header for the current profile.
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  auto c = exec(d->dev.get(), get_config(0, 0, 8), 8);
  EXPECT_GOOD(c);
  ASSERT_EQ(c->data().size(), 8u);
  EXPECT_EQ(c->data()[6], 0x00);
  EXPECT_EQ(c->data()[7], 0x08);
  EXPECT_GT(get_be32(c->data().data()), 4u);
}

TEST(CdromFeatures, LargeImageIsDvd) {
  TempDir dir;
  auto d = make_drive({{"image", make_sparse_image(dir, "dvd.iso", (kMaxCdBlocks + 1) * 2048)}});
  auto all = exec(d->dev.get(), get_config(1, 0), 512)->data();
  EXPECT_EQ(all[6], 0x00);
  EXPECT_EQ(all[7], 0x10);
  EXPECT_EQ(all[8 + 6], 0x01);   // DVD-ROM CurrentP
  EXPECT_EQ(all[8 + 10], 0x00);  // CD-ROM not current
  // Current features end with Random Readable (blocking 16) and DVD Read.
  auto tail = std::vector<uint8_t>(all.end() - 20, all.end());
  EXPECT_EQ(tail, bytes({0x00, 0x10, 0x01, 0x08, 0x00, 0x00, 0x08, 0x00, 0x00, 0x10,
                         0x00, 0x00, 0x00, 0x1F, 0x05, 0x04, 0x00, 0x00, 0x00, 0x00}));
  // And it stays a CD up to the last MSF-addressable size.
  auto cd = make_drive({{"image", make_sparse_image(dir, "cd.iso", kMaxCdBlocks * 2048)}});
  EXPECT_EQ(exec(cd->dev.get(), get_config(0, 0, 8), 8)->data()[7], 0x08);
}

TEST(CdromModePage, CapabilitiesPage) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  const ModePageId* ids = nullptr;
  ASSERT_EQ(d->dev->mode_pages(&ids), 1u);
  EXPECT_EQ(ids[0].page, 0x2A);
  uint8_t p[64];
  uint32_t len = 0;
  ASSERT_EQ(d->dev->mode_page({0x2A, 0}, ModePageControl::current, {p, sizeof p}, &len),
            Status::ok);
  std::vector<uint8_t> want(32, 0);
  want[0] = 0x2A;
  want[1] = 0x1E;
  want[2] = 0x08;
  want[4] = 0x40;
  want[6] = 0x2D;
  put_be16(&want[8], 7040);
  put_be16(&want[14], 7040);
  ASSERT_EQ(len, 32u);
  EXPECT_EQ(std::vector<uint8_t>(p, p + len), want);
  // Lock State follows PREVENT ALLOW MEDIUM REMOVAL.
  EXPECT_GOOD(exec(d->dev.get(), prevent(1), 0));
  d->dev->mode_page({0x2A, 0}, ModePageControl::current, {p, sizeof p}, &len);
  EXPECT_EQ(p[6], 0x2F);
  d->dev->mode_page({0x2A, 0}, ModePageControl::defaults, {p, sizeof p}, &len);
  EXPECT_EQ(p[6], 0x2D);
  // Nothing is changeable.
  d->dev->mode_page({0x2A, 0}, ModePageControl::changeable, {p, sizeof p}, &len);
  for (size_t i = 2; i < len; ++i) EXPECT_EQ(p[i], 0) << i;
  EXPECT_EQ(d->dev->mode_page({0x01, 0}, ModePageControl::current, {p, sizeof p}, &len),
            Status::unsupported);
  BlockDescriptor bd{};
  EXPECT_EQ(d->dev->block_descriptor(&bd), Status::unsupported);
}

}  // namespace
}  // namespace nexus::cdrom::test
