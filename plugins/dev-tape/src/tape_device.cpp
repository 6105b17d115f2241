#include "tape_device.h"

#include <algorithm>
#include <cstring>

#include "nexus/bytes.hpp"
#include "nexus/log.hpp"
#include "nexus/sense.hpp"
#include "tape_opcodes.h"

namespace nexus::tape {

namespace tsense {
namespace {
SenseInfo with_info(SenseKey key, uint8_t ascq, uint8_t flags, uint64_t info) noexcept {
  SenseInfo s = sense::make(key, 0x00, ascq);
  s.flags |= flags | SenseFlags::info_valid;
  s.information = info;
  return s;
}
}  // namespace
SenseInfo filemark(uint64_t r) noexcept {
  return with_info(SenseKey::no_sense, 0x01, SenseFlags::filemark, r);
}
SenseInfo end_of_data(uint64_t r) noexcept { return with_info(SenseKey::blank_check, 0x05, 0, r); }
SenseInfo beginning(uint64_t r) noexcept {
  return with_info(SenseKey::no_sense, 0x04, SenseFlags::eom, r);
}
SenseInfo early_warning(uint64_t r) noexcept {
  return with_info(SenseKey::no_sense, 0x02, SenseFlags::eom, r);
}
SenseInfo volume_overflow(uint64_t r) noexcept {
  return with_info(SenseKey::volume_overflow, 0x02, SenseFlags::eom, r);
}
SenseInfo incorrect_length(int64_t r) noexcept {
  uint64_t info = r >= 0 ? uint64_t(r) : uint64_t(uint32_t(int32_t(r)));
  return with_info(SenseKey::no_sense, 0x00, SenseFlags::ili, info);
}
SenseInfo removal_prevented() noexcept {
  return sense::make(SenseKey::illegal_request, 0x53, 0x02);
}
}  // namespace tsense

std::vector<iovec> cmd_slice(IDeviceCommand* cmd, uint64_t offset, uint64_t len) {
  std::vector<iovec> out;
  const IoVec* iov = nullptr;
  uint32_t n = cmd->iov(&iov);
  for (uint32_t i = 0; i < n && len > 0; ++i) {
    if (offset >= iov[i].len) {
      offset -= iov[i].len;
      continue;
    }
    uint64_t k = std::min(iov[i].len - offset, len);
    out.push_back(iovec{iov[i].base + offset, size_t(k)});
    len -= k;
    offset = 0;
  }
  return out;
}

TapeDevice::TapeDevice(IDeviceHost* host, const TapeOptions& opts)
    : host_(host),
      opts_(opts),
      identity_(identity_from(opts, derive_tape_serial(to_sv(host->name())))),
      block_size_(opts.block_size),
      density_(opts.density_code) {}

TapeDevice::~TapeDevice() = default;

void TapeDevice::publish() noexcept {
  uint32_t f = DeviceInfoFlags::removable;
  if (loaded()) {
    f |= DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
    if (write_protect_) f |= DeviceInfoFlags::write_protected;
  }
  flags_ = f;
  capacity_ = media_ ? media_->capacity() : 0;
}

bool TapeDevice::sync_media() noexcept {
  if (!media_) return true;
  int r = media_->sync();
  if (r < 0) {
    logf(host_, LogLevel::error, "tape %s: flushing %s failed: %s", identity_.serial.c_str(),
         path_.c_str(), std::strerror(-r));
    return false;
  }
  return true;
}

bool TapeDevice::load_at_start(const std::string& path, bool write_protect, std::string* error) {
  std::lock_guard lock(mu_);
  auto m = TapeMedia::open(path, write_protect, error);
  if (!m) return false;
  media_ = std::move(m);
  path_ = path;
  write_protect_ = write_protect || media_->header_write_protect();
  pos_ = 0;
  state_ = MediumState::loaded;
  publish();
  const MediaSummary& s = media_->summary();
  logf(host_, LogLevel::info, "tape: loaded %s (%s): %llu blocks, %llu filemarks%s%s",
       path.c_str(), s.barcode.c_str(), static_cast<unsigned long long>(s.data_blocks),
       static_cast<unsigned long long>(s.filemarks), write_protect_ ? ", write protected" : "",
       s.dropped_bytes ? ", torn tail recovered" : "");
  return true;
}

Status TapeDevice::info(DeviceInfo* out) noexcept {
  if (!out) return Status::invalid_argument;
  DeviceInfo d{};
  d.struct_size = sizeof(DeviceInfo);
  d.type = PeripheralType::tape;
  d.scsi_version = 0x06;  // SPC-4
  d.flags = flags_.load();
  fill_identity(d, identity_);
  return publish_info(d, out);
}

uint32_t TapeDevice::opcodes(const OpcodeInfo** rows) noexcept {
  const auto& r = tape_opcodes();
  *rows = r.data();
  return uint32_t(r.size());
}

bool TapeDevice::data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept {
  if (!cdb.data || cdb.size < 6) {
    *sense = sense::invalid_opcode();
    return false;
  }
  const uint8_t* c = cdb.data;
  switch (c[0]) {
    case op::kRead6:
    case op::kWrite6: {
      // SSC-3 6.4 / 6.9: FIXED=1 counts blocks of the current block length,
      // FIXED=0 is one block of TRANSFER LENGTH bytes.
      bool fixed = c[1] & 0x01;
      uint64_t n = get_be24(c + 2);
      uint32_t bs = block_size_;
      if (fixed && bs == 0) {
        *sense = sense::invalid_field_in_cdb(1, 0);
        return false;
      }
      if (c[0] == op::kRead6 && fixed && (c[1] & 0x02)) {  // SILI with FIXED
        *sense = sense::invalid_field_in_cdb(1, 1);
        return false;
      }
      uint64_t len = fixed ? n * bs : n;
      if (len > kMaxTransferBytes) {
        *sense = sense::invalid_field_in_cdb(2);
        return false;
      }
      *bytes = uint32_t(len);
      return true;
    }
    case op::kReadBlockLimits:
      *bytes = 6;
      return true;
    case op::kReadPosition: {
      if (cdb.size < 10) break;
      switch (c[1] & 0x1F) {
        case op::kRpShort:
        case op::kRpShortVendor:
          *bytes = 20;
          return true;
        case op::kRpLong:
          *bytes = 32;
          return true;
        case op::kRpExtended:
          *bytes = std::min<uint32_t>(32, get_be16(c + 7));
          return true;
        default:
          break;
      }
      *sense = sense::invalid_field_in_cdb(1, 4);
      return false;
    }
    default:
      break;
  }
  *sense = sense::invalid_opcode();
  return false;
}

void TapeDevice::execute(IDeviceCommand* cmd) noexcept {
  Outcome o;
  {
    std::lock_guard lock(mu_);
    try {
      o = run(cmd);
    } catch (...) {
      o = Outcome::check(sense::internal_target_failure());
    }
    publish();
  }
  if (o.set_transfer) cmd->set_transfer_length(o.transfer);
  cmd->complete(o.status, o.has_sense ? &o.sense : nullptr);
}

Outcome TapeDevice::run(IDeviceCommand* cmd) noexcept {
  ConstByteSpan cdb = cmd->cdb();
  if (!cdb.data || cdb.size < 6) return Outcome::check(sense::invalid_opcode());
  uint8_t opcode = cdb.data[0];
  // Commands that work without a cartridge; the core let the others in only
  // with medium_present, but a changer may have taken it since.
  switch (opcode) {
    case op::kReadBlockLimits:
      return read_block_limits(cmd);
    case op::kReportDensity:
      return report_density(cmd);
    case op::kLoadUnload:
      return load_unload(cmd);
    case op::kPreventAllow:
      return prevent_allow(cmd);
    default:
      break;
  }
  if (!loaded()) return Outcome::check(sense::medium_not_present());
  switch (opcode) {
    case op::kRead6:
      return read6(cmd);
    case op::kWrite6:
      return write6(cmd);
    case op::kWriteFilemarks6:
      return write_filemarks(cmd);
    case op::kSpace6:
    case op::kSpace16:
      return space(cmd);
    case op::kLocate10:
    case op::kLocate16:
      return locate(cmd);
    case op::kRewind:
      return rewind(cmd);
    case op::kErase6:
      return erase(cmd);
    case op::kReadPosition:
      return read_position(cmd);
    default:
      return Outcome::check(sense::invalid_opcode());
  }
}

Status TapeDevice::vpd_page(uint8_t, ByteSpan, uint32_t*) noexcept { return Status::unsupported; }

void TapeDevice::abort(IDeviceCommand*) noexcept {
  // Every command runs to completion synchronously; nothing to recall.
}

void TapeDevice::nexus_lost(uint64_t nexus_id) noexcept {
  // SPC-4 6.13: prevention ends with the I_T nexus that asked for it.
  std::lock_guard lock(mu_);
  prevent_.erase(nexus_id);
}

void TapeDevice::reset(ResetKind kind) noexcept {
  std::lock_guard lock(mu_);
  // SPC-4 6.13: a reset releases medium removal prevention. SAM-5 6.3: mode
  // parameters return to their defaults (nothing is saved). The cartridge
  // keeps its position: nothing moves a virtual tape.
  prevent_.clear();
  block_size_ = opts_.block_size;
  density_ = opts_.density_code;
  dce_ = false;
  sync_media();
  logf(host_, LogLevel::debug, "tape %s: %s", identity_.serial.c_str(),
       kind == ResetKind::lun_reset ? "LU reset" : "reset");
}

void TapeDevice::destroy() noexcept {
  {
    std::lock_guard lock(mu_);
    sync_media();
  }
  delete this;
}

Status TapeDevice::load(Str path, bool write_protect) noexcept {
  try {
    std::string p(to_sv(path));
    {
      std::lock_guard lock(mu_);
      if (state_ != MediumState::empty) return Status::busy;
      std::string error;
      auto m = TapeMedia::open(p, write_protect, &error);
      if (!m) {
        logf(host_, LogLevel::error, "tape %s: cannot load: %s", identity_.serial.c_str(),
             error.c_str());
        return Status::io_error;
      }
      media_ = std::move(m);
      path_ = p;
      write_protect_ = write_protect || media_->header_write_protect();
      pos_ = 0;
      state_ = MediumState::loaded;
      publish();
      logf(host_, LogLevel::info, "tape %s: loaded %s (%s)%s", identity_.serial.c_str(), p.c_str(),
           media_->barcode().c_str(), write_protect_ ? ", write protected" : "");
    }
    // SSC-3 / SPC-4: every initiator learns that the medium may have changed.
    host_->raise_ua(UaScope::all_nexuses, 0, 0x28, 0x00);
    return Status::ok;
  } catch (...) {
    return Status::no_memory;
  }
}

Status TapeDevice::unload(bool force) noexcept {
  std::lock_guard lock(mu_);
  if (state_ == MediumState::empty) return Status::ok;
  if (!force && (!prevent_.empty() || state_ == MediumState::loaded)) return Status::busy;
  sync_media();
  media_.reset();
  path_.clear();
  pos_ = 0;
  state_ = MediumState::empty;
  publish();
  logf(host_, LogLevel::info, "tape %s: medium removed", identity_.serial.c_str());
  return Status::ok;
}

Str TapeDevice::medium_path() const noexcept {
  std::lock_guard lock(mu_);
  return to_str(path_);
}

bool TapeDevice::removal_prevented() const noexcept {
  std::lock_guard lock(mu_);
  return !prevent_.empty();
}

}  // namespace nexus::tape
