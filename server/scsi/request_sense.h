// REQUEST SENSE (SPC-4 6.39): returns the sense data pending for this I_T_L
// nexus (CoreContext::pending_sense, e.g. a Unit Attention), else NO SENSE.
// The DESC bit picks descriptor or fixed format. On a LUN without a logical
// unit it returns LOGICAL UNIT NOT SUPPORTED as parameter data with GOOD
// status (SPC-4 6.39.1).
#pragma once

#include <cstdint>
#include <span>

#include "scsi/core_context.h"
#include "scsi/result.h"

namespace nexus::scsi {

Result request_sense(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf);

}  // namespace nexus::scsi
