// libFuzzer target for the CDB decoder: arbitrary bytes go through what the
// core does with a CDB (OpcodeTable::lookup, transfer_length,
// execute_core_command) against an LU with the core's rows plus disk-like
// device rows. Input layout: byte 0 selects context variations, byte 1 the
// buffer size class, the rest is the CDB (and, for MODE SELECT, also the
// parameter list). Any crash, sanitizer report or hang is a bug.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "nexus/device.h"
#include "scsi/core_command.h"
#include "scsi/core_opcode_rows.h"
#include "scsi/opcode_table.h"
#include "scsi/sense_encoding.h"
#include "scsi/transfer_length.h"

namespace {

using namespace nexus;
using namespace nexus::scsi;

constexpr OpcodeInfo kDiskRows[] = {
    {0x08,
     6,
     0,
     OpcodeFlags::len0_is_256,
     DataDir::read,
     LengthUnit::blocks,
     4,
     1,
     1,
     3,
     ResvClass::read,
     0,
     {0x08, 0x1F, 0xFF, 0xFF, 0xFF, 0x00},
     0,
     "READ(6)"},
    {0x28,
     10,
     0,
     OpcodeFlags::lba_range,
     DataDir::read,
     LengthUnit::blocks,
     7,
     2,
     2,
     4,
     ResvClass::read,
     0,
     {0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00},
     0,
     "READ(10)"},
    {0x2F,
     10,
     0,
     OpcodeFlags::len_bit_bytchk,
     DataDir::write,
     LengthUnit::blocks,
     7,
     2,
     2,
     4,
     ResvClass::read,
     0,
     {0x2F, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00},
     0,
     "VERIFY(10)"},
    {0x89,
     16,
     0,
     0,
     DataDir::write,
     LengthUnit::blocks_times_two,
     13,
     1,
     2,
     8,
     ResvClass::write,
     0,
     {0x89, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0, 0},
     0,
     "COMPARE AND WRITE"},
    {0x93,
     16,
     0,
     0,
     DataDir::write,
     LengthUnit::one_block,
     10,
     4,
     2,
     8,
     ResvClass::write,
     0,
     {0x93, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0},
     0,
     "WRITE SAME(16)"},
    {0x9E,
     16,
     0x10,
     OpcodeFlags::service_action | OpcodeFlags::allocation_length,
     DataDir::read,
     LengthUnit::bytes,
     10,
     4,
     0,
     0,
     ResvClass::read,
     0,
     {0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0},
     0,
     "READ CAPACITY(16)"},
    {0xC0,
     6,
     0,
     0,
     DataDir::read,
     LengthUnit::device,
     0,
     0,
     0,
     0,
     ResvClass::read,
     0,
     {0xC0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00},
     0,
     "VENDOR"},
    {0x7F,
     32,
     0x0009,
     OpcodeFlags::service_action,
     DataDir::read,
     LengthUnit::blocks,
     28,
     4,
     12,
     8,
     ResvClass::read,
     0,
     {0x7F, 0x00, 0, 0, 0, 0, 0xFF, 0x18, 0x00, 0x09, 0xFF, 0, 0xFF, 0xFF, 0xFF, 0xFF},
     0,
     "READ(32)"},
};

// A device with a Caching page, a subpage and a block descriptor that
// honours out.size like a correct handler must.
class FuzzDevice final : public IDevice {
 public:
  Status info(DeviceInfo*) noexcept override { return Status::ok; }
  uint32_t opcodes(const OpcodeInfo** rows) noexcept override {
    *rows = kDiskRows;
    return uint32_t(std::size(kDiskRows));
  }
  void execute(IDeviceCommand*) noexcept override {}
  bool data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo*) noexcept override {
    *bytes = cdb.size > 4 ? cdb.data[4] : 0;
    return true;
  }
  Status vpd_page(uint8_t page, ByteSpan out, uint32_t* len) noexcept override {
    if (page != 0xB0) return Status::unsupported;
    uint8_t p[64] = {0x00, 0xB0, 0x00, 0x3C};
    std::memcpy(out.data, p, std::min<uint64_t>(out.size, sizeof(p)));
    *len = sizeof(p);
    return Status::ok;
  }
  uint32_t mode_pages(const ModePageId** ids) noexcept override {
    static const ModePageId kIds[] = {{0x08, 0x00}, {0x1C, 0x02}, {0x0A, 0x00}};
    *ids = kIds;
    return 3;
  }
  Status mode_page(ModePageId id, ModePageControl pc, ByteSpan out,
                   uint32_t* len) noexcept override {
    std::array<uint8_t, 20> p{};
    size_t n;
    if (id.page == 0x08 && id.subpage == 0) {
      p = caching_;
      n = 20;
      if (pc == ModePageControl::changeable) {
        std::fill(p.begin() + 2, p.end(), 0);
        p[2] = 0x04;
      }
    } else if (id.page == 0x1C && id.subpage == 0x02) {
      p = {0x5C, 0x02, 0x00, 0x0C, 0x81};
      n = 16;
    } else {
      return Status::not_found;
    }
    std::memcpy(out.data, p.data(), std::min<uint64_t>(out.size, n));
    *len = uint32_t(n);
    return Status::ok;
  }
  Status mode_select_page(ModePageId id, ConstByteSpan page, SenseInfo*) noexcept override {
    if (id.page == 0x08 && page.size > 2) caching_[2] = page.data[2];
    return Status::ok;
  }
  Status block_descriptor(BlockDescriptor* out) noexcept override {
    *out = bd_;
    return Status::ok;
  }
  Status set_block_descriptor(const BlockDescriptor* in, SenseInfo* sense) noexcept override {
    if (in->block_length != 512 && in->block_length != 4096) {
      *sense = SenseInfo{sizeof(SenseInfo), SenseKey::illegal_request, 0x26, 0, 0, 0, 0, 0, 0, 0};
      return Status::invalid_argument;
    }
    bd_ = *in;
    return Status::ok;
  }
  void abort(IDeviceCommand*) noexcept override {}
  void reset(ResetKind) noexcept override {}
  void destroy() noexcept override {}

 private:
  std::array<uint8_t, 20> caching_{0x08, 0x12, 0x04};
  BlockDescriptor bd_{sizeof(BlockDescriptor), 0, {}, 2048, 512};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  static FuzzDevice dev;
  static const OpcodeTable table(core_rows(PeripheralType::disk), kDiskRows);
  static const uint32_t luns[] = {0, 1, 300, 0xC101};
  static const uint8_t vpd[] = {0xB0};

  const uint8_t variant = data[0];
  const size_t buf_size = std::array<size_t, 8>{0, 1, 4, 17, 36, 255, 512, 65536}[data[1] & 7];
  std::span<const uint8_t> cdb(data + 2, size - 2);

  DeviceInfo info{};
  info.struct_size = sizeof(info);
  info.type = (variant & 0x10) ? PeripheralType::tape : PeripheralType::disk;
  info.scsi_version = 0x06;
  info.flags = (variant & 0x20) ? 0 : DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
  info.block_size = 512;
  info.num_blocks = 2048;
  ControlModeState control;
  SenseInfo pending{sizeof(SenseInfo), SenseKey::unit_attention, 0x29, 0x00, 0, 0, 0, 0, 0, 0};

  CoreContext ctx;
  ctx.device = (variant & 0x01) ? nullptr : &dev;
  ctx.info = &info;
  ctx.lun = (variant & 0x02) ? 0xC101 : 0;
  ctx.read_only = variant & 0x04;
  ctx.device_name = "disk0";
  ctx.target_name = "iqn.2026-11.io.nexus:fuzz";
  ctx.visible_luns = luns;
  ctx.control = &control;
  ctx.opcodes = &table;
  ctx.pending_sense = (variant & 0x08) ? &pending : nullptr;
  ctx.device_vpd_pages = vpd;

  LookupResult found = table.lookup(cdb);
  std::array<uint8_t, kMaxSenseLength> sense_buf;
  if (!found) {
    encode_sense(found.sense, (variant & 0x40) ? SenseFormat::descriptor : SenseFormat::fixed,
                 sense_buf);
  } else {
    TransferLength t = transfer_length(*found.row, cdb, info.block_size, &dev);
    (void)t;
  }
  // Also execute CDBs lookup rejected: execute_core_command must cope with
  // anything. The buffer starts with the CDB bytes as MODE SELECT data.
  std::vector<uint8_t> buf(buf_size);
  if (!buf.empty()) std::memcpy(buf.data(), cdb.data(), std::min(buf.size(), cdb.size()));
  Result r = execute_core_command(ctx, cdb, buf);
  if (r.data_in_length > buf.size()) __builtin_trap();
  if (r.has_sense) encode_sense(r.sense, SenseFormat::fixed, sense_buf);
  return 0;
}
