#include "disc_layout.h"

#include "nexus/bytes.hpp"

namespace nexus::cdrom {

Msf lba_to_msf(uint64_t lba) noexcept {
  uint64_t frames = lba + 150;
  uint64_t m = frames / (60 * 75);
  if (m > 0xFF) return Msf{0xFF, 59, 74};
  return Msf{uint8_t(m), uint8_t((frames / 75) % 60), uint8_t(frames % 75)};
}

void put_address(uint8_t* p, uint64_t lba, bool msf) noexcept {
  if (msf) {
    Msf a = lba_to_msf(lba);
    p[0] = 0;
    p[1] = a.m;
    p[2] = a.s;
    p[3] = a.f;
  } else {
    put_be32(p, lba > 0xFFFFFFFFull ? 0xFFFFFFFFu : uint32_t(lba));
  }
}

}  // namespace nexus::cdrom
