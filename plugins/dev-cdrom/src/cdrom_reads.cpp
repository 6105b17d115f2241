// Medium reads: READ(10), READ(12), READ CD (user data) and READ CAPACITY.
#include <cstring>

#include "cdrom_device.h"
#include "cdrom_opcodes.h"
#include "nexus/bytes.hpp"
#include "nexus/log.hpp"

namespace nexus::cdrom {
namespace {

// Reads `count` blocks at `lba` into the command buffer and completes it.
void read_blocks(IDeviceHost* host, IDeviceCommand* cmd, const DiscImage& img, uint64_t lba,
                 uint64_t count) noexcept {
  const uint64_t bytes = std::min<uint64_t>(count * DiscImage::kBlockSize, cmd->data_length());
  const IoVec* iov = nullptr;
  uint32_t n = cmd->iov(&iov);
  int r = img.read(lba * DiscImage::kBlockSize, bytes, iov, n);
  if (r < 0) {
    logf(host, LogLevel::error, "cdrom: read of %llu blocks at %llu failed: %s",
         static_cast<unsigned long long>(count), static_cast<unsigned long long>(lba),
         std::strerror(-r));
    SenseInfo s = sense::unrecovered_read_error();
    s.flags |= SenseFlags::info_valid;
    s.information = lba;
    return fail(cmd, s);
  }
  cmd->set_transfer_length(uint32_t(bytes));
  cmd->complete(ScsiStatus::good, nullptr);
}

}  // namespace

void CdromDevice::read(IDeviceCommand* cmd, const Snapshot& s) noexcept {
  const uint8_t* c = cmd->cdb().data;
  const uint64_t lba = get_be32(c + 2);
  const uint64_t count = c[0] == op::kRead12 ? get_be32(c + 6) : get_be16(c + 7);
  if (lba > s.layout.blocks || count > s.layout.blocks - lba)
    return fail(cmd, sense::lba_out_of_range());
  if (count == 0) {
    cmd->set_transfer_length(0);
    return cmd->complete(ScsiStatus::good, nullptr);
  }
  read_blocks(host_, cmd, *s.image, lba, count);
}

void CdromDevice::read_cd(IDeviceCommand* cmd, const Snapshot& s) noexcept {
  const uint8_t* c = cmd->cdb().data;
  // READ CD reads CD sectors; a DVD has none.
  if (s.layout.kind != DiscKind::cd) return fail(cmd, mmc_sense::incompatible_format());
  // Expected Sector Type: 000b any, 010b Mode 1 match our data track;
  // CD-DA and Mode 2 types do not; 110b/111b are reserved.
  const uint8_t type = (c[1] >> 2) & 0x07;
  if (type >= 6) return fail(cmd, sense::invalid_field_in_cdb(1, 4));
  if (type != 0 && type != 2) return fail(cmd, mmc_sense::illegal_mode_for_track());
  const uint64_t lba = get_be32(c + 2);
  const uint64_t count = get_be24(c + 6);
  if (lba > s.layout.blocks || count > s.layout.blocks - lba)
    return fail(cmd, sense::lba_out_of_range());
  if (count == 0 || c[9] == 0) {  // nothing selected: no data (MMC-6)
    cmd->set_transfer_length(0);
    return cmd->complete(ScsiStatus::good, nullptr);
  }
  read_blocks(host_, cmd, *s.image, lba, count);
}

void CdromDevice::read_capacity(IDeviceCommand* cmd, const Snapshot& s) noexcept {
  const uint8_t* c = cmd->cdb().data;
  // SBC-3 READ CAPACITY(10): with PMI=0 the LBA field shall be zero.
  if (!(c[8] & 0x01) && get_be32(c + 2) != 0) return fail(cmd, sense::invalid_field_in_cdb(2));
  uint8_t d[8];
  const uint64_t last = s.layout.blocks - 1;  // MMC-6: last readable LBA of the disc
  put_be32(d, last > 0xFFFFFFFFull ? 0xFFFFFFFFu : uint32_t(last));
  put_be32(d + 4, DiscImage::kBlockSize);
  reply(cmd, d, sizeof d);
}

}  // namespace nexus::cdrom
