// The opcode rows: what the core validates before the handler runs.
#include "cdrom_fakes.h"

namespace nexus::cdrom::test {
namespace {

const OpcodeInfo* find(uint8_t opcode) {
  for (const OpcodeInfo& r : cdrom_opcodes())
    if (r.opcode == opcode) return &r;
  return nullptr;
}

TEST(CdromOpcodes, NoWriteCommands) {
  // WRITE(6/10/12), WRITE AND VERIFY, SYNCHRONIZE CACHE, FORMAT UNIT, BLANK,
  // RESERVE TRACK, SEND CUE SHEET, CLOSE TRACK/SESSION: absent, so the core
  // answers INVALID COMMAND OPERATION CODE.
  for (uint8_t w : {0x0A, 0x2A, 0xAA, 0x2E, 0x35, 0x04, 0xA1, 0x53, 0x5D, 0x5B})
    EXPECT_EQ(find(w), nullptr) << std::hex << int(w);
  for (const OpcodeInfo& r : cdrom_opcodes()) {
    EXPECT_FALSE(r.flags & OpcodeFlags::writes_medium) << r.name;
    EXPECT_NE(r.direction, DataDir::write) << r.name;
  }
}

TEST(CdromOpcodes, RowsAreWellFormed) {
  for (const OpcodeInfo& r : cdrom_opcodes()) {
    EXPECT_EQ(r.usage[0], r.opcode) << r.name;
    EXPECT_LE(size_t(r.len_offset) + r.len_size, r.cdb_length) << r.name;
    // The handler checks the medium itself (tray open vs no disc).
    EXPECT_TRUE(r.flags & OpcodeFlags::ok_on_no_medium) << r.name;
    // NACA may be set by nobody: the core rejects it; the mask names it.
    EXPECT_EQ(r.usage[r.cdb_length - 1] & 0x04, 0x04) << r.name;
  }
}

TEST(CdromOpcodes, PollingCommandsRunDespiteUnitAttention) {
  EXPECT_TRUE(find(op::kGetEventStatus)->flags & OpcodeFlags::allow_on_ua);
  EXPECT_TRUE(find(op::kGetConfiguration)->flags & OpcodeFlags::allow_on_ua);
  EXPECT_FALSE(find(op::kRead10)->flags & OpcodeFlags::allow_on_ua);
  // Old hosts put READ TOC's format in the control byte's bits 7-6.
  EXPECT_EQ(find(op::kReadToc)->usage[9] & 0xC0, 0xC0);
}

TEST(CdromOpcodes, MediumAccessNeedsADisc) {
  for (uint8_t o : {op::kRead10, op::kRead12, op::kReadCd, op::kReadCapacity10, op::kReadToc,
                    op::kReadDiscInfo, op::kReadTrackInfo})
    EXPECT_TRUE(needs_medium(o)) << std::hex << int(o);
  for (uint8_t o : {op::kGetConfiguration, op::kGetEventStatus, op::kMechanismStatus,
                    op::kStartStopUnit, op::kPreventAllow, op::kSetCdSpeed})
    EXPECT_FALSE(needs_medium(o)) << std::hex << int(o);
}

}  // namespace
}  // namespace nexus::cdrom::test
