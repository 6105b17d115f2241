// Options of the passthrough handler and resolution of `path` to an sg node.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "pt_fakes.h"
#include "pt_options.h"
#include "sg_path.h"

namespace nexus::passthrough::test {
namespace {

namespace fs = std::filesystem;

TEST(PassthroughOptions, DurationsParse) {
  EXPECT_EQ(parse_duration("500ms"), 500u);
  EXPECT_EQ(parse_duration("30s"), 30'000u);
  EXPECT_EQ(parse_duration("45"), 45'000u);
  EXPECT_EQ(parse_duration("10m"), 600'000u);
  EXPECT_EQ(parse_duration("4h"), 14'400'000u);
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("h"));
  EXPECT_FALSE(parse_duration("5d"));
  EXPECT_FALSE(parse_duration("-5s"));
}

TEST(PassthroughOptions, DefaultsFollowTheDesign) {
  auto n = Node::map();
  n->set("path", "/dev/sg0");
  PassthroughOptions o;
  ASSERT_TRUE(parse_passthrough_options(n.get(), &o)) << n->all_errors();
  EXPECT_TRUE(o.exclusive);
  EXPECT_EQ(o.timeout_ms, 60'000u);
  EXPECT_EQ(o.long_timeout_ms, 4u * 3600'000u);
  EXPECT_EQ(o.workers, 0u);
  EXPECT_EQ(o.max_transfer, 0u);
  EXPECT_EQ(o.reattach_interval_ms, 5'000u);
}

TEST(PassthroughOptions, MissingPathNamesTheKey) {
  auto h = std::make_unique<Harness>();
  script_tape(*h->fake);
  EXPECT_EQ(h->create(), Status::invalid_argument);
  EXPECT_NE(h->options->all_errors().find("missing required key 'path'"), std::string::npos)
      << h->options->all_errors();
  EXPECT_EQ(h->fake->opens, 0);
}

TEST(PassthroughOptions, BadValuesAreReportedOnTheirKey) {
  struct Case {
    const char* key;
    const char* value;
  } cases[] = {{"timeout", "soon"},  {"long_timeout", "0s"}, {"workers", "65"},
               {"exclusive", "maybe"}, {"max_transfer", "100"}, {"reattach_interval", "1ms"}};
  for (const Case& c : cases) {
    auto n = Node::map();
    n->set("path", "/dev/sg0").set(c.key, c.value);
    PassthroughOptions o;
    EXPECT_FALSE(parse_passthrough_options(n.get(), &o)) << c.key;
    EXPECT_EQ(n->all_errors().rfind(std::string(c.key) + ": ", 0), 0u) << n->all_errors();
  }
}

TEST(PassthroughOptions, ExclusiveFalseOpensShared) {
  auto h = make_tape({{"exclusive", "false"}});
  ASSERT_EQ(h->status, Status::ok);
  EXPECT_FALSE(h->fake->opened_exclusive);
}

TEST(PassthroughOptions, UnresolvablePathIsAnErrorOnPath) {
  // The plugin's own factory: the real resolver and sg_pt backend.
  FakeHost host;
  auto n = Node::map();
  n->set("path", "/dev/nexus-test-no-such-sg");
  IDevice* dev = nullptr;
  EXPECT_EQ(create_passthrough_device(&host, n.get(), &dev), Status::invalid_argument);
  EXPECT_EQ(dev, nullptr);
  EXPECT_NE(n->all_errors().find("path: /dev/nexus-test-no-such-sg: No such file"),
            std::string::npos)
      << n->all_errors();
}

TEST(PassthroughOptions, DeviceThatCannotBeOpenedIsAnErrorOnPath) {
  auto h = std::make_unique<Harness>();
  script_tape(*h->fake);
  h->fake->present = false;
  h->options->set("path", "/dev/sg3");
  EXPECT_EQ(h->create(), Status::io_error);
  EXPECT_NE(h->options->all_errors().find("path: /dev/sg3: No such device"), std::string::npos)
      << h->options->all_errors();
}

// A fake /sys and /dev: /dev/null (char 1:3) stands for a tape node whose
// scsi_device has sg7.
class SgPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nexus-pt-test-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    roots_.sys = root_ + "/sys";
    roots_.dev = root_ + "/dev";
    fs::create_directories(roots_.dev);
    fs::create_symlink("/dev/null", roots_.dev + "/sg7");
    fs::create_symlink("/dev/null", root_ + "/by-id-link");
  }
  void TearDown() override { fs::remove_all(root_); }
  void bind_sg(const std::string& name) {
    fs::create_directories(roots_.sys + "/dev/char/1:3/device/scsi_generic/" + name);
  }

  std::string root_;
  SysRoots roots_;
};

TEST_F(SgPathTest, SymlinkToANodeResolvesThroughSysfs) {
  bind_sg("sg7");
  std::string sg, err;
  ASSERT_TRUE(resolve_sg_path(root_ + "/by-id-link", roots_, &sg, &err)) << err;
  EXPECT_EQ(sg, roots_.dev + "/sg7");
}

TEST_F(SgPathTest, NodeWithoutSgIsExplained) {
  std::string sg, err;
  EXPECT_FALSE(resolve_sg_path(root_ + "/by-id-link", roots_, &sg, &err));
  EXPECT_NE(err.find("no SCSI generic (sg) node"), std::string::npos) << err;
}

TEST_F(SgPathTest, SgNodeMissingFromDevIsExplained) {
  bind_sg("sg9");
  std::string sg, err;
  EXPECT_FALSE(resolve_sg_path(root_ + "/by-id-link", roots_, &sg, &err));
  EXPECT_NE(err.find("sg9, which is missing"), std::string::npos) << err;
}

TEST_F(SgPathTest, RegularFileIsNotADevice) {
  std::string file = root_ + "/plain";
  fs::create_directories(root_ + "/d");
  { std::FILE* f = std::fopen(file.c_str(), "w"); std::fclose(f); }
  std::string sg, err;
  EXPECT_FALSE(resolve_sg_path(file, roots_, &sg, &err));
  EXPECT_NE(err.find("is not a device node"), std::string::npos) << err;
}

}  // namespace
}  // namespace nexus::passthrough::test
