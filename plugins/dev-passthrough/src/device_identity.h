// What the real device says about itself: standard INQUIRY (SPC-4 6.6.2),
// VPD 00h (supported pages), 80h (unit serial number) and 83h (device
// identification). The core builds the INQUIRY data initiators see from it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nexus::passthrough {

struct RemoteIdentity {
  uint8_t peripheral_type = 0x1F;
  bool removable = false;  // RMB
  uint8_t version = 0;     // VERSION
  std::string vendor, product, revision;  // trailing spaces trimmed
  std::string serial;      // VPD 80h, spaces trimmed
  uint64_t naa_id = 0;     // 8-byte NAA designator of the LU (VPD 83h), 0 = none
  std::vector<uint8_t> vpd_pages;  // listed in VPD 00h

  // Whether `o` is the same LU (after a re-attach): same type, vendor,
  // product, serial and NAA designator.
  bool same_lu(const RemoteIdentity& o) const noexcept;
  // "IBM ULT3580-TD5 serial 123 naa 0x5..." for logs.
  std::string describe() const;
};

// Fills type, RMB, version, vendor/product/revision. False with *error when
// the data is too short or the peripheral qualifier says no LU is connected.
bool parse_standard_inquiry(std::span<const uint8_t> d, RemoteIdentity* id, std::string* error);
std::vector<uint8_t> parse_supported_vpd(std::span<const uint8_t> d);
std::string parse_unit_serial(std::span<const uint8_t> d);
// The first NAA designator of 8 bytes associated with the LU, or 0.
uint64_t parse_lu_naa(std::span<const uint8_t> d) noexcept;

}  // namespace nexus::passthrough
