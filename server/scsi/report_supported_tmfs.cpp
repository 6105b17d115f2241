#include "scsi/report_supported_tmfs.h"

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "scsi/response_writer.h"

namespace nexus::scsi {

Result report_supported_tmfs(const CoreContext&, std::span<const uint8_t> cdb,
                             std::span<uint8_t> buf) {
  if (cdb.size() < 12) return Result::check(sense::invalid_field_in_cdb(0));
  const bool repd = cdb[2] & 0x80;
  const uint32_t alloc = get_be32(&cdb[6]);
  if (alloc < 4) return Result::check(sense::invalid_field_in_cdb(6, 7));  // SPC-4 6.36
  ResponseWriter w(limit(buf, alloc));
  w.u8(0, 0x80 | 0x40 | 0x10 | 0x08 | 0x04);  // ATS ATSS CTSS LURS QTS (CACAS=0, TRS=0)
  w.u8(1, 0x04 | 0x02 | 0x01);                // QAES QTSS ITNRS
  if (!repd) return Result::good(w.returned(4));
  w.u8(3, 0x0C);  // ADDITIONAL DATA LENGTH
  return Result::good(w.returned(16));
}

}  // namespace nexus::scsi
