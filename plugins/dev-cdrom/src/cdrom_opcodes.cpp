#include "cdrom_opcodes.h"

#include <initializer_list>

#include "nexus/handler.hpp"

namespace nexus::cdrom {
namespace {

constexpr uint8_t kCtl = cdb_usage::kControl;
constexpr uint8_t kFF = cdb_usage::kAll;

using F = OpcodeFlags;

struct Row {
  uint8_t opcode;
  uint8_t cdb_length;
  uint32_t flags;
  DataDir dir;
  LengthUnit unit;
  uint8_t len_offset;
  uint8_t len_size;
  ResvClass resv;
  const char* name;
  std::initializer_list<uint8_t> usage;
};

OpcodeInfo make(const Row& r) {
  OpcodeInfo o = opcode_info(r);
  o.flags |= F::ok_on_no_medium | F::ok_when_not_ready;
  return o;
}

std::vector<OpcodeInfo> build() {
  const DataDir in = DataDir::read, none = DataDir::none;
  const LengthUnit by = LengthUnit::bytes;
  const ResvClass rd = ResvClass::read, ok = ResvClass::allowed, cf = ResvClass::conflict;
  constexpr uint32_t kAlloc = F::allocation_length;
  // MMC-6: GET CONFIGURATION and GET EVENT STATUS NOTIFICATION run
  // while a Unit Attention is pending, so hosts can poll media state.
  constexpr uint32_t kNoUa = F::allow_on_ua;
  const Row rows[] = {
      // MMC-6 READ(10): byte 1 DPO, FUA (RelAdr is obsolete).
      {op::kRead10,
       10,
       F::lba_range,
       in,
       LengthUnit::blocks,
       7,
       2,
       rd,
       "READ(10)",
       {op::kRead10, 0x18, kFF, kFF, kFF, kFF, 0x00, kFF, kFF, kCtl}},
      // MMC-6 READ(12): byte 10 Streaming.
      {op::kRead12,
       12,
       F::lba_range,
       in,
       LengthUnit::blocks,
       6,
       4,
       rd,
       "READ(12)",
       {op::kRead12, 0x18, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, 0x80, kCtl}},
      // MMC-6 READ CD: expected sector type, DAP; LBA; length (3 bytes);
      // byte 9 main channel selection, byte 10 sub-channel selection. The
      // bytes per block depend on byte 9, hence LengthUnit::device.
      {op::kReadCd,
       12,
       F::lba_range,
       in,
       LengthUnit::device,
       0,
       0,
       rd,
       "READ CD",
       {op::kReadCd, 0x1E, kFF, kFF, kFF, kFF, kFF, kFF, kFF, 0xFE, 0x07, kCtl}},
      // MMC-6 READ CAPACITY: LBA and PMI are kept from SBC for old hosts.
      {op::kReadCapacity10,
       10,
       0,
       in,
       LengthUnit::device,
       0,
       0,
       ok,
       "READ CAPACITY(10)",
       {op::kReadCapacity10, 0x00, kFF, kFF, kFF, kFF, 0x00, 0x00, 0x01, kCtl}},
      // MMC-6 READ TOC/PMA/ATIP: MSF; format; track/session; the
      // control byte's bits 7-6 carry the format in old (SFF-8020) hosts.
      {op::kReadToc,
       10,
       kAlloc,
       in,
       by,
       7,
       2,
       rd,
       "READ TOC/PMA/ATIP",
       {op::kReadToc, 0x02, 0x0F, 0x00, 0x00, 0x00, kFF, kFF, kFF, 0xC0 | kCtl}},
      // MMC-6 READ DISC INFORMATION: data type.
      {op::kReadDiscInfo,
       10,
       kAlloc,
       in,
       by,
       7,
       2,
       rd,
       "READ DISC INFORMATION",
       {op::kReadDiscInfo, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, kFF, kFF, kCtl}},
      // MMC-6 READ TRACK INFORMATION: address/number type (Open not
      // offered: a ROM disc has no open track).
      {op::kReadTrackInfo,
       10,
       kAlloc,
       in,
       by,
       7,
       2,
       rd,
       "READ TRACK INFORMATION",
       {op::kReadTrackInfo, 0x03, kFF, kFF, kFF, kFF, 0x00, kFF, kFF, kCtl}},
      // MMC-6 GET CONFIGURATION: RT; starting feature number.
      {op::kGetConfiguration,
       10,
       kAlloc | kNoUa,
       in,
       by,
       7,
       2,
       ok,
       "GET CONFIGURATION",
       {op::kGetConfiguration, 0x03, kFF, kFF, 0x00, 0x00, 0x00, kFF, kFF, kCtl}},
      // MMC-6 GET EVENT STATUS NOTIFICATION: Polled; class request.
      {op::kGetEventStatus,
       10,
       kAlloc | kNoUa,
       in,
       by,
       7,
       2,
       ok,
       "GET EVENT STATUS NOTIFICATION",
       {op::kGetEventStatus, 0x01, 0x00, 0x00, kFF, 0x00, 0x00, kFF, kFF, kCtl}},
      // MMC-6 MECHANISM STATUS.
      {op::kMechanismStatus,
       12,
       kAlloc,
       in,
       by,
       8,
       2,
       ok,
       "MECHANISM STATUS",
       {op::kMechanismStatus, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, kFF, kFF, 0x00, kCtl}},
      // MMC-6 START STOP UNIT: Immed; power conditions, LoEj, Start.
      {op::kStartStopUnit,
       6,
       0,
       none,
       LengthUnit::none,
       0,
       0,
       cf,
       "START STOP UNIT",
       {op::kStartStopUnit, 0x01, 0x00, 0x00, 0xF3, kCtl}},
      // MMC-6 PREVENT ALLOW MEDIUM REMOVAL: Persistent, Prevent.
      {op::kPreventAllow,
       6,
       0,
       none,
       LengthUnit::none,
       0,
       0,
       cf,
       "PREVENT ALLOW MEDIUM REMOVAL",
       {op::kPreventAllow, 0x00, 0x00, 0x00, 0x03, kCtl}},
      // MMC-6 SET CD SPEED: accepted, the image has no spindle.
      {op::kSetCdSpeed,
       12,
       0,
       none,
       LengthUnit::none,
       0,
       0,
       cf,
       "SET CD SPEED",
       {op::kSetCdSpeed, 0x03, kFF, kFF, kFF, kFF, 0x00, 0x00, 0x00, 0x00, 0x00, kCtl}},
  };
  std::vector<OpcodeInfo> v;
  for (const Row& r : rows) v.push_back(make(r));
  return v;
}

}  // namespace

const std::vector<OpcodeInfo>& cdrom_opcodes() {
  static const std::vector<OpcodeInfo> rows = build();
  return rows;
}

bool needs_medium(uint8_t opcode) noexcept {
  switch (opcode) {
    case op::kRead10:
    case op::kRead12:
    case op::kReadCd:
    case op::kReadCapacity10:
    case op::kReadToc:
    case op::kReadDiscInfo:
    case op::kReadTrackInfo:
      return true;
    default:
      return false;
  }
}

}  // namespace nexus::cdrom
