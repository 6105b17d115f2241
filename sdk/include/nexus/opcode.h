// One row per supported command: the core validates every CDB against these
// rows before a handler sees it (FreeBSD ctl's cmd-table idea). Reserved-bit
// checks, NACA rejection, read-only LUNs, no-medium and reservation rules fall
// out of this data instead of scattered ifs. REPORT SUPPORTED OPERATION CODES
// is answered from the same rows.
#pragma once

#include "nexus/abi.h"
#include "nexus/scsi.h"

namespace nexus {

// How the core finds a command's data transfer length in its CDB.
enum class LengthUnit : uint8_t {
  none = 0,    // no data phase
  bytes = 1,   // field counts bytes
  blocks = 2,  // field counts logical blocks of DeviceInfo::block_size
  device = 3,  // ask IDevice::data_length() (e.g. tape fixed-block mode)
  one_block = 4,  // exactly one logical block (WRITE SAME)
  blocks_times_two = 5,  // COMPARE AND WRITE: NUMBER OF LOGICAL BLOCKS * 2 of data-out
};

struct OpcodeFlags {
  static constexpr uint32_t service_action = 1u << 0;     // row matches opcode + service_action
  static constexpr uint32_t ok_on_no_medium = 1u << 1;    // runs with NOT READY medium absent
  static constexpr uint32_t writes_medium = 1u << 2;      // DATA PROTECT on a read-only LUN
  static constexpr uint32_t allow_on_ua = 1u << 3;        // not blocked by a pending UA (INQUIRY, REPORT LUNS, REQUEST SENSE)
  static constexpr uint32_t len0_is_256 = 1u << 4;        // 6-byte READ/WRITE: TRANSFER LENGTH 0 means 256 blocks
  static constexpr uint32_t handled_by_core = 1u << 5;    // the core executes it (SPC commands)
  static constexpr uint32_t serialize_lu = 1u << 6;       // runs alone on the LU (like ORDERED)
  static constexpr uint32_t lba_range = 1u << 7;          // lba_offset/size + length describe a block range (overlap ordering)
  static constexpr uint32_t allocation_length = 1u << 8;  // length field is an ALLOCATION LENGTH (truncate, never overflow)
  static constexpr uint32_t ok_when_not_ready = 1u << 9;  // runs while the LU is becoming ready / stopped
  static constexpr uint32_t len_bit_bytchk = 1u << 10;    // VERIFY: data-out only when BYTCHK (CDB byte 1 bits 1..2) != 0
  // The initiator's expected transfer length must equal the computed data
  // length exactly (WRITE SAME, COMPARE AND WRITE): a partial or padded
  // Data-Out is ILLEGAL REQUEST, not a residual.
  static constexpr uint32_t exact_data_out = 1u << 11;
};

// Reservation class of a command, for the SPC-4 5.13 conflict table (Table
// 63 and friends) which lives in the core.
enum class ResvClass : uint8_t {
  conflict = 0,       // blocked by any reservation held by another nexus
  allowed = 1,        // never blocked (INQUIRY, REPORT LUNS, ...)
  read = 2,           // medium read: allowed under Write Exclusive for others
  write = 3,          // medium write
  pr_in = 4,
  pr_out = 5,
  reserve = 6,
  release = 7,
  allowed_if_registered = 8,  // e.g. TEST UNIT READY under Exclusive Access
};

struct OpcodeInfo {
  uint8_t opcode;
  uint8_t cdb_length;       // bytes; the core rejects other lengths
  uint16_t service_action;  // with OpcodeFlags::service_action
  uint32_t flags;           // OpcodeFlags
  DataDir direction;
  LengthUnit len_unit;
  uint8_t len_offset;       // byte offset of the transfer/allocation length field
  uint8_t len_size;         // its size in bytes (0 = none)
  uint8_t lba_offset;       // with lba_range
  uint8_t lba_size;
  ResvClass resv_class;
  uint8_t reserved0;
  // SPC-4 6.35.4 CDB USAGE DATA: bit set = the bit may be set by the initiator.
  // usage[0] is the opcode itself (0xFF). The core rejects a CDB with a bit set
  // outside this mask with ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at it.
  uint8_t usage[16];
  uint32_t timeout_ms;      // nominal command timeout for RSOC (0 = not reported)
  const char* name;         // for logs, e.g. "READ(10)"
};

}  // namespace nexus
