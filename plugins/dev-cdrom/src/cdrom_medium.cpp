// Loading, ejecting and locking the disc: START STOP UNIT, PREVENT ALLOW
// MEDIUM REMOVAL and the IRemovableMedium interface used by changers and the
// management API.
#include "cdrom_device.h"
#include "nexus/bytes.hpp"
#include "nexus/log.hpp"

namespace nexus::cdrom {

bool CdromDevice::load_initial(const std::string& path, std::string* error) {
  std::lock_guard lock(mu_);
  auto img = DiscImage::open(path, error);
  if (!img) return false;
  image_ = std::move(img);
  layout_ = DiscLayout::for_blocks(image_->blocks());
  path_ = path;
  tray_open_ = false;
  return true;
}

Status CdromDevice::insert_locked(const std::string& path, std::string* error) {
  auto img = DiscImage::open(path, error);
  if (!img) return Status::not_found;
  if (img->size_bytes() % DiscImage::kBlockSize)
    logf(host_, LogLevel::warn, "cdrom: %s is not a multiple of 2048 bytes; last block padded",
         path.c_str());
  image_ = std::move(img);
  layout_ = DiscLayout::for_blocks(image_->blocks());
  path_ = path;
  tray_open_ = false;
  events_.post(MediaEvent::new_media);
  // SPC-4 / MMC-6: NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED.
  host_->raise_ua(UaScope::all_nexuses, 0, 0x28, 0x00);
  logf(host_, LogLevel::info, "cdrom: loaded %s (%llu blocks, %s)", path.c_str(),
       static_cast<unsigned long long>(layout_.blocks),
       layout_.kind == DiscKind::cd ? "CD-ROM" : "DVD-ROM");
  return Status::ok;
}

Status CdromDevice::load(Str path,
                         bool /*write_protect: the medium is read-only anyway*/) noexcept {
  try {
    std::string p(to_sv(path));
    std::lock_guard lock(mu_);
    if (image_) return Status::busy;  // SDK contract: a disc is loaded
    std::string error;
    Status st = insert_locked(p, &error);
    if (st != Status::ok) logf(host_, LogLevel::error, "cdrom: load failed: %s", error.c_str());
    return st;
  } catch (...) {
    return Status::no_memory;
  }
}

Status CdromDevice::unload(bool force) noexcept {
  std::lock_guard lock(mu_);
  if (path_.empty() && !image_) return Status::ok;  // nothing in the drive
  if (image_ && !force) {
    // Like pressing the eject button of a loaded drive: the host is asked
    // (MMC-6 EjectRequest event) and ejects with START STOP UNIT when it
    // is done with the disc; the caller retries then.
    events_.post(MediaEvent::eject_request);
    return Status::busy;
  }
  if (image_) events_.post(MediaEvent::media_removal);
  image_.reset();
  layout_ = DiscLayout{};
  path_.clear();
  logf(host_, LogLevel::info, "cdrom: medium removed%s", force ? " (forced)" : "");
  return Status::ok;
}

MediumState CdromDevice::state() const noexcept {
  std::lock_guard lock(mu_);
  if (image_) return MediumState::loaded;
  return path_.empty() ? MediumState::empty : MediumState::unloaded;
}

Str CdromDevice::medium_path() const noexcept {
  std::lock_guard lock(mu_);
  return to_str(path_);
}

bool CdromDevice::removal_prevented() const noexcept {
  std::lock_guard lock(mu_);
  return prevented_locked();
}

void CdromDevice::start_stop_unit(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  const uint8_t power_conditions = c[4] >> 4;
  const bool loej = c[4] & 0x02, start = c[4] & 0x01;
  // MMC-6 START STOP UNIT: a non-zero Power Conditions field makes LoEj
  // and Start ignored; we have no power states to change.
  if (power_conditions != 0) {
    switch (power_conditions) {
      case 0x1:
      case 0x2:
      case 0x3:
      case 0x5:
      case 0x7:
      case 0xA:
      case 0xB:
        return cmd->complete(ScsiStatus::good, nullptr);
      default:
        return fail(cmd, sense::invalid_field_in_cdb(4, 7));
    }
  }
  // Start/stop the spindle only: nothing spins, the next read just works.
  if (!loej) return cmd->complete(ScsiStatus::good, nullptr);
  // Completion happens after the lock is released: complete() may run the
  // next queued command of this LU inline, which takes the lock again.
  bool prevented = false;
  try {
    std::lock_guard lock(mu_);
    if (!start) {
      // Eject. A lock held by any nexus blocks it (MMC-6 PREVENT ALLOW:
      // Lock; Persistent Prevent only governs the eject button).
      if (!preventers_.empty()) {
        prevented = true;
      } else if (!tray_open_) {
        tray_open_ = true;
        if (image_) {
          image_.reset();  // path_ stays: the disc sits on the open tray
          layout_ = DiscLayout{};
          events_.post(MediaEvent::media_removal);
          logf(host_, LogLevel::info, "cdrom: ejected by the initiator");
        }
      }
    } else if (tray_open_) {
      // Load: close the tray; a disc on it (re-opened from its path, so the
      // file may be replaced while the tray is open) becomes ready.
      tray_open_ = false;
      if (!path_.empty()) {
        std::string error, p = path_;
        if (insert_locked(p, &error) != Status::ok) {
          logf(host_, LogLevel::warn, "cdrom: tray closed without a disc: %s", error.c_str());
          path_.clear();
        }
      }
    }
  } catch (...) {
    return fail(cmd, sense::internal_target_failure());
  }
  if (prevented) return fail(cmd, mmc_sense::removal_prevented());
  cmd->complete(ScsiStatus::good, nullptr);
}

void CdromDevice::prevent_allow(IDeviceCommand* cmd) noexcept {
  const uint8_t field = cmd->cdb().data[4] & 0x03;
  try {
    std::lock_guard lock(mu_);
    // MMC-6 Prevent field: 00b unlock, 01b lock, 10b persistent allow,
    // 11b persistent prevent. The lock is per I_T nexus (SPC-4): removal
    // stays prevented while any nexus holds it.
    switch (field) {
      case 0:
        preventers_.erase(cmd->nexus_id());
        break;
      case 1:
        preventers_.insert(cmd->nexus_id());
        break;
      case 2:
        persistent_prevent_ = false;
        break;
      case 3:
        persistent_prevent_ = true;
        break;
    }
  } catch (...) {
    return fail(cmd, sense::internal_target_failure());
  }
  cmd->complete(ScsiStatus::good, nullptr);
}

}  // namespace nexus::cdrom
