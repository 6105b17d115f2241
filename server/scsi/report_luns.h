// REPORT LUNS (SPC-4 6.33): the LUNs this I_T nexus sees, plus the REPORT
// LUNS well-known LUN (C101h) where the select report asks for well-known
// LUs. Works on any LUN, mapped or not, and on the W-LUN itself.
#pragma once

#include <cstdint>
#include <span>

#include "scsi/core_context.h"
#include "scsi/result.h"

namespace nexus::scsi {

// SELECT REPORT codes (SPC-4 Table 283).
inline constexpr uint8_t kSelectNormal = 0x00;          // all LUs except well-known LUs
inline constexpr uint8_t kSelectWellKnown = 0x01;       // well-known LUs only
inline constexpr uint8_t kSelectAll = 0x02;             // both
inline constexpr uint8_t kSelectAdministrative = 0x10;  // conglomerates: we have none,
inline constexpr uint8_t kSelectConglomerate = 0x11;    // so these three report an
inline constexpr uint8_t kSelectSubsidiary = 0x12;      // empty list

Result report_luns(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf);

}  // namespace nexus::scsi
