// The SSC-3 commands the tape handler executes, as OpcodeInfo rows.
#pragma once

#include <cstdint>
#include <vector>

#include "nexus/opcode.h"

namespace nexus::tape {

namespace op {
constexpr uint8_t kRewind = 0x01;
constexpr uint8_t kReadBlockLimits = 0x05;
constexpr uint8_t kRead6 = 0x08;
constexpr uint8_t kWrite6 = 0x0A;
constexpr uint8_t kWriteFilemarks6 = 0x10;
constexpr uint8_t kSpace6 = 0x11;
constexpr uint8_t kErase6 = 0x19;
constexpr uint8_t kLoadUnload = 0x1B;
constexpr uint8_t kPreventAllow = 0x1E;
constexpr uint8_t kLocate10 = 0x2B;
constexpr uint8_t kReadPosition = 0x34;
constexpr uint8_t kReportDensity = 0x44;
constexpr uint8_t kSpace16 = 0x91;
constexpr uint8_t kLocate16 = 0x92;
// READ POSITION service actions (SSC-3 7.7).
constexpr uint16_t kRpShort = 0x00;
constexpr uint16_t kRpShortVendor = 0x01;
constexpr uint16_t kRpLong = 0x06;
constexpr uint16_t kRpExtended = 0x08;
}  // namespace op

// The rows of the handler (built once).
const std::vector<OpcodeInfo>& tape_opcodes();

}  // namespace nexus::tape
