// The commands a pass-through LU forwards to the real device, as OpcodeTable
// rows per peripheral device type. The core validates every CDB against these
// rows (CDB length, NACA, length-affecting bits we cannot model) and enforces
// reservations, read-only LUNs and task ordering before anything reaches the
// device; everything that depends on the I_T nexus (INQUIRY, REPORT LUNS,
// REQUEST SENSE, RESERVE/RELEASE, PERSISTENT RESERVE, RSOC, RSTMF, RTPG) stays
// in the core and is never listed here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "nexus/opcode.h"

namespace nexus::passthrough {

// Rows (all forwarded to the real device) for a peripheral device type: the
// SPC commands the core does not emulate + the device-class commands (SBC-3
// for type 0, SSC-3/SSC-4 for 1, SPC-2 SEND/RECEIVE for processors (3), MMC-6
// for 5, SMC-3 for 8; SPC only for other types). Includes TEST UNIT READY and
// MODE SENSE/SELECT(6/10): the core owns rows for those today, so
// OpcodeTable rejects ours as overrides_core until it lets a pass-through
// handler take them over. Rows have handled_by_core clear, never allow_on_ua,
// always ok_on_no_medium | ok_when_not_ready (the device reports NOT READY
// itself). Static storage.
std::span<const OpcodeInfo> catalog_rows(uint8_t peripheral_type) noexcept;

// Commands that take minutes on tape/changer/optical devices (REWIND, SPACE,
// LOCATE, ERASE, LOAD UNLOAD, FORMAT MEDIUM, WRITE FILEMARKS, MOVE MEDIUM,
// EXCHANGE MEDIUM, INITIALIZE ELEMENT STATUS (WITH RANGE), POSITION TO
// ELEMENT, FORMAT UNIT, SANITIZE, SYNCHRONIZE CACHE, START STOP UNIT, BLANK,
// CLOSE TRACK/SESSION, WRITE BUFFER, SEND DIAGNOSTIC ...): the handler uses
// its long timeout for them. `cdb` is a CDB the core validated against
// catalog_rows(peripheral_type), i.e. at least the command's length; null is
// false.
bool is_long_running(uint8_t peripheral_type, const uint8_t* cdb) noexcept;

// Data length of a LengthUnit::device row whose length follows from the CDB
// alone (for IDevice::data_length): READ CAPACITY(10) 8, READ BLOCK LIMITS
// 6/20 (MLOI), READ POSITION short/long 20/32, MMC FORMAT UNIT 12/0 (FmtData),
// and upper bounds for the MMC rows flagged allocation_length (READ CD, READ
// CD MSF, GET PERFORMANCE; the core truncates to the initiator's expected
// length). nullopt for other rows: the tape READ/WRITE/READ REVERSE/VERIFY
// (6)/(16) rows depend on the block length in force (SSC-3 6.4: FIXED=1 counts
// blocks of it, FIXED=0 is one block of TRANSFER LENGTH bytes; VERIFY moves
// data only with BYTCMP=1) and are the handler's to compute.
std::optional<uint32_t> fixed_data_length(uint8_t peripheral_type,
                                          std::span<const uint8_t> cdb) noexcept;

}  // namespace nexus::passthrough
