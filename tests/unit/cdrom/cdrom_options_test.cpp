// Options of the cdrom handler and the factory's validation.
#include "cdrom_fakes.h"

namespace nexus::cdrom::test {
namespace {

TEST(CdromOptions, DefaultsWithoutImage) {
  auto d = make_drive({});
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  DeviceInfo info{};
  info.struct_size = sizeof info;
  ASSERT_EQ(d->dev->info(&info), Status::ok);
  EXPECT_EQ(info.type, PeripheralType::cdrom);
  EXPECT_TRUE(info.flags & DeviceInfoFlags::removable);
  EXPECT_FALSE(info.flags & DeviceInfoFlags::medium_present);
  EXPECT_EQ(info.block_size, 2048u);
  EXPECT_EQ(info.num_blocks, 0u);
  EXPECT_STREQ(info.vendor, "NEXUS");
  EXPECT_STREQ(info.product, "VIRTUAL-CDROM");
  EXPECT_EQ(std::string(info.serial), derive_serial("cd0"));
  EXPECT_EQ(d->medium()->state(), MediumState::empty);
}

TEST(CdromOptions, IdentityAndImage) {
  TempDir dir;
  std::string img = make_image(dir, "a.iso", 10 * 2048);
  auto d = make_drive({{"image", img},
                       {"vendor", "ACME"},
                       {"product", "DVD-ROM X1"},
                       {"revision", "1.02"},
                       {"serial", "SN42"}});
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  DeviceInfo info{};
  info.struct_size = sizeof info;
  d->dev->info(&info);
  EXPECT_STREQ(info.vendor, "ACME");
  EXPECT_STREQ(info.product, "DVD-ROM X1");
  EXPECT_STREQ(info.revision, "1.02");
  EXPECT_STREQ(info.serial, "SN42");
  EXPECT_TRUE(info.flags & DeviceInfoFlags::medium_present);
  EXPECT_TRUE(info.flags & DeviceInfoFlags::ready);
  EXPECT_EQ(info.num_blocks, 10u);
  EXPECT_EQ(d->medium()->state(), MediumState::loaded);
  EXPECT_EQ(to_sv(d->medium()->medium_path()), img);
  EXPECT_TRUE(d->host.uas.empty());  // the core reports POWER ON at start
}

TEST(CdromOptions, RejectsBadValues) {
  auto d = make_drive({{"vendor", "TOO-LONG-VENDOR"}});
  EXPECT_EQ(d->status, Status::invalid_argument);
  EXPECT_FALSE(d->options->errors.empty());
  auto e = make_drive({{"image", ""}});
  EXPECT_EQ(e->status, Status::invalid_argument);
  auto m = make_drive({{"image", "/nonexistent/x.iso"}});
  EXPECT_EQ(m->status, Status::invalid_argument);
  ASSERT_FALSE(m->options->errors.empty());
  EXPECT_NE(m->options->all_errors().find("/nonexistent/x.iso"), std::string::npos);
}

TEST(CdromOptions, EmptyImageFileIsRejected) {
  TempDir dir;
  std::string img = make_image(dir, "empty.iso", 0);
  auto d = make_drive({{"image", img}});
  EXPECT_EQ(d->status, Status::invalid_argument);
  EXPECT_NE(d->options->all_errors().find("empty"), std::string::npos);
}

TEST(CdromOptions, CheckOnlyValidatesImage) {
  TempDir dir;
  std::string img = make_image(dir, "a.iso", 2048);
  EXPECT_EQ(make_drive({{"image", img}}, true)->status, Status::ok);
  auto bad = make_drive({{"image", dir.file("missing.iso")}}, true);
  EXPECT_EQ(bad->status, Status::invalid_argument);
  EXPECT_FALSE(bad->options->errors.empty());
  auto dirimg = make_drive({{"image", "/tmp"}}, true);
  EXPECT_EQ(dirimg->status, Status::invalid_argument);
}

}  // namespace
}  // namespace nexus::cdrom::test
