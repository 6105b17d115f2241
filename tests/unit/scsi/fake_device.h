// A scriptable IDevice for the SPC emulation tests: a 2048 x 512-byte disk
// with a Caching page (08h, WCE changeable), a Logical Block Provisioning
// subpage (1Ch/02h), VPD B0h and a block descriptor.
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "nexus/bytes.hpp"
#include "nexus/device.h"
#include "nexus/sense.hpp"
#include "scsi/core_context.h"
#include "scsi/core_opcode_rows.h"
#include "scsi/opcode_table.h"

namespace nexus::scsi::test {

// Disk-like device rows (SBC-3 layouts, simplified usage masks).
inline std::vector<OpcodeInfo> disk_rows() {
  using F = OpcodeFlags;
  return {
      {0x08,
       6,
       0,
       F::lba_range | F::len0_is_256,
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
       F::lba_range,
       DataDir::read,
       LengthUnit::blocks,
       7,
       2,
       2,
       4,
       ResvClass::read,
       0,
       {0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00},
       30000,
       "READ(10)"},
      {0x2A,
       10,
       0,
       F::lba_range | F::writes_medium,
       DataDir::write,
       LengthUnit::blocks,
       7,
       2,
       2,
       4,
       ResvClass::write,
       0,
       {0x2A, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0x00},
       30000,
       "WRITE(10)"},
      {0x2F,
       10,
       0,
       F::lba_range | F::len_bit_bytchk,
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
       F::lba_range | F::writes_medium,
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
       F::lba_range | F::writes_medium,
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
       F::service_action | F::allocation_length,
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
       "VENDOR C0"},
      {0x7F,
       32,
       0x0009,
       F::service_action | F::lba_range,
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
}

class FakeDevice final : public IDevice {
 public:
  FakeDevice() {
    caching_ = {0x08, 0x12, 0x04, 0,    0xFF, 0xFF, 0, 0, 0xFF, 0xFF,
                0xFF, 0xFF, 0x80, 0x14, 0xFF, 0xFF, 0, 0, 0,    0};
    caching_mask_.fill(0);
    caching_mask_[2] = 0x04;  // WCE
    lbp_ = {0x5C, 0x02, 0x00, 0x0C, 0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    bd_.struct_size = sizeof(bd_);
    bd_.num_blocks = 2048;
    bd_.block_length = 512;
  }

  Status info(DeviceInfo*) noexcept override { return Status::ok; }
  uint32_t opcodes(const OpcodeInfo** rows) noexcept override {
    *rows = nullptr;
    return 0;
  }
  void execute(IDeviceCommand*) noexcept override {}
  bool data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept override {
    if (cdb.size > 1 && cdb.data[1] == 0xEE) {
      *sense = sense::invalid_field_in_cdb(1);
      return false;
    }
    *bytes = 1234;
    return true;
  }
  Status vpd_page(uint8_t page, ByteSpan out, uint32_t* len) noexcept override {
    if (page != 0xB0) return Status::unsupported;
    std::array<uint8_t, 64> p{};
    p[1] = 0xB0;
    p[3] = 0x3C;
    p[7] = 0x01;
    std::memcpy(out.data, p.data(), std::min<size_t>(out.size, p.size()));
    *len = p.size();
    return Status::ok;
  }
  uint32_t mode_pages(const ModePageId** ids) noexcept override {
    *ids = ids_;
    return expose_pages ? 3 : 0;
  }
  Status mode_page(ModePageId id, ModePageControl pc, ByteSpan out,
                   uint32_t* len) noexcept override {
    std::vector<uint8_t> p;
    if (id.page == 0x08 && id.subpage == 0) {
      p.assign(caching_.begin(), caching_.end());
      if (pc == ModePageControl::changeable)
        std::copy(caching_mask_.begin() + 2, caching_mask_.end(), p.begin() + 2);
    } else if (id.page == 0x1C && id.subpage == 0x02) {
      p.assign(lbp_.begin(), lbp_.end());
      if (pc == ModePageControl::changeable) std::fill(p.begin() + 4, p.end(), 0);
    } else if (id.page == 0x0A) {
      // Tries to shadow the core's Control page: must never be asked.
      shadow_asked = true;
      return Status::error;
    } else {
      return Status::not_found;
    }
    std::memcpy(out.data, p.data(), std::min<size_t>(out.size, p.size()));
    *len = uint32_t(p.size());
    return Status::ok;
  }
  Status mode_select_page(ModePageId id, ConstByteSpan page, SenseInfo* sense) noexcept override {
    ++select_calls;
    if (fail_select) {
      *sense = sense::invalid_field_in_param(2, 2);
      return Status::invalid_argument;
    }
    if (id.page == 0x08) caching_[2] = page.data[2];
    return Status::ok;
  }
  Status block_descriptor(BlockDescriptor* out) noexcept override {
    if (!has_bd) return Status::unsupported;
    *out = bd_;
    return Status::ok;
  }
  Status set_block_descriptor(const BlockDescriptor* in, SenseInfo* sense) noexcept override {
    if (in->block_length != 512 && in->block_length != 4096) {
      *sense = sense::invalid_field_in_param(5, 7);
      return Status::invalid_argument;
    }
    bd_ = *in;
    ++set_bd_calls;
    return Status::ok;
  }
  void abort(IDeviceCommand*) noexcept override {}
  void reset(ResetKind) noexcept override {}
  void destroy() noexcept override {}

  bool expose_pages = true;
  bool has_bd = true;
  bool fail_select = false;
  bool shadow_asked = false;
  int select_calls = 0;
  int set_bd_calls = 0;
  std::array<uint8_t, 20> caching_;
  std::array<uint8_t, 20> caching_mask_;
  std::array<uint8_t, 16> lbp_;
  BlockDescriptor bd_{};
  ModePageId ids_[3] = {{0x1C, 0x02}, {0x08, 0x00}, {0x0A, 0x00}};
};

// A disk LU at LUN 0 seen through iSCSI target port 1 of
// "iqn.2026-11.io.nexus:t1", TPGT 1.
struct Lu {
  Lu() : table(core_rows(PeripheralType::disk), disk_rows()) {
    info.struct_size = sizeof(info);
    info.type = PeripheralType::disk;
    info.scsi_version = 0x06;
    info.flags = DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
    info.block_size = 512;
    info.num_blocks = 2048;
    std::strcpy(info.vendor, "NEXUS");
    std::strcpy(info.product, "DISK");
    std::strcpy(info.revision, "0001");
    std::strcpy(info.serial, "SN123");
    ctx.device = &dev;
    ctx.info = &info;
    ctx.lun = 0;
    ctx.device_name = "disk0";
    ctx.target_name = "iqn.2026-11.io.nexus:t1";
    ctx.visible_luns = luns;
    ctx.control = &control;
    ctx.opcodes = &table;
    ctx.device_vpd_pages = vpd;
  }
  Lu(const Lu&) = delete;

  // Runs a CDB through lookup + execute like the core does.
  std::vector<uint8_t> buf = std::vector<uint8_t>(4096, 0xAA);
  FakeDevice dev;
  DeviceInfo info{};
  ControlModeState control;
  OpcodeTable table;
  std::vector<uint32_t> luns{0, 1, 300};
  std::vector<uint8_t> vpd{0xB0};
  CoreContext ctx;
};

inline std::vector<uint8_t> bytes(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int b : v) out.push_back(uint8_t(b));
  return out;
}

}  // namespace nexus::scsi::test
