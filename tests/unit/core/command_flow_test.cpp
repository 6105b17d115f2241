// The command runtime end to end with a fake transport and a fake device
// that holds commands in flight: ordering, throttling, TMF, UA delivery.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>

#include "config/config_loader.h"
#include "core/core.h"
#include "core/logical_unit.h"
#include "core/nexus_session.h"
#include "nexus/bytes.hpp"
#include "plugin/plugin_registry.h"

using namespace nexus;
using namespace nexus::server;

namespace {

OpcodeInfo rw_row(uint8_t op, DataDir dir, bool writes) {
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
  OpcodeInfo rows[2] = {rw_row(0x28, DataDir::read, false), rw_row(0x2A, DataDir::write, true)};

  Status info(DeviceInfo* out) noexcept override {
    *out = DeviceInfo{};
    out->struct_size = sizeof *out;
    out->type = PeripheralType::disk;
    out->scsi_version = 6;
    out->flags = DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
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
  void destroy() noexcept override {}

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
      responses[cmd->tag()] = Response{cmd->status(),
                                       std::vector<uint8_t>(s.data, s.data + s.size),
                                       cmd->data_in_length(), cmd->residual_flags(),
                                       cmd->residual_count()};
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
    nexus_ = std::make_shared<Nexus>(*core_, core_->next_nexus_id(), core_->reactors().at(0), d,
                                     &events_, std::vector<LunEntry>{{0, lu_, false}}, 4);
    core_->add_nexus(nexus_);
    lu_->attach_nexus(nexus_.get());
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
      c = nexus_->new_command(&d);
      c->start(0);
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

}  // namespace

TEST_F(CommandFlow, ReadReturnsDataAndGood) {
  dev_.hold = false;
  submit(1, rw10(0x28, 0, 2), DataDir::read, 1024);
  settle();
  ASSERT_TRUE(has_response(1));
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_EQ(r.data_in, 1024u);
  EXPECT_EQ(r.residual_flags, 0);
}

TEST_F(CommandFlow, ShortExpectedLengthIsReportedAsOverflow) {
  dev_.hold = false;
  submit(1, rw10(0x28, 0, 2), DataDir::read, 512);
  settle();
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.data_in, 512u);
  EXPECT_EQ(r.residual_flags, Residual::overflow);
  EXPECT_EQ(r.residual, 512u);
}

TEST_F(CommandFlow, ReadDoesNotOvertakeWriteStillReceivingData) {
  ITransportCommand* w = submit(1, rw10(0x2A, 10, 4), DataDir::write, 2048);
  submit(2, rw10(0x28, 12, 1), DataDir::read, 512);
  settle();
  ASSERT_EQ(events_.data_requests.size(), 1u);
  EXPECT_EQ(events_.data_requests[0].second, 2048u);
  EXPECT_TRUE(dev_.executed().empty()) << "READ overtook the WRITE's data phase";
  on_reactor([&] { w->data_out_done(Status::ok); });
  EXPECT_EQ(dev_.executed(), std::vector<uint8_t>{0x2A});
  dev_.complete_one();  // the WRITE
  settle();
  EXPECT_EQ(dev_.executed(), (std::vector<uint8_t>{0x2A, 0x28}));
  dev_.complete_one();
  settle();
  EXPECT_TRUE(has_response(1));
  EXPECT_TRUE(has_response(2));
}

TEST_F(CommandFlow, QueueDepthBeyondLimitGetsTaskSetFull) {
  for (uint64_t t = 1; t <= 4; ++t) submit(t, rw10(0x28, uint32_t(t), 1), DataDir::read, 512);
  submit(5, rw10(0x28, 5, 1), DataDir::read, 512);
  settle();
  ASSERT_TRUE(has_response(5));
  EXPECT_EQ(events_.responses[5].status, ScsiStatus::task_set_full);
  EXPECT_FALSE(has_response(1));
}

TEST_F(CommandFlow, AbortTaskWaitsForTheDeviceAndSendsNoResponse) {
  submit(7, rw10(0x28, 0, 1), DataDir::read, 512);
  on_reactor([&] {
    TmfDesc t{};
    t.struct_size = sizeof t;
    t.function = TmfFunction::abort_task;
    t.referenced_tag = 7;
    t.tmf_tag = 99;
    nexus_->task_mgmt(&t);
  });
  settle();
  EXPECT_EQ(dev_.aborts, 1);
  EXPECT_TRUE(events_.tmfs.empty()) << "TMF answered before the task ended";
  dev_.complete_one();
  settle();
  settle();
  EXPECT_FALSE(has_response(7));
  ASSERT_EQ(events_.aborted, std::vector<uint64_t>{7});
  ASSERT_EQ(events_.tmfs.size(), 1u);
  EXPECT_EQ(events_.tmfs[0].first, 99u);
  EXPECT_EQ(events_.tmfs[0].second, TmfResponse::function_complete);
}

TEST_F(CommandFlow, AbortOfUnknownTagCompletes) {
  on_reactor([&] {
    TmfDesc t{};
    t.struct_size = sizeof t;
    t.function = TmfFunction::abort_task;
    t.referenced_tag = 12345;
    t.tmf_tag = 5;
    nexus_->task_mgmt(&t);
  });
  settle();
  ASSERT_EQ(events_.tmfs.size(), 1u);
  EXPECT_EQ(events_.tmfs[0].second, TmfResponse::function_complete);
}

TEST_F(CommandFlow, UnmappedLunIsNotSupported) {
  std::vector<uint8_t> tur(6, 0);
  submit(3, tur, DataDir::none, 0, TaskAttr::simple, uint64_t(5) << 48);
  settle();
  const Response& r = events_.responses[3];
  EXPECT_EQ(r.status, ScsiStatus::check_condition);
  ASSERT_GE(r.sense.size(), 14u);
  EXPECT_EQ(r.sense[2] & 0x0F, 0x05);
  EXPECT_EQ(r.sense[12], 0x25);
}

TEST_F(CommandFlow, UnitAttentionBlocksMediumCommandsButNotInquiry) {
  dev_.hold = false;
  lu_->raise_ua(UaScope::all_nexuses, 0, 0x2A, 0x01);
  std::vector<uint8_t> inq = {0x12, 0, 0, 0, 36, 0};
  submit(1, inq, DataDir::read, 36);
  submit(2, rw10(0x28, 0, 1), DataDir::read, 512);
  submit(3, rw10(0x28, 0, 1), DataDir::read, 512);
  settle();
  EXPECT_EQ(events_.responses[1].status, ScsiStatus::good);
  const Response& r = events_.responses[2];
  EXPECT_EQ(r.status, ScsiStatus::check_condition);
  ASSERT_GE(r.sense.size(), 14u);
  EXPECT_EQ(r.sense[2] & 0x0F, 0x06);
  EXPECT_EQ(r.sense[12], 0x2A);
  EXPECT_EQ(r.sense[13], 0x01);
  EXPECT_EQ(events_.responses[3].status, ScsiStatus::good);  // reported once, then cleared
}

TEST_F(CommandFlow, ReservedCdbBitIsRejectedBeforeTheDevice) {
  auto cdb = rw10(0x28, 0, 1);
  cdb[6] = 0x01;  // reserved/group number byte not in the usage mask
  submit(1, cdb, DataDir::read, 512);
  settle();
  EXPECT_EQ(events_.responses[1].status, ScsiStatus::check_condition);
  EXPECT_TRUE(dev_.executed().empty());
}

TEST_F(CommandFlow, WriteWithLessDataThanTheCdbTransfersWhatCameAndReportsOverflow) {
  // SAM-5 5.4.3: the handler gets only the 512 bytes the initiator sends.
  dev_.hold = false;
  ITransportCommand* w = submit(1, rw10(0x2A, 0, 4), DataDir::write, 512);
  settle();
  ASSERT_EQ(events_.data_requests.size(), 1u);
  EXPECT_EQ(events_.data_requests[0].second, 512u);
  on_reactor([&] { w->data_out_done(Status::ok); });
  settle();
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_EQ(r.residual_flags, Residual::overflow);
  EXPECT_EQ(r.residual, 1536u);
}

TEST_F(CommandFlow, WriteWithMoreDataThanTheCdbReportsUnderflow) {
  dev_.hold = false;
  ITransportCommand* w = submit(1, rw10(0x2A, 0, 1), DataDir::write, 2048);
  settle();
  ASSERT_EQ(events_.data_requests.size(), 1u);
  EXPECT_EQ(events_.data_requests[0].second, 512u);
  on_reactor([&] { w->data_out_done(Status::ok); });
  settle();
  const Response& r = events_.responses[1];
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_EQ(r.residual_flags, Residual::underflow);
  EXPECT_EQ(r.residual, 1536u);
}
