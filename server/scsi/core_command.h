// The entry point the core calls for rows flagged handled_by_core, after
// OpcodeTable::lookup() accepted the CDB and the core's own checks (UA,
// reservations, medium) passed. `buffer` is the command's data buffer: it
// receives Data-In (sized to the transfer/allocation length, clamped to the
// transport's expected length) or holds the Data-Out parameter list.
//
// RESERVE/RELEASE (6/10), PERSISTENT RESERVE IN/OUT and REPORT TARGET PORT
// GROUPS come back Disposition::not_handled: the core routes them to its
// reservation / ALUA module.
#pragma once

#include <cstdint>
#include <span>

#include "scsi/core_context.h"
#include "scsi/result.h"

namespace nexus::scsi {

Result execute_core_command(const CoreContext& ctx, std::span<const uint8_t> cdb,
                            std::span<uint8_t> buffer) noexcept;

// TEST UNIT READY (SPC-4 6.47) from DeviceInfo: NOT READY, MEDIUM NOT
// PRESENT (3Ah/00h) or LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED
// (04h/02h), else GOOD.
Result test_unit_ready(const CoreContext& ctx) noexcept;

}  // namespace nexus::scsi
