#include "scsi/lun_encoding.h"

#include "nexus/bytes.hpp"

namespace nexus::scsi {

std::optional<uint64_t> encode_lun(uint32_t lun) noexcept {
  uint64_t first_level;
  if (lun < 256) {
    first_level = lun;  // 00b, bus 0
  } else if (lun <= kMaxFlatLun) {
    first_level = 0x4000u | lun;  // 01b
  } else if (is_well_known_lun(lun)) {
    first_level = lun;  // C1h (11b, length 00b, extended method 1h) + W-LUN
  } else {
    return std::nullopt;
  }
  return first_level << 48;
}

std::optional<std::array<uint8_t, 8>> encode_lun_bytes(uint32_t lun) noexcept {
  auto v = encode_lun(lun);
  if (!v) return std::nullopt;
  std::array<uint8_t, 8> b{};
  put_be64(b.data(), *v);
  return b;
}

std::optional<uint32_t> decode_lun(uint64_t lun) noexcept {
  // Only a single level: bytes 2..7 must be zero.
  if (lun & 0x0000FFFFFFFFFFFFull) return std::nullopt;
  const uint32_t first = uint32_t(lun >> 48);
  switch (first >> 14) {
    case 0:  // peripheral device addressing; bus identifier must be 0
      if (first & 0x3F00) return std::nullopt;
      return first & 0xFF;
    case 1:  // flat space
      return first & 0x3FFF;
    case 3:
      if (is_well_known_lun(first)) return first;
      return std::nullopt;
    default:  // logical unit addressing
      return std::nullopt;
  }
}

std::optional<uint32_t> decode_lun_bytes(std::span<const uint8_t, 8> lun) noexcept {
  return decode_lun(get_be64(lun.data()));
}

}  // namespace nexus::scsi
