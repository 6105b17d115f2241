// Header-only helpers to build SenseInfo for the common SPC/SBC conditions.
#pragma once

#include "nexus/scsi.h"

namespace nexus::sense {

inline SenseInfo make(SenseKey key, uint8_t asc, uint8_t ascq) noexcept {
  SenseInfo s{};
  s.struct_size = sizeof(SenseInfo);
  s.key = key;
  s.asc = asc;
  s.ascq = ascq;
  return s;
}

// ILLEGAL REQUEST, INVALID FIELD IN CDB (24h/00h) pointing at byte/bit.
inline SenseInfo invalid_field_in_cdb(uint16_t byte, int bit = -1) noexcept {
  SenseInfo s = make(SenseKey::illegal_request, 0x24, 0x00);
  s.flags |= SenseFlags::field_valid | SenseFlags::field_in_cdb;
  s.field_pointer = byte;
  if (bit >= 0) {
    s.flags |= SenseFlags::field_bit_valid;
    s.field_bit = uint8_t(bit);
  }
  return s;
}
// ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST (26h/00h).
inline SenseInfo invalid_field_in_param(uint16_t byte, int bit = -1) noexcept {
  SenseInfo s = make(SenseKey::illegal_request, 0x26, 0x00);
  s.flags |= SenseFlags::field_valid;
  s.field_pointer = byte;
  if (bit >= 0) {
    s.flags |= SenseFlags::field_bit_valid;
    s.field_bit = uint8_t(bit);
  }
  return s;
}
inline SenseInfo invalid_opcode() noexcept { return make(SenseKey::illegal_request, 0x20, 0x00); }
inline SenseInfo lba_out_of_range() noexcept { return make(SenseKey::illegal_request, 0x21, 0x00); }
inline SenseInfo param_list_length_error() noexcept {
  return make(SenseKey::illegal_request, 0x1A, 0x00);
}
inline SenseInfo lun_not_supported() noexcept {
  return make(SenseKey::illegal_request, 0x25, 0x00);
}
inline SenseInfo medium_not_present() noexcept { return make(SenseKey::not_ready, 0x3A, 0x00); }
inline SenseInfo write_protected() noexcept { return make(SenseKey::data_protect, 0x27, 0x00); }
inline SenseInfo unrecovered_read_error() noexcept {
  return make(SenseKey::medium_error, 0x11, 0x00);
}
inline SenseInfo write_error() noexcept { return make(SenseKey::medium_error, 0x0C, 0x00); }
inline SenseInfo internal_target_failure() noexcept {
  return make(SenseKey::hardware_error, 0x44, 0x00);
}
// MISCOMPARE DURING VERIFY OPERATION (1Dh/00h) with the offset in INFORMATION.
inline SenseInfo miscompare(uint64_t offset) noexcept {
  SenseInfo s = make(SenseKey::miscompare, 0x1D, 0x00);
  s.flags |= SenseFlags::info_valid;
  s.information = offset;
  return s;
}

// An operation in progress (SPC-4 4.5.2.4.4), e.g. NOT READY 04h/04h FORMAT IN
// PROGRESS: `fraction` of 65536 done.
inline SenseInfo in_progress(SenseKey key, uint8_t asc, uint8_t ascq, uint16_t fraction) noexcept {
  SenseInfo s = make(key, asc, ascq);
  s.flags2 |= SenseFlags2::sks_raw;
  s.field_bit = 0;
  s.field_pointer = fraction;
  return s;
}

}  // namespace nexus::sense
