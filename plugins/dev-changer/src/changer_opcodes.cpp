#include "changer_opcodes.h"

#include <initializer_list>

#include "nexus/handler.hpp"

namespace nexus::changer {
namespace {

constexpr uint8_t kCtl = cdb_usage::kControl;
constexpr uint8_t kFF = cdb_usage::kAll;
using F = OpcodeFlags;

// Robot motion: one at a time on the LU, never overtaken (SAM-5 ordering).
constexpr uint32_t kMotion = F::serialize_lu;
constexpr uint32_t kTimeoutMotionMs = 300000;

OpcodeInfo row(uint8_t opcode, uint8_t len, uint32_t flags, DataDir dir, LengthUnit unit,
               uint8_t len_off, uint8_t len_size, ResvClass resv, const char* name,
               std::initializer_list<uint8_t> usage, uint32_t timeout_ms = 0) {
  OpcodeInfo o{};
  o.opcode = opcode;
  o.cdb_length = len;
  o.flags = flags;
  o.direction = dir;
  o.len_unit = unit;
  o.len_offset = len_off;
  o.len_size = len_size;
  o.resv_class = resv;
  set_usage(o, usage);
  o.timeout_ms = timeout_ms;
  o.name = name;
  return o;
}

std::vector<OpcodeInfo> build() {
  const DataDir none = DataDir::none;
  const LengthUnit no = LengthUnit::none;
  const ResvClass conflict = ResvClass::conflict;
  return {
      // SMC-3 6.4: no fields.
      row(op::kInitializeElementStatus, 6, kMotion, none, no, 0, 0, conflict,
          "INITIALIZE ELEMENT STATUS", {op::kInitializeElementStatus, 0, 0, 0, 0, kCtl},
          kTimeoutMotionMs),
      // SMC-3 6.5: FAST, RANGE; STARTING ELEMENT ADDRESS; NUMBER OF ELEMENTS.
      row(op::kInitializeElementStatusWithRange, 10, kMotion, none, no, 0, 0, conflict,
          "INITIALIZE ELEMENT STATUS WITH RANGE",
          {op::kInitializeElementStatusWithRange, 0x03, kFF, kFF, 0, 0, kFF, kFF, 0, kCtl},
          kTimeoutMotionMs),
      // SMC-3 6.9 / SPC-4 6.13: PREVENT field (bits 1-0).
      row(op::kPreventAllowMediumRemoval, 6, 0, none, no, 0, 0, conflict,
          "PREVENT ALLOW MEDIUM REMOVAL", {op::kPreventAllowMediumRemoval, 0, 0, 0, 0x03, kCtl}),
      // SMC-3 6.7: TRANSPORT and DESTINATION ELEMENT ADDRESS; INVERT is not
      // supported (no rotation, Transport Geometry ROTATE=0).
      row(op::kPositionToElement, 10, kMotion, none, no, 0, 0, conflict, "POSITION TO ELEMENT",
          {op::kPositionToElement, 0, kFF, kFF, kFF, kFF, 0, 0, 0, kCtl}, kTimeoutMotionMs),
      // SMC-3 6.6: TRANSPORT, SOURCE, DESTINATION; INVERT not supported.
      row(op::kMoveMedium, 12, kMotion, none, no, 0, 0, conflict, "MOVE MEDIUM",
          {op::kMoveMedium, 0, kFF, kFF, kFF, kFF, kFF, kFF, 0, 0, 0, kCtl}, kTimeoutMotionMs),
      // SMC-3 6.3: TRANSPORT, SOURCE, FIRST and SECOND DESTINATION; INV1/INV2
      // not supported.
      row(op::kExchangeMedium, 12, kMotion, none, no, 0, 0, conflict, "EXCHANGE MEDIUM",
          {op::kExchangeMedium, 0, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, 0, kCtl},
          kTimeoutMotionMs),
      // SMC-3 6.11: VOLTAG, ELEMENT TYPE CODE; STARTING ELEMENT ADDRESS;
      // NUMBER OF ELEMENTS; CURDATA, DVCID; ALLOCATION LENGTH (3 bytes).
      row(op::kReadElementStatus, 12, F::allocation_length, DataDir::read, LengthUnit::bytes, 7, 3,
          ResvClass::read, "READ ELEMENT STATUS",
          {op::kReadElementStatus, 0x1F, kFF, kFF, kFF, kFF, 0x03, kFF, kFF, kFF, 0, kCtl}),
  };
}

}  // namespace

const std::vector<OpcodeInfo>& changer_opcodes() {
  static const std::vector<OpcodeInfo> rows = build();
  return rows;
}

}  // namespace nexus::changer
