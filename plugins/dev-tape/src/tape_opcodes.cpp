#include "tape_opcodes.h"

#include <initializer_list>

#include "nexus/handler.hpp"

namespace nexus::tape {
namespace {

constexpr uint8_t kCtl = cdb_usage::kControl;
constexpr uint8_t kFF = cdb_usage::kAll;

using F = OpcodeFlags;

struct Row {
  uint8_t opcode;
  uint8_t cdb_length;
  uint16_t sa;
  uint32_t flags;
  DataDir dir;
  LengthUnit unit;
  uint8_t len_offset;
  uint8_t len_size;
  ResvClass resv;
  const char* name;
  std::initializer_list<uint8_t> usage;
};

// Tape motion and medium access: one state per drive, so the core runs
// these one at a time on the LU (the handler also locks).
constexpr uint32_t kMotion = F::serialize_lu;
constexpr uint32_t kAnyMedium = F::ok_on_no_medium;

std::vector<OpcodeInfo> build() {
  const DataDir in = DataDir::read, out = DataDir::write, none = DataDir::none;
  const LengthUnit dev = LengthUnit::device, by = LengthUnit::bytes, no = LengthUnit::none;
  const ResvClass rd = ResvClass::read, wr = ResvClass::write, ok = ResvClass::allowed,
                  cf = ResvClass::conflict;
  const uint32_t kSa = F::service_action | kMotion;
  // READ POSITION (SSC-3 7.7): SERVICE ACTION in byte 1, ALLOCATION LENGTH
  // in bytes 7-8 (used by the extended form only).
  const std::initializer_list<uint8_t> rp = {op::kReadPosition, 0x1F, 0, 0, 0, 0, 0, kFF, kFF,
                                             kCtl};
  const Row rows[] = {
      // SSC-3 7.6 REWIND: IMMED.
      {op::kRewind, 6, 0, kMotion, none, no, 0, 0, rd, "REWIND", {op::kRewind, 0x01, 0, 0, 0, kCtl}},
      // SSC-3 7.5 READ BLOCK LIMITS (MLOI of SSC-4 not offered).
      {op::kReadBlockLimits, 6, 0, kAnyMedium, in, dev, 0, 0, ok, "READ BLOCK LIMITS",
       {op::kReadBlockLimits, 0x00, 0, 0, 0, kCtl}},
      // SSC-3 6.4 READ(6): SILI, FIXED; the byte count depends on the block
      // length in force, hence LengthUnit::device.
      {op::kRead6, 6, 0, kMotion, in, dev, 0, 0, rd, "READ(6)",
       {op::kRead6, 0x03, kFF, kFF, kFF, kCtl}},
      // SSC-3 6.9 WRITE(6): FIXED.
      {op::kWrite6, 6, 0, kMotion | F::writes_medium, out, dev, 0, 0, wr, "WRITE(6)",
       {op::kWrite6, 0x01, kFF, kFF, kFF, kCtl}},
      // SSC-3 6.10 WRITE FILEMARKS(6): IMMED (WSMK: setmarks are not offered).
      {op::kWriteFilemarks6, 6, 0, kMotion | F::writes_medium, none, no, 0, 0, wr,
       "WRITE FILEMARKS(6)", {op::kWriteFilemarks6, 0x01, kFF, kFF, kFF, kCtl}},
      // SSC-3 6.8 SPACE(6): CODE in bits 3-0, signed 24-bit COUNT.
      {op::kSpace6, 6, 0, kMotion, none, no, 0, 0, rd, "SPACE(6)",
       {op::kSpace6, 0x0F, kFF, kFF, kFF, kCtl}},
      // SSC-3 6.2 ERASE(6): IMMED, LONG.
      {op::kErase6, 6, 0, kMotion | F::writes_medium, none, no, 0, 0, wr, "ERASE(6)",
       {op::kErase6, 0x03, 0, 0, 0, kCtl}},
      // SSC-3 7.2 LOAD UNLOAD: IMMED; HOLD, EOT, RETEN, LOAD. Loads an
      // unloaded cartridge, so it runs without a medium present.
      {op::kLoadUnload, 6, 0, kMotion | kAnyMedium, none, no, 0, 0, cf, "LOAD UNLOAD",
       {op::kLoadUnload, 0x01, 0, 0, 0x0F, kCtl}},
      // SPC-4 6.13 / SSC-3 7.3 PREVENT ALLOW MEDIUM REMOVAL.
      {op::kPreventAllow, 6, 0, kMotion | kAnyMedium, none, no, 0, 0, cf,
       "PREVENT ALLOW MEDIUM REMOVAL", {op::kPreventAllow, 0, 0, 0, 0x03, kCtl}},
      // SSC-3 7.4 LOCATE(10): BT, CP, IMMED; LOGICAL OBJECT IDENTIFIER; PARTITION.
      {op::kLocate10, 10, 0, kMotion, none, no, 0, 0, rd, "LOCATE(10)",
       {op::kLocate10, 0x07, 0, kFF, kFF, kFF, kFF, 0, kFF, kCtl}},
      {op::kReadPosition, 10, op::kRpShort, kSa, in, dev, 0, 0, ok, "READ POSITION", rp},
      {op::kReadPosition, 10, op::kRpShortVendor, kSa, in, dev, 0, 0, ok, "READ POSITION", rp},
      {op::kReadPosition, 10, op::kRpLong, kSa, in, dev, 0, 0, ok, "READ POSITION", rp},
      {op::kReadPosition, 10, op::kRpExtended, kSa, in, dev, 0, 0, ok, "READ POSITION", rp},
      // SSC-3 6.5 REPORT DENSITY SUPPORT: MEDIA (MEDIUM TYPE descriptors are
      // not offered). MEDIA=0 describes the drive, so no medium is needed.
      {op::kReportDensity, 10, 0, kAnyMedium | F::allocation_length, in, by, 7, 2, ok,
       "REPORT DENSITY SUPPORT", {op::kReportDensity, 0x01, 0, 0, 0, 0, 0, kFF, kFF, kCtl}},
      // SSC-3 6.7 SPACE(16): CODE, signed 64-bit COUNT; PARAMETER LENGTH
      // must be 0 (no data-out parameters).
      {op::kSpace16, 16, 0, kMotion, none, no, 0, 0, rd, "SPACE(16)",
       {op::kSpace16, 0x0F, 0, 0, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, 0, 0, 0, kCtl}},
      // SSC-3 7.4 LOCATE(16): DEST_TYPE, CP, IMMED; BAM; PARTITION; LOGICAL IDENTIFIER.
      {op::kLocate16, 16, 0, kMotion, none, no, 0, 0, rd, "LOCATE(16)",
       {op::kLocate16, 0x3B, 0x01, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, 0, 0, 0, kCtl}},
  };
  std::vector<OpcodeInfo> v;
  for (const Row& r : rows) v.push_back(opcode_info(r));
  return v;
}

}  // namespace

const std::vector<OpcodeInfo>& tape_opcodes() {
  static const std::vector<OpcodeInfo> rows = build();
  return rows;
}

}  // namespace nexus::tape
