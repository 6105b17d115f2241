// CRC32C (Castagnoli) for iSCSI header and data digests (RFC 7143 §13.1,
// RFC 3720 Appendix B.4). Uses the SSE4.2 crc32 instruction when the CPU has
// it, else a slicing-by-8 table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nexus::iscsi {

// Running CRC: state starts at crc32c_init(), the digest is crc32c_final(state).
constexpr uint32_t crc32c_init() noexcept { return 0xffffffffu; }
uint32_t crc32c_update(uint32_t state, const void* data, size_t len) noexcept;
constexpr uint32_t crc32c_final(uint32_t state) noexcept { return ~state; }

inline uint32_t crc32c(const void* data, size_t len) noexcept {
  return crc32c_final(crc32c_update(crc32c_init(), data, len));
}

// Digests travel least significant byte first (RFC 3720 B.4 examples).
inline void put_digest(uint8_t* p, uint32_t crc) noexcept {
  p[0] = uint8_t(crc);
  p[1] = uint8_t(crc >> 8);
  p[2] = uint8_t(crc >> 16);
  p[3] = uint8_t(crc >> 24);
}
inline uint32_t get_digest(const uint8_t* p) noexcept {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

// For tests: force the portable path.
uint32_t crc32c_update_portable(uint32_t state, const void* data, size_t len) noexcept;
bool crc32c_hw_available() noexcept;

}  // namespace nexus::iscsi
