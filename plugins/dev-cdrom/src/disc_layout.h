// The logical layout we present for an ISO image: one session holding one
// data track (Mode 1, recorded uninterrupted) that starts at LBA 0 and spans
// the image, followed by the lead-out.
//
// Profile choice: an image that fits in the MSF address space of a CD
// (lead-out at most 99:59:74, i.e. <= 449,849 blocks, ~878 MiB) is a CD-ROM
// (profile 0008h); a larger one is a DVD-ROM (profile 0010h), since no CD
// can hold it.
#pragma once

#include <cstdint>

namespace nexus::cdrom {

enum class DiscKind : uint8_t { cd, dvd };

constexpr uint16_t kProfileNone = 0x0000;
constexpr uint16_t kProfileCdRom = 0x0008;
constexpr uint16_t kProfileDvdRom = 0x0010;

// Largest image (in blocks) presented as a CD: lead-out + 150 <= 99:59:74.
constexpr uint64_t kMaxCdBlocks = 99ull * 60 * 75 + 59 * 75 + 74 - 150;

struct DiscLayout {
  uint64_t blocks = 0;  // track 1 length = lead-out start LBA
  DiscKind kind = DiscKind::cd;

  static DiscLayout for_blocks(uint64_t blocks) noexcept {
    DiscLayout l;
    l.blocks = blocks;
    l.kind = blocks > kMaxCdBlocks ? DiscKind::dvd : DiscKind::cd;
    return l;
  }
  uint16_t profile() const noexcept {
    return kind == DiscKind::cd ? kProfileCdRom : kProfileDvdRom;
  }
};

// MMC-6 address conversion: MSF = LBA + 150 frames (2 s pre-gap), 75 frames
// a second. Values beyond FFh minutes saturate at FFh:3Bh:4Ah.
struct Msf {
  uint8_t m, s, f;
};
Msf lba_to_msf(uint64_t lba) noexcept;

// Writes a 4-byte address field: a big-endian LBA, or 00h M S F.
void put_address(uint8_t* p, uint64_t lba, bool msf) noexcept;

}  // namespace nexus::cdrom
