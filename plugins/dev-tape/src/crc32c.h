// CRC-32C (Castagnoli), the checksum of tape media records: hardware
// (SSE4.2) when the CPU has it, a table otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nexus::tape {

// Continues `crc` (0 for a fresh checksum) over `len` bytes.
uint32_t crc32c(uint32_t crc, const void* data, size_t len) noexcept;

}  // namespace nexus::tape
