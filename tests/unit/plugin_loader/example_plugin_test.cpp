// Loads the SDK example plugin (examples/out-of-tree-plugin) through the
// PluginRegistry and drives I/O through it. By default it uses the copy built
// in tree; tests/integration/sdk_example/run.sh points NEXUS_EXAMPLE_PLUGIN at
// the copy built out of tree against the installed SDK.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "config_loader.h"
#include "log_capture.h"
#include "nexus/bytes.hpp"
#include "plugin_registry.h"
#include "yaml_config_node.h"

namespace nexus::server {
namespace {

std::filesystem::path example_path() {
  const char* env = std::getenv("NEXUS_EXAMPLE_PLUGIN");
  return env && *env ? env : TEST_EXAMPLE_PLUGIN;
}

class FakeDeviceHost final : public IDeviceHost {
 public:
  explicit FakeDeviceHost(bool check_only = false) : check_only_(check_only) {}
  Str name() const noexcept override { return to_str("ram0"); }
  Str state_dir() const noexcept override { return to_str("/nonexistent"); }
  bool check_only() const noexcept override { return check_only_; }
  void log(LogLevel, Str message) noexcept override { logs.emplace_back(to_sv(message)); }
  void raise_ua(UaScope, uint64_t, uint8_t, uint8_t) noexcept override { ++uas; }
  IReactor* current_reactor() noexcept override { return nullptr; }
  uint32_t reactor_count() const noexcept override { return 0; }
  IReactor* reactor(uint32_t) noexcept override { return nullptr; }

  std::vector<std::string> logs;
  int uas = 0;

 private:
  bool check_only_;
};

// A command whose buffer is split in two segments to exercise scatter-gather.
class FakeCommand final : public IDeviceCommand {
 public:
  FakeCommand(std::vector<uint8_t> cdb, uint32_t length) : cdb_(std::move(cdb)), buf_(length) {
    uint32_t half = length / 2;
    iov_[0] = IoVec{buf_.data(), half};
    iov_[1] = IoVec{buf_.data() + half, length - half};
    transferred_ = length;
  }
  ConstByteSpan cdb() const noexcept override { return {cdb_.data(), cdb_.size()}; }
  uint64_t lun() const noexcept override { return 0; }
  TaskAttr task_attr() const noexcept override { return TaskAttr::simple; }
  uint64_t nexus_id() const noexcept override { return 1; }
  uint32_t data_length() const noexcept override { return uint32_t(buf_.size()); }
  uint32_t iov(const IoVec** out) const noexcept override {
    *out = iov_;
    return buf_.empty() ? 0 : 2;
  }
  void set_transfer_length(uint32_t bytes) noexcept override { transferred_ = bytes; }
  void complete(ScsiStatus status, const SenseInfo* sense) noexcept override {
    ++completions;
    this->status = status;
    if (sense) this->sense = *sense;
  }
  bool aborted() const noexcept override { return false; }

  std::vector<uint8_t>& buffer() { return buf_; }
  uint32_t transferred() const { return transferred_; }
  int completions = 0;
  ScsiStatus status = ScsiStatus::busy;
  SenseInfo sense{};

 private:
  std::vector<uint8_t> cdb_;
  std::vector<uint8_t> buf_;
  IoVec iov_[2];
  uint32_t transferred_;
};

std::vector<uint8_t> rw10(uint8_t op, uint32_t lba, uint16_t blocks) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op;
  put_be32(&c[2], lba);
  put_be16(&c[7], blocks);
  return c;
}

class ExamplePlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(reg_.load_file(example_path())) << log_.text();
    plugin_ = reg_.find(PluginKind::device, "example-ramdisk");
    ASSERT_NE(plugin_, nullptr);
  }
  // Creates a device from YAML options; returns null on failure.
  IDevice* create(const std::string& options_yaml, FakeDeviceHost& host, Diagnostics* errs) {
    LoadResult r = load_config_string(
        "devices:\n  - name: ram0\n    handler: example-ramdisk\n"
        "    options: " +
            options_yaml + "\n",
        "example.yaml");
    EXPECT_TRUE(r.ok()) << r.diagnostics.format();
    const Device& d = r.config.devices.at(0);
    auto opts = YamlConfigNode::make_root(d.options, d.options_location, "device 'ram0'");
    IDevice* dev = nullptr;
    Status st = plugin_->create_device(&host, opts.get(), &dev);
    *errs = opts->errors();
    errs->append(opts->unknown_keys());
    return st == Status::ok ? dev : nullptr;
  }

  testing::LogCapture log_;
  PluginRegistry reg_;
  const LoadedPlugin* plugin_ = nullptr;
};

TEST_F(ExamplePlugin, DescribesItselfAsADisk) {
  FakeDeviceHost host;
  Diagnostics errs;
  IDevice* dev = create("{size: 1M, block_size: 4096}", host, &errs);
  ASSERT_NE(dev, nullptr) << errs.format();
  EXPECT_FALSE(errs.has_errors()) << errs.format();
  DeviceInfo info;
  ASSERT_EQ(dev->info(&info), Status::ok);
  EXPECT_EQ(info.type, PeripheralType::disk);
  EXPECT_EQ(info.block_size, 4096u);
  EXPECT_EQ(info.num_blocks, 256u);
  EXPECT_STREQ(info.serial, "ram0");
  const OpcodeInfo* rows = nullptr;
  uint32_t n = dev->opcodes(&rows);
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(rows[0].opcode, 0x25);
  EXPECT_EQ(rows[1].opcode, 0x28);
  EXPECT_EQ(rows[2].opcode, 0x2A);
  EXPECT_TRUE(rows[2].flags & OpcodeFlags::writes_medium);
  uint32_t len = 0;
  SenseInfo s{};
  EXPECT_TRUE(dev->data_length({rw10(0x25, 0, 0).data(), 10}, &len, &s));
  EXPECT_EQ(len, 8u);
  dev->destroy();
}

TEST_F(ExamplePlugin, ReadCapacityWriteAndReadBack) {
  FakeDeviceHost host;
  Diagnostics errs;
  IDevice* dev = create("{size: 64K}", host, &errs);
  ASSERT_NE(dev, nullptr) << errs.format();

  FakeCommand cap(rw10(0x25, 0, 0), 8);
  dev->execute(&cap);
  ASSERT_EQ(cap.completions, 1);
  EXPECT_EQ(cap.status, ScsiStatus::good);
  EXPECT_EQ(get_be32(cap.buffer().data()), 127u);  // last LBA of 128 x 512
  EXPECT_EQ(get_be32(cap.buffer().data() + 4), 512u);

  FakeCommand wr(rw10(0x2A, 10, 2), 1024);
  for (size_t i = 0; i < 1024; ++i) wr.buffer()[i] = uint8_t(i * 7);
  dev->execute(&wr);
  EXPECT_EQ(wr.status, ScsiStatus::good);

  FakeCommand rd(rw10(0x28, 10, 2), 1024);
  dev->execute(&rd);
  EXPECT_EQ(rd.status, ScsiStatus::good);
  EXPECT_EQ(rd.transferred(), 1024u);
  EXPECT_EQ(rd.buffer(), wr.buffer());

  FakeCommand zero(rw10(0x28, 0, 1), 512);
  dev->execute(&zero);
  EXPECT_EQ(zero.buffer(), std::vector<uint8_t>(512, 0));

  FakeCommand past(rw10(0x28, 127, 2), 1024);
  dev->execute(&past);
  EXPECT_EQ(past.status, ScsiStatus::check_condition);
  EXPECT_EQ(past.sense.key, SenseKey::illegal_request);
  EXPECT_EQ(past.sense.asc, 0x21);  // LOGICAL BLOCK ADDRESS OUT OF RANGE
  dev->destroy();
}

TEST_F(ExamplePlugin, BadOptionsAreReportedWithLocation) {
  FakeDeviceHost host;
  Diagnostics errs;
  IDevice* dev = create("{size: 1M, block_size: 1000, colour: red}", host, &errs);
  EXPECT_EQ(dev, nullptr);
  std::string text = errs.format();
  EXPECT_NE(text.find("example.yaml:4:"), std::string::npos) << text;
  EXPECT_NE(text.find("devices[0].options.block_size: must be 512 or 4096"), std::string::npos)
      << text;
  EXPECT_NE(text.find("unknown key 'colour' in options of device 'ram0'"), std::string::npos)
      << text;
}

TEST_F(ExamplePlugin, CheckOnlyAllocatesNothing) {
  FakeDeviceHost host(/*check_only=*/true);
  Diagnostics errs;
  IDevice* dev = create("{size: 1G}", host, &errs);
  ASSERT_NE(dev, nullptr) << errs.format();
  dev->destroy();
}

}  // namespace
}  // namespace nexus::server
