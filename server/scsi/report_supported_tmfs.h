// REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.36): what the core's
// task management implements. ABORT TASK, ABORT TASK SET, CLEAR TASK SET,
// LOGICAL UNIT RESET, QUERY TASK, QUERY TASK SET, QUERY ASYNCHRONOUS EVENT,
// I_T NEXUS RESET; not CLEAR ACA (no ACA) and not the obsolete TARGET RESET
// / WAKEUP bits. REPD=1 returns the extended format without timeouts
// (TMFTMOV=0).
#pragma once

#include <cstdint>
#include <span>

#include "scsi/core_context.h"
#include "scsi/result.h"

namespace nexus::scsi {

Result report_supported_tmfs(const CoreContext& ctx, std::span<const uint8_t> cdb,
                             std::span<uint8_t> buf);

}  // namespace nexus::scsi
