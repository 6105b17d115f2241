// Shared fixture for the command-runtime tests: a core with one reactor, a
// fake device that can hold commands in flight, and recording transports.
#pragma once

#include <gtest/gtest.h>

#include <atomic>

#include <future>
#include <map>
#include <mutex>

#include "config/config_loader.h"
#include "core/core.h"
#include "core/logical_unit.h"
#include "core/nexus_session.h"
#include "scsi/control_mode_state.h"
#include "nexus/bytes.hpp"
#include "plugin/plugin_registry.h"

namespace nexus::server::test {

inline OpcodeInfo rw_row(uint8_t op, DataDir dir, bool writes) {
  OpcodeInfo r{};
  r.opcode = op;
  r.cdb_length = 10;
  r.flags = OpcodeFlags::lba_range | (writes ? OpcodeFlags::writes_medium : 0);
  r.direction = dir;
  r.len_unit = LengthUnit::blocks;
  r.len_offset = 7;
  r.len_size = 2;
  r.lba_offset = 2;
  r.lba_size = 4;
  r.resv_class = writes ? ResvClass::write : ResvClass::read;
  const uint8_t usage[10] = {0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00};
  std::memcpy(r.usage, usage, sizeof usage);
  r.name = writes ? "WRITE(10)" : "READ(10)";
  return r;
}

class HoldingDevice final : public IDevice {
 public:
  std::mutex mu;
  std::vector<IDeviceCommand*> held;
  std::vector<uint8_t> seen;  // opcodes in execution order
  int aborts = 0;
  bool hold = true;
  uint32_t extra_flags = 0;  // DeviceInfoFlags added to info()
  OpcodeInfo rows[2] = {rw_row(0x28, DataDir::read, false), rw_row(0x2A, DataDir::write, true)};

  Status info(DeviceInfo* out) noexcept override {
    *out = DeviceInfo{};
    out->struct_size = sizeof *out;
    out->type = PeripheralType::disk;
    out->scsi_version = 6;
    out->flags = DeviceInfoFlags::medium_present | DeviceInfoFlags::ready | extra_flags;
    out->block_size = 512;
    out->num_blocks = 1000;
    std::strcpy(out->vendor, "NEXUS");
    std::strcpy(out->product, "TEST");
    std::strcpy(out->revision, "1");
    return Status::ok;
  }
  uint32_t opcodes(const OpcodeInfo** r) noexcept override {
    *r = rows;
    return 2;
  }
  void execute(IDeviceCommand* cmd) noexcept override {
    std::lock_guard lock(mu);
    seen.push_back(cmd->cdb().data[0]);
    if (cmd->cdb().data[0] == 0x28) {
      const IoVec* iov;
      uint32_t n = cmd->iov(&iov);
      for (uint32_t i = 0; i < n; ++i) std::memset(iov[i].base, 0x5A, iov[i].len);
    }
    if (hold)
      held.push_back(cmd);
    else
      cmd->complete(ScsiStatus::good, nullptr);
  }
  bool data_length(ConstByteSpan, uint32_t*, SenseInfo*) noexcept override { return false; }
  Status vpd_page(uint8_t, ByteSpan, uint32_t*) noexcept override { return Status::unsupported; }
  uint32_t mode_pages(const ModePageId**) noexcept override { return 0; }
  Status mode_page(ModePageId, ModePageControl, ByteSpan, uint32_t*) noexcept override {
    return Status::unsupported;
  }
  Status mode_select_page(ModePageId, ConstByteSpan, SenseInfo*) noexcept override {
    return Status::unsupported;
  }
  Status block_descriptor(BlockDescriptor*) noexcept override { return Status::unsupported; }
  Status set_block_descriptor(const BlockDescriptor*, SenseInfo*) noexcept override {
    return Status::unsupported;
  }
  void abort(IDeviceCommand*) noexcept override { ++aborts; }
  void reset(ResetKind) noexcept override {}
  void nexus_lost(uint64_t id) noexcept override {
    std::lock_guard lock(mu);
    lost.push_back(id);
  }
  std::vector<uint64_t> lost_nexuses() {
    std::lock_guard lock(mu);
    return lost;
  }
  std::vector<uint64_t> lost;  // nexus_lost() calls, in order
  std::atomic<int> destroyed{0};
  void destroy() noexcept override { ++destroyed; }

  // Completes the oldest held command (called on any thread).
  void complete_one() {
    IDeviceCommand* c;
    {
      std::lock_guard lock(mu);
      ASSERT_FALSE(held.empty());
      c = held.front();
      held.erase(held.begin());
    }
    c->complete(ScsiStatus::good, nullptr);
  }
  std::vector<uint8_t> executed() {
    std::lock_guard lock(mu);
    return seen;
  }
};

struct Response {
  ScsiStatus status;
  std::vector<uint8_t> sense;
  uint32_t data_in;
  uint8_t residual_flags;
  uint32_t residual;
};

class RecordingEvents final : public INexusEvents {
 public:
  std::mutex mu;
  std::map<uint64_t, Response> responses;  // by tag
  std::vector<uint64_t> aborted;
  std::vector<std::pair<ITransportCommand*, uint32_t>> data_requests;
  std::vector<std::pair<uint64_t, TmfResponse>> tmfs;
  bool closed_called = false;

  void request_data_out(ITransportCommand* cmd, uint32_t, uint32_t len) noexcept override {
    std::lock_guard lock(mu);
    data_requests.push_back({cmd, len});
  }
  void send_response(ITransportCommand* cmd) noexcept override {
    {
      std::lock_guard lock(mu);
      auto s = cmd->sense();
      responses[cmd->tag()] =
          Response{cmd->status(), std::vector<uint8_t>(s.data, s.data + s.size),
                   cmd->data_in_length(), cmd->residual_flags(), cmd->residual_count()};
    }
    cmd->release();
  }
  void command_aborted(ITransportCommand* cmd) noexcept override {
    {
      std::lock_guard lock(mu);
      aborted.push_back(cmd->tag());
    }
    cmd->release();
  }
  void tmf_done(uint64_t tag, TmfResponse r) noexcept override {
    std::lock_guard lock(mu);
    tmfs.push_back({tag, r});
  }
  void shutdown_request() noexcept override {}
  void closed() noexcept override { closed_called = true; }
};

class CommandFlow : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = load_config_string("server:\n  reactors: 1\n  session_queue_depth: 4\n");
    ASSERT_TRUE(loaded_.ok()) << loaded_.diagnostics.format();
    core_ = std::make_unique<Core>(loaded_.config, registry_, false);
    lu_ = core_->add_device("d0", &dev_);
    ASSERT_TRUE(core_->start());
    SessionDesc d{};
    d.struct_size = sizeof d;
    d.initiator_name = to_str("iqn.2026-11.test:init");
    d.initiator_port_id = to_str("iqn.2026-11.test:init,i,0x1");
    d.target_name = to_str("iqn.2026-11.test:tgt");
    d.relative_port = 1;
    nexus_ = open_nexus(d, &events_);
  }
  // Opens another I_T nexus to LUN 0 on reactor 0.
  std::shared_ptr<Nexus> open_nexus(const SessionDesc& d, INexusEvents* events) {
    auto n = std::make_shared<Nexus>(*core_, core_->next_nexus_id(), core_->reactors().at(0), d,
                                     events, std::vector<LunEntry>{{0, lu_, false}}, 4);
    core_->add_nexus(n);
    lu_->attach_nexus(n.get());
    return n;
  }
  void TearDown() override {
    dev_.hold = false;
    while (true) {
      {
        std::lock_guard lock(dev_.mu);
        if (dev_.held.empty()) break;
      }
      dev_.complete_one();
    }
    on_reactor([&] { nexus_->close(false); });
    nexus_.reset();
    core_->shutdown();
  }

  template <typename F>
  void on_reactor(F&& f) {
    std::promise<void> p;
    core_->reactors().at(0).post_fn([&] {
      f();
      p.set_value();
    });
    p.get_future().wait();
  }
  // Work posted from inside a reactor handler reaches the queue only when the
  // handler returns, so a single round trip can overtake it: do two.
  void settle() {
    on_reactor([] {});
    on_reactor([] {});
  }

  // Creates and starts a command; data-out is left to the test.
  ITransportCommand* submit(uint64_t tag, std::vector<uint8_t> cdb, DataDir dir, uint32_t edtl,
                            TaskAttr attr = TaskAttr::simple, uint64_t lun = 0) {
    return submit_on(*nexus_, tag, std::move(cdb), dir, edtl, attr, lun);
  }
  ITransportCommand* submit_on(Nexus& n, uint64_t tag, std::vector<uint8_t> cdb, DataDir dir,
                               uint32_t edtl, TaskAttr attr = TaskAttr::simple, uint64_t lun = 0) {
    ITransportCommand* c = nullptr;
    on_reactor([&] {
      CommandDesc d{};
      d.struct_size = sizeof d;
      d.attr = attr;
      d.dir = dir;
      d.cdb_length = uint8_t(cdb.size());
      d.lun = lun;
      d.tag = tag;
      d.cdb = cdb.data();
      d.expected_length = edtl;
      c = n.new_command(&d);
      c->start(0);
    });
    return c;
  }
  // A command whose Data-Out arrives with it (immediate data).
  ITransportCommand* submit_with_data(Nexus& n, uint64_t tag, std::vector<uint8_t> cdb,
                                      const std::vector<uint8_t>& data) {
    ITransportCommand* c = nullptr;
    on_reactor([&] {
      CommandDesc d{};
      d.struct_size = sizeof d;
      d.attr = TaskAttr::simple;
      d.dir = DataDir::write;
      d.cdb_length = uint8_t(cdb.size());
      d.tag = tag;
      d.cdb = cdb.data();
      d.expected_length = uint32_t(data.size());
      c = n.new_command(&d);
      const IoVec* iov = nullptr;
      uint32_t count = c->iov(&iov);
      size_t off = 0;
      for (uint32_t i = 0; i < count && off < data.size(); ++i) {
        size_t k = std::min<size_t>(iov[i].len, data.size() - off);
        std::memcpy(iov[i].base, data.data() + off, k);
        off += k;
      }
      c->start(uint32_t(off));
    });
    return c;
  }
  static std::vector<uint8_t> rw10(uint8_t op, uint32_t lba, uint16_t blocks) {
    std::vector<uint8_t> c(10, 0);
    c[0] = op;
    put_be32(&c[2], lba);
    put_be16(&c[7], blocks);
    return c;
  }
  bool has_response(uint64_t tag) {
    std::lock_guard lock(events_.mu);
    return events_.responses.count(tag) != 0;
  }

  PluginRegistry registry_;
  LoadResult loaded_;
  HoldingDevice dev_;
  RecordingEvents events_;
  std::unique_ptr<Core> core_;
  LogicalUnit* lu_ = nullptr;
  std::shared_ptr<Nexus> nexus_;
};

}  // namespace nexus::server::test
