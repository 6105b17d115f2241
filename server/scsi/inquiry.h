// INQUIRY (SPC-4 6.6): standard data and the VPD pages the core owns
// (00h supported pages, 80h unit serial number, 83h device identification,
// 86h extended INQUIRY data); other VPD pages come from IDevice::vpd_page.
//
// Decisions:
// - TPGS = 01b (implicit ALUA only) iff the LU's OpcodeTable has REPORT
//   TARGET PORT GROUPS, since SPC-4 6.37 requires RTPG when TPGS != 0.
// - NormACA = 0 (no ACA), HiSup = 1, RESPONSE DATA FORMAT = 2, CmdQue = 1.
// - VPD 83h NAA designator: DeviceInfo::naa_id when set; otherwise NAA 3h
//   "locally assigned" (SPC-4 7.8.6.6.4) with a 60-bit value hashed
//   (FNV-1a 64) from the device name: stable across restarts and identical
//   on every target port, but only unique within one Nexus installation.
// - Unit serial number (80h): DeviceInfo::serial, else the 16 hex digits of
//   that derived value.
// - T10 vendor ID designator: "NEXUS   " followed by the unit serial number.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "scsi/core_context.h"
#include "scsi/result.h"

namespace nexus::scsi {

Result inquiry(const CoreContext& ctx, std::span<const uint8_t> cdb, std::span<uint8_t> buf);

// The 64-bit NAA designator value reported in VPD 83h.
uint64_t naa_designator(const CoreContext& ctx) noexcept;

// Standard INQUIRY data length we return (through the version descriptors
// and reserved bytes up to 96, SPC-4 Table 142).
inline constexpr uint32_t kStandardInquiryLength = 96;

}  // namespace nexus::scsi
