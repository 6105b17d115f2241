// A command's data transfer length from its opcode row and CDB: what the core
// allocates and what it compares with the transport's expected length.
#pragma once

#include <cstdint>
#include <span>

#include "nexus/device.h"
#include "nexus/opcode.h"

namespace nexus::scsi {

struct TransferLength {
  bool ok = true;  // false: reject the command with `sense`
  SenseInfo sense{};
  DataDir direction = DataDir::none;  // the row's, or none when this CDB moves no data
  uint64_t bytes = 0;
  // The length field is an ALLOCATION LENGTH (SPC-4 4.2.5.6): Data-In is
  // truncated to min(bytes, expected transfer length); a shorter expected
  // length is not an error and never an overflow.
  bool allocation_length = false;
};

// block_size: the LU's logical block length (DeviceInfo::block_size).
// device: consulted for LengthUnit::device rows (may be null otherwise).
// Rules: blocks -> field * block_size (0 with len0_is_256 means 256 blocks,
// SBC-3 5.x READ/WRITE(6)); one_block -> one block; blocks_times_two ->
// 2 * field * block_size (COMPARE AND WRITE); len_bit_bytchk (VERIFY,
// SBC-3 5.27): BYTCHK 00b no data, 01b field blocks, 11b one block, 10b
// INVALID FIELD IN CDB.
TransferLength transfer_length(const OpcodeInfo& row, std::span<const uint8_t> cdb,
                               uint32_t block_size, IDevice* device = nullptr) noexcept;

}  // namespace nexus::scsi
