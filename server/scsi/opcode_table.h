// The table of supported commands for one LU: the core's SPC rows plus the
// device handler's rows. lookup() validates a CDB against it (FreeBSD ctl's
// cmd-table idea): unknown opcode or service action, CDB length, reserved
// bits outside the row's usage mask and NACA=1 become ILLEGAL REQUEST sense
// data here, so no handler ever sees a malformed CDB.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "nexus/opcode.h"
#include "nexus/scsi.h"

namespace nexus::scsi {

struct LookupResult {
  const OpcodeInfo* row = nullptr;  // null: rejected, see sense
  SenseInfo sense{};
  explicit operator bool() const noexcept { return row != nullptr; }
};

// Why a row was left out of the table.
enum class RowRejection : uint8_t {
  overrides_core = 0,  // device row for an opcode/service action the core owns
  duplicate = 1,       // same opcode (+ service action) as an earlier row
  bad_length = 2,      // cdb_length does not match the opcode's group, or a field lies outside it
  mixed_service_action = 3,  // rows of one opcode disagree about having service actions
};
struct RejectedRow {
  const OpcodeInfo* row;  // points into the caller's span
  RowRejection why;
};

// CDB length implied by the opcode's group code (SAM-5 5.2.3): 6, 10, 12 or
// 16; 0 for variable length (7Fh) and vendor specific groups (6, 7).
uint8_t group_cdb_length(uint8_t opcode) noexcept;

// Byte holding the control byte: last byte, or byte 1 of a variable length
// CDB (SPC-4 4.2.3).
inline size_t control_byte_index(uint8_t opcode, size_t cdb_length) noexcept {
  return opcode == 0x7F ? 1 : cdb_length - 1;
}

class OpcodeTable {
 public:
  OpcodeTable() noexcept;
  // Copies the rows. Device rows may add opcodes and service actions but not
  // replace core rows; their handled_by_core flag is cleared (a device row is
  // always executed by the device). Rejected rows are listed in *rejected so
  // the caller can log them.
  OpcodeTable(std::span<const OpcodeInfo> core_rows, std::span<const OpcodeInfo> device_rows,
              std::vector<RejectedRow>* rejected = nullptr);

  LookupResult lookup(std::span<const uint8_t> cdb) const noexcept;

  // The row for opcode (+ service action when the opcode has them).
  const OpcodeInfo* find(uint8_t opcode, uint16_t service_action = 0) const noexcept;
  bool has_service_actions(uint8_t opcode) const noexcept;
  bool supports(uint8_t opcode) const noexcept { return count_[opcode] != 0; }
  // All rows ordered by opcode, then service action.
  std::span<const OpcodeInfo> rows() const noexcept { return rows_; }

 private:
  bool add(const OpcodeInfo& row, bool from_device, std::vector<RejectedRow>* rejected);
  void index();

  std::vector<OpcodeInfo> rows_;
  std::vector<bool> core_;  // parallel to rows_ during construction
  std::array<uint16_t, 256> first_{};
  std::array<uint16_t, 256> count_{};
};

}  // namespace nexus::scsi
