#include "scsi/report_supported_opcodes.h"

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "scsi/response_writer.h"

namespace nexus::scsi {
namespace {

constexpr uint8_t kSupportNo = 0x1;
constexpr uint8_t kSupportStandard = 0x3;
constexpr uint8_t kSupportVendor = 0x5;
constexpr size_t kTimeoutsLength = 12;

// Command timeouts descriptor (SPC-4 6.35.4 Table 297).
void put_timeouts(ResponseWriter& w, size_t off, const OpcodeInfo& row) {
  w.be16(off, 0x000A);
  // Nominal processing time is not known; the recommended timeout is the
  // row's, in seconds rounded up.
  w.be32(off + 8, (row.timeout_ms + 999) / 1000);
}

// CDB USAGE DATA (SPC-4 6.35.3): opcode in byte 0, the service action value
// in its field, the usage mask elsewhere.
void put_usage(ResponseWriter& w, size_t off, const OpcodeInfo& row) {
  const size_t n = std::min<size_t>(row.cdb_length, sizeof(row.usage));
  for (size_t i = 1; i < n; ++i) w.u8(off + i, row.usage[i]);
  w.u8(off, row.opcode);
  if (row.flags & OpcodeFlags::service_action) {
    if (row.opcode == 0x7F) {
      w.be16(off + 8, row.service_action);
    } else {
      w.u8(off + 1, uint8_t((row.usage[1] & 0xE0) | (row.service_action & 0x1F)));
    }
  }
}

Result all_commands(const OpcodeTable& table, bool rctd, ResponseWriter& w) {
  size_t off = 4;
  for (const OpcodeInfo& row : table.rows()) {
    // Command descriptor (SPC-4 6.35.2 Table 294).
    const bool sa = row.flags & OpcodeFlags::service_action;
    w.u8(off, row.opcode);
    w.be16(off + 2, sa ? row.service_action : 0);
    w.u8(off + 5, uint8_t((rctd ? 0x02 : 0) | (sa ? 0x01 : 0)));  // CTDP, SERVACTV
    w.be16(off + 6, row.cdb_length);
    off += 8;
    if (rctd) {
      put_timeouts(w, off, row);
      off += kTimeoutsLength;
    }
  }
  w.be32(0, uint32_t(off - 4));  // COMMAND DATA LENGTH
  return Result::good(w.returned(off));
}

Result one_command(const OpcodeInfo* row, bool rctd, ResponseWriter& w) {
  // One_command parameter data (SPC-4 6.35.3 Table 295).
  if (!row) {
    w.u8(1, kSupportNo);
    return Result::good(w.returned(4));
  }
  const uint8_t support = row->opcode >= 0xC0 ? kSupportVendor : kSupportStandard;
  w.u8(1, uint8_t((rctd ? 0x80 : 0) | support));
  w.be16(2, row->cdb_length);
  put_usage(w, 4, *row);
  size_t off = size_t(4) + row->cdb_length;
  if (rctd) {
    put_timeouts(w, off, *row);
    off += kTimeoutsLength;
  }
  return Result::good(w.returned(off));
}

}  // namespace

Result report_supported_opcodes(const CoreContext& ctx, std::span<const uint8_t> cdb,
                                std::span<uint8_t> buf) {
  if (cdb.size() < 12 || !ctx.opcodes) return Result::check(sense::invalid_field_in_cdb(0));
  const OpcodeTable& table = *ctx.opcodes;
  const bool rctd = cdb[2] & 0x80;
  const uint8_t options = cdb[2] & 0x07;
  const uint8_t opcode = cdb[3];
  const uint16_t sa = get_be16(&cdb[4]);
  ResponseWriter w(limit(buf, get_be32(&cdb[6])));
  switch (options) {
    case 0:
      return all_commands(table, rctd, w);
    case 1:  // opcode only: invalid for an opcode that has service actions
      if (table.has_service_actions(opcode))
        return Result::check(sense::invalid_field_in_cdb(2, 2));
      return one_command(table.find(opcode), rctd, w);
    case 2:  // opcode + service action: invalid for an opcode without them
      if (table.supports(opcode) && !table.has_service_actions(opcode))
        return Result::check(sense::invalid_field_in_cdb(2, 2));
      return one_command(table.find(opcode, sa), rctd, w);
    case 3:  // opcode, plus service action when it has them
      return one_command(table.find(opcode, sa), rctd, w);
    default:
      return Result::check(sense::invalid_field_in_cdb(2, 2));
  }
}

}  // namespace nexus::scsi
