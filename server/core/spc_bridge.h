// The seam between the command runtime and the SPC emulation library
// (server/scsi): admission of a CDB (opcode row, lengths, block range) and
// execution of the commands the core answers itself.
#pragma once

#include <cstdint>

#include "nexus/opcode.h"
#include "nexus/scsi.h"

namespace nexus::server {

class LogicalUnit;
class Command;

struct Admission {
  bool ok = true;
  SenseInfo sense{};  // when !ok: CHECK CONDITION with this sense
  const OpcodeInfo* row = nullptr;
  uint32_t length = 0;  // bytes of data the CDB asks for
  bool data_out = false;
  // The device gets the CDB as it is (DeviceInfoFlags::passthrough), so it
  // cannot act on less Data-Out than the CDB asks for.
  bool whole_data_out = false;
  bool alloc_len = false;  // length is an ALLOCATION LENGTH
  uint64_t lba = 0;        // medium range for ordering
  uint64_t blocks = 0;     // 0 with access = whole LU
  uint8_t access = 0;      // 0 none, 1 read, 2 write
};

// Finds the opcode row (core + device rows of lu; lu == nullptr for an
// unmapped LUN, lun its decoded number), validates the CDB against it and computes the data length.
Admission admit_command(LogicalUnit* lu, uint32_t lun, const uint8_t* cdb,
                        uint32_t cdb_len) noexcept;

// Executes a handled_by_core command synchronously; calls c.complete().
void run_core_command(Command& c) noexcept;

// Sense bytes in the format the LU's Control mode page D_SENSE asks for.
uint32_t encode_sense_for(LogicalUnit* lu, const SenseInfo& s, uint8_t* out, uint32_t cap) noexcept;

// Control mode page TAS bit: commands aborted by another nexus end with
// TASK ABORTED status instead of silently (SAM-5 7.x, SPC-4 7.5.8).
bool task_aborted_status(LogicalUnit* lu) noexcept;

}  // namespace nexus::server
