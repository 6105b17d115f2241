// The forwarded data path: commands go to the device on the worker pool; its
// status, sense and residual come back to the core, and what the device tells
// its one nexus (us) is fanned out to every initiator.
#include <algorithm>
#include <array>
#include <cstring>

#include "nexus/bytes.hpp"
#include "nexus/handler.hpp"
#include "nexus/log.hpp"
#include "nexus/sense.hpp"
#include "opcode_catalog.h"
#include "passthrough_device.h"
#include "sense_decode.h"

namespace nexus::passthrough {
namespace {

// A present-but-unreachable LU (unplugged, HBA or iSCSI link down): NOT
// READY, LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE (SPC-4 4.5.6, Annex
// D). Not LOGICAL UNIT NOT SUPPORTED (25h/00h): the LU still exists here, is
// still in REPORT LUNS and comes back by itself, while 25h/00h makes
// initiators drop it. Not MANUAL INTERVENTION REQUIRED (04h/03h): a link that
// heals needs no one. Linux fails 04h/00h at once instead of retrying.
SenseInfo detached_sense() noexcept { return sense::make(SenseKey::not_ready, 0x04, 0x00); }

// The device did not answer (host adapter/transport error or timeout): the
// command may or may not have run. ABORTED COMMAND lets the initiator retry
// (SPC-4 4.5.6); LOGICAL UNIT COMMUNICATION FAILURE / TIME-OUT (08h/00h,
// 08h/01h) name the broken link between Nexus and the LU.
SenseInfo communication_failure() noexcept {
  return sense::make(SenseKey::aborted_command, 0x08, 0x00);
}
SenseInfo communication_timeout() noexcept {
  return sense::make(SenseKey::aborted_command, 0x08, 0x01);
}

// An ALLOCATION LENGTH counted in bytes, which a copy of the CDB can lower.
bool lowerable_allocation(const OpcodeInfo* row, size_t cdb_size) noexcept {
  return row && (row->flags & OpcodeFlags::allocation_length) &&
         row->len_unit == LengthUnit::bytes && row->len_size >= 1 && row->len_size <= 4 &&
         size_t(row->len_offset) + row->len_size <= cdb_size;
}

uint16_t service_action(std::span<const uint8_t> cdb) noexcept {
  if (cdb[0] == 0x7F) return cdb.size() >= 10 ? get_be16(&cdb[8]) : 0;  // variable length
  return cdb.size() >= 2 ? cdb[1] & 0x1F : 0;
}

bool is_tape_fixed_transfer(uint8_t opcode) noexcept {
  switch (opcode) {
    case op::kRead6:
    case op::kWrite6:
    case op::kReadReverse6:
    case op::kVerify6:
    case op::kRecoverBufferedData:
    case op::kRead16:
    case op::kWrite16:
    case op::kVerify16:
      return true;
    default:
      return false;
  }
}

}  // namespace

const OpcodeInfo* PassthroughDevice::find_row(std::span<const uint8_t> cdb) const noexcept {
  if (cdb.empty()) return nullptr;
  for (const OpcodeInfo& r : rows_) {
    if (r.opcode != cdb[0]) continue;
    if (!(r.flags & OpcodeFlags::service_action) || r.service_action == service_action(cdb))
      return &r;
  }
  return nullptr;
}

uint32_t PassthroughDevice::timeout_s(std::span<const uint8_t> cdb) const noexcept {
  uint64_t ms = is_long_running(ident_.peripheral_type, cdb.data()) ? opts_.long_timeout_ms
                                                                    : opts_.timeout_ms;
  return uint32_t(std::max<uint64_t>(1, (ms + 999) / 1000));
}

bool PassthroughDevice::data_length(ConstByteSpan cdb, uint32_t* bytes, SenseInfo* sense) noexcept {
  if (!cdb.data || cdb.size < 6) {
    *sense = sense::invalid_opcode();
    return false;
  }
  const uint8_t* c = cdb.data;
  if (auto fixed_len = fixed_data_length(ident_.peripheral_type, {c, cdb.size})) {
    *bytes = *fixed_len;
    return true;
  }
  if (ident_.peripheral_type != 0x01 || !is_tape_fixed_transfer(c[0])) {
    *sense = sense::invalid_opcode();
    return false;
  }
  // SSC-3 6.4 READ(6), 6.9 WRITE(6), 6.6 READ REVERSE(6), 6.7 RECOVER
  // BUFFERED DATA, 6.8 VERIFY(6) and their 16-byte forms: FIXED (byte 1 bit
  // 0) counts blocks of the current block length, else the field is bytes.
  bool sixteen = c[0] == op::kRead16 || c[0] == op::kWrite16 || c[0] == op::kVerify16;
  if (sixteen && cdb.size < 16) {
    *sense = sense::invalid_opcode();
    return false;
  }
  uint8_t len_at = sixteen ? 12 : 2;
  bool fixed = c[1] & 0x01;
  uint64_t n = get_be24(c + len_at);
  // VERIFY: data is sent only to compare (BYTCMP, byte 1 bit 1).
  if ((c[0] == op::kVerify6 || c[0] == op::kVerify16) && !(c[1] & 0x02)) n = 0;
  uint32_t bl = tape_block_len_.load();
  if (fixed && bl == 0 && n != 0) {
    // SSC-3: FIXED=1 in variable-block mode is INVALID FIELD IN CDB.
    *sense = sense::invalid_field_in_cdb(1, 0);
    return false;
  }
  uint64_t len = fixed ? n * bl : n;
  if (len > max_transfer_.load()) {
    // SBC-3 6.5.3's rule, applied to tape: longer than this path carries.
    *sense = sense::invalid_field_in_cdb(len_at);
    return false;
  }
  *bytes = uint32_t(len);
  return true;
}

void PassthroughDevice::execute(IDeviceCommand* cmd) noexcept {
  ConstByteSpan c = cmd->cdb();
  if (!c.data || c.size == 0) {
    SenseInfo s = sense::invalid_opcode();
    cmd->complete(ScsiStatus::check_condition, &s);
    return;
  }
  if (detached_ || !pool_) {  // gone, or never opened (--check-config)
    SenseInfo s = detached_sense();
    cmd->complete(ScsiStatus::check_condition, &s);
    return;
  }
  std::span<const uint8_t> cdb(c.data, c.size);
  const OpcodeInfo* row = find_row(cdb);
  const bool byte_allocation = lowerable_allocation(row, cdb.size());
  if (cmd->data_length() > max_transfer_.load() && !byte_allocation) {
    // SBC-3 6.5.3: a transfer beyond MAXIMUM TRANSFER LENGTH is ILLEGAL
    // REQUEST, INVALID FIELD IN CDB, pointing at the length field. An
    // ALLOCATION LENGTH in bytes may be anything (SPC-4 4.2.5.6): run() lowers
    // it to what the path carries. Lengths counted in the device's units
    // (READ CD, GET PERFORMANCE) are refused like transfers.
    uint16_t at = row && row->len_size ? row->len_offset : (c.size >= 16 ? 12 : 2);
    SenseInfo s = sense::invalid_field_in_cdb(at);
    cmd->complete(ScsiStatus::check_condition, &s);
    return;
  }
  try {
    pool_->submit([this, cmd] { run(cmd); });
  } catch (...) {
    cmd->complete(ScsiStatus::busy, nullptr);
  }
}

void PassthroughDevice::run(IDeviceCommand* cmd) noexcept {
  if (cmd->aborted()) {
    // Still queued when a TMF aborted it: it never reaches the device.
    cmd->complete(ScsiStatus::task_aborted, nullptr);
    return;
  }
  if (detached_) {
    SenseInfo s = detached_sense();
    cmd->complete(ScsiStatus::check_condition, &s);
    return;
  }
  ConstByteSpan c = cmd->cdb();
  std::span<const uint8_t> cdb(c.data, c.size);
  // PREVENT field 00b/01b (SPC-4 6.13); MMC-6's persistent 10b/11b are
  // device-wide already and go through.
  const bool prevent_cmd = cdb[0] == op::kPreventAllow && cdb.size() >= 6 && (cdb[4] & 0x03) <= 1;
  std::unique_lock<std::mutex> prevent_lock;
  if (prevent_cmd) {
    prevent_lock = std::unique_lock(prevent_mu_);
    if (prevent_allow_locally(cmd, cdb[4] & 0x01)) return;
  }
  const OpcodeInfo* row = find_row(cdb);
  uint32_t len = cmd->data_length();
  std::array<uint8_t, 32> lowered{};
  if (const uint32_t cap = max_transfer_.load(); len > cap) {
    // Only an ALLOCATION LENGTH in bytes gets here (execute() refused the
    // rest): asking for less is always allowed (SPC-4 4.2.5.6), and the
    // initiator sees the shortfall as residual.
    const bool byte_allocation = lowerable_allocation(row, cdb.size());
    if (!byte_allocation || cdb.size() > lowered.size()) {
      // The path's limit shrank since execute() (a re-attach).
      SenseInfo s = sense::invalid_field_in_cdb(row && row->len_size ? row->len_offset : 0);
      cmd->complete(ScsiStatus::check_condition, &s);
      return;
    }
    std::copy(cdb.begin(), cdb.end(), lowered.begin());
    uint64_t field_max = (uint64_t(1) << (8 * row->len_size)) - 1;
    uint64_t v = std::min<uint64_t>(cap, field_max);
    for (int i = row->len_size - 1; i >= 0; --i, v >>= 8)
      lowered[row->len_offset + i] = uint8_t(v & 0xFF);
    cdb = std::span<const uint8_t>(lowered.data(), cdb.size());
    len = uint32_t(std::min<uint64_t>(cap, field_max));
  }
  DataDir dir = len == 0 || !row ? DataDir::none : row->direction;
  if (dir == DataDir::bidi) {
    // sg v3 (sg_pt) has no bidirectional transfers.
    SenseInfo s = sense::invalid_opcode();
    cmd->complete(ScsiStatus::check_condition, &s);
    return;
  }
  const IoVec* iov = nullptr;
  uint32_t n = cmd->iov(&iov);
  BackendRequest req;
  req.cdb = cdb;
  req.direction = dir;
  req.iov = {iov, n};
  req.length = dir == DataDir::none ? 0 : len;
  req.timeout_s = timeout_s(cdb);
  try {
    BackendResult r = backend_->execute(req);
    if (prevent_cmd) {
      if (r.good())
        device_prevented_ = cdb[4] & 0x01;
      else if (cdb[4] & 0x01)
        preventers_.erase(cmd->nexus_id());  // the device refused: this nexus does not prevent
      prevent_lock.unlock();
    }
    finish(cmd, dir, req.length, r);
  } catch (...) {
    if (prevent_cmd && prevent_lock.owns_lock() && (cdb[4] & 0x01))
      preventers_.erase(cmd->nexus_id());
    SenseInfo s = sense::internal_target_failure();
    cmd->complete(ScsiStatus::check_condition, &s);
  }
}

void PassthroughDevice::finish(IDeviceCommand* cmd, DataDir dir, uint32_t len,
                               const BackendResult& r) {
  SenseInfo s{};
  switch (r.transport) {
    case Transport::ok:
      break;
    case Transport::no_device:
      detach(r.os_err ? std::strerror(r.os_err) : "no connection");
      s = detached_sense();
      cmd->complete(ScsiStatus::check_condition, &s);
      return;
    case Transport::busy:
      // Nothing reached the device; SAM-5 5.3.1 BUSY asks to retry later.
      cmd->complete(ScsiStatus::busy, nullptr);
      return;
    case Transport::timeout:
      logf(host_, LogLevel::warn, "passthrough %s: command %02xh timed out after %us",
           name_.c_str(), cmd->cdb().data[0], timeout_s({cmd->cdb().data, cmd->cdb().size}));
      s = communication_timeout();
      cmd->complete(ScsiStatus::check_condition, &s);
      return;
    case Transport::error:
    case Transport::os_error:
      logf(host_, LogLevel::warn, "passthrough %s: command %02xh failed: %s (host status %02xh)",
           name_.c_str(), cmd->cdb().data[0], r.os_err ? std::strerror(r.os_err) : "transport",
           r.host_status);
      s = communication_failure();
      cmd->complete(ScsiStatus::check_condition, &s);
      return;
  }
  uint32_t transferred = len - uint32_t(std::clamp<int32_t>(r.resid, 0, int32_t(len)));
  // Data-In: the bytes the device produced (short reads, tape ILI/FILEMARK).
  if (dir == DataDir::read) cmd->set_transfer_length(transferred);
  ScsiStatus status = ScsiStatus(r.status);
  if (status == ScsiStatus::good || status == ScsiStatus::condition_met) {
    after_success(cmd, dir == DataDir::read ? transferred : 0);
    cmd->complete(status, nullptr);
    return;
  }
  if (status != ScsiStatus::check_condition) {
    // BUSY, TASK SET FULL, RESERVATION CONFLICT (a local holder), ...
    cmd->complete(status, nullptr);
    return;
  }
  auto decoded = decode_sense(r.sense_bytes());
  // SAM-5 5.3.1: CHECK CONDITION comes with sense data; a device that sends
  // none (or garbage) has failed internally.
  s = decoded ? *decoded : sense::make(SenseKey::hardware_error, 0x44, 0x00);
  if (s.key == SenseKey::unit_attention) on_device_unit_attention(cmd->nexus_id(), s.asc, s.ascq);
  cmd->complete(ScsiStatus::check_condition, &s);
}

bool PassthroughDevice::prevent_allow_locally(IDeviceCommand* cmd, bool prevent) {
  if (prevent) {
    preventers_[cmd->nexus_id()] = reset_epoch_.load();
    if (!device_prevented_) return false;  // the first one locks the device
  } else {
    preventers_.erase(cmd->nexus_id());
    // Removal stays prevented while another nexus still prevents it; the
    // last ALLOW (or one with nothing to undo) goes to the device.
    if (preventers_.empty()) return false;
  }
  cmd->complete(ScsiStatus::good, nullptr);
  return true;
}

void PassthroughDevice::sync_device_prevention() {
  const bool want = !preventers_.empty();
  if (want == device_prevented_) return;
  const uint8_t cdb[6] = {op::kPreventAllow, 0, 0, 0, uint8_t(want ? 1 : 0), 0};
  if (internal(cdb, nullptr, 0, true).good()) {
    device_prevented_ = want;
    return;
  }
  logf(host_, LogLevel::warn, "passthrough %s: the device refused %s MEDIUM REMOVAL", name_.c_str(),
       want ? "PREVENT" : "ALLOW");
  // Nobody is told GOOD for a prevention the device does not hold.
  if (want) preventers_.clear();
}

void PassthroughDevice::settle_prevention_after_reset(bool device_was_reset, uint64_t epoch) {
  std::lock_guard lock(prevent_mu_);
  // SPC-4 6.13: an LU reset ends every prevention made before it. Those
  // made since (stamped with this epoch) stand, and the device is told.
  std::erase_if(preventers_, [epoch](const auto& e) { return e.second < epoch; });
  if (device_was_reset) device_prevented_ = false;
  sync_device_prevention();
}

void PassthroughDevice::nexus_lost(uint64_t nexus_id) noexcept {
  if (!pool_) return;
  // Decided on the worker, in order with the PREVENTs and ALLOWs queued
  // before it, never on the reactor that reports the loss.
  try {
    pool_->submit([this, nexus_id] {
      std::lock_guard lock(prevent_mu_);
      if (!preventers_.erase(nexus_id)) return;
      // SPC-4 6.13: the prevention ended with the last nexus that held it.
      sync_device_prevention();
    });
  } catch (...) {
    logf(host_, LogLevel::warn, "passthrough %s: could not queue ALLOW MEDIUM REMOVAL",
         name_.c_str());
  }
}

void PassthroughDevice::on_device_unit_attention(uint64_t nexus, uint8_t asc, uint8_t ascq) {
  // The device has one nexus, Nexus's; what it reports concerns every
  // initiator. The issuer is told by this command's own sense data.
  host_->raise_ua(UaScope::all_but, nexus, asc, ascq);
  switch (asc) {
    case 0x28:  // NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED
    case 0x29:  // POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
    case 0x2A:  // PARAMETERS CHANGED (mode parameters, capacity)
      refresh_medium_state(true);
      break;
    default:
      break;
  }
}

void PassthroughDevice::after_success(IDeviceCommand* cmd, uint32_t transferred) {
  ConstByteSpan c = cmd->cdb();
  switch (c.data[0]) {
    case op::kModeSelect6:
    case op::kModeSelect10:
      // SPC-4 7.5 / SAM-5 6.x: mode parameters are shared by all I_T nexuses;
      // the device saw one, so the others learn here (MODE PARAMETERS CHANGED).
      host_->raise_ua(UaScope::all_but, cmd->nexus_id(), 0x2A, 0x01);
      refresh_medium_state(true, cmd->nexus_id());
      refresh_control_page(true, cmd->nexus_id());
      break;
    case op::kLogSelect:
      host_->raise_ua(UaScope::all_but, cmd->nexus_id(), 0x2A, 0x02);  // LOG PARAMETERS CHANGED
      break;
    case op::kFormatUnit:           // disk: new block length; tape: FORMAT MEDIUM
    case op::kStartStopLoadUnload:  // tape LOAD / CD tray: new medium
      refresh_medium_state(true, cmd->nexus_id());
      break;
    case op::kReadCapacity10:
    case op::kServiceActionIn16: {
      // Keep the block length the core sizes transfers with current.
      if (ident_.peripheral_type != 0x00 && ident_.peripheral_type != 0x05) break;
      bool rc16 = c.data[0] == op::kServiceActionIn16;
      if (rc16 && (c.size < 2 || (c.data[1] & 0x1F) != op::kSaReadCapacity16)) break;
      uint8_t b[12] = {};
      const IoVec* iov = nullptr;
      uint32_t n = cmd->iov(&iov);
      size_t want = rc16 ? 12 : 8, got = 0;
      for (uint32_t i = 0; i < n && got < want && got < transferred; ++i) {
        size_t k = std::min<size_t>({iov[i].len, want - got, transferred - got});
        std::memcpy(b + got, iov[i].base, k);
        got += k;
      }
      if (got < want) break;
      uint64_t last = rc16 ? get_be64(b) : get_be32(b);
      uint32_t bl = get_be32(b + (rc16 ? 8 : 4));
      if (bl == 0 || (!rc16 && last == 0xFFFFFFFF)) break;
      block_size_ = bl;
      num_blocks_ = last + 1;
      break;
    }
    default:
      break;
  }
}

}  // namespace nexus::passthrough
