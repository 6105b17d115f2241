#include "scsi/request_sense.h"

#include "nexus/sense.hpp"
#include "scsi/lun_encoding.h"
#include "scsi/response_writer.h"
#include "scsi/sense_encoding.h"

namespace nexus::scsi {

Result request_sense(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf) {
  if (cdb.size() < 6) return Result::check(sense::invalid_field_in_cdb(0));
  const auto format = (cdb[1] & 0x01) ? SenseFormat::descriptor : SenseFormat::fixed;
  std::span<uint8_t> out = limit(buf, cdb[4]);
  Result r;
  SenseInfo s = sense::make(SenseKey::no_sense, 0, 0);
  if (!ctx.device && !is_well_known_lun(ctx.lun)) {
    s = sense::lun_not_supported();
  } else if (ctx.pending_sense) {
    s = *ctx.pending_sense;
    r.pending_sense_consumed = true;
  }
  const size_t full = encode_sense(s, format, out);
  r.data_in_length = uint32_t(std::min(full, out.size()));
  return r;
}

}  // namespace nexus::scsi
