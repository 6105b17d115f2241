// Reads the device's sense data (fixed 70h/71h or descriptor 72h/73h format,
// SPC-4 4.5) into SenseInfo, so the core re-encodes it in the format each
// nexus asked for (Control mode page D_SENSE).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "nexus/scsi.h"

namespace nexus::passthrough {

// Keeps SENSE KEY, ASC/ASCQ, FILEMARK/EOM/ILI, INFORMATION, COMMAND-SPECIFIC
// INFORMATION and the ILLEGAL REQUEST field pointer. Not carried: deferred
// (71h/73h) is reported as current, progress indication and vendor bytes are
// dropped. nullopt for empty or unrecognised sense data.
std::optional<SenseInfo> decode_sense(std::span<const uint8_t> sense) noexcept;

}  // namespace nexus::passthrough
