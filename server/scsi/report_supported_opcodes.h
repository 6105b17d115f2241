// REPORT SUPPORTED OPERATION CODES (SPC-4 6.35) answered from the LU's
// OpcodeTable: all-commands format (with command timeouts descriptors when
// RCTD=1) and the one-command formats (REPORTING OPTIONS 001b, 010b, 011b)
// with CDB USAGE DATA. SUPPORT is 011b (supported as the standard says) or
// 101b for vendor specific opcodes (C0h-FFh); 001b when not supported.
#pragma once

#include <cstdint>
#include <span>

#include "scsi/core_context.h"
#include "scsi/result.h"

namespace nexus::scsi {

Result report_supported_opcodes(const CoreContext& ctx, std::span<const uint8_t> cdb,
                                std::span<uint8_t> buf);

}  // namespace nexus::scsi
