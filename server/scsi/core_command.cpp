#include "scsi/core_command.h"

#include "nexus/sense.hpp"
#include "scsi/core_opcode_rows.h"
#include "scsi/inquiry.h"
#include "scsi/lun_encoding.h"
#include "scsi/mode_pages.h"
#include "scsi/report_luns.h"
#include "scsi/report_supported_opcodes.h"
#include "scsi/report_supported_tmfs.h"
#include "scsi/request_sense.h"

namespace nexus::scsi {

Result test_unit_ready(const CoreContext& ctx) noexcept {
  if (!ctx.device || !ctx.info) return Result::good();  // the W-LUN is always ready
  if (!(ctx.info->flags & DeviceInfoFlags::medium_present))
    return Result::check(sense::medium_not_present());
  if (!(ctx.info->flags & DeviceInfoFlags::ready))
    return Result::check(sense::make(SenseKey::not_ready, 0x04, 0x02));
  return Result::good();
}

Result execute_core_command(const CoreContext& ctx, std::span<const uint8_t> cdb,
                            std::span<uint8_t> buffer) noexcept {
  if (cdb.empty()) return Result::check(sense::invalid_opcode());
  const uint8_t opcode = cdb[0];
  // Commands that work on any LUN, mapped or not (SPC-4 6.6.2, 6.33, 6.39).
  switch (opcode) {
    case op::inquiry:
      return inquiry(ctx, cdb, buffer);
    case op::report_luns:
      return report_luns(ctx, cdb, buffer);
    case op::request_sense:
      return request_sense(ctx, cdb, buffer);
    case op::test_unit_ready:
      if (ctx.device || is_well_known_lun(ctx.lun)) return test_unit_ready(ctx);
      break;
    default:
      break;
  }
  if (!ctx.device) return Result::check(sense::lun_not_supported());
  switch (opcode) {
    case op::mode_sense_6:
    case op::mode_sense_10:
      return mode_sense(ctx, cdb, buffer);
    case op::mode_select_6:
    case op::mode_select_10:
      return mode_select(ctx, cdb, buffer);
    case op::reserve_6:
    case op::release_6:
    case op::reserve_10:
    case op::release_10:
    case op::persistent_reserve_in:
    case op::persistent_reserve_out:
      return Result::not_handled();
    case op::maintenance_in: {
      const uint8_t sa = cdb.size() > 1 ? cdb[1] & 0x1F : 0;
      if (sa == op::sa_report_supported_opcodes) return report_supported_opcodes(ctx, cdb, buffer);
      if (sa == op::sa_report_supported_tmfs) return report_supported_tmfs(ctx, cdb, buffer);
      if (sa == op::sa_report_target_port_groups) return Result::not_handled();
      return Result::check(sense::invalid_field_in_cdb(1, 4));
    }
    default:
      return Result::not_handled();
  }
}

}  // namespace nexus::scsi
