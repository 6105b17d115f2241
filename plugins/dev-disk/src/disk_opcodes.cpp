#include "disk_opcodes.h"

#include <initializer_list>

#include "nexus/bytes.hpp"
#include "nexus/handler.hpp"

namespace nexus::disk {
namespace {

constexpr uint8_t kCtl = cdb_usage::kControl;
// GROUP NUMBER field (bits 4-0); accepted and ignored (no grouping function).
constexpr uint8_t kGrp = 0x1F;
constexpr uint8_t kFF = cdb_usage::kAll;

using F = OpcodeFlags;

struct Row {
  uint8_t opcode;
  uint8_t cdb_length;
  uint16_t sa;
  uint32_t flags;
  DataDir dir;
  LengthUnit unit;
  uint8_t len_offset;
  uint8_t len_size;
  uint8_t lba_offset;
  uint8_t lba_size;
  ResvClass resv;
  const char* name;
  std::initializer_list<uint8_t> usage;
};

constexpr uint32_t kRw = F::lba_range;
constexpr uint32_t kWr = F::lba_range | F::writes_medium;
// READ/WRITE(10/12/16) byte 1: DPO, FUA and FUA_NV; xxPROTECT needs
// protection information, which is not offered (SBC-3 5.8).
constexpr uint8_t kRwFlags = 0x1A;

std::vector<OpcodeInfo> build() {
  const DataDir in = DataDir::read, out = DataDir::write, none = DataDir::none;
  const LengthUnit blk = LengthUnit::blocks, dev = LengthUnit::device, by = LengthUnit::bytes,
                   no = LengthUnit::none;
  const ResvClass rd = ResvClass::read, wr = ResvClass::write;
  const Row rows[] = {
      // SBC-3 5.12 / 5.40: READ(6) / WRITE(6); TRANSFER LENGTH 0 = 256 blocks.
      {op::kRead6,
       6,
       0,
       kRw | F::len0_is_256,
       in,
       blk,
       4,
       1,
       1,
       3,
       rd,
       "READ(6)",
       {op::kRead6, 0x1F, kFF, kFF, kFF, kCtl}},
      {op::kWrite6,
       6,
       0,
       kWr | F::len0_is_256,
       out,
       blk,
       4,
       1,
       1,
       3,
       wr,
       "WRITE(6)",
       {op::kWrite6, 0x1F, kFF, kFF, kFF, kCtl}},
      // SBC-3 5.13 / 5.41
      {op::kRead10,
       10,
       0,
       kRw,
       in,
       blk,
       7,
       2,
       2,
       4,
       rd,
       "READ(10)",
       {op::kRead10, kRwFlags, kFF, kFF, kFF, kFF, kGrp, kFF, kFF, kCtl}},
      {op::kWrite10,
       10,
       0,
       kWr,
       out,
       blk,
       7,
       2,
       2,
       4,
       wr,
       "WRITE(10)",
       {op::kWrite10, kRwFlags, kFF, kFF, kFF, kFF, kGrp, kFF, kFF, kCtl}},
      // SBC-3 5.14 / 5.42
      {op::kRead12,
       12,
       0,
       kRw,
       in,
       blk,
       6,
       4,
       2,
       4,
       rd,
       "READ(12)",
       {op::kRead12, kRwFlags, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp, kCtl}},
      {op::kWrite12,
       12,
       0,
       kWr,
       out,
       blk,
       6,
       4,
       2,
       4,
       wr,
       "WRITE(12)",
       {op::kWrite12, kRwFlags, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp, kCtl}},
      // SBC-3 5.15 / 5.43
      {op::kRead16,
       16,
       0,
       kRw,
       in,
       blk,
       10,
       4,
       2,
       8,
       rd,
       "READ(16)",
       {op::kRead16, kRwFlags, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp,
        kCtl}},
      {op::kWrite16,
       16,
       0,
       kWr,
       out,
       blk,
       10,
       4,
       2,
       8,
       wr,
       "WRITE(16)",
       {op::kWrite16, kRwFlags, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp,
        kCtl}},
      // SBC-3 5.44 / 5.46 and WRITE AND VERIFY(12): byte 1 DPO and BYTCHK (bit 1).
      {op::kWriteAndVerify10,
       10,
       0,
       kWr,
       out,
       blk,
       7,
       2,
       2,
       4,
       wr,
       "WRITE AND VERIFY(10)",
       {op::kWriteAndVerify10, 0x12, kFF, kFF, kFF, kFF, kGrp, kFF, kFF, kCtl}},
      {op::kWriteAndVerify12,
       12,
       0,
       kWr,
       out,
       blk,
       6,
       4,
       2,
       4,
       wr,
       "WRITE AND VERIFY(12)",
       {op::kWriteAndVerify12, 0x12, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp, kCtl}},
      {op::kWriteAndVerify16,
       16,
       0,
       kWr,
       out,
       blk,
       10,
       4,
       2,
       8,
       wr,
       "WRITE AND VERIFY(16)",
       {op::kWriteAndVerify16, 0x12, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF,
        kGrp, kCtl}},
      // SBC-3 5.33 / 5.35 and VERIFY(12): byte 1 DPO and BYTCHK (bits 2-1). The Data-Out
      // length depends on BYTCHK, hence LengthUnit::device.
      {op::kVerify10,
       10,
       0,
       kRw,
       out,
       dev,
       7,
       2,
       2,
       4,
       rd,
       "VERIFY(10)",
       {op::kVerify10, 0x16, kFF, kFF, kFF, kFF, kGrp, kFF, kFF, kCtl}},
      {op::kVerify12,
       12,
       0,
       kRw,
       out,
       dev,
       6,
       4,
       2,
       4,
       rd,
       "VERIFY(12)",
       {op::kVerify12, 0x16, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp, kCtl}},
      {op::kVerify16,
       16,
       0,
       kRw,
       out,
       dev,
       10,
       4,
       2,
       8,
       rd,
       "VERIFY(16)",
       {op::kVerify16, 0x16, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp,
        kCtl}},
      // SBC-3 5.20: PMI and the (obsolescent) LBA field; 8 bytes of data.
      {op::kReadCapacity10,
       10,
       0,
       F::ok_when_not_ready,
       in,
       dev,
       0,
       0,
       0,
       0,
       ResvClass::allowed,
       "READ CAPACITY(10)",
       {op::kReadCapacity10, 0x00, kFF, kFF, kFF, kFF, 0x00, 0x00, 0x01, kCtl}},
      // SBC-3 5.21 READ CAPACITY(16)
      {op::kServiceActionIn16,
       16,
       op::kSaReadCapacity16,
       F::service_action | F::allocation_length | F::ok_when_not_ready,
       in,
       by,
       10,
       4,
       0,
       0,
       ResvClass::allowed,
       "READ CAPACITY(16)",
       {op::kServiceActionIn16, 0x1F, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF,
        0x01, kCtl}},
      // SBC-3 5.16 GET LBA STATUS
      {op::kServiceActionIn16,
       16,
       op::kSaGetLbaStatus,
       F::service_action | F::allocation_length,
       in,
       by,
       10,
       4,
       0,
       0,
       rd,
       "GET LBA STATUS",
       {op::kServiceActionIn16, 0x1F, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF,
        0x00, kCtl}},
      // SBC-3 READ DEFECT DATA(10) / (12): REQ_PLIST, REQ_GLIST and DEFECT
      // LIST FORMAT; (12) also has ADDRESS DESCRIPTOR INDEX. Both lists are
      // empty: an emulated medium has no defects.
      {op::kReadDefectData10,
       10,
       0,
       F::allocation_length,
       in,
       by,
       7,
       2,
       0,
       0,
       rd,
       "READ DEFECT DATA(10)",
       {op::kReadDefectData10, 0x00, 0x1F, 0x00, 0x00, 0x00, 0x00, kFF, kFF, kCtl}},
      {op::kReadDefectData12,
       12,
       0,
       F::allocation_length,
       in,
       by,
       6,
       4,
       0,
       0,
       rd,
       "READ DEFECT DATA(12)",
       {op::kReadDefectData12, 0x1F, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, 0x00, kCtl}},
      // SBC-3 5.22 / 5.23: byte 1 IMMED.
      {op::kSyncCache10,
       10,
       0,
       0,
       none,
       no,
       0,
       0,
       0,
       0,
       wr,
       "SYNCHRONIZE CACHE(10)",
       {op::kSyncCache10, 0x02, kFF, kFF, kFF, kFF, kGrp, kFF, kFF, kCtl}},
      {op::kSyncCache16,
       16,
       0,
       0,
       none,
       no,
       0,
       0,
       0,
       0,
       wr,
       "SYNCHRONIZE CACHE(16)",
       {op::kSyncCache16, 0x02, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp,
        kCtl}},
      // SBC-3 5.47 WRITE SAME(10): UNMAP; ANCHOR is not supported (ANC_SUP=0).
      {op::kWriteSame10,
       10,
       0,
       kWr | F::exact_data_out,
       out,
       LengthUnit::one_block,
       7,
       2,
       2,
       4,
       wr,
       "WRITE SAME(10)",
       {op::kWriteSame10, 0x08, kFF, kFF, kFF, kFF, kGrp, kFF, kFF, kCtl}},
      // SBC-3 5.48 WRITE SAME(16): UNMAP and NDOB (no Data-Out when set).
      {op::kWriteSame16,
       16,
       0,
       kWr | F::exact_data_out,
       out,
       dev,
       10,
       4,
       2,
       8,
       wr,
       "WRITE SAME(16)",
       {op::kWriteSame16, 0x09, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp,
        kCtl}},
      // SBC-3 5.28 UNMAP: parameter list; ANCHOR not supported.
      {op::kUnmap,
       10,
       0,
       F::writes_medium,
       out,
       by,
       7,
       2,
       0,
       0,
       wr,
       "UNMAP",
       {op::kUnmap, 0x00, 0x00, 0x00, 0x00, 0x00, kGrp, kFF, kFF, kCtl}},
      // SBC-3 5.2 COMPARE AND WRITE: 2 x NUMBER OF LOGICAL BLOCKS of Data-Out.
      {op::kCompareAndWrite,
       16,
       0,
       kWr | F::exact_data_out,
       out,
       LengthUnit::blocks_times_two,
       13,
       1,
       2,
       8,
       wr,
       "COMPARE AND WRITE",
       {op::kCompareAndWrite, kRwFlags, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, 0x00, 0x00, 0x00,
        kFF, kGrp, kCtl}},
      // SBC-3 ORWRITE(16): the Data-Out is ORed into the blocks; ORPROTECT
      // needs protection information, which is not offered.
      {op::kOrWrite16,
       16,
       0,
       kWr,
       out,
       blk,
       10,
       4,
       2,
       8,
       wr,
       "ORWRITE(16)",
       {op::kOrWrite16, kRwFlags, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp,
        kCtl}},
      // SBC-3 5.9 / 5.10 PRE-FETCH: byte 1 IMMED.
      {op::kPreFetch10,
       10,
       0,
       0,
       none,
       no,
       0,
       0,
       0,
       0,
       rd,
       "PRE-FETCH(10)",
       {op::kPreFetch10, 0x02, kFF, kFF, kFF, kFF, kGrp, kFF, kFF, kCtl}},
      {op::kPreFetch16,
       16,
       0,
       0,
       none,
       no,
       0,
       0,
       0,
       0,
       rd,
       "PRE-FETCH(16)",
       {op::kPreFetch16, 0x02, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kFF, kGrp,
        kCtl}},
      // SBC-3 5.25 START STOP UNIT: IMMED; POWER CONDITION MODIFIER; POWER
      // CONDITION, NO_FLUSH, LOEJ, START.
      {op::kStartStopUnit,
       6,
       0,
       F::ok_when_not_ready | F::ok_on_no_medium,
       none,
       no,
       0,
       0,
       0,
       0,
       ResvClass::conflict,
       "START STOP UNIT",
       {op::kStartStopUnit, 0x01, 0x00, 0x0F, 0xF7, kCtl}},
  };
  std::vector<OpcodeInfo> v;
  for (const Row& r : rows) v.push_back(opcode_info(r));
  return v;
}

}  // namespace

VerifyFields verify_fields(const uint8_t* c, size_t cdb_size) noexcept {
  VerifyFields f{};
  switch (c[0]) {
    case op::kVerify10:
      f = {10, 7, 0, 0};
      break;
    case op::kVerify12:
      f = {12, 6, 0, 0};
      break;
    default:
      f = {16, 10, 0, 0};
      break;
  }
  if (cdb_size < f.cdb_length) return f;
  switch (c[0]) {
    case op::kVerify10:
      f.lba = get_be32(c + 2);
      f.blocks = get_be16(c + 7);
      break;
    case op::kVerify12:
      f.lba = get_be32(c + 2);
      f.blocks = get_be32(c + 6);
      break;
    default:
      f.lba = get_be64(c + 2);
      f.blocks = get_be32(c + 10);
      break;
  }
  return f;
}

const std::vector<OpcodeInfo>& all_disk_opcodes() {
  static const std::vector<OpcodeInfo> rows = build();
  return rows;
}

std::vector<OpcodeInfo> disk_opcodes(bool thin) {
  std::vector<OpcodeInfo> v;
  for (const OpcodeInfo& o : all_disk_opcodes())
    if (thin || o.opcode != op::kUnmap) v.push_back(o);
  return v;
}

}  // namespace nexus::disk
