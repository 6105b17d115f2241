#include "disk_device.h"

#include <algorithm>
#include <cstring>

#include "disk_opcodes.h"
#include "nexus/bytes.hpp"
#include "nexus/log.hpp"
#include "nexus/sense.hpp"

namespace nexus::disk {

void fail(IDeviceCommand* cmd, const SenseInfo& s) noexcept {
  cmd->complete(ScsiStatus::check_condition, &s);
}

uint64_t copy_from_cmd(IDeviceCommand* cmd, uint64_t offset, uint8_t* dst, uint64_t len) noexcept {
  const IoVec* iov = nullptr;
  uint32_t n = cmd->iov(&iov);
  uint64_t done = 0;
  for (uint32_t i = 0; i < n && done < len; ++i) {
    if (offset >= iov[i].len) {
      offset -= iov[i].len;
      continue;
    }
    uint64_t k = std::min(iov[i].len - offset, len - done);
    std::memcpy(dst + done, iov[i].base + offset, k);
    done += k;
    offset = 0;
  }
  return done;
}

DiskDevice::DiskDevice(IDeviceHost* host, const DiskOptions& opts, std::unique_ptr<Backend> backend)
    : host_(host),
      backend_(std::move(backend)),
      block_size_(opts.block_size),
      num_blocks_(backend_->size() / opts.block_size),
      thin_(opts.thin && backend_->can_deallocate() && !opts.read_only),
      read_only_(opts.read_only),
      identity_(identity_from(opts, derive_serial(to_sv(host->name())))) {
  rows_ = disk_opcodes(thin_);
}

DiskDevice::~DiskDevice() = default;

uint8_t DiskDevice::physical_exponent() const noexcept {
  uint32_t phys = backend_->physical_block_size();
  uint8_t e = 0;
  while (e < 15 && (uint64_t(block_size_) << (e + 1)) <= phys) ++e;
  return e;
}

Status DiskDevice::info(DeviceInfo* out) noexcept {
  if (!out) return Status::invalid_argument;
  DeviceInfo d{};
  d.struct_size = sizeof(DeviceInfo);
  d.type = PeripheralType::disk;
  d.scsi_version = 0x06;  // SPC-4
  d.flags = DeviceInfoFlags::medium_present;
  if (thin_) d.flags |= DeviceInfoFlags::thin_provisioned;
  if (read_only_) d.flags |= DeviceInfoFlags::write_protected;
  if (write_cache()) d.flags |= DeviceInfoFlags::write_cache;
  if (started()) d.flags |= DeviceInfoFlags::ready;
  d.block_size = block_size_;
  d.num_blocks = num_blocks_;
  fill_identity(d, identity_);
  d.max_transfer_blocks = max_transfer_blocks();
  return publish_info(d, out);
}

uint32_t DiskDevice::opcodes(const OpcodeInfo** rows) noexcept {
  *rows = rows_.data();
  return uint32_t(rows_.size());
}

bool DiskDevice::data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept {
  if (!cdb.data || cdb.size < 10) {
    *sense = sense::invalid_opcode();
    return false;
  }
  const uint8_t* c = cdb.data;
  switch (c[0]) {
    case op::kReadCapacity10:
      *bytes = 8;
      return true;
    case op::kVerify10:
    case op::kVerify12:
    case op::kVerify16: {
      // SBC-3 5.33: BYTCHK 00b no Data-Out, 01b the blocks, 11b one block.
      uint8_t bytchk = (c[1] >> 1) & 3;
      if (bytchk == 2) {
        *sense = sense::invalid_field_in_cdb(1, 2);
        return false;
      }
      const VerifyFields f = verify_fields(c, cdb.size);
      uint64_t n = f.blocks;
      uint64_t len = bytchk == 0 ? 0 : bytchk == 3 ? (n ? block_size_ : 0) : n * block_size_;
      if (len > DiskLimits::kMaxTransferBytes) {
        *sense = sense::invalid_field_in_cdb(f.len_field);
        return false;
      }
      *bytes = uint32_t(len);
      return true;
    }
    case op::kWriteSame16:
      // SBC-3 5.48: NDOB=1 means no Data-Out buffer.
      *bytes = (c[1] & 0x01) ? 0 : block_size_;
      return true;
    default:
      *sense = sense::invalid_opcode();
      return false;
  }
}

void DiskDevice::abort(IDeviceCommand* /*cmd*/) noexcept {
  // In-flight backend I/O can't be recalled; long commands (VERIFY, WRITE
  // SAME) poll cmd->aborted() between chunks.
}

void DiskDevice::reset(ResetKind /*kind*/) noexcept {
  // SAM-5 6.3.2 hard reset (power on, LU and target reset): mode parameters
  // return to their saved values (we save none: the defaults), and the
  // emulated medium is ready again.
  wce_ = true;
  rcd_ = false;
  started_ = true;
}

void DiskDevice::destroy() noexcept {
  if (!read_only_) backend_->flush_now();
  delete this;
}

void DiskDevice::read_capacity10(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  // SBC-3 5.20: with PMI=0 the LOGICAL BLOCK ADDRESS field shall be zero.
  if (!(c[8] & 0x01) && get_be32(c + 2) != 0) return fail(cmd, sense::invalid_field_in_cdb(2));
  uint8_t d[8];
  uint64_t last = num_blocks_ - 1;
  put_be32(d, last > 0xFFFFFFFFull ? 0xFFFFFFFFu : uint32_t(last));
  put_be32(d + 4, block_size_);
  cmd->set_transfer_length(uint32_t(copy_to_command(cmd, d)));
  cmd->complete(ScsiStatus::good, nullptr);
}

void DiskDevice::read_capacity16(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  if (!(c[14] & 0x01) && get_be64(c + 2) != 0) return fail(cmd, sense::invalid_field_in_cdb(2));
  uint8_t d[32] = {};
  put_be64(d, num_blocks_ - 1);
  put_be32(d + 8, block_size_);
  d[13] = physical_exponent() & 0x0F;
  // SBC-3 5.21.2: LBPME, LBPRZ; LOWEST ALIGNED LOGICAL BLOCK ADDRESS = 0.
  if (thin_) {
    d[14] |= 0x80;
    if (backend_->deallocated_reads_zero()) d[14] |= 0x40;
  }
  uint32_t alloc = get_be32(c + 10);
  uint64_t n = copy_to_command(cmd, std::span(d, std::min<uint64_t>(sizeof d, alloc)));
  cmd->set_transfer_length(uint32_t(n));
  cmd->complete(ScsiStatus::good, nullptr);
}

void DiskDevice::get_lba_status(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  uint64_t lba = get_be64(c + 2);
  uint32_t alloc = get_be32(c + 10);
  if (lba >= num_blocks_) return fail(cmd, sense::lba_out_of_range());
  // SBC-3 5.16: as many LBA status descriptors as the allocation length
  // holds (at least one is reported in PARAMETER DATA LENGTH), each a
  // run of blocks with the same provisioning status.
  uint64_t room = std::min<uint64_t>(std::min<uint64_t>(alloc, cmd->data_length()), 8 + 16 * 64);
  uint32_t max_desc = room > 8 ? uint32_t((room - 8) / 16) : 0;
  if (max_desc == 0) max_desc = 1;
  std::vector<uint8_t> d(8 + 16 * size_t(max_desc), 0);
  uint32_t ndesc = 0;
  uint64_t cur = lba;
  uint64_t last_end = 0;
  bool last_mapped = false;
  while (cur < num_blocks_) {
    bool mapped = true;
    uint64_t end_byte = num_blocks_ * block_size_;
    int r =
        backend_->extent_status(cur * block_size_, num_blocks_ * block_size_, &mapped, &end_byte);
    if (r < 0) {
      logf(host_, LogLevel::error, "GET LBA STATUS: extent query failed: %s", strerror(-r));
      return fail(cmd, sense::unrecovered_read_error());
    }
    uint64_t end;
    if (mapped) {
      end = (end_byte + block_size_ - 1) / block_size_;
    } else {
      end = end_byte / block_size_;
      if (end <= cur) {  // data starts inside this block: the block is mapped
        mapped = true;
        end = cur + 1;
      }
    }
    end = std::min(std::max(end, cur + 1), num_blocks_);
    if (ndesc > 0 && last_mapped == mapped && last_end == cur) {
      uint8_t* p = &d[8 + 16 * (ndesc - 1)];
      uint64_t start = get_be64(p);
      uint64_t count = std::min<uint64_t>(end - start, 0xFFFFFFFFull);
      put_be32(p + 8, uint32_t(count));
      end = start + count;
    } else {
      if (ndesc == max_desc) break;
      uint8_t* p = &d[8 + 16 * ndesc];
      uint64_t count = std::min<uint64_t>(end - cur, 0xFFFFFFFFull);
      put_be64(p, cur);
      put_be32(p + 8, uint32_t(count));
      p[12] = mapped ? 0x0 : 0x1;  // PROVISIONING STATUS: mapped / deallocated
      end = cur + count;
      ++ndesc;
    }
    last_mapped = mapped;
    last_end = end;
    cur = end;
  }
  put_be32(d.data(), 4 + 16 * ndesc);  // PARAMETER DATA LENGTH (n - 3)
  uint64_t n = copy_to_command(cmd, std::span(d.data(), std::min<uint64_t>(8 + 16 * ndesc, alloc)));
  cmd->set_transfer_length(uint32_t(n));
  cmd->complete(ScsiStatus::good, nullptr);
}

void DiskDevice::read_defect_data(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  bool is12 = c[0] == op::kReadDefectData12;
  uint8_t flags = is12 ? c[1] : c[2];  // REQ_PLIST, REQ_GLIST, DEFECT LIST FORMAT
  // DEFECT LIST FORMAT 111b is reserved; every defined format describes an
  // empty list the same way, so the requested one is reported back.
  if ((flags & 0x07) == 0x07) return fail(cmd, sense::invalid_field_in_cdb(is12 ? 1 : 2, 2));
  // An emulated medium has no defects: both lists are valid and empty
  // (PLISTV/GLISTV echo what was asked for, DEFECT LIST LENGTH 0).
  uint8_t d[8] = {};
  d[1] = flags & 0x1F;
  uint64_t n = copy_to_command(cmd, std::span(d, is12 ? 8 : 4));
  cmd->set_transfer_length(uint32_t(n));
  cmd->complete(ScsiStatus::good, nullptr);
}

void DiskDevice::start_stop_unit(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  uint8_t power_condition = c[4] >> 4;
  bool no_flush = c[4] & 0x04, loej = c[4] & 0x02, start = c[4] & 0x01;
  // SBC-3 5.25: a non-zero POWER CONDITION makes START and LOEJ ignored.
  if (power_condition != 0) {
    switch (power_condition) {
      case 0x1:
      case 0x2:
      case 0x3:
      case 0x7:
      case 0xA:
      case 0xB:
        return cmd->complete(ScsiStatus::good, nullptr);
      default:
        return fail(cmd, sense::invalid_field_in_cdb(4, 7));
    }
  }
  // The medium of a disk can't be loaded or ejected.
  if (loej) return fail(cmd, sense::invalid_field_in_cdb(4, 1));
  if (!start) {
    if (!no_flush && !read_only_) backend_->flush_now();
    started_ = false;
  } else {
    started_ = true;
  }
  cmd->complete(ScsiStatus::good, nullptr);
}

void DiskDevice::pre_fetch(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  bool is16 = c[0] == op::kPreFetch16;
  uint64_t lba = is16 ? get_be64(c + 2) : get_be32(c + 2);
  uint64_t n = is16 ? get_be32(c + 10) : get_be16(c + 7);
  if (lba > num_blocks_ || n > num_blocks_ - lba) return fail(cmd, sense::lba_out_of_range());
  if (n == 0) n = num_blocks_ - lba;  // SBC-3 5.9: zero means to the last LBA
  backend_->prefetch(lba * block_size_, n * block_size_);
  // SBC-3 5.9 allows GOOD when the blocks may not all fit in the cache; we
  // only hint the page cache and can't promise CONDITION MET.
  cmd->complete(ScsiStatus::good, nullptr);
}

}  // namespace nexus::disk
