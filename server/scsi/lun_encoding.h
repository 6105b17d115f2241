// 8-byte LUN structure <-> LUN number (SAM-5 4.6). Transports decode the LUN
// field of a command with decode_lun(); REPORT LUNS encodes with encode_lun().
//
// LUN numbers used by the core:
//   0..255        peripheral device addressing, bus 0 (00b)  -> 00 nn 00..
//   256..16383    flat space addressing (01b)                 -> 4h hh ll 00..
//   C100h..C1FFh  well-known LUNs (extended addressing, SAM-5 4.6.9),
//                 e.g. REPORT LUNS W-LUN C101h                -> C1 01 00..
// decode_lun() also accepts flat space addressing for 0..255 (some initiators
// use it for every LUN): both address the same logical unit.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace nexus::scsi {

inline constexpr uint32_t kWellKnownLunBase = 0xC100;
inline constexpr uint32_t kReportLunsWlun = 0xC101;  // SAM-5 Table 17
inline constexpr uint32_t kMaxFlatLun = 16383;

constexpr bool is_well_known_lun(uint32_t lun) noexcept {
  return (lun & 0xFF00) == kWellKnownLunBase;
}

// The 8-byte LUN as a big-endian integer (what IDeviceCommand::lun() holds)
// and as bytes. nullopt for numbers that have no encoding here.
std::optional<uint64_t> encode_lun(uint32_t lun) noexcept;
std::optional<std::array<uint8_t, 8>> encode_lun_bytes(uint32_t lun) noexcept;

// nullopt for address methods/levels we do not use (hierarchical LUNs,
// logical unit addressing, a non-zero bus, non-zero second level).
std::optional<uint32_t> decode_lun(uint64_t lun) noexcept;
std::optional<uint32_t> decode_lun_bytes(std::span<const uint8_t, 8> lun) noexcept;

}  // namespace nexus::scsi
