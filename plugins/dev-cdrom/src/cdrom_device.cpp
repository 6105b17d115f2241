#include "cdrom_device.h"

#include <algorithm>
#include <cstring>

#include "cdrom_opcodes.h"
#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::cdrom {

void fail(IDeviceCommand* cmd, const SenseInfo& s) noexcept {
  cmd->complete(ScsiStatus::check_condition, &s);
}

void reply(IDeviceCommand* cmd, const uint8_t* src, size_t len) noexcept {
  reply_data(cmd, std::span(src, len));
  cmd->complete(ScsiStatus::good, nullptr);
}

CdromDevice::CdromDevice(IDeviceHost* host, const CdromOptions& opts)
    : host_(host), identity_(identity_from(opts, derive_serial(to_sv(host->name())))) {}

CdromDevice::~CdromDevice() = default;

Status CdromDevice::info(DeviceInfo* out) noexcept {
  if (!out) return Status::invalid_argument;
  DeviceInfo d{};
  d.struct_size = sizeof(DeviceInfo);
  d.type = PeripheralType::cdrom;
  d.scsi_version = 0x06;  // SPC-4
  // A CD/DVD-ROM medium is never writable: MODE SENSE reports WP.
  d.flags = DeviceInfoFlags::removable | DeviceInfoFlags::write_protected;
  d.block_size = DiscImage::kBlockSize;
  {
    std::lock_guard lock(mu_);
    if (image_) {
      d.flags |= DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
      d.num_blocks = layout_.blocks;
    }
  }
  fill_identity(d, identity_);
  return publish_info(d, out);
}

uint32_t CdromDevice::opcodes(const OpcodeInfo** rows) noexcept {
  const auto& v = cdrom_opcodes();
  *rows = v.data();
  return uint32_t(v.size());
}

void CdromDevice::execute(IDeviceCommand* cmd) noexcept {
  ConstByteSpan cdb = cmd->cdb();
  if (!cdb.data || cdb.size < 6) return fail(cmd, sense::invalid_opcode());
  const uint8_t opcode = cdb.data[0];
  Snapshot s;
  try {
    std::lock_guard lock(mu_);
    s.image = image_;
    s.layout = layout_;
    s.tray_open = tray_open_;
    s.prevented = prevented_locked();
    // Start following this nexus's media events (reads imply it already did).
    if (opcode != op::kRead10 && opcode != op::kRead12) events_.touch(cmd->nexus_id());
  } catch (...) {
    return fail(cmd, sense::internal_target_failure());
  }
  // The rows are ok_on_no_medium so that the handler can say why there is
  // no disc: tray open (3Ah/02h) or no disc at all (3Ah/00h).
  if (needs_medium(opcode) && !s.image)
    return fail(cmd, s.tray_open ? mmc_sense::tray_open() : sense::medium_not_present());
  switch (opcode) {
    case op::kRead10:
    case op::kRead12:
      return read(cmd, s);
    case op::kReadCd:
      return read_cd(cmd, s);
    case op::kReadCapacity10:
      return read_capacity(cmd, s);
    case op::kReadToc:
      return read_toc(cmd, s);
    case op::kReadDiscInfo:
      return read_disc_info(cmd, s);
    case op::kReadTrackInfo:
      return read_track_info(cmd, s);
    case op::kGetConfiguration:
      return get_configuration(cmd, s);
    case op::kGetEventStatus:
      return get_event_status(cmd);
    case op::kMechanismStatus:
      return mechanism_status(cmd, s);
    case op::kStartStopUnit:
      return start_stop_unit(cmd);
    case op::kPreventAllow:
      return prevent_allow(cmd);
    case op::kSetCdSpeed:
      // Nothing spins: any speed is "the" speed (MMC-6 allows rounding).
      return cmd->complete(ScsiStatus::good, nullptr);
    default:
      return fail(cmd, sense::invalid_opcode());
  }
}

bool CdromDevice::data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept {
  if (!cdb.data || cdb.size < 10) {
    *sense = sense::invalid_opcode();
    return false;
  }
  const uint8_t* c = cdb.data;
  switch (c[0]) {
    case op::kReadCapacity10:
      *bytes = 8;
      return true;
    case op::kReadCd: {
      if (cdb.size < 12) break;
      // MMC-6 READ CD main channel selection (byte 9): we return user data
      // only (10h) or nothing (00h); raw sectors (sync, headers, EDC/ECC,
      // C2) and sub-channels are not synthesized.
      if (c[9] != 0x00 && c[9] != 0x10) {
        *sense = sense::invalid_field_in_cdb(9, 7);
        return false;
      }
      if (c[10] != 0) {
        *sense = sense::invalid_field_in_cdb(10, 2);
        return false;
      }
      uint64_t len = c[9] ? uint64_t(get_be24(c + 6)) * DiscImage::kBlockSize : 0;
      if (len > 0xFFFFFFFFull) {
        *sense = sense::invalid_field_in_cdb(6);
        return false;
      }
      *bytes = uint32_t(len);
      return true;
    }
    default:
      break;
  }
  *sense = sense::invalid_opcode();
  return false;
}

Status CdromDevice::vpd_page(uint8_t, ByteSpan, uint32_t*) noexcept { return Status::unsupported; }

void CdromDevice::abort(IDeviceCommand*) noexcept {
  // Every command completes inline; there is nothing in flight to stop.
}

void CdromDevice::reset(ResetKind) noexcept {
  // SPC-4 / MMC-6: a hard reset or LU reset ends medium removal prevention.
  std::lock_guard lock(mu_);
  preventers_.clear();
  persistent_prevent_ = false;
}

void CdromDevice::nexus_lost(uint64_t nexus_id) noexcept {
  // SPC-4 6.13: prevention ends with the I_T nexus that asked for it (the
  // persistent prevent of MMC-6 lasts until a reset).
  std::lock_guard lock(mu_);
  preventers_.erase(nexus_id);
}

void CdromDevice::destroy() noexcept { delete this; }

}  // namespace nexus::cdrom
