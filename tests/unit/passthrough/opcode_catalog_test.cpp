// The pass-through opcode catalog: structural invariants the core's
// OpcodeTable relies on, the safety-relevant rows, and (when the test links
// nexus_scsi) the table the core builds from core rows + catalog rows.
#include "opcode_catalog.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#if __has_include("scsi/opcode_table.h")
#include "scsi/core_opcode_rows.h"
#include "scsi/opcode_table.h"
#define NEXUS_PT_HAVE_CORE_TABLE 1
#endif

namespace tests {
namespace {

using nexus::DataDir;
using nexus::LengthUnit;
using nexus::OpcodeFlags;
using nexus::OpcodeInfo;
using nexus::ResvClass;
using nexus::passthrough::catalog_rows;
using nexus::passthrough::fixed_data_length;
using nexus::passthrough::is_long_running;

constexpr uint8_t kDisk = 0x00, kTape = 0x01, kProcessor = 0x03, kCdrom = 0x05, kChanger = 0x08,
                  kEnclosure = 0x0D, kUnknown = 0x1F;
constexpr std::array<uint8_t, 7> kTypes = {kDisk,    kTape,      kProcessor, kCdrom,
                                           kChanger, kEnclosure, kUnknown};

bool has(const OpcodeInfo& r, uint32_t flag) { return (r.flags & flag) != 0; }

// SAM-5 5.2.3 group code -> CDB length (0: variable / vendor specific).
uint8_t group_length(uint8_t op) {
  switch (op >> 5) {
    case 0:
      return 6;
    case 1:
    case 2:
      return 10;
    case 4:
      return 16;
    case 5:
      return 12;
    default:
      return 0;
  }
}

const OpcodeInfo* find(uint8_t type, uint8_t op, int sa = -1) {
  for (const OpcodeInfo& r : catalog_rows(type)) {
    if (r.opcode != op) continue;
    if (sa < 0 || (has(r, OpcodeFlags::service_action) && r.service_action == sa)) return &r;
  }
  return nullptr;
}

// A zeroed CDB of the row's length carrying its opcode and service action.
std::array<uint8_t, 16> cdb_for(const OpcodeInfo& r) {
  std::array<uint8_t, 16> c{};
  c[0] = r.opcode;
  if (has(r, OpcodeFlags::service_action)) c[1] = uint8_t(r.service_action & 0x1F);
  return c;
}

class CatalogPerType : public ::testing::TestWithParam<uint8_t> {};

TEST_P(CatalogPerType, RowsAreWellFormed) {
  const auto rows = catalog_rows(GetParam());
  ASSERT_FALSE(rows.empty());
  for (const OpcodeInfo& r : rows) {
    SCOPED_TRACE(r.name ? r.name : "(null)");
    ASSERT_NE(r.name, nullptr);
    EXPECT_EQ(r.cdb_length, group_length(r.opcode));
    EXPECT_LE(r.len_size, 8);
    EXPECT_LE(r.len_offset + r.len_size, r.cdb_length);
    EXPECT_LE(r.lba_offset + r.lba_size, r.cdb_length);
    EXPECT_EQ(r.usage[0], r.opcode);
    // NACA (control byte bit 2) is never accepted: no ACA (SAM-5 5.9).
    EXPECT_EQ(r.usage[r.cdb_length - 1] & 0x04, 0);
    for (size_t i = r.cdb_length; i < sizeof r.usage; ++i) EXPECT_EQ(r.usage[i], 0) << i;
    // Forwarded: executed by the device, which reports NOT READY itself; a
    // pending UA is reported first (SAM-5 5.14).
    EXPECT_FALSE(has(r, OpcodeFlags::handled_by_core));
    EXPECT_FALSE(has(r, OpcodeFlags::allow_on_ua));
    EXPECT_TRUE(has(r, OpcodeFlags::ok_on_no_medium));
    EXPECT_TRUE(has(r, OpcodeFlags::ok_when_not_ready));
    EXPECT_GT(r.timeout_ms, 0u);
    // Medium writers are never shared under Write Exclusive.
    if (has(r, OpcodeFlags::writes_medium)) {
      EXPECT_NE(r.resv_class, ResvClass::read);
      EXPECT_NE(r.resv_class, ResvClass::allowed);
      EXPECT_NE(r.resv_class, ResvClass::allowed_if_registered);
    }
    // Only the SPC reservation commands use these classes, and they are core rows.
    EXPECT_NE(r.resv_class, ResvClass::pr_in);
    EXPECT_NE(r.resv_class, ResvClass::pr_out);
    EXPECT_NE(r.resv_class, ResvClass::reserve);
    EXPECT_NE(r.resv_class, ResvClass::release);
    EXPECT_EQ(r.direction == DataDir::none, r.len_unit == LengthUnit::none);
    EXPECT_NE(r.direction, DataDir::bidi);
    if (r.len_unit == LengthUnit::bytes || r.len_unit == LengthUnit::blocks) {
      EXPECT_GT(r.len_size, 0);
    }
    if (has(r, OpcodeFlags::allocation_length)) {
      EXPECT_EQ(r.direction, DataDir::read);
    }
    if (has(r, OpcodeFlags::lba_range)) {
      EXPECT_GT(r.lba_size, 0);
      EXPECT_GT(r.len_size, 0);  // the range's block count
    }
  }
}

TEST_P(CatalogPerType, NoDuplicateKeysAndServiceActionsConsistent) {
  std::set<std::pair<uint8_t, uint16_t>> keys;
  std::array<int, 256> sa_kind{};  // 0 unseen, 1 plain, 2 service action
  for (const OpcodeInfo& r : catalog_rows(GetParam())) {
    const bool sa = has(r, OpcodeFlags::service_action);
    EXPECT_TRUE(keys.insert({r.opcode, sa ? r.service_action : 0xFFFF}).second) << r.name;
    int kind = sa ? 2 : 1;
    if (sa_kind[r.opcode] != 0) {
      EXPECT_EQ(sa_kind[r.opcode], kind) << r.name;
    }
    sa_kind[r.opcode] = kind;
    if (sa) {
      EXPECT_LE(r.service_action, 0x1F) << r.name;
    }
  }
}

TEST_P(CatalogPerType, NoCoreEmulatedCommand) {
  for (const OpcodeInfo& r : catalog_rows(GetParam())) {
    SCOPED_TRACE(r.name);
    for (uint8_t op : {0x03, 0x12, 0x16, 0x17, 0x56, 0x57, 0x5E, 0x5F, 0xA0})
      EXPECT_NE(r.opcode, op);
    if (r.opcode == 0xA3) {
      // MAINTENANCE IN: the core owns RTPG, RSOC and RSTMF and has SA rows.
      ASSERT_TRUE(has(r, OpcodeFlags::service_action));
      EXPECT_NE(r.service_action, 0x0A);
      EXPECT_NE(r.service_action, 0x0C);
      EXPECT_NE(r.service_action, 0x0D);
    }
    if (r.opcode == 0xA4 && GetParam() != kCdrom) {
      ASSERT_TRUE(has(r, OpcodeFlags::service_action));
      EXPECT_NE(r.service_action, 0x0A);  // SET TARGET PORT GROUPS (ALUA is ours)
    }
    if (r.opcode == 0x9E) {
      EXPECT_TRUE(has(r, OpcodeFlags::service_action));
    }
  }
}

TEST_P(CatalogPerType, SpcRowsEveryTypeForwards) {
  const uint8_t t = GetParam();
  for (uint8_t op : {0x00, 0x15, 0x1A, 0x55, 0x5A, 0x1C, 0x1D, 0x3B, 0x3C, 0x4C, 0x4D})
    EXPECT_NE(find(t, op), nullptr) << int(op);
  // SPC-4 5.13.1: LOG SENSE allowed; MODE/LOG SELECT conflict and run alone.
  EXPECT_EQ(find(t, 0x4D)->resv_class, ResvClass::allowed);
  for (uint8_t op : {0x15, 0x55, 0x4C}) {
    EXPECT_EQ(find(t, op)->resv_class, ResvClass::conflict);
    EXPECT_TRUE(has(*find(t, op), OpcodeFlags::serialize_lu));
  }
  EXPECT_EQ(find(t, 0x00)->resv_class, ResvClass::allowed);
}

// is_long_running and the rows' nominal timeouts tell the same story.
TEST_P(CatalogPerType, LongRunningMatchesTimeouts) {
  const uint8_t t = GetParam();
  for (const OpcodeInfo& r : catalog_rows(t)) {
    auto c = cdb_for(r);
    EXPECT_EQ(is_long_running(t, c.data()), r.timeout_ms > 15 * 60 * 1000) << r.name;
  }
}

// Every LengthUnit::device row is computable: from the CDB alone, or (tape
// READ/WRITE/READ REVERSE/VERIFY) from the block length in force.
TEST_P(CatalogPerType, DeviceLengthRowsAreCovered) {
  const uint8_t t = GetParam();
  for (const OpcodeInfo& r : catalog_rows(t)) {
    if (r.len_unit != LengthUnit::device) continue;
    auto c = cdb_for(r);
    if (t == kTape &&
        (r.opcode == 0x08 || r.opcode == 0x0A || r.opcode == 0x0F || r.opcode == 0x13 ||
         r.opcode == 0x81 || r.opcode == 0x88 || r.opcode == 0x8A || r.opcode == 0x8F)) {
      EXPECT_FALSE(fixed_data_length(t, {c.data(), r.cdb_length}).has_value()) << r.name;
      EXPECT_EQ(r.len_size, 3) << r.name;  // TRANSFER LENGTH, for the handler
      continue;
    }
    EXPECT_TRUE(fixed_data_length(t, {c.data(), r.cdb_length}).has_value()) << r.name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, CatalogPerType, ::testing::ValuesIn(kTypes));

TEST(OpcodeCatalog, RowCountsPerType) {
  EXPECT_GT(catalog_rows(kDisk).size(), 40u);
  EXPECT_GT(catalog_rows(kTape).size(), 40u);
  EXPECT_GT(catalog_rows(kCdrom).size(), 45u);
  EXPECT_GT(catalog_rows(kChanger).size(), 20u);
  // Other types: SPC only, the same rows; the type's top bits are ignored.
  EXPECT_EQ(catalog_rows(kEnclosure).data(), catalog_rows(kUnknown).data());
  EXPECT_EQ(catalog_rows(0x20 | kTape).data(), catalog_rows(kTape).data());
  EXPECT_EQ(find(kEnclosure, 0x28), nullptr);
  EXPECT_NE(find(kEnclosure, 0x1C), nullptr);  // RECEIVE DIAGNOSTIC RESULTS (SES pages)
}

TEST(OpcodeCatalog, DiskReadWriteDescribeBlockRanges) {
  const OpcodeInfo* r10 = find(kDisk, 0x28);
  ASSERT_NE(r10, nullptr);
  EXPECT_EQ(r10->cdb_length, 10);
  EXPECT_EQ(r10->direction, DataDir::read);
  EXPECT_EQ(r10->len_unit, LengthUnit::blocks);
  EXPECT_EQ(r10->len_offset, 7);
  EXPECT_EQ(r10->len_size, 2);
  EXPECT_TRUE(has(*r10, OpcodeFlags::lba_range));
  EXPECT_EQ(r10->lba_offset, 2);
  EXPECT_EQ(r10->lba_size, 4);
  EXPECT_EQ(r10->resv_class, ResvClass::read);
  EXPECT_FALSE(has(*r10, OpcodeFlags::writes_medium));
  // RDPROTECT would add protection information per block: not accepted.
  EXPECT_EQ(r10->usage[1] & 0xE0, 0);

  const OpcodeInfo* w16 = find(kDisk, 0x8A);
  ASSERT_NE(w16, nullptr);
  EXPECT_EQ(w16->direction, DataDir::write);
  EXPECT_TRUE(has(*w16, OpcodeFlags::writes_medium));
  EXPECT_EQ(w16->resv_class, ResvClass::write);
  EXPECT_EQ(w16->len_offset, 10);
  EXPECT_EQ(w16->len_size, 4);
  EXPECT_EQ(w16->lba_size, 8);

  const OpcodeInfo* r6 = find(kDisk, 0x08);
  ASSERT_NE(r6, nullptr);
  EXPECT_TRUE(has(*r6, OpcodeFlags::len0_is_256));
  EXPECT_EQ(r6->lba_offset, 1);
  EXPECT_EQ(r6->lba_size, 3);

  const OpcodeInfo* v16 = find(kDisk, 0x8F);
  ASSERT_NE(v16, nullptr);
  EXPECT_TRUE(has(*v16, OpcodeFlags::len_bit_bytchk));

  const OpcodeInfo* caw = find(kDisk, 0x89);
  ASSERT_NE(caw, nullptr);
  EXPECT_EQ(caw->len_unit, LengthUnit::blocks_times_two);
  EXPECT_EQ(caw->len_offset, 13);
  EXPECT_TRUE(has(*caw, OpcodeFlags::exact_data_out));

  const OpcodeInfo* ws16 = find(kDisk, 0x93);
  ASSERT_NE(ws16, nullptr);
  EXPECT_EQ(ws16->len_unit, LengthUnit::one_block);
  EXPECT_EQ(ws16->usage[1] & 0x01, 0);  // NDOB: no Data-Out, not modelled
}

TEST(OpcodeCatalog, DiskServiceActionAndAdminRows) {
  const OpcodeInfo* rc16 = find(kDisk, 0x9E, 0x10);
  ASSERT_NE(rc16, nullptr);
  EXPECT_EQ(rc16->len_offset, 10);
  EXPECT_EQ(rc16->len_size, 4);
  EXPECT_TRUE(has(*rc16, OpcodeFlags::allocation_length));
  EXPECT_EQ(rc16->resv_class, ResvClass::allowed);
  ASSERT_NE(find(kDisk, 0x9E, 0x12), nullptr);  // GET LBA STATUS
  EXPECT_EQ(find(kDisk, 0x25)->resv_class, ResvClass::allowed);

  const OpcodeInfo* fmt = find(kDisk, 0x04);
  ASSERT_NE(fmt, nullptr);
  EXPECT_TRUE(has(*fmt, OpcodeFlags::writes_medium));
  EXPECT_TRUE(has(*fmt, OpcodeFlags::serialize_lu));
  EXPECT_EQ(fmt->usage[1] & 0x10, 0);  // FMTDATA: parameter list length unknown

  const OpcodeInfo* spin = find(kDisk, 0xA2);  // SECURITY PROTOCOL IN
  ASSERT_NE(spin, nullptr);
  EXPECT_EQ(spin->usage[4] & 0x80, 0);  // INC_512
  EXPECT_TRUE(has(*find(kDisk, 0xB5), OpcodeFlags::writes_medium));
  EXPECT_FALSE(has(*find(kTape, 0xB5), OpcodeFlags::writes_medium));

  // WRITE BUFFER (microcode download) is refused on read-only LUNs.
  EXPECT_TRUE(has(*find(kDisk, 0x3B), OpcodeFlags::writes_medium));
  EXPECT_EQ(find(kDisk, 0xA3, 0x05)->resv_class, ResvClass::allowed);
}

TEST(OpcodeCatalog, TapeRows) {
  const OpcodeInfo* w6 = find(kTape, 0x0A);
  ASSERT_NE(w6, nullptr);
  EXPECT_EQ(w6->len_unit, LengthUnit::device);
  EXPECT_EQ(w6->direction, DataDir::write);
  EXPECT_TRUE(has(*w6, OpcodeFlags::writes_medium));
  EXPECT_TRUE(has(*w6, OpcodeFlags::serialize_lu));
  EXPECT_FALSE(has(*w6, OpcodeFlags::lba_range));

  for (uint8_t op : {0x08, 0x0F, 0x88, 0x81, 0x8A}) {
    const OpcodeInfo* r = find(kTape, op);
    ASSERT_NE(r, nullptr) << int(op);
    EXPECT_EQ(r->len_unit, LengthUnit::device) << r->name;
    EXPECT_TRUE(has(*r, OpcodeFlags::serialize_lu)) << r->name;
  }
  // Reading moves the tape: conflict even under Write Exclusive.
  EXPECT_EQ(find(kTape, 0x08)->resv_class, ResvClass::conflict);

  // Everything that moves or depends on the position runs alone on the LU.
  for (uint8_t op : {0x01, 0x10, 0x11, 0x19, 0x1B, 0x2B, 0x80, 0x91, 0x92, 0x93}) {
    const OpcodeInfo* r = find(kTape, op);
    ASSERT_NE(r, nullptr) << int(op);
    EXPECT_TRUE(has(*r, OpcodeFlags::serialize_lu)) << r->name;
    EXPECT_EQ(r->direction, DataDir::none) << r->name;
  }
  for (uint8_t op : {0x10, 0x19, 0x80, 0x93, 0x04, 0x0B})
    EXPECT_TRUE(has(*find(kTape, op), OpcodeFlags::writes_medium)) << int(op);
  for (uint8_t op : {0x01, 0x11, 0x1B, 0x2B, 0x92})
    EXPECT_FALSE(has(*find(kTape, op), OpcodeFlags::writes_medium)) << int(op);

  // READ POSITION: all forms as service actions, only the extended one has
  // an allocation length (SSC-3 7.7).
  for (int sa : {0x00, 0x01, 0x06}) {
    const OpcodeInfo* rp = find(kTape, 0x34, sa);
    ASSERT_NE(rp, nullptr) << sa;
    EXPECT_EQ(rp->len_unit, LengthUnit::device);
  }
  const OpcodeInfo* ext = find(kTape, 0x34, 0x08);
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->len_unit, LengthUnit::bytes);
  EXPECT_EQ(ext->len_offset, 7);
  EXPECT_EQ(ext->len_size, 2);
  EXPECT_TRUE(has(*ext, OpcodeFlags::allocation_length));

  EXPECT_EQ(find(kTape, 0x05)->resv_class, ResvClass::allowed);  // READ BLOCK LIMITS
  const OpcodeInfo* rds = find(kTape, 0x44);
  ASSERT_NE(rds, nullptr);
  EXPECT_EQ(rds->len_offset, 7);
  EXPECT_TRUE(has(*rds, OpcodeFlags::allocation_length));

  // SPACE(16) PARAMETER LENGTH must be zero.
  const OpcodeInfo* sp16 = find(kTape, 0x91);
  EXPECT_EQ(sp16->usage[12], 0);
  EXPECT_EQ(sp16->usage[13], 0);
  EXPECT_NE(find(kTape, 0x8C), nullptr);  // READ ATTRIBUTE
  EXPECT_TRUE(has(*find(kTape, 0x8D), OpcodeFlags::writes_medium));
}

TEST(OpcodeCatalog, ChangerRows) {
  const OpcodeInfo* res = find(kChanger, 0xB8);
  ASSERT_NE(res, nullptr);
  EXPECT_EQ(res->cdb_length, 12);
  EXPECT_EQ(res->direction, DataDir::read);
  EXPECT_EQ(res->len_unit, LengthUnit::bytes);
  EXPECT_EQ(res->len_offset, 7);
  EXPECT_EQ(res->len_size, 3);
  EXPECT_TRUE(has(*res, OpcodeFlags::allocation_length));

  for (uint8_t op : {0x07, 0x1B, 0x2B, 0x37, 0xA5, 0xA6}) {
    const OpcodeInfo* r = find(kChanger, op);
    ASSERT_NE(r, nullptr) << int(op);
    EXPECT_EQ(r->resv_class, ResvClass::conflict) << r->name;
    EXPECT_TRUE(has(*r, OpcodeFlags::serialize_lu)) << r->name;
    EXPECT_EQ(r->direction, DataDir::none) << r->name;
  }
  const OpcodeInfo* rvea = find(kChanger, 0xB5);
  ASSERT_NE(rvea, nullptr);
  EXPECT_EQ(rvea->len_offset, 7);
  EXPECT_EQ(rvea->len_size, 3);
  const OpcodeInfo* svt = find(kChanger, 0xB6);
  ASSERT_NE(svt, nullptr);
  EXPECT_EQ(svt->direction, DataDir::write);
  EXPECT_EQ(svt->len_offset, 8);
  EXPECT_NE(find(kChanger, 0x8C), nullptr);
  EXPECT_EQ(find(kChanger, 0x28), nullptr);
}

TEST(OpcodeCatalog, CdromRows) {
  const OpcodeInfo* r10 = find(kCdrom, 0x28);
  ASSERT_NE(r10, nullptr);
  EXPECT_EQ(r10->len_unit, LengthUnit::blocks);
  EXPECT_TRUE(has(*r10, OpcodeFlags::lba_range));
  for (uint8_t op : {0x43, 0x51, 0x52, 0x46, 0x4A, 0x5C, 0x23, 0x42}) {
    const OpcodeInfo* r = find(kCdrom, op);
    ASSERT_NE(r, nullptr) << int(op);
    EXPECT_EQ(r->len_offset, 7) << r->name;
    EXPECT_EQ(r->len_size, 2) << r->name;
    EXPECT_TRUE(has(*r, OpcodeFlags::allocation_length)) << r->name;
  }
  for (uint8_t op : {0xBD, 0xAD, 0xA4}) EXPECT_EQ(find(kCdrom, op)->len_offset, 8) << int(op);
  // SEND KEY lives as service action 00h next to the core's MAINTENANCE IN rows.
  const OpcodeInfo* send_key = find(kCdrom, 0xA3, 0x00);
  ASSERT_NE(send_key, nullptr);
  EXPECT_EQ(send_key->direction, DataDir::write);
  for (uint8_t op : {0x2A, 0xAA, 0xA1, 0x5B, 0x53, 0x5D, 0x04})
    EXPECT_TRUE(has(*find(kCdrom, op), OpcodeFlags::writes_medium)) << int(op);
  EXPECT_EQ(find(kCdrom, 0xB6)->len_offset, 9);  // SET STREAMING
  EXPECT_EQ(find(kCdrom, 0x5D)->len_size, 3);    // SEND CUE SHEET
  EXPECT_EQ(find(kCdrom, 0x3B)->opcode, 0x3B);   // firmware updates via WRITE BUFFER
}

TEST(OpcodeCatalog, ProcessorSendReceive) {
  const OpcodeInfo* rx = find(kProcessor, 0x08);
  ASSERT_NE(rx, nullptr);
  EXPECT_EQ(rx->direction, DataDir::read);
  EXPECT_EQ(rx->len_unit, LengthUnit::bytes);
  EXPECT_EQ(rx->len_offset, 2);
  EXPECT_EQ(rx->len_size, 3);
  const OpcodeInfo* tx = find(kProcessor, 0x0A);
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->direction, DataDir::write);
  EXPECT_FALSE(has(*tx, OpcodeFlags::writes_medium));
}

TEST(OpcodeCatalog, IsLongRunning) {
  uint8_t rewind[6] = {0x01, 0, 0, 0, 0, 0};
  uint8_t read6[6] = {0x08, 0, 0, 0, 1, 0};
  uint8_t move[12] = {0xA5, 0, 0, 1, 0, 2, 0, 3, 0, 0, 0, 0};
  EXPECT_TRUE(is_long_running(kTape, rewind));
  EXPECT_FALSE(is_long_running(kDisk, rewind));  // 01h is not REWIND on a disk
  EXPECT_FALSE(is_long_running(kTape, read6));
  EXPECT_FALSE(is_long_running(kDisk, read6));
  EXPECT_TRUE(is_long_running(kChanger, move));
  EXPECT_FALSE(is_long_running(kDisk, move));
  EXPECT_FALSE(is_long_running(kTape, nullptr));

  uint8_t res[12] = {0xB8, 0, 0, 0, 0, 10, 0x00, 0, 0x10, 0, 0, 0};
  EXPECT_TRUE(is_long_running(kChanger, res));  // CURDATA=0: may scan
  res[6] = 0x02;
  EXPECT_FALSE(is_long_running(kChanger, res));

  uint8_t blank[12] = {0xA1, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(is_long_running(kCdrom, blank));
  uint8_t sync10[10] = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(is_long_running(kDisk, sync10));
  uint8_t wb[10] = {0x3B, 0x07, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(is_long_running(kEnclosure, wb));
}

TEST(OpcodeCatalog, FixedDataLengths) {
  auto len = [](uint8_t type, std::initializer_list<uint8_t> cdb) {
    std::vector<uint8_t> c(cdb);
    return fixed_data_length(type, c);
  };
  EXPECT_EQ(len(kDisk, {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 8u);
  EXPECT_EQ(len(kTape, {0x05, 0, 0, 0, 0, 0}), 6u);
  EXPECT_EQ(len(kTape, {0x05, 1, 0, 0, 0, 0}), 20u);  // MLOI
  EXPECT_EQ(len(kTape, {0x34, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}), 20u);
  EXPECT_EQ(len(kTape, {0x34, 0x06, 0, 0, 0, 0, 0, 0, 0, 0}), 32u);
  EXPECT_FALSE(len(kTape, {0x34, 0x08, 0, 0, 0, 0, 0, 0x20, 0, 0}).has_value());
  EXPECT_FALSE(len(kTape, {0x08, 1, 0, 0, 4, 0}).has_value());  // block size in force
  EXPECT_FALSE(len(kDisk, {0x05, 0, 0, 0, 0, 0}).has_value());
  EXPECT_FALSE(len(kTape, {0x05}).has_value());  // short CDB
  EXPECT_EQ(len(kCdrom, {0x04, 0x11, 0, 0, 0, 0}), 12u);
  EXPECT_EQ(len(kCdrom, {0x04, 0x00, 0, 0, 0, 0}), 0u);
  // READ CD, 10 blocks of Mode 1 user data only: exact.
  EXPECT_EQ(len(kCdrom, {0xBE, 2 << 2, 0, 0, 0, 0, 0, 0, 10, 0x10, 0, 0}), 20480u);
  // Any sector type, whole sector + C2 (296) + raw sub-channel: bound.
  EXPECT_EQ(len(kCdrom, {0xBE, 0, 0, 0, 0, 0, 0, 0, 2, 0xF8 | 0x04, 0x01, 0}),
            2u * (2352 + 296 + 96));
  // READ CD MSF 00:02:00 .. 00:02:05 = 5 CD-DA sectors.
  EXPECT_EQ(len(kCdrom, {0xB9, 1 << 2, 0, 0, 2, 0, 0, 2, 5, 0x10, 0, 0}), 5u * 2352);
  EXPECT_EQ(len(kCdrom, {0xB9, 0, 0, 0, 2, 5, 0, 2, 0, 0x10, 0, 0}), 0u);  // end < start
  // GET PERFORMANCE: 8-byte header + up to 4 descriptors.
  EXPECT_EQ(len(kCdrom, {0xAC, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0x00, 0}), 8u + 4 * 16);
  // Huge counts are capped like an allocation length.
  EXPECT_LE(*len(kCdrom, {0xBE, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF8, 0x01, 0}), 8u << 20);
}

#ifdef NEXUS_PT_HAVE_CORE_TABLE
namespace scsi = nexus::scsi;

// With DeviceInfoFlags::passthrough the core's table builder accepts every
// row, TEST UNIT READY and MODE SENSE/SELECT included; a normal LU refuses
// exactly those five as overrides of its own.
TEST(OpcodeCatalogCoreTable, PassthroughTableAcceptsEveryRow) {
  for (uint8_t t : kTypes) {
    const auto type = nexus::PeripheralType(t);
    std::vector<scsi::RejectedRow> rejected;
    scsi::OpcodeTable table(scsi::core_rows_for_passthrough(type), catalog_rows(t), &rejected);
    for (const auto& r : rejected) ADD_FAILURE() << int(t) << ": " << r.row->name;
    EXPECT_EQ(table.rows().size(),
              scsi::core_rows_for_passthrough(type).size() + catalog_rows(t).size());
    for (uint8_t op : {0x00, 0x15, 0x1A, 0x55, 0x5A}) {
      const OpcodeInfo* row = table.find(op, 0);
      ASSERT_NE(row, nullptr) << int(op);
      EXPECT_FALSE(has(*row, OpcodeFlags::handled_by_core)) << row->name;
    }

    rejected.clear();
    scsi::OpcodeTable normal(scsi::core_rows_without_alua(type), catalog_rows(t), &rejected);
    std::set<uint8_t> ops;
    for (const auto& r : rejected) {
      EXPECT_EQ(r.why, scsi::RowRejection::overrides_core) << r.row->name;
      ops.insert(r.row->opcode);
    }
    EXPECT_EQ(ops, (std::set<uint8_t>{0x00, 0x15, 0x1A, 0x55, 0x5A})) << int(t);
  }
}

TEST(OpcodeCatalogCoreTable, LookupAppliesTheRows) {
  scsi::OpcodeTable disk(scsi::core_rows_for_passthrough(nexus::PeripheralType::disk),
                         catalog_rows(kDisk));
  std::array<uint8_t, 16> c{0x28, 0x18, 0, 0, 0x10, 0, 0, 0, 8, 0};
  EXPECT_TRUE(disk.lookup(c));
  c[9] = 0x04;  // NACA
  EXPECT_FALSE(disk.lookup(c));
  c[9] = 0;
  c[1] = 0x20;  // RDPROTECT
  EXPECT_FALSE(disk.lookup(c));

  std::array<uint8_t, 16> sec{0xA2, 0x00, 0, 0, 0x80, 0, 0, 0, 2, 0, 0, 0};
  EXPECT_FALSE(disk.lookup(sec));  // INC_512
  sec[4] = 0;
  EXPECT_TRUE(disk.lookup(sec));

  // MAINTENANCE IN: ours and the core's service actions side by side.
  const OpcodeInfo* rii = disk.find(0xA3, 0x05);
  ASSERT_NE(rii, nullptr);
  EXPECT_FALSE(has(*rii, OpcodeFlags::handled_by_core));
  const OpcodeInfo* rsoc = disk.find(0xA3, 0x0C);
  ASSERT_NE(rsoc, nullptr);
  EXPECT_TRUE(has(*rsoc, OpcodeFlags::handled_by_core));

  scsi::OpcodeTable changer(scsi::core_rows_for_passthrough(nexus::PeripheralType::changer),
                            catalog_rows(kChanger));
  std::array<uint8_t, 16> res{0xB8, 0x10, 0, 0, 0, 10, 0x02, 0, 0x40, 0, 0, 0};
  auto hit = changer.lookup(res);
  ASSERT_TRUE(hit);
  EXPECT_STREQ(hit.row->name, "READ ELEMENT STATUS");

  scsi::OpcodeTable cd(scsi::core_rows_for_passthrough(nexus::PeripheralType::cdrom),
                       catalog_rows(kCdrom));
  std::array<uint8_t, 16> send_key{0xA3, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0x01, 0};
  auto sk = cd.lookup(send_key);
  ASSERT_TRUE(sk);
  EXPECT_STREQ(sk.row->name, "SEND KEY");
}
#endif

}  // namespace
}  // namespace tests
