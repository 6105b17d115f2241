#include "scsi/sense_encoding.h"

#include <algorithm>

#include "nexus/bytes.hpp"
#include "scsi/response_writer.h"

namespace nexus::scsi {
namespace {

constexpr uint8_t kFixedCurrent = 0x70;
constexpr uint8_t kFixedDeferred = 0x71;
constexpr uint8_t kDescCurrent = 0x72;
constexpr uint8_t kDescDeferred = 0x73;

// Descriptor types (SPC-4 4.5.2.1 Table 28).
constexpr uint8_t kDescInformation = 0x00;
constexpr uint8_t kDescCommandSpecific = 0x01;
constexpr uint8_t kDescSenseKeySpecific = 0x02;
constexpr uint8_t kDescStreamCommands = 0x04;

constexpr uint8_t kStreamBits = SenseFlags::filemark | SenseFlags::eom | SenseFlags::ili;

bool has_sks(const SenseInfo& s) noexcept {
  return (s.flags & SenseFlags::field_valid) || (s.flags2 & SenseFlags2::sks_raw);
}

// The 3-byte SENSE KEY SPECIFIC field with SKSV=1 (SPC-4 4.5.2.4): a field
// pointer (4.5.2.4.2), or the raw bytes of the other kinds.
void put_sks(ResponseWriter& w, size_t off, const SenseInfo& s) noexcept {
  if (s.flags2 & SenseFlags2::sks_raw) {
    w.u8(off, uint8_t(0x80 | (s.field_bit & 0x7F)));
    w.be16(off + 1, s.field_pointer);
    return;
  }
  uint8_t b = 0x80;
  if (s.flags & SenseFlags::field_in_cdb) b |= 0x40;
  if (s.flags & SenseFlags::field_bit_valid) b |= 0x08 | (s.field_bit & 0x07);
  w.u8(off, b);
  w.be16(off + 1, s.field_pointer);
}

void get_sks(const uint8_t* p, SenseInfo& s) noexcept {
  if (!(p[0] & 0x80)) return;
  // Only ILLEGAL REQUEST carries a field pointer (SPC-4 4.5.2.4.1 Table 30).
  if (s.key != SenseKey::illegal_request) {
    s.flags2 |= SenseFlags2::sks_raw;
    s.field_bit = p[0] & 0x7F;
    s.field_pointer = get_be16(p + 1);
    return;
  }
  s.flags |= SenseFlags::field_valid;
  if (p[0] & 0x40) s.flags |= SenseFlags::field_in_cdb;
  if (p[0] & 0x08) {
    s.flags |= SenseFlags::field_bit_valid;
    s.field_bit = p[0] & 0x07;
  }
  s.field_pointer = get_be16(p + 1);
}

}  // namespace

size_t sense_length(const SenseInfo& s, SenseFormat format) noexcept {
  if (format == SenseFormat::fixed) return kFixedSenseLength;
  size_t n = 8;
  if (s.flags & SenseFlags::info_valid) n += 12;
  if (s.flags & SenseFlags::cmd_specific_valid) n += 12;
  if (has_sks(s)) n += 8;
  if (s.flags & kStreamBits) n += 4;
  return n;
}

size_t encode_sense(const SenseInfo& s, SenseFormat format, std::span<uint8_t> out) noexcept {
  const size_t total = sense_length(s, format);
  ResponseWriter w(out.first(std::min(out.size(), total)));
  const uint8_t key = uint8_t(s.key) & 0x0F;
  const bool deferred = s.flags2 & SenseFlags2::deferred;
  if (format == SenseFormat::fixed) {
    // SPC-4 4.5.3 Table 45.
    const bool info_fits = (s.flags & SenseFlags::info_valid) && s.information <= 0xFFFFFFFFu;
    w.u8(0, uint8_t((deferred ? kFixedDeferred : kFixedCurrent) | (info_fits ? 0x80 : 0)));
    w.u8(2, uint8_t((s.flags & kStreamBits) | key));
    if (info_fits) w.be32(3, uint32_t(s.information));
    w.u8(7, uint8_t(kFixedSenseLength - 8));  // ADDITIONAL SENSE LENGTH
    if ((s.flags & SenseFlags::cmd_specific_valid) && s.command_specific <= 0xFFFFFFFFu)
      w.be32(8, uint32_t(s.command_specific));
    w.u8(12, s.asc);
    w.u8(13, s.ascq);
    if (has_sks(s)) put_sks(w, 15, s);
    return total;
  }
  // SPC-4 4.5.2 Table 26; descriptors in ascending type order.
  w.u8(0, deferred ? kDescDeferred : kDescCurrent);
  w.u8(1, key);
  w.u8(2, s.asc);
  w.u8(3, s.ascq);
  w.u8(7, uint8_t(total - 8));
  size_t off = 8;
  if (s.flags & SenseFlags::info_valid) {  // 4.5.2.2
    w.u8(off, kDescInformation);
    w.u8(off + 1, 0x0A);
    w.u8(off + 2, 0x80);  // VALID
    w.be64(off + 4, s.information);
    off += 12;
  }
  if (s.flags & SenseFlags::cmd_specific_valid) {  // 4.5.2.3
    w.u8(off, kDescCommandSpecific);
    w.u8(off + 1, 0x0A);
    w.be64(off + 4, s.command_specific);
    off += 12;
  }
  if (has_sks(s)) {  // 4.5.2.4
    w.u8(off, kDescSenseKeySpecific);
    w.u8(off + 1, 0x06);
    put_sks(w, off + 4, s);
    off += 8;
  }
  if (s.flags & kStreamBits) {  // 4.5.2.5 (SSC-4)
    w.u8(off, kDescStreamCommands);
    w.u8(off + 1, 0x02);
    w.u8(off + 3, s.flags & kStreamBits);
    off += 4;
  }
  return total;
}

std::optional<SenseInfo> decode_sense(std::span<const uint8_t> d) noexcept {
  if (d.size() < 8) return std::nullopt;
  SenseInfo s{};
  s.struct_size = sizeof(SenseInfo);
  const uint8_t code = d[0] & 0x7F;
  if (code == kFixedDeferred || code == kDescDeferred) s.flags2 |= SenseFlags2::deferred;
  if (code == kFixedCurrent || code == kFixedDeferred) {
    if (d.size() < kFixedSenseLength) return std::nullopt;
    s.key = SenseKey(d[2] & 0x0F);
    s.flags |= d[2] & kStreamBits;
    if (d[0] & 0x80) {
      s.flags |= SenseFlags::info_valid;
      s.information = get_be32(&d[3]);
    }
    if (uint32_t cs = get_be32(&d[8])) {
      s.flags |= SenseFlags::cmd_specific_valid;
      s.command_specific = cs;
    }
    s.asc = d[12];
    s.ascq = d[13];
    get_sks(&d[15], s);
    return s;
  }
  if (code != kDescCurrent && code != kDescDeferred) return std::nullopt;
  s.key = SenseKey(d[1] & 0x0F);
  s.asc = d[2];
  s.ascq = d[3];
  const size_t end = std::min(d.size(), size_t(8) + d[7]);
  size_t off = 8;
  while (off + 2 <= end) {
    const uint8_t type = d[off];
    const size_t len = size_t(2) + d[off + 1];
    if (off + len > end) return std::nullopt;
    const uint8_t* p = &d[off];
    if (type == kDescInformation && len == 12) {
      if (p[2] & 0x80) {
        s.flags |= SenseFlags::info_valid;
        s.information = get_be64(p + 4);
      }
    } else if (type == kDescCommandSpecific && len == 12) {
      s.flags |= SenseFlags::cmd_specific_valid;
      s.command_specific = get_be64(p + 4);
    } else if (type == kDescSenseKeySpecific && len == 8) {
      get_sks(p + 4, s);
    } else if (type == kDescStreamCommands && len == 4) {
      s.flags |= p[3] & kStreamBits;
    }
    off += len;
  }
  return s;
}

}  // namespace nexus::scsi
