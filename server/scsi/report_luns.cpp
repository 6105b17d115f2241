#include "scsi/report_luns.h"

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "scsi/lun_encoding.h"
#include "scsi/response_writer.h"

namespace nexus::scsi {

Result report_luns(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf) {
  if (cdb.size() < 12) return Result::check(sense::invalid_field_in_cdb(0));
  const uint8_t select = cdb[2];
  const uint32_t alloc = get_be32(&cdb[6]);
  // SPC-4 6.33: an allocation length below 16 is an invalid field.
  if (alloc < 16) return Result::check(sense::invalid_field_in_cdb(6, 7));
  bool normal = false, wlun = false;
  switch (select) {
    case kSelectNormal:
      normal = true;
      break;
    case kSelectWellKnown:
      wlun = true;
      break;
    case kSelectAll:
      normal = wlun = true;
      break;
    case kSelectAdministrative:
    case kSelectConglomerate:
    case kSelectSubsidiary:
      break;
    default:
      return Result::check(sense::invalid_field_in_cdb(2, 7));
  }
  ResponseWriter w(limit(buf, alloc));
  size_t off = 8;
  auto put = [&](uint32_t lun) {
    if (auto v = encode_lun(lun)) {
      w.be64(off, *v);
      off += 8;
    }
  };
  if (normal)
    for (uint32_t lun : ctx.visible_luns)
      if (!is_well_known_lun(lun)) put(lun);
  if (wlun) put(kReportLunsWlun);
  w.be32(0, uint32_t(off - 8));  // LUN LIST LENGTH, not altered by truncation
  Result r = Result::good(w.returned(off));
  r.reported_luns = true;
  return r;
}

}  // namespace nexus::scsi
