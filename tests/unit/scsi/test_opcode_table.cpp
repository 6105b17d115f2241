#include <gtest/gtest.h>

#include <vector>

#include "fake_device.h"
#include "scsi/core_opcode_rows.h"
#include "scsi/opcode_table.h"

namespace nexus::scsi::test {
namespace {

class OpcodeTableTest : public ::testing::Test {
 protected:
  OpcodeTableTest() : table_(core_rows(PeripheralType::disk), rows_, &rejected_) {}

  LookupResult lookup(std::vector<uint8_t> cdb) { return table_.lookup(cdb); }

  static void expect_invalid_field(const LookupResult& r, uint16_t byte, int bit) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.sense.key, SenseKey::illegal_request);
    EXPECT_EQ(r.sense.asc, 0x24);
    EXPECT_EQ(r.sense.ascq, 0x00);
    ASSERT_TRUE(r.sense.flags & SenseFlags::field_valid);
    EXPECT_TRUE(r.sense.flags & SenseFlags::field_in_cdb);
    EXPECT_EQ(r.sense.field_pointer, byte);
    if (bit < 0) {
      EXPECT_FALSE(r.sense.flags & SenseFlags::field_bit_valid);
    } else {
      ASSERT_TRUE(r.sense.flags & SenseFlags::field_bit_valid);
      EXPECT_EQ(r.sense.field_bit, bit);
    }
  }

  std::vector<OpcodeInfo> rows_ = disk_rows();
  std::vector<RejectedRow> rejected_;
  OpcodeTable table_;
};

TEST_F(OpcodeTableTest, AcceptsValidCdbs) {
  EXPECT_TRUE(rejected_.empty());
  auto r = lookup({0x12, 0x01, 0x83, 0x00, 0xFF, 0x00});
  ASSERT_TRUE(r);
  EXPECT_STREQ(r.row->name, "INQUIRY");
  EXPECT_TRUE(r.row->flags & OpcodeFlags::handled_by_core);
  r = lookup({0x28, 0x00, 0, 0, 0, 1, 0, 0, 8, 0});
  ASSERT_TRUE(r);
  EXPECT_STREQ(r.row->name, "READ(10)");
  EXPECT_FALSE(r.row->flags & OpcodeFlags::handled_by_core);
  r = lookup({0xA3, 0x0C, 0x81, 0x12, 0, 0, 0, 0, 1, 0, 0, 0});
  ASSERT_TRUE(r);
  EXPECT_STREQ(r.row->name, "REPORT SUPPORTED OPERATION CODES");
}

TEST_F(OpcodeTableTest, UnknownOpcode) {
  for (auto cdb : {bytes({0xFF, 0, 0, 0, 0, 0}), bytes({0x04, 0, 0, 0, 0, 0}), bytes({})}) {
    auto r = lookup(cdb);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.sense.key, SenseKey::illegal_request);
    EXPECT_EQ(r.sense.asc, 0x20);
    EXPECT_EQ(r.sense.ascq, 0x00);
  }
}

TEST_F(OpcodeTableTest, UnknownServiceActionPointsAtIt) {
  expect_invalid_field(lookup({0xA3, 0x1F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 1, 4);
  expect_invalid_field(lookup({0x5E, 0x07, 0, 0, 0, 0, 0, 0, 0, 0}), 1, 4);
}

TEST_F(OpcodeTableTest, ReservedBitsPointAtFirstOffendingBit) {
  // INQUIRY CMDDT (obsolete, byte 1 bit 1).
  expect_invalid_field(lookup({0x12, 0x02, 0, 0, 0xFF, 0}), 1, 1);
  // REPORT LUNS byte 3 reserved: highest offending bit is reported.
  expect_invalid_field(lookup({0xA0, 0, 0, 0x21, 0, 0, 0, 0, 0, 16, 0, 0}), 3, 5);
  // MODE SENSE(6) byte 1 bit 4 (LLBAA exists only in the 10-byte CDB).
  expect_invalid_field(lookup({0x1A, 0x10, 0x3F, 0, 0xFF, 0}), 1, 4);
  // Bits above the SA field of a MAINTENANCE IN row without them.
  expect_invalid_field(lookup({0xA3, 0x2C, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}), 1, 5);
  // Byte 10 reserved in REPORT LUNS, and the earlier byte wins.
  expect_invalid_field(lookup({0xA0, 0, 0, 0, 0x80, 0, 0, 0, 0, 16, 0x01, 0}), 4, 7);
}

TEST_F(OpcodeTableTest, RejectsNacaAndOtherControlBits) {
  expect_invalid_field(lookup({0x12, 0, 0, 0, 0xFF, 0x04}), 5, 2);
  expect_invalid_field(lookup({0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0x04}), 9, 2);
  expect_invalid_field(lookup({0x00, 0, 0, 0, 0, 0x01}), 5, 0);  // LINK
  expect_invalid_field(lookup({0x00, 0, 0, 0, 0, 0x80}), 5, 7);  // vendor bits
}

TEST_F(OpcodeTableTest, CdbLength) {
  // Too short for its group.
  auto r = lookup({0x28, 0, 0, 0, 0, 0});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.sense.asc, 0x24);
  // Transports pad CDBs to 16 bytes: bytes past the command are ignored.
  std::vector<uint8_t> padded = {0x00, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(lookup(padded));
}

TEST_F(OpcodeTableTest, VariableLengthCdb) {
  std::vector<uint8_t> cdb(32, 0);
  cdb[0] = 0x7F;
  cdb[7] = 0x18;
  cdb[9] = 0x09;
  cdb[31] = 0xFF;  // inside the CDB but beyond the 16-byte usage mask: not checked
  EXPECT_TRUE(table_.lookup(cdb));
  cdb[9] = 0x0A;
  expect_invalid_field(table_.lookup(cdb), 8, 7);
  cdb[9] = 0x09;
  cdb[7] = 0x10;  // ADDITIONAL CDB LENGTH disagrees with the command
  expect_invalid_field(table_.lookup(cdb), 7, 7);
  cdb[7] = 0x18;
  expect_invalid_field(table_.lookup(std::span<const uint8_t>(cdb).first(20)), 7, 7);
  cdb[1] = 0x04;  // NACA is in byte 1 of a variable length CDB
  expect_invalid_field(table_.lookup(cdb), 1, 2);
}

TEST_F(OpcodeTableTest, RowsAreSortedAndSearchable) {
  auto rows = table_.rows();
  ASSERT_EQ(rows.size(), core_rows(PeripheralType::disk).size() + rows_.size());
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_TRUE(rows[i - 1].opcode < rows[i].opcode ||
                (rows[i - 1].opcode == rows[i].opcode &&
                 rows[i - 1].service_action < rows[i].service_action));
  }
  EXPECT_TRUE(table_.has_service_actions(0xA3));
  EXPECT_FALSE(table_.has_service_actions(0x12));
  EXPECT_FALSE(table_.has_service_actions(0xFE));
  EXPECT_NE(table_.find(0xA3, 0x0A), nullptr);
  EXPECT_EQ(table_.find(0xA3, 0x0B), nullptr);
  EXPECT_NE(table_.find(0x12, 0x55), nullptr);  // SA ignored without service actions
}

TEST(OpcodeTableBuild, DeviceRowsCannotOverrideCore) {
  OpcodeInfo inquiry{0x12,
                     6,
                     0,
                     0,
                     DataDir::read,
                     LengthUnit::bytes,
                     3,
                     2,
                     0,
                     0,
                     ResvClass::allowed,
                     0,
                     {0x12, 0xFF},
                     0,
                     "MY INQUIRY"};
  OpcodeInfo rtpg_plain{0xA3,
                        12,
                        0,
                        0,
                        DataDir::read,
                        LengthUnit::bytes,
                        6,
                        4,
                        0,
                        0,
                        ResvClass::allowed,
                        0,
                        {0xA3},
                        0,
                        "A3 WITHOUT SA"};
  OpcodeInfo new_sa{0xA3,
                    12,
                    0x05,
                    OpcodeFlags::service_action | OpcodeFlags::handled_by_core,
                    DataDir::read,
                    LengthUnit::bytes,
                    6,
                    4,
                    0,
                    0,
                    ResvClass::allowed,
                    0,
                    {0xA3, 0x05, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0},
                    0,
                    "REPORT IDENTIFYING INFORMATION"};
  OpcodeInfo bad_len{0x28,
                     12,
                     0,
                     0,
                     DataDir::read,
                     LengthUnit::blocks,
                     7,
                     2,
                     0,
                     0,
                     ResvClass::read,
                     0,
                     {0x28},
                     0,
                     "READ(10) WRONG"};
  OpcodeInfo field_outside{0x2A,
                           10,
                           0,
                           0,
                           DataDir::write,
                           LengthUnit::blocks,
                           9,
                           4,
                           0,
                           0,
                           ResvClass::write,
                           0,
                           {0x2A},
                           0,
                           "LEN OUTSIDE"};
  OpcodeInfo dup = new_sa;
  dup.name = "DUP";
  std::vector<OpcodeInfo> dev = {inquiry, rtpg_plain, new_sa, bad_len, field_outside, dup};
  std::vector<RejectedRow> rejected;
  OpcodeTable t(core_rows(PeripheralType::disk), dev, &rejected);
  ASSERT_EQ(rejected.size(), 5u);
  EXPECT_EQ(rejected[0].why, RowRejection::overrides_core);
  EXPECT_STREQ(rejected[0].row->name, "MY INQUIRY");
  EXPECT_EQ(rejected[1].why, RowRejection::overrides_core);
  EXPECT_EQ(rejected[2].why, RowRejection::bad_length);
  EXPECT_EQ(rejected[3].why, RowRejection::bad_length);
  EXPECT_EQ(rejected[4].why, RowRejection::duplicate);
  EXPECT_STREQ(t.find(0x12)->name, "INQUIRY");
  const OpcodeInfo* added = t.find(0xA3, 0x05);
  ASSERT_NE(added, nullptr);
  EXPECT_FALSE(added->flags & OpcodeFlags::handled_by_core);  // device rows run on the device
}

TEST(CoreRows, FlagsAndClasses) {
  OpcodeTable t(core_rows(PeripheralType::disk), {});
  for (uint8_t op : {0x12, 0xA0, 0x03}) {
    const OpcodeInfo* r = t.find(op);
    ASSERT_NE(r, nullptr);
    EXPECT_TRUE(r->flags & OpcodeFlags::allow_on_ua) << r->name;
    EXPECT_TRUE(r->flags & OpcodeFlags::allocation_length) << r->name;
    EXPECT_TRUE(r->flags & OpcodeFlags::ok_on_no_medium) << r->name;
    EXPECT_EQ(r->resv_class, ResvClass::allowed) << r->name;
  }
  for (const OpcodeInfo& r : t.rows()) {
    EXPECT_TRUE(r.flags & OpcodeFlags::handled_by_core) << r.name;
    EXPECT_EQ(r.usage[r.cdb_length - 1], 0x00) << r.name;  // control byte: no NACA
    if (r.opcode != 0x00) {
      EXPECT_TRUE(r.flags & OpcodeFlags::ok_on_no_medium) << r.name;
    }
  }
  EXPECT_FALSE(t.find(0x00)->flags & OpcodeFlags::ok_on_no_medium);  // TUR reports NOT READY
  EXPECT_EQ(t.find(0x1A)->resv_class, ResvClass::read);
  EXPECT_EQ(t.find(0x15)->resv_class, ResvClass::conflict);
  EXPECT_EQ(t.find(0x16)->resv_class, ResvClass::reserve);
  EXPECT_EQ(t.find(0x57)->resv_class, ResvClass::release);
  EXPECT_EQ(t.find(0x5E, 3)->resv_class, ResvClass::pr_in);
  EXPECT_EQ(t.find(0x5F, 7)->resv_class, ResvClass::pr_out);
  EXPECT_NE(t.find(0xA3, 0x0A), nullptr);
  OpcodeTable no_alua(core_rows_without_alua(PeripheralType::disk), {});
  EXPECT_EQ(no_alua.find(0xA3, 0x0A), nullptr);
  EXPECT_NE(no_alua.find(0xA3, 0x0C), nullptr);
  EXPECT_EQ(core_rows(PeripheralType::wlun).size(), 4u);
}

TEST(PassthroughCoreRows, DeviceOwnsTestUnitReadyAndModeCommands) {
  auto rows = core_rows_for_passthrough(PeripheralType::tape);
  for (const auto& r : rows) {
    EXPECT_NE(r.opcode, op::test_unit_ready) << r.name;
    EXPECT_NE(r.opcode, op::mode_sense_6) << r.name;
    EXPECT_NE(r.opcode, op::mode_sense_10) << r.name;
    EXPECT_NE(r.opcode, op::mode_select_6) << r.name;
    EXPECT_NE(r.opcode, op::mode_select_10) << r.name;
  }
  OpcodeInfo tur{};
  tur.opcode = op::test_unit_ready;
  tur.cdb_length = 6;
  tur.flags = OpcodeFlags::handled_by_core;  // a handler cannot claim core execution
  tur.usage[0] = 0x00;
  tur.name = "TEST UNIT READY";
  const OpcodeInfo dev_rows[] = {tur};

  // A normal LU refuses a handler row that overrides the core's.
  std::vector<RejectedRow> rejected;
  OpcodeTable normal(core_rows_without_alua(PeripheralType::tape), dev_rows, &rejected);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].why, RowRejection::overrides_core);

  // A pass-through LU forwards it; the core still emulates INQUIRY,
  // reservations and REPORT LUNS.
  rejected.clear();
  OpcodeTable pt(rows, dev_rows, &rejected);
  EXPECT_TRUE(rejected.empty());
  auto r = pt.lookup(bytes({0x00, 0, 0, 0, 0, 0}));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.row->flags & OpcodeFlags::handled_by_core);
  for (uint8_t opc : {op::inquiry, op::reserve_6, op::report_luns, op::persistent_reserve_out}) {
    const OpcodeInfo* row = pt.find(opc, opc == op::persistent_reserve_out ? 1 : 0);
    ASSERT_NE(row, nullptr) << int(opc);
    EXPECT_TRUE(row->flags & OpcodeFlags::handled_by_core);
  }
  EXPECT_EQ(pt.find(0xA3, 0x0A), nullptr);  // no ALUA
}

}  // namespace
}  // namespace nexus::scsi::test
