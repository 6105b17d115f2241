// The conflict table (data) and ReservationState::conflicts() over it.
#include <gtest/gtest.h>

#include "pr_test_util.h"
#include "reservations/conflict_table.h"

namespace nexus::server::resv::test {
namespace {

const std::array<uint8_t, 10> kRead10{0x28};
const std::array<uint8_t, 10> kWrite10{0x2A};
const std::array<uint8_t, 6> kModeSelect6{0x15};
const std::array<uint8_t, 6> kInquiry{0x12};
const std::array<uint8_t, 6> kTur{0x00};
const std::array<uint8_t, 10> kReadCapacity{0x25};

TEST(ConflictTable, OneRowPerClassInEnumOrder) {
  size_t n = 0;
  const ConflictRow* rows = conflict_rows(&n);
  ASSERT_EQ(n, size_t(ResvClass::allowed_if_registered) + 1);
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(size_t(rows[i].cls), i);
  // Unknown classes behave like `conflict`.
  EXPECT_EQ(conflict_row(ResvClass(200)).cls, ResvClass::conflict);
}

// libiscsi ProutReserveAccess*: {registered read, registered write,
// unregistered read, unregistered write} allowed for another initiator.
struct AccessCase {
  PrType type;
  bool reg_read, reg_write, unreg_read, unreg_write;
};
class Access : public ::testing::TestWithParam<AccessCase> {};

TEST_P(Access, ReadWriteForRegisteredAndUnregisteredOthers) {
  const AccessCase c = GetParam();
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0xA));
  expect_good(do_register_ignore(s, B, 0xB));
  expect_good(do_reserve(s, A, 0xA, c.type));
  // The holder is never blocked.
  EXPECT_FALSE(s.conflicts(A, ResvClass::read, kRead10));
  EXPECT_FALSE(s.conflicts(A, ResvClass::write, kWrite10));
  EXPECT_FALSE(s.conflicts(A, ResvClass::conflict, kModeSelect6));
  EXPECT_EQ(s.conflicts(B, ResvClass::read, kRead10), !c.reg_read);
  EXPECT_EQ(s.conflicts(B, ResvClass::write, kWrite10), !c.reg_write);
  // MODE SELECT-like commands: only registrants of RO/AR types get through.
  EXPECT_EQ(s.conflicts(B, ResvClass::conflict, kModeSelect6),
            !(registrants_only(c.type) || all_registrants(c.type)));
  EXPECT_EQ(s.conflicts(B, ResvClass::allowed_if_registered, kTur), false);
  // C never registered.
  EXPECT_EQ(s.conflicts(C, ResvClass::read, kRead10), !c.unreg_read);
  EXPECT_EQ(s.conflicts(C, ResvClass::write, kWrite10), !c.unreg_write);
  EXPECT_TRUE(s.conflicts(C, ResvClass::conflict, kModeSelect6));
  EXPECT_TRUE(s.conflicts(C, ResvClass::allowed_if_registered, kTur));
  // Always allowed, whatever the type.
  for (const NexusIdentity* n : {&B, &C}) {
    EXPECT_FALSE(s.conflicts(*n, ResvClass::allowed, kInquiry));
    EXPECT_FALSE(s.conflicts(*n, ResvClass::allowed, kTur));
    EXPECT_FALSE(s.conflicts(*n, ResvClass::pr_in, std::array<uint8_t, 10>{0x5E}));
    EXPECT_FALSE(s.conflicts(*n, ResvClass::pr_out, std::array<uint8_t, 10>{0x5F}));
    EXPECT_FALSE(s.conflicts(*n, ResvClass::release, std::array<uint8_t, 6>{0x17}));
    // RESERVE conflicts while anyone is registered (SPC-4 5.13.3).
    EXPECT_TRUE(s.conflicts(*n, ResvClass::reserve, std::array<uint8_t, 6>{0x16}));
  }
  // B unregisters: now a non-registrant, like C.
  expect_good(do_register(s, B, 0xB, 0));
  EXPECT_EQ(s.conflicts(B, ResvClass::read, kRead10), !c.unreg_read);
  EXPECT_EQ(s.conflicts(B, ResvClass::write, kWrite10), !c.unreg_write);
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, Access,
    ::testing::Values(
        AccessCase{PrType::exclusive_access, false, false, false, false},
        AccessCase{PrType::write_exclusive, true, false, true, false},
        AccessCase{PrType::exclusive_access_registrants_only, true, true, false, false},
        AccessCase{PrType::write_exclusive_registrants_only, true, true, true, false},
        AccessCase{PrType::exclusive_access_all_registrants, true, true, false, false},
        AccessCase{PrType::write_exclusive_all_registrants, true, true, true, false}));

TEST(ConflictTable, RegistrationsWithoutReservationBlockNothingButReserve) {
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0xA));
  for (ResvClass cls : {ResvClass::read, ResvClass::write, ResvClass::conflict,
                        ResvClass::allowed_if_registered, ResvClass::pr_in, ResvClass::pr_out})
    EXPECT_FALSE(s.conflicts(C, cls, kRead10)) << int(cls);
  EXPECT_TRUE(s.conflicts(A, ResvClass::reserve, std::array<uint8_t, 6>{0x16}));
}

TEST(ConflictTable, NoReservationNoConflict) {
  ReservationState s;
  for (size_t i = 0; i <= size_t(ResvClass::allowed_if_registered); ++i)
    EXPECT_FALSE(s.conflicts(A, ResvClass(i), kRead10)) << i;
}

TEST(ConflictTable, Spc2ReservationColumn) {
  ReservationState s;
  expect_good(s.reserve(A, std::array<uint8_t, 6>{0x16}));
  // Holder: everything but PR IN/OUT (SPC-2 5.5.1: those conflict for all).
  EXPECT_FALSE(s.conflicts(A, ResvClass::read, kRead10));
  EXPECT_FALSE(s.conflicts(A, ResvClass::write, kWrite10));
  EXPECT_FALSE(s.conflicts(A, ResvClass::allowed, kTur));
  EXPECT_TRUE(s.conflicts(A, ResvClass::pr_in, std::array<uint8_t, 10>{0x5E}));
  EXPECT_TRUE(s.conflicts(A, ResvClass::pr_out, std::array<uint8_t, 10>{0x5F}));
  // Another nexus (also the same initiator through another port / ISID).
  for (const NexusIdentity* n : {&B, &A2, &Anew}) {
    EXPECT_TRUE(s.conflicts(*n, ResvClass::read, kRead10));
    EXPECT_TRUE(s.conflicts(*n, ResvClass::write, kWrite10));
    EXPECT_TRUE(s.conflicts(*n, ResvClass::conflict, kModeSelect6));
    EXPECT_TRUE(s.conflicts(*n, ResvClass::allowed_if_registered, kTur));
    EXPECT_TRUE(s.conflicts(*n, ResvClass::reserve, std::array<uint8_t, 6>{0x16}));
    EXPECT_FALSE(s.conflicts(*n, ResvClass::release, std::array<uint8_t, 6>{0x17}));
    EXPECT_FALSE(s.conflicts(*n, ResvClass::allowed, kInquiry));
    EXPECT_FALSE(s.conflicts(*n, ResvClass::allowed, kReadCapacity));
    // TEST UNIT READY is the SPC-2 exception among `allowed` commands.
    EXPECT_TRUE(s.conflicts(*n, ResvClass::allowed, kTur));
  }
  EXPECT_TRUE(spc2_conflicts(ResvClass::allowed, 0x00));
  EXPECT_FALSE(spc2_conflicts(ResvClass::allowed, 0x12));
}

TEST(ConflictTable, NewIsidIsANonRegistrant) {
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0xA));
  expect_good(do_reserve(s, A, 0xA, PrType::exclusive_access_registrants_only));
  EXPECT_FALSE(s.conflicts(A, ResvClass::write, kWrite10));
  // The same initiator logging in with a new ISID is another initiator port.
  EXPECT_TRUE(s.conflicts(Anew, ResvClass::write, kWrite10));
  EXPECT_TRUE(s.conflicts(Anew, ResvClass::read, kRead10));
  EXPECT_FALSE(s.is_registered(Anew));
  EXPECT_TRUE(s.is_registered(A));
  // Through another target port A is not registered either (no ALL_TG_PT).
  EXPECT_TRUE(s.conflicts(A2, ResvClass::read, kRead10));
}

}  // namespace
}  // namespace nexus::server::resv::test
