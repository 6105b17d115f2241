// SenseInfo -> sense data bytes (SPC-4 4.5): fixed format (70h) or
// descriptor format (72h), chosen by the Control mode page D_SENSE bit or the
// REQUEST SENSE DESC bit. decode_sense() is the inverse, for tests and tools.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "nexus/scsi.h"

namespace nexus::scsi {

enum class SenseFormat : uint8_t { fixed = 0, descriptor = 1 };

inline constexpr size_t kFixedSenseLength = 18;
// Header + information + command-specific + sense-key-specific + stream
// commands descriptors: the longest sense data we produce.
inline constexpr size_t kMaxSenseLength = 8 + 12 + 12 + 8 + 4;

// Length of the encoded sense data.
size_t sense_length(const SenseInfo& s, SenseFormat format) noexcept;

// Encodes `s`; writes min(out.size(), full length) bytes and returns the full
// length. Fixed format notes (SPC-4 4.5.3): INFORMATION and COMMAND-SPECIFIC
// INFORMATION are 4 bytes; a value that does not fit leaves VALID=0 and the
// field zero (descriptor format carries 8 bytes).
size_t encode_sense(const SenseInfo& s, SenseFormat format, std::span<uint8_t> out) noexcept;

// Parses current-error sense data (70h or 72h); nullopt if malformed.
std::optional<SenseInfo> decode_sense(std::span<const uint8_t> data) noexcept;

}  // namespace nexus::scsi
