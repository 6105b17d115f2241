// Mode pages, the block descriptor, READ BLOCK LIMITS and REPORT DENSITY
// SUPPORT of the tape handler.
#include <algorithm>
#include <cstring>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "tape_device.h"

namespace nexus::tape {
namespace {

constexpr uint8_t kPageVendor = 0x00;
constexpr uint8_t kPageCompression = 0x0F;
constexpr uint8_t kPageConfig = 0x10;
constexpr uint8_t kPagePartition = 0x11;
constexpr size_t kCompressionLen = 16;  // SSC-3 8.3.2: PAGE LENGTH 0Eh
constexpr size_t kConfigLen = 16;       // SSC-3 8.3.3: PAGE LENGTH 0Eh
constexpr size_t kPartitionLen = 10;    // SSC-3 8.3.4: one partition, PAGE LENGTH 08h
constexpr uint8_t kDce = 0x80, kDcc = 0x40, kDde = 0x80;

// Page 00h (vendor specific, no page format) is listed with no parameters
// so that MODE SENSE(6) of page 0 - what Linux st sends to learn the block
// descriptor and WP bit - returns header + block descriptor.
const ModePageId kModePages[] = {
    {kPageVendor, 0}, {kPageCompression, 0}, {kPageConfig, 0}, {kPagePartition, 0}};

Status emit(const uint8_t* page, size_t len, ByteSpan out, uint32_t* out_len) noexcept {
  if (out.data) std::memcpy(out.data, page, std::min<uint64_t>(len, out.size));
  if (out_len) *out_len = uint32_t(len);
  return Status::ok;
}

void fixed_ascii(uint8_t* dst, size_t n, const char* s) { copy_padded(dst, n, s); }

}  // namespace

uint32_t TapeDevice::mode_pages(const ModePageId** ids) noexcept {
  *ids = kModePages;
  return sizeof kModePages / sizeof kModePages[0];
}

// SSC-3 8.3.2 Data Compression. The drive stores data uncompressed: DCC
// says the page is there and DCE is accepted (backup software sets it), but
// the algorithm fields stay 0 - no compression is actually performed.
size_t TapeDevice::build_compression_page(ModePageControl pc, uint8_t* p) const noexcept {
  std::memset(p, 0, kCompressionLen);
  p[0] = kPageCompression;
  p[1] = kCompressionLen - 2;
  if (pc == ModePageControl::changeable) {
    p[2] = kDce;
    return kCompressionLen;
  }
  bool dce = pc == ModePageControl::current && dce_.load();
  p[2] = uint8_t(kDcc | (dce ? kDce : 0));
  p[3] = kDde;
  return kCompressionLen;
}

// SSC-3 8.3.3 Device Configuration: one partition, logical object
// identifiers supported (LOIS), EOD generation (EEG) and synchronize at
// early warning (SEW); SELECT DATA COMPRESSION ALGORITHM mirrors DCE.
size_t TapeDevice::build_config_page(ModePageControl pc, uint8_t* p) const noexcept {
  std::memset(p, 0, kConfigLen);
  p[0] = kPageConfig;
  p[1] = kConfigLen - 2;
  if (pc == ModePageControl::changeable) {
    p[14] = 0x01;
    return kConfigLen;
  }
  p[8] = 0x40;   // LOIS
  p[10] = 0x18;  // EEG, SEW
  p[14] = (pc == ModePageControl::current && dce_.load()) ? 0x01 : 0x00;
  return kConfigLen;
}

// SSC-3 8.3.4 Medium Partition: no additional partitions; partition 0's
// size in MB (PSUM 10b), or in GB (PSUM 11b, units 10^9) when larger.
size_t TapeDevice::build_partition_page(ModePageControl pc, uint8_t* p) const noexcept {
  std::memset(p, 0, kPartitionLen);
  p[0] = kPagePartition;
  p[1] = kPartitionLen - 2;
  if (pc == ModePageControl::changeable) return kPartitionLen;
  p[5] = 0x03;  // MEDIUM FORMAT RECOGNITION: format and partition recognition
  uint64_t mb = capacity_.load() / 1000000;
  if (mb <= 0xFFFF) {
    p[4] = 0x10;  // PSUM 10b: megabytes
    put_be16(p + 8, uint16_t(mb));
  } else {
    p[4] = 0x18;  // PSUM 11b: 10^(PARTITION UNITS) bytes
    p[6] = 9;
    put_be16(p + 8, uint16_t(std::min<uint64_t>(capacity_.load() / 1000000000, 0xFFFF)));
  }
  return kPartitionLen;
}

Status TapeDevice::mode_page(ModePageId id, ModePageControl pc, ByteSpan out,
                             uint32_t* len) noexcept {
  uint8_t p[32];
  if (id.subpage != 0) return Status::unsupported;
  switch (id.page) {
    case kPageVendor:
      p[0] = kPageVendor;
      p[1] = 0;
      return emit(p, 2, out, len);
    case kPageCompression:
      return emit(p, build_compression_page(pc, p), out, len);
    case kPageConfig:
      return emit(p, build_config_page(pc, p), out, len);
    case kPagePartition:
      return emit(p, build_partition_page(pc, p), out, len);
    default:
      return Status::unsupported;
  }
}

// The core checked the page length and that only changeable bits differ.
Status TapeDevice::mode_select_page(ModePageId id, ConstByteSpan page, SenseInfo* sense) noexcept {
  if (id.subpage != 0 || page.size < 2) {
    *sense = sense::invalid_field_in_param(0);
    return Status::invalid_argument;
  }
  switch (id.page) {
    case kPageCompression:
      if (page.size < kCompressionLen) break;
      dce_ = page.data[2] & kDce;
      return Status::ok;
    case kPageConfig:
      if (page.size < kConfigLen) break;
      dce_ = page.data[14] == 0x01;
      return Status::ok;
    case kPageVendor:
    case kPagePartition:
      return Status::ok;
    default:
      break;
  }
  *sense = sense::invalid_field_in_param(1);
  return Status::invalid_argument;
}

// SSC-3 8.3.1: density code, NUMBER OF BLOCKS 0, BLOCK LENGTH (0 = variable).
Status TapeDevice::block_descriptor(BlockDescriptor* out) noexcept {
  BlockDescriptor d{};
  d.struct_size = sizeof d;
  d.density = density_.load();
  d.num_blocks = 0;
  d.block_length = block_size_.load();
  *out = d;
  return Status::ok;
}

Status TapeDevice::set_block_descriptor(const BlockDescriptor* in, SenseInfo* sense) noexcept {
  // Density 00h selects the default, 7Fh means "no change" (SSC-3 8.3.1);
  // the one density this drive writes is accepted as well.
  if (in->density != 0 && in->density != 0x7F && in->density != opts_.density_code) {
    *sense = sense::invalid_field_in_param(0);
    return Status::invalid_argument;
  }
  if (in->num_blocks != 0) {
    *sense = sense::invalid_field_in_param(1);
    return Status::invalid_argument;
  }
  uint32_t bl = in->block_length;
  if (bl != 0 && (bl < opts_.min_block_length || bl > opts_.max_block_length)) {
    *sense = sense::invalid_field_in_param(5);
    return Status::invalid_argument;
  }
  block_size_ = bl;
  density_ = opts_.density_code;
  return Status::ok;
}

// SSC-3 7.5 READ BLOCK LIMITS.
Outcome TapeDevice::read_block_limits(IDeviceCommand* cmd) {
  uint8_t d[6] = {};
  d[0] = 0;  // GRANULARITY: any length
  put_be24(d + 1, opts_.max_block_length);
  put_be16(d + 4, uint16_t(std::min<uint32_t>(opts_.min_block_length, 0xFFFF)));
  return Outcome::good().bytes(uint32_t(copy_to_command(cmd, d)));
}

// SSC-3 6.5 REPORT DENSITY SUPPORT: one density, the one of the mode
// block descriptor. MEDIA=1 describes the mounted cartridge.
Outcome TapeDevice::report_density(IDeviceCommand* cmd) {
  const bool media = cmd->cdb().data[1] & 0x01;
  if (media && !loaded()) return Outcome::check(sense::medium_not_present());
  uint8_t d[4 + 52] = {};
  put_be16(d, sizeof d - 2);  // AVAILABLE DENSITY SUPPORT LENGTH
  uint8_t* p = d + 4;
  p[0] = opts_.density_code;  // PRIMARY DENSITY CODE
  p[1] = opts_.density_code;  // SECONDARY DENSITY CODE
  bool wrtok = !media || !write_protect_;
  p[2] = uint8_t((wrtok ? 0x80 : 0) | 0x20 | 0x01);  // WRTOK, DEFLT, DLV
  put_be16(p + 3, 52 - 5);                            // DESCRIPTOR LENGTH
  put_be16(p + 8, 127);                               // MEDIA WIDTH: 12.7 mm
  uint64_t mb = (media ? media_->capacity() : capacity_.load()) / 1000000;
  put_be32(p + 12, uint32_t(std::min<uint64_t>(mb, 0xFFFFFFFFu)));  // CAPACITY (MB)
  fixed_ascii(p + 16, 8, "NEXUS");
  fixed_ascii(p + 24, 8, "NX-VTAPE");
  fixed_ascii(p + 32, 20, "Nexus virtual tape");
  return Outcome::good().bytes(uint32_t(copy_to_command(cmd, d)));
}

}  // namespace nexus::tape
