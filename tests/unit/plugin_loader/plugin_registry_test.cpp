#include "plugin_registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config_loader.h"
#include "log_capture.h"
#include "plugin_references.h"

namespace nexus::server {
namespace {

namespace fs = std::filesystem;
using testing::LogCapture;

const fs::path kPlugins = TEST_PLUGIN_DIR;

// Lines of `log` that mention `needle`.
std::string lines_with(const std::string& log, const std::string& needle) {
  std::string out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) out += line + "\n";
  return out;
}

TEST(PluginRegistry, LoadsAGoodPlugin) {
  LogCapture log;
  PluginRegistry reg;
  ASSERT_TRUE(reg.load_file(kPlugins / "good.so")) << log.text();
  const LoadedPlugin* p = reg.find(PluginKind::device, "test-good");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->version, "0.1");
  EXPECT_EQ(p->abi_major, NEXUS_ABI_MAJOR);
  EXPECT_EQ(reg.find(PluginKind::transport, "test-good"), nullptr);
  EXPECT_EQ(reg.find(PluginKind::device, "other"), nullptr);
  IDevice* dev = reinterpret_cast<IDevice*>(1);
  EXPECT_EQ(p->create_device(nullptr, nullptr, &dev), Status::unsupported);
  EXPECT_EQ(dev, nullptr);
  ITransport* tr = nullptr;
  EXPECT_EQ(p->create_transport(nullptr, nullptr, &tr), Status::unsupported);
  const std::string abi = "(ABI " + std::to_string(NEXUS_ABI_MAJOR) + "." +
                          std::to_string(NEXUS_ABI_MINOR) + ")";
  EXPECT_NE(log.text().find("loaded device plugin 'test-good' 0.1 " + abi), std::string::npos)
      << log.text();
  EXPECT_NE(reg.describe().find("test-good"), std::string::npos);
}

TEST(PluginRegistry, RefusesAnotherAbiMajorInOneClearLine) {
  LogCapture log;
  PluginRegistry reg;
  EXPECT_FALSE(reg.load_file(kPlugins / "abi_major2.so"));
  EXPECT_TRUE(reg.plugins().empty());
  std::string line = lines_with(log.text(), "abi_major2.so");
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << log.text();
  EXPECT_NE(line.find("refused"), std::string::npos) << line;
  EXPECT_NE(line.find("ABI 2.0"), std::string::npos) << line;
  EXPECT_NE(
      line.find("ABI " + std::to_string(NEXUS_ABI_MAJOR) + "." + std::to_string(NEXUS_ABI_MINOR)),
      std::string::npos)
      << line;
  EXPECT_NE(line.find("major version must match"), std::string::npos) << line;
}

TEST(PluginRegistry, RefusesANewerMinor) {
  LogCapture log;
  PluginRegistry reg;
  EXPECT_FALSE(reg.load_file(kPlugins / "abi_newer_minor.so"));
  std::string line = lines_with(log.text(), "abi_newer_minor.so");
  EXPECT_NE(line.find("refused"), std::string::npos) << log.text();
  EXPECT_NE(line.find("newer than this nexusd"), std::string::npos) << line;
}

TEST(PluginRegistry, SkipsLibrariesWithoutTheEntrySymbol) {
  LogCapture log;
  PluginRegistry reg;
  EXPECT_FALSE(reg.load_file(kPlugins / "no_symbol.so"));
  EXPECT_NE(lines_with(log.text(), "no_symbol.so").find("not a Nexus plugin"), std::string::npos)
      << log.text();
}

TEST(PluginRegistry, RefusesADescriptorWithoutName) {
  LogCapture log;
  PluginRegistry reg;
  EXPECT_FALSE(reg.load_file(kPlugins / "no_name.so"));
  EXPECT_NE(lines_with(log.text(), "no_name.so").find("invalid plugin name"), std::string::npos)
      << log.text();
}

TEST(PluginRegistry, LoadDirAcceptsOnlyTheGoodOneAndRefusesTheDuplicate) {
  LogCapture log;
  PluginRegistry reg;
  EXPECT_EQ(reg.load_dir(kPlugins), 1u) << log.text();
  ASSERT_EQ(reg.plugins().size(), 1u);
  EXPECT_EQ(reg.plugins()[0].path.filename(), "good.so");
  std::string dup = lines_with(log.text(), "zz_duplicate.so");
  EXPECT_NE(dup.find("a plugin named 'test-good' is already loaded"), std::string::npos)
      << log.text();
}

class PluginDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nexus-plugin-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(PluginDirTest, GarbageFilesAreSkippedNotFatal) {
  std::ofstream(dir_ / "garbage.so") << "this is not an ELF file\n";
  std::ofstream(dir_ / "empty.so");
  std::ofstream(dir_ / "README.txt") << "ignored: not a .so\n";
  fs::copy_file(kPlugins / "good.so", dir_ / "good.so");
  LogCapture log;
  PluginRegistry reg;
  EXPECT_EQ(reg.load_dir(dir_), 1u);
  EXPECT_NE(lines_with(log.text(), "garbage.so").find("cannot load"), std::string::npos)
      << log.text();
  EXPECT_NE(lines_with(log.text(), "empty.so").find("cannot load"), std::string::npos);
  EXPECT_EQ(lines_with(log.text(), "README.txt"), "");
  // The same directory again: nothing new, nothing refused loudly.
  EXPECT_EQ(reg.load_dir(dir_), 0u);
  EXPECT_EQ(reg.plugins().size(), 1u);
}

TEST_F(PluginDirTest, MissingDirectoryIsReported) {
  LogCapture log;
  PluginRegistry reg;
  EXPECT_EQ(reg.load_dir(dir_ / "nope"), 0u);
  EXPECT_NE(log.text().find("does not exist"), std::string::npos);
}

TEST(PluginReferences, UnknownHandlersAndTransportsAreErrors) {
  LogCapture log;
  PluginRegistry reg;
  ASSERT_TRUE(reg.load_file(kPlugins / "good.so"));
  LoadResult r = load_config_string(R"(devices:
  - {name: a, handler: test-good}
  - {name: b, handler: nosuch}
targets:
  - name: iqn.2026-01.com.example:t
    luns: [{lun: 0, device: a}]
)",
                                    "refs.yaml");
  ASSERT_TRUE(r.ok()) << r.diagnostics.format();
  Diagnostics d = check_plugin_references(r.config, reg);
  ASSERT_EQ(d.error_count(), 2u) << d.format();
  EXPECT_EQ(d.items()[0].format(),
            "refs.yaml:3:24: devices[1].handler: unknown device handler 'nosuch' (loaded device "
            "plugins: test-good)");
  // No transports: section: the error points at the target that needs the transport.
  EXPECT_EQ(d.items()[1].format(),
            "refs.yaml:5:5: targets[0].transport: unknown transport plugin 'iscsi' (loaded "
            "transport plugins: none)");
}

TEST(PluginRegistry, DefaultPluginDirIsNextToTheExecutable) {
  fs::path d = default_plugin_dir();
  EXPECT_EQ(d.filename(), "nexus");
  EXPECT_EQ(d.parent_path().filename(), "lib");
}

}  // namespace
}  // namespace nexus::server
