// Header-only helpers: big-endian field access for CDBs and parameter data,
// and Str <-> std::string_view.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "nexus/abi.h"

namespace nexus {

inline uint16_t get_be16(const uint8_t* p) noexcept { return uint16_t((p[0] << 8) | p[1]); }
inline uint32_t get_be24(const uint8_t* p) noexcept {
  return (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2];
}
inline uint32_t get_be32(const uint8_t* p) noexcept {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
inline uint64_t get_be64(const uint8_t* p) noexcept {
  return (uint64_t(get_be32(p)) << 32) | get_be32(p + 4);
}
// Reads an n-byte (1..8) big-endian field.
inline uint64_t get_be(const uint8_t* p, unsigned n) noexcept {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}
inline void put_be16(uint8_t* p, uint16_t v) noexcept {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void put_be24(uint8_t* p, uint32_t v) noexcept {
  p[0] = uint8_t(v >> 16);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v);
}
inline void put_be32(uint8_t* p, uint32_t v) noexcept {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
inline void put_be64(uint8_t* p, uint64_t v) noexcept {
  put_be32(p, uint32_t(v >> 32));
  put_be32(p + 4, uint32_t(v));
}

inline std::string_view to_sv(Str s) noexcept { return {s.data ? s.data : "", size_t(s.size)}; }
inline Str to_str(std::string_view s) noexcept { return Str{s.data(), s.size()}; }

// Copies src into a fixed field, padded with spaces (INQUIRY ASCII fields).
inline void copy_padded(uint8_t* dst, size_t n, std::string_view src) noexcept {
  size_t k = src.size() < n ? src.size() : n;
  std::memcpy(dst, src.data(), k);
  std::memset(dst + k, ' ', n - k);
}

}  // namespace nexus
