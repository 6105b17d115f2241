// Mode pages of the changer (SMC-3 7.3): Element Address Assignment (1Dh),
// Transport Geometry Parameters (1Eh) and Device Capabilities (1Fh). Nothing
// in them is changeable: the geometry comes from the configuration.
#include <algorithm>
#include <cstring>

#include "changer_device.h"
#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::changer {
namespace {

constexpr uint8_t kPageElementAddress = 0x1D;
constexpr uint8_t kPageTransportGeometry = 0x1E;
constexpr uint8_t kPageDeviceCapabilities = 0x1F;
constexpr size_t kElementAddressLen = 20;  // PAGE LENGTH 12h
constexpr size_t kGeometryLen = 4;         // PAGE LENGTH 02h: one transport
constexpr size_t kCapabilitiesLen = 20;    // PAGE LENGTH 12h

const ModePageId kModePages[] = {
    {kPageElementAddress, 0}, {kPageTransportGeometry, 0}, {kPageDeviceCapabilities, 0}};

// Device Capabilities bits: DT(3) I/E(2) ST(1); MT(0) never (no media at rest there).
constexpr uint8_t kToSt = 0x02, kToIe = 0x04, kToDt = 0x08;

}  // namespace

uint32_t ChangerDevice::mode_pages(const ModePageId** ids) noexcept {
  *ids = kModePages;
  return sizeof kModePages / sizeof kModePages[0];
}

size_t ChangerDevice::build_page(uint8_t page, ModePageControl pc, uint8_t* p) noexcept {
  const bool changeable = pc == ModePageControl::changeable;
  switch (page) {
    case kPageElementAddress: {  // SMC-3 7.3.3
      std::memset(p, 0, kElementAddressLen);
      p[0] = kPageElementAddress;
      p[1] = kElementAddressLen - 2;
      if (changeable) return kElementAddressLen;
      const ElementType order[] = {ElementType::transport, ElementType::storage,
                                   ElementType::import_export, ElementType::data_transfer};
      for (size_t i = 0; i < 4; ++i) {
        put_be16(p + 2 + 4 * i, map_.first(order[i]));
        put_be16(p + 4 + 4 * i, uint16_t(map_.count(order[i])));
      }
      return kElementAddressLen;
    }
    case kPageTransportGeometry: {  // SMC-3 7.3.5: no ROTATE, member 0
      std::memset(p, 0, kGeometryLen);
      p[0] = kPageTransportGeometry;
      p[1] = kGeometryLen - 2;
      return kGeometryLen;
    }
    case kPageDeviceCapabilities: {  // SMC-3 7.3.2
      std::memset(p, 0, kCapabilitiesLen);
      p[0] = kPageDeviceCapabilities;
      p[1] = kCapabilitiesLen - 2;
      if (changeable) return kCapabilitiesLen;
      // Media rest in storage, I/E and drives, never in the transport.
      p[2] = kToDt | kToIe | kToSt;
      // MOVE MEDIUM source -> destination: bytes 4 (from MT) .. 7 (from DT).
      const uint8_t reachable = kToDt | kToIe | kToSt;
      p[4] = 0;          // MT holds nothing to move
      p[5] = reachable;  // from storage
      p[6] = reachable;  // from I/E
      p[7] = reachable;  // from a drive (once unloaded)
      // EXCHANGE MEDIUM: bytes 12 (MT) .. 15 (DT).
      p[12] = 0;
      p[13] = reachable;
      p[14] = reachable;
      p[15] = reachable;
      return kCapabilitiesLen;
    }
    default:
      return 0;
  }
}

Status ChangerDevice::mode_page(ModePageId id, ModePageControl pc, ByteSpan out,
                                uint32_t* len) noexcept {
  if (id.subpage != 0) return Status::unsupported;
  uint8_t p[32];
  size_t n;
  {
    std::lock_guard lock(mu_);
    n = build_page(id.page, pc, p);
  }
  if (!n) return Status::unsupported;
  if (out.data) std::memcpy(out.data, p, std::min<uint64_t>(n, out.size));
  if (len) *len = uint32_t(n);
  return Status::ok;
}

Status ChangerDevice::mode_select_page(ModePageId id, ConstByteSpan page,
                                       SenseInfo* sense) noexcept {
  uint8_t cur[32];
  size_t n = 0;
  if (id.subpage == 0) {
    std::lock_guard lock(mu_);
    n = build_page(id.page, ModePageControl::current, cur);
  }
  if (!n) {
    *sense = sense::invalid_field_in_param(0);
    return Status::invalid_argument;
  }
  // SPC-4 6.9: PAGE LENGTH must match; nothing is changeable, so every
  // byte must hold its current value (the PS bit aside).
  if (page.size < n || page.data[1] != n - 2) {
    *sense = sense::invalid_field_in_param(1);
    return Status::invalid_argument;
  }
  for (size_t i = 2; i < n; ++i) {
    uint8_t diff = page.data[i] ^ cur[i];
    if (diff) {
      int bit = 7;
      while (!(diff & (1u << bit))) --bit;
      *sense = sense::invalid_field_in_param(uint16_t(i), bit);
      return Status::invalid_argument;
    }
  }
  return Status::ok;
}

}  // namespace nexus::changer
