#include "device_identity.h"

#include <algorithm>
#include <cstdio>

#include "nexus/bytes.hpp"

namespace nexus::passthrough {
namespace {

std::string ascii_field(std::span<const uint8_t> d, size_t off, size_t len) {
  std::string s;
  for (size_t i = off; i < off + len && i < d.size(); ++i) {
    uint8_t c = d[i];
    if (c == 0) break;
    s.push_back(c >= 0x20 && c <= 0x7E ? char(c) : ' ');  // SPC-4 4.4.1: printable ASCII
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  size_t lead = s.find_first_not_of(' ');
  return lead == std::string::npos ? std::string() : s.substr(lead);
}

}  // namespace

bool RemoteIdentity::same_lu(const RemoteIdentity& o) const noexcept {
  return peripheral_type == o.peripheral_type && vendor == o.vendor && product == o.product &&
         serial == o.serial && naa_id == o.naa_id;
}

std::string RemoteIdentity::describe() const {
  char naa[32] = "";
  if (naa_id) std::snprintf(naa, sizeof naa, " naa 0x%016llx", (unsigned long long)naa_id);
  return vendor + " " + product + " " + revision + " serial " +
         (serial.empty() ? std::string("(none)") : serial) + naa;
}

bool parse_standard_inquiry(std::span<const uint8_t> d, RemoteIdentity* id, std::string* error) {
  if (d.size() < 36) {
    *error = "standard INQUIRY data too short (" + std::to_string(d.size()) + " bytes)";
    return false;
  }
  // SPC-4 6.6.2: PERIPHERAL QUALIFIER 000b = an LU is connected.
  if ((d[0] >> 5) != 0) {
    *error = "no logical unit connected (peripheral qualifier " + std::to_string(d[0] >> 5) + ")";
    return false;
  }
  id->peripheral_type = d[0] & 0x1F;
  id->removable = d[1] & 0x80;
  id->version = d[2];
  id->vendor = ascii_field(d, 8, 8);
  id->product = ascii_field(d, 16, 16);
  id->revision = ascii_field(d, 32, 4);
  return true;
}

std::vector<uint8_t> parse_supported_vpd(std::span<const uint8_t> d) {
  std::vector<uint8_t> out;
  if (d.size() < 4 || d[1] != 0x00) return out;
  size_t end = std::min<size_t>(d.size(), 4u + get_be16(&d[2]));
  for (size_t i = 4; i < end; ++i) out.push_back(d[i]);
  return out;
}

std::string parse_unit_serial(std::span<const uint8_t> d) {
  if (d.size() < 4 || d[1] != 0x80) return {};
  size_t len = std::min<size_t>(d.size() - 4, get_be16(&d[2]));
  return ascii_field(d, 4, std::min<size_t>(len, 63));
}

uint64_t parse_lu_naa(std::span<const uint8_t> d) noexcept {
  if (d.size() < 4 || d[1] != 0x83) return 0;
  size_t end = std::min<size_t>(d.size(), 4u + get_be16(&d[2]));
  for (size_t i = 4; i + 4 <= end;) {
    const uint8_t* p = &d[i];
    size_t len = p[3];
    if (i + 4 + len > end) break;
    // SPC-4 7.8.6: ASSOCIATION 00b = the LU, DESIGNATOR TYPE 3h = NAA, binary.
    bool lu = ((p[1] >> 4) & 0x3) == 0;
    if (lu && (p[1] & 0x0F) == 0x3 && (p[0] & 0x0F) == 0x1 && len == 8) return get_be64(p + 4);
    i += 4 + len;
  }
  return 0;
}

}  // namespace nexus::passthrough
