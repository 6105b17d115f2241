// SCSI vocabulary shared by transports, the core and device handlers (SAM-5, SPC-4).
#pragma once

#include "nexus/abi.h"

namespace nexus {

// SAM-5 5.3.1 status codes.
enum class ScsiStatus : uint8_t {
  good = 0x00,
  check_condition = 0x02,
  condition_met = 0x04,
  busy = 0x08,
  reservation_conflict = 0x18,
  task_set_full = 0x28,
  aca_active = 0x30,
  task_aborted = 0x40,
};

// SPC-4 4.5.6 sense keys.
enum class SenseKey : uint8_t {
  no_sense = 0x0,
  recovered_error = 0x1,
  not_ready = 0x2,
  medium_error = 0x3,
  hardware_error = 0x4,
  illegal_request = 0x5,
  unit_attention = 0x6,
  data_protect = 0x7,
  blank_check = 0x8,
  vendor_specific = 0x9,
  copy_aborted = 0xA,
  aborted_command = 0xB,
  volume_overflow = 0xD,
  miscompare = 0xE,
};

// SAM-5 8.6 task attributes.
enum class TaskAttr : uint8_t { simple = 0, ordered = 1, head_of_queue = 2, aca = 3 };

// Direction of the data phase, seen from the initiator.
enum class DataDir : uint8_t {
  none = 0,
  read = 1,   // Data-In: target -> initiator
  write = 2,  // Data-Out: initiator -> target
  bidi = 3,
};

// SPC-4 Table 141 peripheral device types.
enum class PeripheralType : uint8_t {
  disk = 0x00,
  tape = 0x01,
  processor = 0x03,
  cdrom = 0x05,
  changer = 0x08,
  enclosure = 0x0D,
  wlun = 0x1E,
  unknown = 0x1F,
};

// What a device (or the core) wants reported in sense data. The core turns it
// into fixed or descriptor format sense according to the nexus's Control mode
// page D_SENSE bit, so handlers never build sense bytes themselves.
struct SenseInfo {
  uint32_t struct_size;  // sizeof(SenseInfo)
  SenseKey key;
  uint8_t asc;
  uint8_t ascq;
  uint8_t flags;         // SenseFlags bits
  uint64_t information;  // valid when flags & info_valid
  // Sense-key specific field pointer (SPC-4 4.5.2.4.2) when flags & field_valid.
  uint16_t field_pointer;     // byte in CDB / parameter list
  uint8_t field_bit;          // bit pointer, valid with flags & field_bit_valid
  uint8_t flags2;             // SenseFlags2 bits (ABI 1.1; always 0 from 1.0 handlers)
  uint64_t command_specific;  // valid when flags & cmd_specific_valid
};

struct SenseFlags {
  static constexpr uint8_t filemark = 0x80;  // SSC: FILEMARK
  static constexpr uint8_t eom = 0x40;       // SSC: end of medium
  static constexpr uint8_t ili = 0x20;       // incorrect length indicator
  static constexpr uint8_t info_valid = 0x01;
  static constexpr uint8_t field_valid = 0x02;      // field pointer present
  static constexpr uint8_t field_in_cdb = 0x04;     // C/D: 1 = CDB, 0 = parameter data
  static constexpr uint8_t field_bit_valid = 0x08;  // BPV
  static constexpr uint8_t cmd_specific_valid = 0x10;
};

// More SenseInfo bits (SenseInfo::flags2, ABI 1.1).
struct SenseFlags2 {
  // A deferred error (SPC-4 4.5.1): response code 71h/73h instead of 70h/72h.
  // The error belongs to an earlier command that already completed GOOD (a
  // buffered tape write, say), not to the one that reports it.
  static constexpr uint8_t deferred = 0x01;
  // The SENSE KEY SPECIFIC field is not a field pointer but raw bytes, for
  // the other kinds of SPC-4 4.5.2.4 (progress indication with NOT READY or
  // NO SENSE, actual retry count, segment pointer, UA queue overflow):
  // byte 0 bits 6-0 = field_bit, bytes 1-2 = field_pointer; SKSV is set.
  // Takes precedence over SenseFlags::field_valid.
  static constexpr uint8_t sks_raw = 0x02;
};

// Task management functions (SAM-5 7).
enum class TmfFunction : uint8_t {
  abort_task = 1,
  abort_task_set = 2,
  clear_aca = 3,
  clear_task_set = 4,
  lun_reset = 5,
  i_t_nexus_reset = 6,
  target_warm_reset = 7,
  target_cold_reset = 8,
  query_task = 9,
  query_task_set = 10,
  query_async_event = 11,
};

// SAM-5 7.x service responses of a task management function.
enum class TmfResponse : uint8_t {
  function_complete = 0,
  function_succeeded = 1,  // QUERY TASK: task exists
  function_rejected = 2,
  incorrect_lun = 3,
  service_delivery_failure = 4,
  task_not_found =
      5,  // transports report ABORT TASK of an unknown tag as complete per SAM; kept for QUERY
  not_supported = 6,
};

}  // namespace nexus
