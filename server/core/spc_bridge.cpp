#include "core/spc_bridge.h"

#include <spdlog/spdlog.h>

#include "core/logical_unit.h"
#include "core/nexus_session.h"
#include "core/reservation_dispatch.h"
#include "core/scsi_command.h"
#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "scsi/control_mode_state.h"
#include "scsi/core_command.h"
#include "scsi/core_context.h"
#include "scsi/core_opcode_rows.h"
#include "scsi/lun_encoding.h"
#include "scsi/opcode_table.h"
#include "scsi/sense_encoding.h"
#include "scsi/transfer_length.h"

namespace nexus::server {
namespace {

// Largest data phase we accept for one command (the block limits VPD page
// of a disk reports less).
constexpr uint64_t kMaxCommandBytes = 64ull << 20;

// Commands for a LUN that is not mapped to this nexus go to a table holding
// only what SPC-4 requires there (INQUIRY, REPORT LUNS, REQUEST SENSE, and
// TEST UNIT READY for the REPORT LUNS well-known LUN).
const scsi::OpcodeTable& unmapped_table() {
  static const scsi::OpcodeTable t(scsi::core_rows(PeripheralType::wlun), {});
  return t;
}

Admission reject(const SenseInfo& s) {
  Admission a;
  a.ok = false;
  a.sense = s;
  return a;
}

}  // namespace

Admission admit_command(LogicalUnit* lu, uint32_t lun, const uint8_t* cdb,
                        uint32_t cdb_len) noexcept {
  std::span<const uint8_t> bytes(cdb, cdb_len);
  IDevice* dev = lu ? lu->device() : nullptr;
  const scsi::OpcodeTable& table = dev ? lu->opcodes() : unmapped_table();
  scsi::LookupResult r = table.lookup(bytes);
  if (!dev) {
    // SPC-4 6.6.2 / 6.33 / 6.39: INQUIRY, REPORT LUNS and REQUEST SENSE work on
    // any LUN; everything else is LOGICAL UNIT NOT SUPPORTED, except on the
    // REPORT LUNS well-known LUN itself.
    uint8_t op = cdb[0];
    bool always =
        op == scsi::op::inquiry || op == scsi::op::report_luns || op == scsi::op::request_sense;
    if (!always && lun != scsi::kReportLunsWlun) return reject(sense::lun_not_supported());
  }
  if (!r) return reject(r.sense);
  Admission a;
  a.row = r.row;
  DeviceInfo info{};
  info.struct_size = sizeof info;
  if (dev) dev->info(&info);
  scsi::TransferLength t = scsi::transfer_length(*r.row, bytes, info.block_size, dev);
  if (!t.ok) return reject(t.sense);
  if (t.bytes > kMaxCommandBytes) return reject(sense::invalid_field_in_cdb(r.row->len_offset));
  a.length = uint32_t(t.bytes);
  a.data_out = t.direction == DataDir::write || t.direction == DataDir::bidi;
  a.whole_data_out = a.data_out && (info.flags & DeviceInfoFlags::passthrough);
  a.alloc_len = t.allocation_length;
  const OpcodeInfo& row = *r.row;
  if (row.flags & OpcodeFlags::writes_medium)
    a.access = 2;
  else if (row.resv_class == ResvClass::read)
    a.access = 1;
  if (a.access && (row.flags & OpcodeFlags::lba_range) && row.lba_size &&
      row.lba_offset + row.lba_size <= cdb_len) {
    a.lba = get_be(cdb + row.lba_offset, row.lba_size);
    if (row.lba_size == 3) a.lba &= 0x1FFFFF;  // 6-byte CDBs: 21-bit LBA
    uint64_t blocks = 0;
    if (row.len_size && row.len_offset + row.len_size <= cdb_len)
      blocks = get_be(cdb + row.len_offset, row.len_size);
    if (blocks == 0 && (row.flags & OpcodeFlags::len0_is_256)) blocks = 256;
    // blocks == 0 (e.g. WRITE SAME to the end of the medium) orders against the whole LU.
    a.blocks = blocks;
    if (a.blocks == 0) a.lba = 0;
  }
  return a;
}

void run_core_command(Command& c) noexcept {
  LogicalUnit* lu = c.lu();
  Nexus* nx = c.nexus();
  IDevice* dev = lu ? lu->device() : nullptr;
  DeviceInfo info{};
  info.struct_size = sizeof info;
  if (dev) dev->info(&info);

  scsi::CoreContext ctx;
  auto lun = scsi::decode_lun(c.lun());
  ctx.lun = lun.value_or(0);
  ctx.device = dev;
  ctx.info = dev ? &info : nullptr;
  ctx.read_only = c.read_only_;
  if (lu) ctx.device_name = lu->device_name();
  ctx.target_name = nx->target();
  ctx.portal_group_tag = nx->relative_port();
  ctx.relative_target_port = nx->relative_port();
  ctx.target_port_group = 1;
  std::vector<uint32_t> luns = nx->lun_numbers();
  std::sort(luns.begin(), luns.end());
  ctx.visible_luns = luns;
  if (lu) {
    ctx.control = &lu->control();
    ctx.opcodes = &lu->opcodes();
    ctx.device_vpd_pages = lu->device_vpd_pages();
    ctx.volatile_cache = info.flags & DeviceInfoFlags::write_cache;
  } else {
    ctx.opcodes = &unmapped_table();
  }
  SenseInfo pending{};
  bool have_pending = false;
  UnitAttention reported{};
  if (lu && c.cdb_[0] == scsi::op::request_sense) {
    std::lock_guard lock(lu->mu());
    if (lu->uas().peek(nx->id(), reported)) {
      pending = sense::make(SenseKey::unit_attention, reported.asc, reported.ascq);
      have_pending = true;
    }
  } else if (!lu && c.cdb_[0] == scsi::op::request_sense && lun != scsi::kReportLunsWlun) {
    // SPC-4 6.39: REQUEST SENSE to an unsupported LUN returns LOGICAL UNIT NOT
    // SUPPORTED sense data with GOOD status.
    pending = sense::lun_not_supported();
    have_pending = true;
  }
  ctx.pending_sense = have_pending ? &pending : nullptr;

  const IoVec* iov = nullptr;
  uint32_t n = c.iov(&iov);
  std::span<uint8_t> buf = n ? std::span<uint8_t>(iov[0].base, iov[0].len) : std::span<uint8_t>();
  scsi::Result r =
      scsi::execute_core_command(ctx, std::span<const uint8_t>(c.cdb_, c.cdb_len_), buf);
  if (r.disposition == scsi::Disposition::not_handled) {
    run_reservation_command(c, buf);
    return;
  }
  if (lu) {
    if (r.pending_sense_consumed) {
      // Only the condition reported: if the queue overflowed to 29h/00h
      // meanwhile, that marker must stay.
      std::lock_guard lock(lu->mu());
      lu->uas().pop_if_front(nx->id(), reported);
    }
  }
  if (r.reported_luns) {
    // VPD 86h reports LUICLR=1: REPORT LUNS clears REPORTED LUNS DATA HAS
    // CHANGED on every LU of this I_T nexus (SPC-4 6.33).
    for (const auto& e : nx->luns()) {
      std::lock_guard lock(e.lu->mu());
      e.lu->uas().clear(nx->id(), UnitAttention{0x3F, 0x0E});
    }
  }
  if (lu) {
    // SPC-4 7.5.1: other I_T nexuses learn of the change by a Unit Attention.
    if (r.mode_parameters_changed) lu->raise_ua(UaScope::all_but, nx->id(), 0x2A, 0x01);
    // A new block length changes a disk's capacity (SBC-3 4.x); on a tape it
    // is only a mode parameter, reported above.
    if (r.block_descriptor_changed && info.type == PeripheralType::disk)
      lu->raise_ua(UaScope::all_but, nx->id(), 0x2A, 0x09);
  }
  c.set_transfer_length(r.data_in_length);
  c.complete(r.status, r.has_sense ? &r.sense : nullptr);
}

uint32_t encode_sense_for(LogicalUnit* lu, const SenseInfo& s, uint8_t* out,
                          uint32_t cap) noexcept {
  bool d_sense = lu && lu->control().d_sense;
  if (lu && !d_sense && lu->device()) {
    // A pass-through device owns its Control mode page (error path only).
    DeviceInfo info{};
    info.struct_size = sizeof info;
    if (lu->device()->info(&info) == Status::ok)
      d_sense = info.flags & DeviceInfoFlags::descriptor_sense;
  }
  auto fmt = d_sense ? scsi::SenseFormat::descriptor : scsi::SenseFormat::fixed;
  size_t len = scsi::encode_sense(s, fmt, std::span<uint8_t>(out, cap));
  return uint32_t(len < cap ? len : cap);
}

bool task_aborted_status(LogicalUnit* lu) noexcept { return lu && lu->control().tas; }

}  // namespace nexus::server
