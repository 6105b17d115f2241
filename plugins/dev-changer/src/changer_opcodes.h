// The SMC-3 commands the changer handler executes, as OpcodeInfo rows. The
// core answers INQUIRY, MODE SENSE/SELECT framing, TEST UNIT READY, REQUEST
// SENSE, REPORT LUNS, reservations and RSOC itself.
#pragma once

#include <cstdint>
#include <vector>

#include "nexus/opcode.h"

namespace nexus::changer {

namespace op {
constexpr uint8_t kInitializeElementStatus = 0x07;
constexpr uint8_t kPreventAllowMediumRemoval = 0x1E;
constexpr uint8_t kPositionToElement = 0x2B;
constexpr uint8_t kInitializeElementStatusWithRange = 0x37;
constexpr uint8_t kMoveMedium = 0xA5;
constexpr uint8_t kExchangeMedium = 0xA6;
constexpr uint8_t kReadElementStatus = 0xB8;
}  // namespace op

const std::vector<OpcodeInfo>& changer_opcodes();

}  // namespace nexus::changer
