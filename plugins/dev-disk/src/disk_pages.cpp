// VPD pages, mode pages and the block descriptor of the disk handler.
#include <algorithm>
#include <cstring>

#include "disk_device.h"
#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::disk {
namespace {

constexpr uint8_t kPageRwRecovery = 0x01;
constexpr uint8_t kPageCaching = 0x08;
constexpr size_t kCachingLen = 20;     // SBC-3 6.4.5: PAGE LENGTH 12h
constexpr size_t kRwRecoveryLen = 12;  // SBC-3 6.4.8: PAGE LENGTH 0Ah
constexpr uint8_t kWce = 0x04, kRcd = 0x01;

const ModePageId kModePages[] = {{kPageRwRecovery, 0}, {kPageCaching, 0}};

Status emit(const uint8_t* page, size_t len, ByteSpan out, uint32_t* out_len) noexcept {
  if (out.data) std::memcpy(out.data, page, std::min<uint64_t>(len, out.size));
  if (out_len) *out_len = uint32_t(len);
  return Status::ok;
}

}  // namespace

Status DiskDevice::vpd_page(uint8_t page, ByteSpan out, uint32_t* len) noexcept {
  uint8_t p[64] = {};
  p[0] = 0x00;  // peripheral qualifier 0, device type 0 (disk)
  p[1] = page;
  switch (page) {
    case 0x00: {
      // Not asked by a core that owns 00h; lists the pages provided here.
      const uint8_t mine[] = {0xB0, 0xB1, 0xB2};
      put_be16(p + 2, sizeof mine);
      std::memcpy(p + 4, mine, sizeof mine);
      return emit(p, 4 + sizeof mine, out, len);
    }
    case 0xB0: {  // SBC-3 6.5.3 Block Limits
      put_be16(p + 2, 0x3C);
      p[4] = 0x01;  // WSNZ: WRITE SAME with NUMBER OF LOGICAL BLOCKS 0 is rejected
      p[5] = uint8_t(
          std::min<uint32_t>(DiskLimits::kMaxCompareAndWriteBlocks, max_transfer_blocks() / 2));
      uint32_t phys_blocks = 1u << physical_exponent();
      put_be16(p + 6, uint16_t(phys_blocks));  // OPTIMAL TRANSFER LENGTH GRANULARITY
      put_be32(p + 8, max_transfer_blocks());
      put_be32(p + 12, max_transfer_blocks());  // OPTIMAL TRANSFER LENGTH
      put_be32(p + 16, max_transfer_blocks());  // MAXIMUM PREFETCH LENGTH
      if (thin_) {
        put_be32(p + 20, max_unmap_blocks());
        put_be32(p + 24, DiskLimits::kMaxUnmapDescriptors);
        put_be32(p + 28, phys_blocks);  // OPTIMAL UNMAP GRANULARITY
      }
      put_be64(p + 36, max_write_same_blocks());
      return emit(p, 64, out, len);
    }
    case 0xB1: {  // SBC-3 6.5.2 Block Device Characteristics
      put_be16(p + 2, 0x3C);
      put_be16(p + 4, 0x0001);  // MEDIUM ROTATION RATE: non-rotating medium
      return emit(p, 64, out, len);
    }
    case 0xB2: {  // SBC-3 6.5.4 Logical Block Provisioning
      put_be16(p + 2, 0x04);
      if (thin_) {
        p[5] = 0x80 | 0x40 | 0x20;                             // LBPU, LBPWS, LBPWS10
        if (backend_->deallocated_reads_zero()) p[5] |= 0x04;  // LBPRZ
        p[6] = 0x02;  // PROVISIONING TYPE: thin provisioned
      }
      return emit(p, 8, out, len);
    }
    default:
      return Status::unsupported;
  }
}

uint32_t DiskDevice::mode_pages(const ModePageId** ids) noexcept {
  *ids = kModePages;
  return sizeof kModePages / sizeof kModePages[0];
}

size_t DiskDevice::build_caching_page(ModePageControl pc, uint8_t* p) const noexcept {
  std::memset(p, 0, kCachingLen);
  p[0] = kPageCaching;
  p[1] = kCachingLen - 2;
  switch (pc) {
    case ModePageControl::changeable:
      p[2] = kWce | kRcd;
      break;
    case ModePageControl::current:
      p[2] = uint8_t((write_cache() ? kWce : 0) | (rcd_ ? kRcd : 0));
      break;
    case ModePageControl::defaults:
    case ModePageControl::saved:  // nothing is saved: saved = defaults
      p[2] = kWce;
      break;
  }
  return kCachingLen;
}

size_t DiskDevice::build_rw_recovery_page(ModePageControl pc, uint8_t* p) const noexcept {
  std::memset(p, 0, kRwRecoveryLen);
  p[0] = kPageRwRecovery;
  p[1] = kRwRecoveryLen - 2;
  if (pc != ModePageControl::changeable) {
    p[2] = 0xC0;  // AWRE, ARRE: automatic reallocation; nothing else to tune
  }
  return kRwRecoveryLen;
}

Status DiskDevice::mode_page(ModePageId id, ModePageControl pc, ByteSpan out,
                             uint32_t* len) noexcept {
  uint8_t p[32];
  if (id.subpage != 0) return Status::unsupported;
  switch (id.page) {
    case kPageCaching:
      return emit(p, build_caching_page(pc, p), out, len);
    case kPageRwRecovery:
      return emit(p, build_rw_recovery_page(pc, p), out, len);
    default:
      return Status::unsupported;
  }
}

Status DiskDevice::mode_select_page(ModePageId id, ConstByteSpan page, SenseInfo* sense) noexcept {
  uint8_t cur[32], chg[32];
  size_t n;
  if (id.subpage != 0) {
    *sense = sense::invalid_field_in_param(0);
    return Status::invalid_argument;
  }
  if (id.page == kPageCaching) {
    n = build_caching_page(ModePageControl::current, cur);
    build_caching_page(ModePageControl::changeable, chg);
  } else if (id.page == kPageRwRecovery) {
    n = build_rw_recovery_page(ModePageControl::current, cur);
    build_rw_recovery_page(ModePageControl::changeable, chg);
  } else {
    *sense = sense::invalid_field_in_param(0);
    return Status::invalid_argument;
  }
  // SPC-4 6.9: PAGE LENGTH must match; bits that are not changeable must
  // hold their current value. Field pointers are relative to the page.
  if (page.size < 2 || page.data[1] != n - 2 || page.size < n) {
    *sense = sense::invalid_field_in_param(1);
    return Status::invalid_argument;
  }
  if ((page.data[0] & 0x3F) != id.page) {
    *sense = sense::invalid_field_in_param(0, 5);
    return Status::invalid_argument;
  }
  for (size_t i = 2; i < n; ++i) {
    uint8_t diff = uint8_t((page.data[i] ^ cur[i]) & ~chg[i]);
    if (diff) {
      int bit = 7;
      while (!(diff & (1u << bit))) --bit;
      *sense = sense::invalid_field_in_param(uint16_t(i), bit);
      return Status::invalid_argument;
    }
  }
  if (id.page == kPageCaching) {
    bool wce = page.data[2] & kWce;
    bool was = wce_.exchange(wce);
    rcd_ = page.data[2] & kRcd;
    // Leaving write-back: what the cache held must be durable from now on.
    if (was && !wce && !read_only_) backend_->flush_now();
  }
  return Status::ok;
}

Status DiskDevice::block_descriptor(BlockDescriptor* out) noexcept {
  BlockDescriptor d{};
  d.struct_size = sizeof d;
  d.density = 0;
  d.num_blocks = num_blocks_;
  d.block_length = block_size_;
  *out = d;
  return Status::ok;
}

Status DiskDevice::set_block_descriptor(const BlockDescriptor* in, SenseInfo* sense) noexcept {
  // SBC-3 6.4.2: the capacity and logical block length are fixed here.
  // NUMBER OF LOGICAL BLOCKS 0 means "unchanged"; a short descriptor of a
  // large LU carries FFFFFFFFh.
  if (in->density != 0) {
    *sense = sense::invalid_field_in_param(0);
    return Status::invalid_argument;
  }
  bool nb_ok = in->num_blocks == 0 || in->num_blocks == num_blocks_ ||
               (in->num_blocks == 0xFFFFFFFFull && num_blocks_ > 0xFFFFFFFFull);
  if (!nb_ok) {
    *sense = sense::invalid_field_in_param(1);
    return Status::invalid_argument;
  }
  if (in->block_length != block_size_) {
    *sense = sense::invalid_field_in_param(5);
    return Status::invalid_argument;
  }
  return Status::ok;
}

}  // namespace nexus::disk
