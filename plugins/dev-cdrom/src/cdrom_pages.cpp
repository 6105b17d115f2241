// Mode pages of the cdrom handler: the CD/DVD Capabilities and Mechanical
// Status page (2Ah). MMC-6 does not use block descriptors.
#include <algorithm>
#include <cstring>

#include "cdrom_device.h"
#include "nexus/bytes.hpp"

namespace nexus::cdrom {
namespace {

constexpr uint8_t kPageCapabilities = 0x2A;
// Bytes 0-31 with no write speed descriptors: PAGE LENGTH 1Eh.
constexpr size_t kCapabilitiesLen = 32;
// Reported read speed in kB/s (obsolete fields; Linux sr derives "NNx" by
// dividing by 176): 40x.
constexpr uint16_t kReadSpeed = 40 * 176;

const ModePageId kModePages[] = {{kPageCapabilities, 0}};

}  // namespace

uint32_t CdromDevice::mode_pages(const ModePageId** ids) noexcept {
  *ids = kModePages;
  return 1;
}

size_t CdromDevice::build_capabilities_page(ModePageControl pc, uint8_t* p) const noexcept {
  std::memset(p, 0, kCapabilitiesLen);
  p[0] = kPageCapabilities;
  p[1] = kCapabilitiesLen - 2;
  if (pc == ModePageControl::changeable) return kCapabilitiesLen;  // nothing is changeable
  p[2] = 0x08;  // DVD-ROM Read (CD-ROM reading is implied); no CD-R/RW, DVD-R/RAM, Method 2
  p[3] = 0x00;  // writes nothing
  p[4] = 0x40;  // Multi Session (READ TOC format 1); no audio play, Mode 2, digital ports
  p[5] = 0x00;  // no CD-DA, C2 pointers, ISRC, UPC, bar code
  // Loading Mechanism Type 001b (tray), Eject, Prevent Jumper (as in the
  // Removable Medium feature), Lock State, Lock.
  p[6] = (0x1 << 5) | 0x08 | 0x04 | 0x01;
  if (pc == ModePageControl::current) {
    std::lock_guard lock(mu_);
    if (!preventers_.empty()) p[6] |= 0x02;
  }
  put_be16(p + 8, kReadSpeed);   // Maximum Read Speed Supported (obsolete)
  put_be16(p + 14, kReadSpeed);  // Current Read Speed Selected (obsolete)
  return kCapabilitiesLen;
}

Status CdromDevice::mode_page(ModePageId id, ModePageControl pc, ByteSpan out,
                              uint32_t* len) noexcept {
  if (id.page != kPageCapabilities || id.subpage != 0) return Status::unsupported;
  uint8_t p[kCapabilitiesLen];
  size_t n = build_capabilities_page(pc, p);
  if (out.data) std::memcpy(out.data, p, std::min<uint64_t>(n, out.size));
  if (len) *len = uint32_t(n);
  return Status::ok;
}

Status CdromDevice::mode_select_page(ModePageId, ConstByteSpan, SenseInfo* sense) noexcept {
  // Page 2Ah reports capabilities; nothing in it is changeable (the core
  // already rejects changed bits using the changeable mask).
  *sense = sense::invalid_field_in_param(0);
  return Status::invalid_argument;
}

Status CdromDevice::block_descriptor(BlockDescriptor*) noexcept { return Status::unsupported; }

Status CdromDevice::set_block_descriptor(const BlockDescriptor*, SenseInfo* sense) noexcept {
  *sense = sense::invalid_field_in_param(0);
  return Status::unsupported;
}

}  // namespace nexus::cdrom
