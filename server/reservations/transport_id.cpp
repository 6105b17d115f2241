#include "reservations/transport_id.h"

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::server::resv {
namespace {

constexpr std::string_view kSeparator = ",i,0x";
constexpr size_t kIsidDigits = 12;

bool is_hex(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

TransportIdParse fail(uint32_t byte, int bit = -1) {
  TransportIdParse r;
  r.ok = false;
  r.sense = sense::invalid_field_in_param(uint16_t(byte > 0xFFFF ? 0xFFFF : byte), bit);
  return r;
}

}  // namespace

bool valid_iscsi_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > kMaxIscsiNameLength) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

TransportIdParse parse_transport_ids(std::span<const uint8_t> data, uint32_t base, size_t max_ids) {
  TransportIdParse r;
  size_t pos = 0;
  while (pos < data.size()) {
    const uint32_t at = base + uint32_t(pos);
    // A header that does not fit is a truncated TransportID (SPC-4 6.16.4).
    if (data.size() - pos < 4) return fail(at);
    const uint8_t* p = data.data() + pos;
    const uint8_t format = p[0] >> 6;
    if ((p[0] & 0x0F) != kProtocolIscsi) return fail(at, 3);
    if (format > 1) return fail(at, 7);
    if (p[0] & 0x30) return fail(at, 5);  // reserved bits
    const uint16_t add_len = get_be16(p + 2);
    // SPC-4 7.6.4.6: ADDITIONAL LENGTH at least 20 and a multiple of 4.
    if (add_len < 20 || add_len % 4 != 0) return fail(at + 2);
    if (data.size() - pos - 4 < add_len) return fail(at + 2);
    std::string_view field(reinterpret_cast<const char*>(p + 4), add_len);
    size_t nul = field.find('\0');
    if (nul == std::string_view::npos) return fail(at + 4);  // not NUL-terminated
    std::string_view text = field.substr(0, nul);
    TransportId id;
    if (format == 0) {
      if (!valid_iscsi_name(text)) return fail(at + 4);
      id.name = std::string(text);
    } else {
      size_t sep = text.find(kSeparator);
      // The name cannot contain ',', so the first separator is the one.
      if (sep == std::string_view::npos) return fail(at + 4);
      std::string_view name = text.substr(0, sep);
      std::string_view isid = text.substr(sep + kSeparator.size());
      if (!valid_iscsi_name(name)) return fail(at + 4);
      if (isid.size() != kIsidDigits) return fail(at + 4 + uint32_t(sep + kSeparator.size()));
      for (char c : isid)
        if (!is_hex(c)) return fail(at + 4 + uint32_t(sep + kSeparator.size()));
      id.name = std::string(name);
      id.isid.reserve(kIsidDigits);
      for (char c : isid) id.isid.push_back(lower(c));
    }
    if (r.ids.size() >= max_ids) return fail(at);
    r.ids.push_back({std::move(id), at});
    pos += 4 + add_len;
  }
  r.ok = true;
  return r;
}

std::vector<uint8_t> encode_transport_id(const std::string& name, const std::string& isid) {
  std::string text = name;
  if (!isid.empty()) {
    text += kSeparator;
    text += isid;
  }
  size_t len = text.size() + 1;  // NUL terminator
  len = (len + 3) & ~size_t(3);  // pad to a multiple of 4
  if (len < 20) len = 20;        // minimum ADDITIONAL LENGTH
  std::vector<uint8_t> out(4 + len, 0);
  out[0] = uint8_t((isid.empty() ? 0x00 : 0x40) | kProtocolIscsi);
  put_be16(out.data() + 2, uint16_t(len));
  for (size_t i = 0; i < text.size(); ++i) out[4 + i] = uint8_t(text[i]);
  return out;
}

}  // namespace nexus::server::resv
