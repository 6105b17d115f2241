// The SPC commands the core answers for every device type (its rows in the
// OpcodeTable). CDB usage masks follow the SPC-4 CDB layouts; ResvClass
// follows SPC-4 5.13 (Table 63 for persistent reservations).
#pragma once

#include <span>

#include "nexus/opcode.h"
#include "nexus/scsi.h"

namespace nexus::scsi {

// Opcodes and service actions of the core's rows.
namespace op {
inline constexpr uint8_t test_unit_ready = 0x00;
inline constexpr uint8_t request_sense = 0x03;
inline constexpr uint8_t inquiry = 0x12;
inline constexpr uint8_t mode_select_6 = 0x15;
inline constexpr uint8_t reserve_6 = 0x16;
inline constexpr uint8_t release_6 = 0x17;
inline constexpr uint8_t mode_sense_6 = 0x1A;
inline constexpr uint8_t mode_select_10 = 0x55;
inline constexpr uint8_t reserve_10 = 0x56;
inline constexpr uint8_t release_10 = 0x57;
inline constexpr uint8_t mode_sense_10 = 0x5A;
inline constexpr uint8_t persistent_reserve_in = 0x5E;
inline constexpr uint8_t persistent_reserve_out = 0x5F;
inline constexpr uint8_t report_luns = 0xA0;
inline constexpr uint8_t maintenance_in = 0xA3;
// MAINTENANCE IN service actions.
inline constexpr uint8_t sa_report_target_port_groups = 0x0A;
inline constexpr uint8_t sa_report_supported_opcodes = 0x0C;
inline constexpr uint8_t sa_report_supported_tmfs = 0x0D;
}  // namespace op

// Core rows for an LU of this type. For PeripheralType::wlun (the REPORT
// LUNS well-known LU) only INQUIRY, REPORT LUNS, REQUEST SENSE and TEST UNIT
// READY (SPC-4 8.2). Static storage; every row has handled_by_core.
//
// RESERVE/RELEASE, PERSISTENT RESERVE IN/OUT and REPORT TARGET PORT GROUPS
// are rows only: execute_core_command() answers them Disposition::not_handled
// for the core's reservation / ALUA module. Because the RTPG row is present,
// standard INQUIRY reports TPGS=01b (implicit ALUA); build the table without
// it (core_rows_without_alua) if nothing answers RTPG.
std::span<const OpcodeInfo> core_rows(PeripheralType type) noexcept;
std::span<const OpcodeInfo> core_rows_without_alua(PeripheralType type) noexcept;
// For DeviceInfoFlags::passthrough LUs: without ALUA, TEST UNIT READY and
// MODE SENSE/SELECT(6/10), which the handler forwards to the real device.
std::span<const OpcodeInfo> core_rows_for_passthrough(PeripheralType type) noexcept;

}  // namespace nexus::scsi
