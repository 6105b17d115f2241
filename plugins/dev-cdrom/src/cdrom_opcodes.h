// The MMC-6 commands the cdrom handler executes, as OpcodeInfo rows. Write
// commands are deliberately absent: the core answers them with ILLEGAL
// REQUEST, INVALID COMMAND OPERATION CODE (the medium is read-only).
#pragma once

#include <cstdint>
#include <vector>

#include "nexus/opcode.h"

namespace nexus::cdrom {

namespace op {
constexpr uint8_t kStartStopUnit = 0x1B;
constexpr uint8_t kPreventAllow = 0x1E;
constexpr uint8_t kReadCapacity10 = 0x25;
constexpr uint8_t kRead10 = 0x28;
constexpr uint8_t kReadToc = 0x43;
constexpr uint8_t kGetConfiguration = 0x46;
constexpr uint8_t kGetEventStatus = 0x4A;
constexpr uint8_t kReadDiscInfo = 0x51;
constexpr uint8_t kReadTrackInfo = 0x52;
constexpr uint8_t kRead12 = 0xA8;
constexpr uint8_t kSetCdSpeed = 0xBB;
constexpr uint8_t kMechanismStatus = 0xBD;
constexpr uint8_t kReadCd = 0xBE;
}  // namespace op

// The handler's rows. Every row carries ok_on_no_medium: the handler checks
// the medium itself so that it can tell a tray that is open (3Ah/02h) from
// an empty drive (3Ah/00h), and report a pending Unit Attention first.
const std::vector<OpcodeInfo>& cdrom_opcodes();

// True for the commands that need a disc (medium access).
bool needs_medium(uint8_t opcode) noexcept;

}  // namespace nexus::cdrom
