// Options parsing, identity and --check-config behaviour of the factory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_options.h"
#include "fakes.h"

namespace nexus::disk::test {
namespace {

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

TEST(DiskOptions, DefaultsForRam) {
  FakeOptions o({{"backend", "ram"}, {"size", "1M"}});
  DiskOptions d;
  ASSERT_TRUE(parse_disk_options(&o, &d)) << o.all_errors();
  EXPECT_EQ(d.backend, BackendKind::ram);
  EXPECT_EQ(d.size, 1u << 20);
  EXPECT_EQ(d.block_size, 512u);
  EXPECT_TRUE(d.thin);
  EXPECT_FALSE(d.read_only);
  EXPECT_EQ(d.vendor, "NEXUS");
  EXPECT_EQ(d.product, "VIRTUAL-DISK");
  EXPECT_EQ(d.revision, "0001");
}

TEST(DiskOptions, RejectsBadBlockSize) {
  FakeOptions o({{"backend", "ram"}, {"size", "1M"}, {"block_size", "1024"}});
  DiskOptions d;
  EXPECT_FALSE(parse_disk_options(&o, &d));
  EXPECT_NE(o.all_errors().find("512 or 4096"), std::string::npos) << o.all_errors();
}

TEST(DiskOptions, FileNeedsPathAndRamNeedsSize) {
  FakeOptions f(std::map<std::string, std::string>{{"backend", "file"}});
  DiskOptions d;
  EXPECT_FALSE(parse_disk_options(&f, &d));
  EXPECT_NE(f.all_errors().find("path"), std::string::npos);
  FakeOptions r(std::map<std::string, std::string>{{"backend", "ram"}});
  EXPECT_FALSE(parse_disk_options(&r, &d));
  EXPECT_NE(r.all_errors().find("size"), std::string::npos);
  FakeOptions n({{"backend", "null"}, {"size", "1M"}, {"path", "/x"}});
  EXPECT_FALSE(parse_disk_options(&n, &d));
}

TEST(DiskOptions, RejectsUnknownBackendAndLongIdentity) {
  FakeOptions o({{"backend", "tape"}, {"size", "1M"}});
  DiskOptions d;
  EXPECT_FALSE(parse_disk_options(&o, &d));
  FakeOptions v({{"backend", "ram"}, {"size", "1M"}, {"vendor", "TOOLONGVENDOR"}});
  EXPECT_FALSE(parse_disk_options(&v, &d));
}

TEST(DiskOptions, DerivedSerialIsStableAndDistinct) {
  EXPECT_EQ(derive_serial("disk0"), derive_serial("disk0"));
  EXPECT_NE(derive_serial("disk0"), derive_serial("disk1"));
  auto d = make_disk({{"backend", "ram"}, {"size", "1M"}});
  ASSERT_EQ(d->status, Status::ok);
  DeviceInfo info{};
  info.struct_size = sizeof info;
  ASSERT_EQ(d->dev->info(&info), Status::ok);
  EXPECT_EQ(std::string(info.serial), derive_serial("disk0"));
  EXPECT_STREQ(info.vendor, "NEXUS");
  EXPECT_EQ(info.type, PeripheralType::disk);
  EXPECT_EQ(info.num_blocks, 2048u);
}

TEST(DiskCheckOnly, MissingBackingFileNamesThePath) {
  TempDir t;
  std::string p = t.file("nope.img");
  auto d = make_disk({{"backend", "file"}, {"path", p}}, /*check_only=*/true);
  EXPECT_EQ(d->status, Status::invalid_argument);
  EXPECT_NE(d->options->all_errors().find(p), std::string::npos) << d->options->all_errors();
  EXPECT_FALSE(exists(p));
}

TEST(DiskCheckOnly, CreateCreatesNothing) {
  TempDir t;
  std::string p = t.file("new.img");
  auto d = make_disk({{"backend", "file"}, {"path", p}, {"create", "true"}, {"size", "4M"}}, true);
  EXPECT_EQ(d->status, Status::ok) << d->options->all_errors();
  EXPECT_FALSE(exists(p));
  auto bad = make_disk(
      {{"backend", "file"}, {"path", t.file("no/dir/x.img")}, {"create", "true"}, {"size", "4M"}},
      true);
  EXPECT_EQ(bad->status, Status::invalid_argument);
  EXPECT_NE(bad->options->all_errors().find("does not exist"), std::string::npos);
}

TEST(DiskFile, CreateMakesSparseFileAndSizeDefaultsToFileSize) {
  TempDir t;
  std::string p = t.file("d.img");
  {
    auto d = make_disk({{"path", p}, {"create", "true"}, {"size", "64M"}});
    ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  }
  struct stat st;
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 64 << 20);
  EXPECT_LT(st.st_blocks * 512, 1 << 20);  // sparse
  auto again = make_disk({{"path", p}, {"block_size", "4096"}});
  ASSERT_EQ(again->status, Status::ok) << again->options->all_errors();
  EXPECT_EQ(again->disk()->num_blocks(), (64u << 20) / 4096);
}

TEST(DiskFile, MissingFileWithoutCreateFails) {
  TempDir t;
  auto d = make_disk({{"path", t.file("x.img")}});
  EXPECT_EQ(d->status, Status::invalid_argument);
  EXPECT_NE(d->options->all_errors().find("x.img"), std::string::npos);
}

}  // namespace
}  // namespace nexus::disk::test
