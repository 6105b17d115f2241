#include "passthrough_device.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "nexus/bytes.hpp"
#include "nexus/handler.hpp"
#include "nexus/log.hpp"
#include "nexus/sense.hpp"
#include "opcode_catalog.h"
#include "sense_decode.h"

namespace nexus::passthrough {
namespace {

constexpr uint32_t kDefaultMaxTransfer = 512u << 10;
constexpr int kMaxUaRetries = 8;
constexpr size_t kMaxCachedVpdPages = 64;

bool is_block_type(uint8_t pdt) noexcept { return pdt == 0x00 || pdt == 0x05; }

// A Unit Attention reported to Nexus's own command, if r is one.
std::optional<SenseInfo> unit_attention(const BackendResult& r) noexcept {
  if (r.transport != Transport::ok || r.status != uint8_t(ScsiStatus::check_condition))
    return std::nullopt;
  auto s = decode_sense(r.sense_bytes());
  if (!s || s->key != SenseKey::unit_attention) return std::nullopt;
  return s;
}

}  // namespace

PassthroughDevice::PassthroughDevice(IDeviceHost* host, const PassthroughOptions& opts,
                                     std::unique_ptr<ScsiBackend> backend, PathResolver resolve)
    : host_(host),
      opts_(opts),
      backend_(std::move(backend)),
      resolve_(std::move(resolve)),
      name_(to_sv(host->name())),
      rows_(catalog_rows(0x1F)),
      vpd_(std::make_shared<VpdCache>()) {
  publish_identity();
}

PassthroughDevice::~PassthroughDevice() {
  {
    std::lock_guard lock(ctl_mu_);
    stop_ = true;
  }
  ctl_cv_.notify_all();
  if (ctl_.joinable()) ctl_.join();
  pool_.reset();  // runs what is still queued
  backend_->close();
}

BackendResult PassthroughDevice::internal(std::span<const uint8_t> cdb, uint8_t* buf, uint32_t len,
                                          bool fan_out, uint64_t except) {
  IoVec v{buf, len};
  BackendRequest req;
  req.cdb = cdb;
  req.direction = len ? DataDir::read : DataDir::none;
  req.iov = {&v, len ? 1u : 0u};
  req.length = len;
  req.timeout_s = uint32_t((opts_.timeout_ms + 999) / 1000);
  BackendResult r;
  for (int i = 0; i < kMaxUaRetries; ++i) {
    r = backend_->execute(req);
    auto ua = unit_attention(r);
    if (!ua) break;
    // The device has one nexus (us); what it tells us concerns every
    // initiator, none of which has seen it yet.
    if (fan_out && except == kNoNexus) host_->raise_ua(UaScope::all_nexuses, 0, ua->asc, ua->ascq);
    if (fan_out && except != kNoNexus) host_->raise_ua(UaScope::all_but, except, ua->asc, ua->ascq);
  }
  return r;
}

void PassthroughDevice::drain_unit_attentions(bool fan_out) {
  const uint8_t tur[6] = {op::kTestUnitReady, 0, 0, 0, 0, 0};
  internal(tur, nullptr, 0, fan_out);
}

bool PassthroughDevice::attach(RemoteIdentity* id, VpdCache* cache, std::string* error) {
  std::string sg;
  if (!resolve_(opts_.path, &sg, error)) return false;
  if (!backend_->open(sg, opts_.exclusive, error)) return false;
  auto fail = [&](const std::string& msg) {
    *error = sg + ": " + msg;
    backend_->close();
    return false;
  };
  // Power-on / reset Unit Attentions pending for our own nexus are not news
  // for the initiators: the core announces its own start (or we raise
  // 29h/00h after a re-attach).
  drain_unit_attentions(false);
  uint8_t buf[255];
  const uint8_t inq[6] = {op::kInquiry, 0, 0, 0, 96, 0};
  std::memset(buf, 0, sizeof buf);
  BackendResult r = internal(inq, buf, 96, false);
  if (!r.good()) return fail("INQUIRY failed");
  if (!parse_standard_inquiry({buf, size_t(96 - r.resid)}, id, error)) return fail(*error);

  auto read_vpd = [&](uint8_t page, std::vector<uint8_t>* out) {
    std::vector<uint8_t> data(255);
    uint8_t cdb[6] = {op::kInquiry, 0x01, page, 0, 255, 0};
    BackendResult v = internal(cdb, data.data(), 255, false);
    if (!v.good()) return false;
    data.resize(255 - size_t(v.resid));
    if (data.size() < 4 || data[1] != page) return false;
    size_t full = 4u + get_be16(&data[2]);
    if (full > data.size() && full > 255) {  // a longer page: ask for all of it
      data.assign(full, 0);
      put_be16(&cdb[3], uint16_t(std::min<size_t>(full, 0xFFFF)));
      v = internal(cdb, data.data(), uint32_t(data.size()), false);
      if (!v.good()) return false;
      data.resize(data.size() - size_t(v.resid));
    }
    *out = std::move(data);
    return true;
  };
  std::vector<uint8_t> page;
  if (read_vpd(0x00, &page)) id->vpd_pages = parse_supported_vpd(page);
  for (uint8_t p : id->vpd_pages) {
    if (p == 0x00) continue;
    if (!read_vpd(p, &page)) continue;
    if (p == 0x80) {
      id->serial = parse_unit_serial(page);
    } else if (p == 0x83) {
      id->naa_id = parse_lu_naa(page);
    } else if (p != 0x86 && cache->size() < kMaxCachedVpdPages) {
      // 86h (extended INQUIRY) describes what Nexus supports: the core's.
      (*cache)[p] = std::move(page);
    }
  }
  sg_path_ = sg;
  return true;
}

void PassthroughDevice::publish_identity() {
  DeviceInfo d{};
  d.struct_size = sizeof d;
  d.type = PeripheralType(ident_.peripheral_type);
  // SPC-4 is the newest standard the core's emulation follows.
  d.scsi_version = std::min<uint8_t>(ident_.version, 0x06);
  // The device itself answers NOT READY (forwarded TEST UNIT READY and media
  // access), so the core never blocks a command on readiness.
  d.flags = DeviceInfoFlags::medium_present | DeviceInfoFlags::ready | DeviceInfoFlags::passthrough;
  if (ident_.removable) d.flags |= DeviceInfoFlags::removable;
  fill_identity(d, DeviceIdentity{ident_.vendor, ident_.product, ident_.revision, ident_.serial});
  d.naa_id = ident_.naa_id;
  base_info_ = d;
}

void PassthroughDevice::refresh_control_page(bool fan_out, uint64_t except) {
  // MODE SENSE(6), DBD=1, Control page 0Ah (SPC-4 7.5.8): D_SENSE is byte 2
  // bit 2 of the page. A device without the page keeps fixed format.
  uint8_t b[64] = {};
  const uint8_t ms[6] = {op::kModeSense6, 0x08, 0x0A, 0, sizeof b, 0};
  BackendResult r = internal(ms, b, sizeof b, fan_out, except);
  if (!r.good()) return;
  size_t got = sizeof b - size_t(std::max(r.resid, 0));
  size_t page = 4 + size_t(b[3]);
  if (got < page + 3 || (b[page] & 0x3F) != 0x0A) return;
  d_sense_ = (b[page + 2] & 0x04) != 0;
}

void PassthroughDevice::refresh_medium_state(bool fan_out, uint64_t except) {
  const uint8_t pdt = ident_.peripheral_type;
  if (pdt == 0x01) {
    // SSC-3 8.3.3: the block descriptor's BLOCK LENGTH is the length in
    // force for FIXED=1 transfers. Page 00h with a 12-byte allocation gives
    // the header and the descriptor only, as the Linux st driver asks.
    uint8_t b[12] = {};
    const uint8_t ms[6] = {op::kModeSense6, 0, 0x00, 0, sizeof b, 0};
    BackendResult r = internal(ms, b, sizeof b, fan_out, except);
    if (r.good() && sizeof b - size_t(r.resid) >= 12 && b[3] >= 8)
      tape_block_len_ = get_be24(&b[9]);
    else if (r.good() && b[3] == 0)
      tape_block_len_ = 0;
    return;
  }
  if (!is_block_type(pdt)) return;
  uint8_t b[32] = {};
  const uint8_t rc10[10] = {op::kReadCapacity10, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  BackendResult r = internal(rc10, b, 8, fan_out, except);
  if (!r.good() || r.resid != 0) return;
  uint64_t last = get_be32(b);
  uint32_t bl = get_be32(b + 4);
  if (last == 0xFFFFFFFF) {
    uint8_t rc16[16] = {op::kServiceActionIn16, op::kSaReadCapacity16};
    put_be32(&rc16[10], sizeof b);
    r = internal(rc16, b, sizeof b, fan_out, except);
    if (!r.good() || sizeof b - size_t(r.resid) < 12) return;
    last = get_be64(b);
    bl = get_be32(b + 8);
  }
  if (bl == 0) return;
  block_size_ = bl;
  num_blocks_ = last + 1;
}

void PassthroughDevice::compute_max_transfer() {
  uint32_t hw = backend_->max_transfer_bytes();
  uint32_t m = opts_.max_transfer ? opts_.max_transfer : (hw ? hw : kDefaultMaxTransfer);
  if (opts_.max_transfer && hw && opts_.max_transfer > hw) {
    logf(host_, LogLevel::warn,
         "passthrough %s: max_transfer %u exceeds what %s accepts (%u bytes); using %u",
         name_.c_str(), opts_.max_transfer, sg_path_.c_str(), hw, hw);
    m = hw;
  }
  max_transfer_ = m;
}

bool PassthroughDevice::open(std::string* error) {
  VpdCache cache;
  if (!attach(&ident_, &cache, error)) return false;
  {
    std::lock_guard lock(vpd_mu_);
    vpd_ = std::make_shared<const VpdCache>(std::move(cache));
  }
  rows_ = catalog_rows(ident_.peripheral_type);
  if (ident_.peripheral_type == 0x00) block_size_ = 512;
  if (ident_.peripheral_type == 0x05) block_size_ = 2048;  // MMC-6 4.2.2 user data
  refresh_medium_state(false);
  refresh_control_page(false);
  compute_max_transfer();
  publish_identity();
  uint32_t workers = opts_.workers ? opts_.workers : ident_.peripheral_type == 0x00 ? 4 : 1;
  pool_ = std::make_unique<WorkerPool>(workers);
  ctl_ = std::thread([this] { control_loop(); });
  logf(host_, LogLevel::info, "passthrough %s: %s %s (type %02xh, %u worker%s, max transfer %u)",
       name_.c_str(), sg_path_.c_str(), ident_.describe().c_str(), ident_.peripheral_type, workers,
       workers == 1 ? "" : "s", max_transfer_.load());
  return true;
}

Status PassthroughDevice::info(DeviceInfo* out) noexcept {
  if (!out) return Status::invalid_argument;
  DeviceInfo d = base_info_;
  d.block_size = block_size_.load();
  d.num_blocks = num_blocks_.load();
  if (d.block_size) d.max_transfer_blocks = max_transfer_.load() / d.block_size;
  if (d_sense_.load()) d.flags |= DeviceInfoFlags::descriptor_sense;
  return publish_info(d, out);
}

uint32_t PassthroughDevice::opcodes(const OpcodeInfo** rows) noexcept {
  *rows = rows_.data();
  return uint32_t(rows_.size());
}

Status PassthroughDevice::vpd_page(uint8_t page, ByteSpan out, uint32_t* len) noexcept {
  std::shared_ptr<const VpdCache> cache;
  {
    std::lock_guard lock(vpd_mu_);
    cache = vpd_;
  }
  auto it = cache->find(page);
  if (it == cache->end()) return Status::unsupported;
  const std::vector<uint8_t>& p = it->second;
  size_t n = std::min<size_t>(p.size(), out.size);
  if (n) std::memcpy(out.data, p.data(), n);
  // SBC-3 6.5.3 Block Limits: never promise more per command than this host
  // path carries (bytes 8-11 MAXIMUM, 12-15 OPTIMAL TRANSFER LENGTH).
  uint32_t bs = block_size_.load();
  if (page == 0xB0 && bs) {
    uint32_t cap = max_transfer_.load() / bs;
    for (size_t off : {size_t(8), size_t(12)}) {
      if (off + 4 > n) break;
      uint32_t v = get_be32(out.data + off);
      if (v == 0 || v > cap) put_be32(out.data + off, cap);
    }
  }
  *len = uint32_t(p.size());
  return Status::ok;
}

uint32_t PassthroughDevice::mode_pages(const ModePageId** ids) noexcept {
  *ids = nullptr;
  return 0;
}
Status PassthroughDevice::mode_page(ModePageId, ModePageControl, ByteSpan, uint32_t*) noexcept {
  return Status::unsupported;
}
Status PassthroughDevice::mode_select_page(ModePageId, ConstByteSpan, SenseInfo*) noexcept {
  return Status::unsupported;
}
Status PassthroughDevice::block_descriptor(BlockDescriptor*) noexcept {
  return Status::unsupported;
}
Status PassthroughDevice::set_block_descriptor(const BlockDescriptor*, SenseInfo*) noexcept {
  return Status::unsupported;
}

void PassthroughDevice::abort(IDeviceCommand*) noexcept {
  // An SG_IO in flight cannot be recalled; it completes and the core, which
  // waits for it, discards the result. Queued ones are dropped in run().
}

void PassthroughDevice::reset(ResetKind kind) noexcept {
  if (kind == ResetKind::power_on) return;
  // SPC-4 6.13: an LU reset ends every prevention. Preventions stamped with
  // an older epoch are dropped once the device reset has been sent (the
  // control thread), so a PREVENT arriving meanwhile is not lost to it.
  ++reset_epoch_;
  {
    std::lock_guard lock(ctl_mu_);
    reset_requested_ = true;
  }
  ctl_cv_.notify_all();
}

void PassthroughDevice::destroy() noexcept { delete this; }

void PassthroughDevice::detach(const char* why) noexcept {
  if (detached_.exchange(true)) return;
  logf(host_, LogLevel::error,
       "passthrough %s: %s went away (%s); NOT READY for every initiator until it comes back",
       name_.c_str(), opts_.path.c_str(), why);
  { std::lock_guard lock(ctl_mu_); }
  ctl_cv_.notify_all();
}

bool PassthroughDevice::try_reattach() noexcept {
  std::lock_guard guard(reattach_mu_);
  if (!detached_) return true;
  try {
    backend_->close();
    RemoteIdentity id;
    VpdCache cache;
    std::string error;
    if (!attach(&id, &cache, &error)) {
      logf(host_, LogLevel::debug, "passthrough %s: re-attach: %s", name_.c_str(), error.c_str());
      return false;
    }
    if (!id.same_lu(ident_)) {
      std::string found = id.describe();
      if (found != last_mismatch_)
        logf(host_, LogLevel::error, "passthrough %s: %s is now %s, not %s; staying detached",
             name_.c_str(), sg_path_.c_str(), found.c_str(), ident_.describe().c_str());
      last_mismatch_ = found;
      backend_->close();
      return false;
    }
    last_mismatch_.clear();
    {
      std::lock_guard lock(vpd_mu_);
      vpd_ = std::make_shared<const VpdCache>(std::move(cache));
    }
    refresh_medium_state(false);
    refresh_control_page(false);
    compute_max_transfer();
    {
      // A power on ends medium removal prevention (SPC-4 6.13). The device
      // may have kept power through a link flap: tell it, so no prevention
      // outlives every nexus that could release it.
      std::lock_guard lock(prevent_mu_);
      preventers_.clear();
      const uint8_t allow[6] = {op::kPreventAllow, 0, 0, 0, 0, 0};
      internal(allow, nullptr, 0, true);  // whatever it answers, nobody prevents now
      device_prevented_ = false;
    }
    // SAM-5 6.3.1: to every initiator this looks like a power on / reset.
    // Raised before commands flow again, so none runs on the power-cycled
    // device (a tape back at its start) without being told.
    host_->raise_ua(UaScope::all_nexuses, 0, 0x29, 0x00);
    detached_ = false;
    logf(host_, LogLevel::info, "passthrough %s: re-attached %s (%s)", name_.c_str(),
         sg_path_.c_str(), ident_.describe().c_str());
    return true;
  } catch (...) {
    return false;
  }
}

void PassthroughDevice::control_loop() {
  const auto interval = std::chrono::milliseconds(opts_.reattach_interval_ms);
  std::unique_lock lock(ctl_mu_);
  while (!stop_) {
    if (reset_requested_) {
      reset_requested_ = false;
      const uint64_t epoch = reset_epoch_.load();
      lock.unlock();
      std::string error;
      const bool sent = backend_->reset_device(&error);
      if (sent)
        logf(host_, LogLevel::info, "passthrough %s: LU reset sent to %s", name_.c_str(),
             sg_path_.c_str());
      else
        logf(host_, LogLevel::warn, "passthrough %s: LU reset of %s failed: %s", name_.c_str(),
             sg_path_.c_str(), error.c_str());
      // The core queued its own 29h/03h for every nexus; consume the
      // device's copy and re-read what the reset put back to defaults, in
      // order with the commands (one at a time on sequential devices).
      try {
        pool_->submit([this, sent, epoch] {
          if (sent) {
            drain_unit_attentions(false);
            refresh_medium_state(true);
            refresh_control_page(true);
          }
          settle_prevention_after_reset(sent, epoch);
        });
      } catch (...) {
        logf(host_, LogLevel::warn, "passthrough %s: could not queue the post-reset work",
             name_.c_str());
      }
      lock.lock();
    } else if (detached_) {
      ctl_cv_.wait_for(lock, interval, [this] { return stop_ || reset_requested_; });
      if (stop_ || reset_requested_) continue;
      lock.unlock();
      try_reattach();
      lock.lock();
    } else {
      ctl_cv_.wait(lock, [this] { return stop_ || reset_requested_ || detached_.load(); });
    }
  }
}

}  // namespace nexus::passthrough
