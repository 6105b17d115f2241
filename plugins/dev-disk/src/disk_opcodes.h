// The SBC-3 commands the disk handler executes, as OpcodeInfo rows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nexus/opcode.h"

namespace nexus::disk {

namespace op {
constexpr uint8_t kRead6 = 0x08;
constexpr uint8_t kWrite6 = 0x0A;
constexpr uint8_t kStartStopUnit = 0x1B;
constexpr uint8_t kReadCapacity10 = 0x25;
constexpr uint8_t kRead10 = 0x28;
constexpr uint8_t kWrite10 = 0x2A;
constexpr uint8_t kWriteAndVerify10 = 0x2E;
constexpr uint8_t kVerify10 = 0x2F;
constexpr uint8_t kPreFetch10 = 0x34;
constexpr uint8_t kSyncCache10 = 0x35;
constexpr uint8_t kReadDefectData10 = 0x37;
constexpr uint8_t kWriteSame10 = 0x41;
constexpr uint8_t kUnmap = 0x42;
constexpr uint8_t kRead16 = 0x88;
constexpr uint8_t kCompareAndWrite = 0x89;
constexpr uint8_t kWrite16 = 0x8A;
constexpr uint8_t kOrWrite16 = 0x8B;
constexpr uint8_t kWriteAndVerify16 = 0x8E;
constexpr uint8_t kVerify16 = 0x8F;
constexpr uint8_t kPreFetch16 = 0x90;
constexpr uint8_t kSyncCache16 = 0x91;
constexpr uint8_t kWriteSame16 = 0x93;
constexpr uint8_t kServiceActionIn16 = 0x9E;
constexpr uint8_t kRead12 = 0xA8;
constexpr uint8_t kWrite12 = 0xAA;
constexpr uint8_t kWriteAndVerify12 = 0xAE;
constexpr uint8_t kVerify12 = 0xAF;
constexpr uint8_t kReadDefectData12 = 0xB7;
// SERVICE ACTION IN(16) service actions.
constexpr uint16_t kSaReadCapacity16 = 0x10;
constexpr uint16_t kSaGetLbaStatus = 0x12;
}  // namespace op

// The LBA and VERIFICATION LENGTH of VERIFY(10/12/16), which differ only
// in where the fields sit. `c` must hold cdb_length bytes before use.
struct VerifyFields {
  uint8_t cdb_length;
  uint8_t len_field;  // CDB byte of VERIFICATION LENGTH, for field pointers
  uint64_t lba;
  uint64_t blocks;
};
// Reads the fields of the VERIFY CDB `c` whose opcode byte (and, for the
// values, its length) was checked by the caller.
VerifyFields verify_fields(const uint8_t* c, size_t cdb_size) noexcept;

// All rows of the handler.
const std::vector<OpcodeInfo>& all_disk_opcodes();
// The rows for one device: UNMAP only when it is thin provisioned.
std::vector<OpcodeInfo> disk_opcodes(bool thin);

}  // namespace nexus::disk
