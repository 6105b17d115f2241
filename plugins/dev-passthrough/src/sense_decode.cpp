#include "sense_decode.h"

#include <algorithm>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::passthrough {
namespace {

// SPC-4 4.5.2.4 sense-key specific bytes (SKSV set). Only ILLEGAL REQUEST
// carries a field pointer; the other kinds (progress indication, actual
// retry count, segment pointer, UA queue overflow) are kept as raw bytes so
// the initiator sees what the device said.
void sense_key_specific(const uint8_t* sks, SenseInfo* s) noexcept {
  if (!(sks[0] & 0x80)) return;
  if (s->key != SenseKey::illegal_request) {
    s->flags2 |= SenseFlags2::sks_raw;
    s->field_bit = sks[0] & 0x7F;
    s->field_pointer = get_be16(sks + 1);
    return;
  }
  s->flags |= SenseFlags::field_valid;
  if (sks[0] & 0x40) s->flags |= SenseFlags::field_in_cdb;
  if (sks[0] & 0x08) {
    s->flags |= SenseFlags::field_bit_valid;
    s->field_bit = sks[0] & 0x07;
  }
  s->field_pointer = get_be16(sks + 1);
}

// SSC/SBC mark bits (FILEMARK, EOM, ILI) in their common bit positions.
uint8_t marks(uint8_t b) noexcept {
  return b & (SenseFlags::filemark | SenseFlags::eom | SenseFlags::ili);
}

}  // namespace

std::optional<SenseInfo> decode_sense(std::span<const uint8_t> d) noexcept {
  if (d.size() < 2) return std::nullopt;
  uint8_t code = d[0] & 0x7F;
  if (code == 0x70 || code == 0x71) {
    // SPC-4 4.5.3 fixed format.
    if (d.size() < 3) return std::nullopt;
    SenseInfo s = sense::make(SenseKey(d[2] & 0x0F), 0, 0);
    if (code == 0x71) s.flags2 |= SenseFlags2::deferred;
    s.flags |= marks(d[2]);
    size_t len = std::min<size_t>(d.size(), d.size() >= 8 ? 8u + d[7] : d.size());
    if (d.size() >= 7 && (d[0] & 0x80)) {
      s.flags |= SenseFlags::info_valid;
      s.information = get_be32(&d[3]);
    }
    if (len >= 12) {
      uint32_t cs = get_be32(&d[8]);
      if (cs) {
        s.flags |= SenseFlags::cmd_specific_valid;
        s.command_specific = cs;
      }
    }
    if (len >= 13) s.asc = d[12];
    if (len >= 14) s.ascq = d[13];
    if (len >= 18) sense_key_specific(&d[15], &s);
    return s;
  }
  if (code == 0x72 || code == 0x73) {
    // SPC-4 4.5.2 descriptor format.
    if (d.size() < 4) return std::nullopt;
    SenseInfo s = sense::make(SenseKey(d[1] & 0x0F), d[2], d[3]);
    if (code == 0x73) s.flags2 |= SenseFlags2::deferred;
    size_t end = d.size() >= 8 ? std::min<size_t>(d.size(), 8u + d[7]) : d.size();
    for (size_t i = 8; i + 2 <= end;) {
      uint8_t type = d[i], dlen = d[i + 1];
      size_t next = i + 2 + dlen;
      if (next > end) break;
      const uint8_t* p = &d[i];
      switch (type) {
        case 0x00:  // 4.5.2.2 information: VALID, INFORMATION (8 bytes)
          if (dlen >= 0x0A && (p[2] & 0x80)) {
            s.flags |= SenseFlags::info_valid;
            s.information = get_be64(p + 4);
          }
          break;
        case 0x01:  // 4.5.2.3 command-specific information
          if (dlen >= 0x0A) {
            s.flags |= SenseFlags::cmd_specific_valid;
            s.command_specific = get_be64(p + 4);
          }
          break;
        case 0x02:  // 4.5.2.4 sense key specific
          if (dlen >= 0x06) sense_key_specific(p + 4, &s);
          break;
        case 0x04:  // SSC-3 4.2.x stream commands: FILEMARK, EOM, ILI
          if (dlen >= 0x02) s.flags |= marks(p[3]);
          break;
        case 0x05:  // SBC-3 4.18.3 block commands: ILI
          if (dlen >= 0x02) s.flags |= p[3] & SenseFlags::ili;
          break;
        default:
          break;
      }
      i = next;
    }
    return s;
  }
  return std::nullopt;
}

}  // namespace nexus::passthrough
