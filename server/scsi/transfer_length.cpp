#include "scsi/transfer_length.h"

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::scsi {

TransferLength transfer_length(const OpcodeInfo& row, std::span<const uint8_t> cdb,
                               uint32_t block_size, IDevice* device) noexcept {
  TransferLength t;
  t.direction = row.direction;
  t.allocation_length = (row.flags & OpcodeFlags::allocation_length) != 0;
  if (row.len_unit == LengthUnit::none || row.direction == DataDir::none) {
    t.direction = DataDir::none;
    return t;
  }
  if (row.len_unit == LengthUnit::device) {
    uint32_t bytes = 0;
    SenseInfo s = sense::internal_target_failure();
    if (!device || !device->data_length({cdb.data(), cdb.size()}, &bytes, &s)) {
      t.ok = false;
      t.sense = s;
      return t;
    }
    t.bytes = bytes;
    if (bytes == 0) t.direction = DataDir::none;
    return t;
  }
  uint64_t field = 0;
  if (row.len_size != 0) {
    if (size_t(row.len_offset) + row.len_size > cdb.size()) {
      t.ok = false;
      t.sense = sense::make(SenseKey::illegal_request, 0x24, 0x00);
      return t;
    }
    field = get_be(&cdb[row.len_offset], row.len_size);
  }
  if (row.flags & OpcodeFlags::len_bit_bytchk) {
    // SBC-3 5.27 VERIFY(10): BYTCHK in byte 1 bits 2..1.
    const uint8_t bytchk = cdb.size() > 1 ? (cdb[1] >> 1) & 0x3 : 0;
    switch (bytchk) {
      case 0:
        t.direction = DataDir::none;
        return t;
      case 1:
        t.bytes = field * block_size;
        break;
      case 3:
        t.bytes = field ? block_size : 0;
        break;
      default:
        t.ok = false;
        t.sense = sense::invalid_field_in_cdb(1, 2);
        return t;
    }
    if (t.bytes == 0) t.direction = DataDir::none;
    return t;
  }
  switch (row.len_unit) {
    case LengthUnit::bytes:
      t.bytes = field;
      break;
    case LengthUnit::blocks:
      if (field == 0 && (row.flags & OpcodeFlags::len0_is_256)) field = 256;
      t.bytes = field * block_size;
      break;
    case LengthUnit::one_block:
      t.bytes = block_size;
      break;
    case LengthUnit::blocks_times_two:
      t.bytes = 2 * field * block_size;
      break;
    default:
      break;
  }
  if (t.bytes == 0 && !t.allocation_length) t.direction = DataDir::none;
  return t;
}

}  // namespace nexus::scsi
