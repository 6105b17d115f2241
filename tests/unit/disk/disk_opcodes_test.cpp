// The opcode rows' CDB USAGE DATA masks against the SBC-3 CDB layouts:
// reserved bits, unsupported protection fields and obsolete bits must not be
// in the mask, so the core rejects them with INVALID FIELD IN CDB.
#include <gtest/gtest.h>

#include "disk_opcodes.h"

namespace nexus::disk {
namespace {

const OpcodeInfo* find(uint8_t opcode, uint16_t sa = 0) {
  for (const OpcodeInfo& o : all_disk_opcodes())
    if (o.opcode == opcode && (!(o.flags & OpcodeFlags::service_action) || o.service_action == sa))
      return &o;
  return nullptr;
}

// Bits that SBC-3 marks reserved (or that we must refuse) per CDB byte.
struct Forbidden {
  uint8_t opcode;
  uint16_t sa;
  uint8_t byte;
  uint8_t bits;
  const char* why;
};

TEST(DiskOpcodes, ReservedBitsAreNotInUsageMasks) {
  const Forbidden cases[] = {
      {op::kRead6, 0, 1, 0xE0, "READ(6) byte 1 bits 7-5 reserved"},
      {op::kRead10, 0, 1, 0xE0, "READ(10) RDPROTECT (no protection information)"},
      {op::kRead10, 0, 1, 0x04, "READ(10) byte 1 bit 2 reserved"},
      {op::kRead10, 0, 1, 0x01, "READ(10) byte 1 bit 0 obsolete"},
      {op::kRead10, 0, 6, 0xE0, "READ(10) byte 6 bits 7-5 reserved"},
      {op::kWrite16, 0, 1, 0x05, "WRITE(16) byte 1 bits 2 and 0 reserved"},
      {op::kWrite16, 0, 14, 0xE0, "WRITE(16) byte 14 bits 7-5"},
      {op::kVerify10, 0, 1, 0x09, "VERIFY(10) byte 1 bits 3 and 0 reserved"},
      {op::kWriteAndVerify10, 0, 1, 0x0D, "WRITE AND VERIFY(10) byte 1 bits 3, 2, 0"},
      {op::kSyncCache10, 0, 1, 0xFD, "SYNCHRONIZE CACHE(10) byte 1: only IMMED"},
      {op::kReadCapacity10, 0, 1, 0xFF, "READ CAPACITY(10) byte 1 reserved"},
      {op::kReadCapacity10, 0, 6, 0xFF, "READ CAPACITY(10) bytes 6-7 reserved"},
      {op::kReadCapacity10, 0, 8, 0xFE, "READ CAPACITY(10) byte 8 bits 7-1 reserved"},
      {op::kServiceActionIn16, op::kSaReadCapacity16, 14, 0xFE, "READ CAPACITY(16) byte 14"},
      {op::kServiceActionIn16, op::kSaGetLbaStatus, 14, 0xFF, "GET LBA STATUS byte 14"},
      {op::kServiceActionIn16, op::kSaGetLbaStatus, 1, 0xE0, "GET LBA STATUS byte 1 bits 7-5"},
      {op::kCompareAndWrite, 0, 10, 0xFF, "COMPARE AND WRITE byte 10 reserved"},
      {op::kCompareAndWrite, 0, 11, 0xFF, "COMPARE AND WRITE byte 11 reserved"},
      {op::kCompareAndWrite, 0, 12, 0xFF, "COMPARE AND WRITE byte 12 reserved"},
      {op::kCompareAndWrite, 0, 1, 0xE5, "COMPARE AND WRITE WRPROTECT and reserved bits"},
      {op::kUnmap, 0, 1, 0xFF, "UNMAP byte 1 (ANCHOR unsupported, rest reserved)"},
      {op::kUnmap, 0, 2, 0xFF, "UNMAP bytes 2-5 reserved"},
      {op::kUnmap, 0, 5, 0xFF, "UNMAP bytes 2-5 reserved"},
      {op::kWriteSame10, 0, 1, 0xF7, "WRITE SAME(10): only UNMAP (no ANCHOR, WRPROTECT)"},
      {op::kWriteSame16, 0, 1, 0xF6, "WRITE SAME(16): only UNMAP and NDOB"},
      {op::kStartStopUnit, 0, 2, 0xFF, "START STOP UNIT byte 2 reserved"},
      {op::kStartStopUnit, 0, 3, 0xF0, "START STOP UNIT byte 3 bits 7-4 reserved"},
      {op::kStartStopUnit, 0, 4, 0x08, "START STOP UNIT byte 4 bit 3 reserved"},
      {op::kStartStopUnit, 0, 1, 0xFE, "START STOP UNIT byte 1 bits 7-1 reserved"},
      {op::kPreFetch10, 0, 1, 0xFD, "PRE-FETCH(10) byte 1: only IMMED"},
      {op::kVerify12, 0, 1, 0xE9, "VERIFY(12) VRPROTECT, byte 1 bits 3 and 0"},
      {op::kVerify12, 0, 10, 0xE0, "VERIFY(12) byte 10 bits 7-5"},
      {op::kWriteAndVerify12, 0, 1, 0xED, "WRITE AND VERIFY(12) WRPROTECT, bits 3, 2, 0"},
      {op::kOrWrite16, 0, 1, 0xE5, "ORWRITE(16) ORPROTECT and reserved bits"},
      {op::kOrWrite16, 0, 14, 0xE0, "ORWRITE(16) byte 14 bits 7-5"},
      {op::kReadDefectData10, 0, 1, 0xFF, "READ DEFECT DATA(10) byte 1 reserved"},
      {op::kReadDefectData10, 0, 2, 0xE0, "READ DEFECT DATA(10) byte 2 bits 7-5 reserved"},
      {op::kReadDefectData10, 0, 3, 0xFF, "READ DEFECT DATA(10) bytes 3-6 reserved"},
      {op::kReadDefectData12, 0, 1, 0xE0, "READ DEFECT DATA(12) byte 1 bits 7-5 reserved"},
      {op::kReadDefectData12, 0, 10, 0xFF, "READ DEFECT DATA(12) byte 10 reserved"},
  };
  for (const Forbidden& f : cases) {
    const OpcodeInfo* o = find(f.opcode, f.sa);
    ASSERT_NE(o, nullptr) << f.why;
    ASSERT_LT(f.byte, o->cdb_length) << f.why;
    EXPECT_EQ(o->usage[f.byte] & f.bits, 0) << f.why;
  }
}

TEST(DiskOpcodes, RowsAreConsistent) {
  for (const OpcodeInfo& o : all_disk_opcodes()) {
    SCOPED_TRACE(o.name);
    EXPECT_EQ(o.usage[0], o.opcode);
    ASSERT_TRUE(o.cdb_length == 6 || o.cdb_length == 10 || o.cdb_length == 12 ||
                o.cdb_length == 16);
    // CONTROL byte: only NACA may be evaluated (the core refuses NACA=1).
    EXPECT_EQ(o.usage[o.cdb_length - 1], 0x04);
    for (unsigned i = o.cdb_length; i < 16; ++i) EXPECT_EQ(o.usage[i], 0);
    if (o.len_size) {
      EXPECT_LE(o.len_offset + o.len_size, o.cdb_length - 1);
      for (unsigned i = o.len_offset; i < o.len_offset + o.len_size; ++i)
        EXPECT_EQ(o.usage[i], 0xFF);
    }
    if (o.flags & OpcodeFlags::lba_range) {
      EXPECT_GT(o.lba_size, 0);
      EXPECT_LE(o.lba_offset + o.lba_size, o.cdb_length - 1);
    }
    bool writes = o.flags & OpcodeFlags::writes_medium;
    if (writes) {
      EXPECT_EQ(o.direction, DataDir::write);
    }
    EXPECT_NE(o.name, nullptr);
  }
}

TEST(DiskOpcodes, UnmapOnlyWhenThin) {
  auto has_unmap = [](const std::vector<OpcodeInfo>& v) {
    for (auto& o : v)
      if (o.opcode == op::kUnmap) return true;
    return false;
  };
  EXPECT_TRUE(has_unmap(disk_opcodes(true)));
  EXPECT_FALSE(has_unmap(disk_opcodes(false)));
}

TEST(DiskOpcodes, SixByteTransfersUseLen0Is256) {
  EXPECT_TRUE(find(op::kRead6)->flags & OpcodeFlags::len0_is_256);
  EXPECT_TRUE(find(op::kWrite6)->flags & OpcodeFlags::len0_is_256);
  EXPECT_FALSE(find(op::kRead10)->flags & OpcodeFlags::len0_is_256);
}

}  // namespace
}  // namespace nexus::disk
