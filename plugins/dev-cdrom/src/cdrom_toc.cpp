// The disc's logical structure: READ TOC/PMA/ATIP (formats 0 and 1), READ
// DISC INFORMATION and READ TRACK INFORMATION, all describing the single
// session / single data track layout of disc_layout.h.
#include "cdrom_device.h"
#include "nexus/bytes.hpp"

namespace nexus::cdrom {
namespace {

constexpr uint8_t kLeadOut = 0xAA;
// ADR 1 (Q sub-channel encodes the current position), CONTROL 4 (data
// track, recorded uninterrupted, digital copy prohibited).
constexpr uint8_t kAdrControlData = 0x14;

// One 8-byte TOC track descriptor.
void put_track_descriptor(uint8_t* p, uint8_t track, uint64_t lba, bool msf) {
  p[0] = 0;
  p[1] = kAdrControlData;
  p[2] = track;
  p[3] = 0;
  put_address(p + 4, lba, msf);
}

}  // namespace

void CdromDevice::read_toc(IDeviceCommand* cmd, const Snapshot& s) noexcept {
  const uint8_t* c = cmd->cdb().data;
  const bool msf = c[1] & 0x02;
  uint8_t format = c[2] & 0x0F;
  // Pre-MMC hosts (SFF-8020i; Linux sr's multisession probe) put the
  // format in bits 7-6 of the control byte.
  if (format == 0 && (c[9] >> 6)) format = c[9] >> 6;
  const uint8_t track = c[6];
  uint8_t d[4 + 8 * 2] = {};
  size_t len = 4;
  switch (format) {
    case 0: {  // TOC: track descriptors from `track` on, then the lead-out
      if (track > 1 && track != kLeadOut) return fail(cmd, sense::invalid_field_in_cdb(6, 7));
      if (track <= 1) {
        put_track_descriptor(d + len, 1, 0, msf);
        len += 8;
      }
      put_track_descriptor(d + len, kLeadOut, s.layout.blocks, msf);
      len += 8;
      d[2] = 1;  // First Track Number
      d[3] = 1;  // Last Track Number
      break;
    }
    case 1:  // Session information: the first track of the last session
      put_track_descriptor(d + len, 1, 0, msf);
      len += 8;
      d[2] = 1;  // First Complete Session Number
      d[3] = 1;  // Last Complete Session Number
      break;
    default:  // full TOC, PMA, ATIP, CD-TEXT: nothing recorded to report
      return fail(cmd, sense::invalid_field_in_cdb(2, 3));
  }
  put_be16(d, uint16_t(len - 2));  // TOC Data Length excludes itself
  reply(cmd, d, len);
}

void CdromDevice::read_disc_info(IDeviceCommand* cmd, const Snapshot&) noexcept {
  const uint8_t* c = cmd->cdb().data;
  // Data Type 000b: Standard Disc Information; track/POW resources are
  // about recording.
  if (c[1] & 0x07) return fail(cmd, sense::invalid_field_in_cdb(1, 2));
  uint8_t d[34] = {};
  put_be16(d, sizeof d - 2);  // Disc Information Length
  // Not erasable; State of Last Session 11b (complete); Disc Status 10b
  // (finalized).
  d[2] = (0x3 << 2) | 0x2;
  d[3] = 1;     // Number of First Track on Disc
  d[4] = 1;     // Number of Sessions (LSB)
  d[5] = 1;     // First Track Number in Last Session (LSB)
  d[6] = 1;     // Last Track Number in Last Session (LSB)
  d[8] = 0x00;  // Disc Type: CD-DA or CD-ROM (also used for non-CD media)
  // A finalized disc has no next session: both lead-in/out fields FFh.
  put_be32(d + 16, 0xFFFFFFFFu);  // Last Session Lead-in Start Address
  put_be32(d + 20, 0xFFFFFFFFu);  // Last Possible Lead-out Start Address
  reply(cmd, d, sizeof d);
}

void CdromDevice::read_track_info(IDeviceCommand* cmd, const Snapshot& s) noexcept {
  const uint8_t* c = cmd->cdb().data;
  const uint8_t type = c[1] & 0x03;
  const uint32_t value = get_be32(c + 2);
  switch (type) {
    case 0:  // LBA: the track containing it
      if (value >= s.layout.blocks) return fail(cmd, sense::lba_out_of_range());
      break;
    case 1:  // Track number: only track 1 exists (no lead-in, no invisible track)
    case 2:  // Session number: only session 1 exists
      if (value != 1) return fail(cmd, sense::invalid_field_in_cdb(2, 7));
      break;
    default:
      return fail(cmd, sense::invalid_field_in_cdb(1, 1));
  }
  uint8_t d[48] = {};
  put_be16(d, sizeof d - 2);  // Data Length
  d[2] = 1;                   // Track Number (LSB)
  d[3] = 1;                   // Session Number (LSB)
  d[5] = 0x04;                // Track Mode: data, recorded uninterrupted
  d[6] = 0x01;                // Data Mode: Mode 1
  // Track Start Address 0, no next writable address, no free blocks.
  // Blocking factor: 16 blocks per ECC block on DVD, none on CD.
  put_be32(d + 20, s.layout.kind == DiscKind::dvd ? 16 : 0);
  put_be32(d + 24, uint32_t(std::min<uint64_t>(s.layout.blocks, 0xFFFFFFFFu)));  // Track Size
  reply(cmd, d, sizeof d);
}

}  // namespace nexus::cdrom
