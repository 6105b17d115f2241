// MOVE MEDIUM and EXCHANGE MEDIUM: every element-type combination, every
// refusal with its exact sense, and the drive loads/unloads behind them.
#include <gtest/gtest.h>

#include "library_fixture.h"

namespace nexus::changer::test {
namespace {

class MoveMedium : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lib.start(), Status::ok); }
  std::string at(uint16_t a) {
    for (auto& p : lib.changer()->placements())
      if (p.address == a) return p.barcode;
    return "";
  }
  Library lib;
};

TEST_F(MoveMedium, EveryValidSourceDestinationPair) {
  // slot -> slot, slot -> I/E, I/E -> slot, I/E -> I/E, slot -> drive,
  // drive -> drive, drive -> I/E, I/E -> drive, drive -> slot.
  const uint16_t s1 = kSlot1, s5 = kSlot1 + 4, ie1 = kIe1, d0 = kDrive0, d1 = kDrive0 + 1;
  EXPECT_GOOD(lib.exec(move_cdb(s1, s5)));
  EXPECT_EQ(at(s5), "A00001L8");
  EXPECT_GOOD(lib.exec(move_cdb(s5, ie1)));
  EXPECT_EQ(at(ie1), "A00001L8");
  EXPECT_GOOD(lib.exec(move_cdb(ie1, s1)));
  EXPECT_GOOD(lib.exec(move_cdb(kIe1 + 1, ie1)));
  EXPECT_EQ(at(ie1), "B00001L8");
  EXPECT_GOOD(lib.exec(move_cdb(s1, d0)));
  EXPECT_EQ(lib.tape0.state(), MediumState::loaded);
  EXPECT_EQ(lib.tape0.path(), lib.path_of("A00001L8"));
  lib.tape0.eject();
  EXPECT_GOOD(lib.exec(move_cdb(d0, d1)));
  EXPECT_EQ(lib.tape0.state(), MediumState::empty);
  EXPECT_EQ(lib.tape1.path(), lib.path_of("A00001L8"));
  lib.tape1.eject();
  EXPECT_GOOD(lib.exec(move_cdb(d1, kIe1 + 1)));
  EXPECT_EQ(lib.tape1.state(), MediumState::empty);
  EXPECT_GOOD(lib.exec(move_cdb(ie1, d1)));
  EXPECT_EQ(lib.tape1.path(), lib.path_of("B00001L8"));
  lib.tape1.eject();
  EXPECT_GOOD(lib.exec(move_cdb(d1, s5)));
  EXPECT_EQ(at(s5), "B00001L8");
  EXPECT_EQ(lib.tape1.state(), MediumState::empty);
}

TEST_F(MoveMedium, WriteProtectedCartridgeLoadsWriteProtected) {
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1 + 2, kDrive0)));
  EXPECT_TRUE(lib.tape0.write_protected());
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kDrive0 + 1)));
  EXPECT_FALSE(lib.tape1.write_protected());
}

TEST_F(MoveMedium, InvalidElementAddresses) {
  struct Case {
    uint16_t transport, src, dst, field;
  };
  const Case cases[] = {
      {0x0001, kSlot1, kSlot1 + 4, 2},                              // not the transport
      {0x1000, kSlot1, kSlot1 + 4, 2}, {0, 0x0005, kSlot1 + 4, 4},  // gap
      {0, 0x0012, kSlot1 + 4, 4},                                   // past the I/E slots
      {0, 0x0102, kSlot1 + 4, 4},                                   // past the drives
      {0, 0x100A, kSlot1 + 4, 4},                                   // past the slots
      {0, 0x0000, kSlot1 + 4, 4},                                   // the transport as source
      {0, kSlot1, 0x0000, 6},                                       // ... as destination
      {0, kSlot1, 0xFFFF, 6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << std::hex << c.transport << " " << c.src << " " << c.dst);
    auto r = lib.exec(move_cdb(c.src, c.dst, c.transport));
    expect_sense(*r, SenseKey::illegal_request, 0x21, 0x01);
    EXPECT_TRUE(r->sense().flags & SenseFlags::field_in_cdb);
    EXPECT_EQ(r->sense().field_pointer, c.field);
  }
  EXPECT_EQ(at(kSlot1), "A00001L8");
}

TEST_F(MoveMedium, SourceEmptyAndDestinationFull) {
  const uint16_t empty_slot = kSlot1 + 4;
  for (uint16_t src : {empty_slot, kIe1, kDrive0})
    expect_sense(*lib.exec(move_cdb(src, kSlot1 + 5)), SenseKey::illegal_request, 0x3B, 0x0E);
  for (uint16_t dst : {uint16_t(kSlot1 + 1), uint16_t(kIe1 + 1), kSlot1})
    expect_sense(*lib.exec(move_cdb(kSlot1, dst)), SenseKey::illegal_request, 0x3B, 0x0D);
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kDrive0)));
  expect_sense(*lib.exec(move_cdb(kSlot1 + 1, kDrive0)), SenseKey::illegal_request, 0x3B, 0x0D);
  EXPECT_EQ(lib.tape0.loads, 1);
}

TEST_F(MoveMedium, DriveMustHaveUnloadedTheCartridge) {
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kDrive0)));
  // Still loaded (no LOAD UNLOAD 0 yet): MEDIUM REMOVAL PREVENTED.
  expect_sense(*lib.exec(move_cdb(kDrive0, kSlot1)), SenseKey::illegal_request, 0x53, 0x02);
  EXPECT_EQ(lib.tape0.state(), MediumState::loaded);
  EXPECT_EQ(at(kDrive0), "A00001L8");
  // Unloaded but PREVENT ALLOW MEDIUM REMOVAL in effect on the drive.
  lib.tape0.eject();
  lib.tape0.prevented = true;
  expect_sense(*lib.exec(move_cdb(kDrive0, kSlot1)), SenseKey::illegal_request, 0x53, 0x02);
  lib.tape0.prevented = false;
  EXPECT_GOOD(lib.exec(move_cdb(kDrive0, kSlot1)));
  EXPECT_EQ(lib.tape0.state(), MediumState::empty);
  EXPECT_EQ(at(kSlot1), "A00001L8");
}

TEST_F(MoveMedium, DriveHoldingAForeignMediumIsFull) {
  lib.tape0.load(to_str(std::string("/elsewhere.tape")), false);
  expect_sense(*lib.exec(move_cdb(kSlot1, kDrive0)), SenseKey::illegal_request, 0x3B, 0x0D);
  EXPECT_EQ(at(kSlot1), "A00001L8");
}

TEST_F(MoveMedium, LoadFailureLeavesTheCartridgeWhereItWas) {
  lib.tape1.fail_load = true;
  expect_sense(*lib.exec(move_cdb(kSlot1, kDrive0 + 1)), SenseKey::hardware_error, 0x53, 0x00);
  EXPECT_EQ(at(kSlot1), "A00001L8");
  // Drive to drive: the source drive gets its cartridge back.
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kDrive0)));
  lib.tape0.eject();
  expect_sense(*lib.exec(move_cdb(kDrive0, kDrive0 + 1)), SenseKey::hardware_error, 0x53, 0x00);
  EXPECT_EQ(at(kDrive0), "A00001L8");
  EXPECT_EQ(lib.tape0.path(), lib.path_of("A00001L8"));
  EXPECT_TRUE(lib.host.logged("W changer: loading A00001L8"));
}

TEST_F(MoveMedium, MissingDriveDeviceIsAHardwareError) {
  lib.host.peers.erase("tape1");
  ASSERT_EQ(lib.start(), Status::ok);
  expect_sense(*lib.exec(move_cdb(kSlot1, kDrive0 + 1)), SenseKey::hardware_error, 0x44, 0x00);
  EXPECT_EQ(at(kSlot1), "A00001L8");
}

TEST_F(MoveMedium, ExchangeMedium) {
  // Swap two slots (second destination = source).
  EXPECT_GOOD(lib.exec(exchange_cdb(kSlot1, kSlot1 + 1, kSlot1)));
  EXPECT_EQ(at(kSlot1), "A00002L8");
  EXPECT_EQ(at(kSlot1 + 1), "A00001L8");
  // Rotate through an empty slot.
  EXPECT_GOOD(lib.exec(exchange_cdb(kSlot1, kSlot1 + 1, kSlot1 + 4)));
  EXPECT_EQ(at(kSlot1), "");
  EXPECT_EQ(at(kSlot1 + 1), "A00002L8");
  EXPECT_EQ(at(kSlot1 + 4), "A00001L8");
  // Swap the cartridge in an unloaded drive with one in a slot.
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1 + 1, kDrive0)));
  lib.tape0.eject();
  EXPECT_GOOD(lib.exec(exchange_cdb(kSlot1 + 4, kDrive0, kSlot1 + 4)));
  EXPECT_EQ(lib.tape0.path(), lib.path_of("A00001L8"));
  EXPECT_EQ(lib.tape0.state(), MediumState::loaded);
  EXPECT_EQ(at(kSlot1 + 4), "A00002L8");
  // Refusals.
  expect_sense(*lib.exec(exchange_cdb(kSlot1 + 4, kDrive0, kSlot1 + 4)), SenseKey::illegal_request,
               0x53, 0x02);  // drive still loaded
  expect_sense(*lib.exec(exchange_cdb(kSlot1, kSlot1 + 4, kSlot1 + 5)), SenseKey::illegal_request,
               0x3B, 0x0E);
  expect_sense(*lib.exec(exchange_cdb(kSlot1 + 2, kSlot1 + 4, kSlot1 + 9)),
               SenseKey::illegal_request, 0x3B, 0x0D);
  auto r = lib.exec(exchange_cdb(kSlot1 + 2, kSlot1 + 4, 0x0000));
  expect_sense(*r, SenseKey::illegal_request, 0x21, 0x01);
  EXPECT_EQ(r->sense().field_pointer, 8);
  r = lib.exec(exchange_cdb(kSlot1 + 2, kSlot1 + 2, kSlot1 + 5));
  EXPECT_EQ(r->sense().field_pointer, 6);
}

TEST_F(MoveMedium, PositionAndInitializeElementStatus) {
  std::vector<uint8_t> pos(10, 0);
  pos[0] = op::kPositionToElement;
  put_be16(&pos[4], kDrive0);
  EXPECT_GOOD(lib.exec(pos));
  put_be16(&pos[4], 0x0102);
  expect_sense(*lib.exec(pos), SenseKey::illegal_request, 0x21, 0x01);
  put_be16(&pos[2], 0x0001);
  put_be16(&pos[4], kDrive0);
  expect_sense(*lib.exec(pos), SenseKey::illegal_request, 0x21, 0x01);

  EXPECT_GOOD(lib.exec({op::kInitializeElementStatus, 0, 0, 0, 0, 0}));
  std::vector<uint8_t> range(10, 0);
  range[0] = op::kInitializeElementStatusWithRange;
  range[1] = 0x01;  // RANGE
  put_be16(&range[2], kSlot1);
  put_be16(&range[6], 10);
  EXPECT_GOOD(lib.exec(range));
  put_be16(&range[2], 0x0500);
  expect_sense(*lib.exec(range), SenseKey::illegal_request, 0x21, 0x01);
  range[1] = 0x00;  // RANGE=0: all elements, the address is ignored
  EXPECT_GOOD(lib.exec(range));
}

TEST_F(MoveMedium, PreventAllowIsPerNexusAndClearedByReset) {
  std::vector<uint8_t> prevent = {op::kPreventAllowMediumRemoval, 0, 0, 0, 1, 0};
  std::vector<uint8_t> allow = {op::kPreventAllowMediumRemoval, 0, 0, 0, 0, 0};
  EXPECT_GOOD(lib.exec(prevent, 0, 1));
  EXPECT_GOOD(lib.exec(prevent, 0, 2));
  EXPECT_TRUE(lib.changer()->removal_prevented());
  EXPECT_GOOD(lib.exec(allow, 0, 1));
  EXPECT_TRUE(lib.changer()->removal_prevented());
  EXPECT_GOOD(lib.exec(allow, 0, 2));
  EXPECT_FALSE(lib.changer()->removal_prevented());
  EXPECT_GOOD(lib.exec(prevent, 0, 1));
  lib.dev->reset(ResetKind::lun_reset);
  EXPECT_FALSE(lib.changer()->removal_prevented());
  // The loss of the preventing I_T nexus ends its prevention (SPC-4 6.13).
  EXPECT_GOOD(lib.exec(prevent, 0, 3));
  EXPECT_GOOD(lib.exec(prevent, 0, 4));
  lib.dev->nexus_lost(3);
  EXPECT_TRUE(lib.changer()->removal_prevented());
  lib.dev->nexus_lost(4);
  EXPECT_FALSE(lib.changer()->removal_prevented());
  auto r = lib.exec({op::kPreventAllowMediumRemoval, 0, 0, 0, 2, 0});
  expect_sense(*r, SenseKey::illegal_request, 0x24, 0x00);
  // Moves to and from I/E slots still work (prevention is for the operator).
  EXPECT_GOOD(lib.exec(prevent, 0, 1));
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kIe1)));
}

}  // namespace
}  // namespace nexus::changer::test
