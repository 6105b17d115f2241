// RESERVE, RELEASE, CLEAR and unregistering the holder, for each of the six
// reservation types, sent by the holder, another registrant and a
// non-registrant (SPC-4 5.13.9, 5.13.11).
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

class PerType : public ::testing::TestWithParam<PrType> {
 protected:
  // A (key 0xA) and B (key 0xB) registered, C not; A reserves.
  void SetUp() override {
    expect_good(do_register(s, A, 0, 0xA));
    expect_good(do_register(s, B, 0, 0xB));
    expect_good(do_reserve(s, A, 0xA, t()));
  }
  PrType t() const { return GetParam(); }
  bool ar() const { return all_registrants(t()); }
  uint8_t other_type() const {
    return t() == PrType::write_exclusive ? uint8_t(PrType::exclusive_access)
                                          : uint8_t(PrType::write_exclusive);
  }
  ReservationState s;
};

TEST_P(PerType, ReserveByHolder) {
  Resv r = read_reservation(s);
  EXPECT_TRUE(r.present);
  EXPECT_EQ(r.key, ar() ? 0u : 0xAu);
  EXPECT_EQ(r.scope_type, uint8_t(t()));
  EXPECT_EQ(r.generation, 2u);  // RESERVE does not bump PRgeneration
  // Same scope/type again: GOOD, nothing changes.
  Outcome o = do_reserve(s, A, 0xA, t());
  expect_good(o);
  EXPECT_TRUE(o.effects.empty());
  // Another type from the holder: conflict.
  expect_conflict(do_reserve(s, A, 0xA, PrType(other_type())));
  // Wrong key: conflict.
  expect_conflict(do_reserve(s, A, 0xB, t()));
  EXPECT_EQ(read_reservation(s).scope_type, uint8_t(t()));
  EXPECT_EQ(s.generation(), 2u);
}

TEST_P(PerType, ReserveByOtherRegistrant) {
  // Under all-registrants types B is a holder already: same type is GOOD.
  if (ar())
    expect_good(do_reserve(s, B, 0xB, t()));
  else
    expect_conflict(do_reserve(s, B, 0xB, t()));
  expect_conflict(do_reserve(s, B, 0xB, PrType(other_type())));
  EXPECT_EQ(s.is_holder(B), ar());
  FullStatus fs = read_full_status(s);
  ASSERT_EQ(fs.entries.size(), 2u);
  EXPECT_TRUE(fs.entries[0].r_holder);
  EXPECT_EQ(fs.entries[0].scope_type, uint8_t(t()));
  EXPECT_EQ(fs.entries[1].r_holder, ar());
}

TEST_P(PerType, ReserveByNonRegistrant) {
  expect_conflict(do_reserve(s, C, 0, t()));
  expect_conflict(do_reserve(s, C, 0xA, t()));
}

TEST_P(PerType, ReleaseByNonRegistrantConflicts) {
  expect_conflict(do_release(s, C, 0, t()));
  expect_conflict(do_release(s, C, 0xA, t()));
  EXPECT_TRUE(read_reservation(s).present);
}

TEST_P(PerType, ReleaseByOtherRegistrant) {
  Outcome o = do_release(s, B, 0xB, t());
  expect_good(o);
  if (ar()) {
    // B holds too: the reservation goes, A is told.
    EXPECT_FALSE(read_reservation(s).present);
    EXPECT_EQ(count_ua(o, kNameA, kAscqReservationsReleased), 1);
  } else {
    // Not the holder: GOOD without releasing (SPC-4 5.13.11.2.1).
    EXPECT_TRUE(read_reservation(s).present);
    EXPECT_TRUE(o.effects.empty());
  }
  expect_conflict(do_release(s, B, 0xA, t()));  // wrong key
}

TEST_P(PerType, ReleaseWrongTypeIsInvalidRelease) {
  Outcome o = do_release(s, A, 0xA, PrType(other_type()));
  expect_check(o, SenseKey::illegal_request, 0x26, 0x04);
  EXPECT_TRUE(read_reservation(s).present);
}

TEST_P(PerType, ReleaseByHolder) {
  Outcome o = do_release(s, A, 0xA, t());
  expect_good(o);
  Resv r = read_reservation(s);
  EXPECT_FALSE(r.present);
  EXPECT_EQ(r.generation, 2u);
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0xA, 0xB}));
  // SPC-4 5.13.11.2.2: RESERVATIONS RELEASED to the other registrants for
  // registrants-only and all-registrants types, nothing for WE/EA.
  if (registrants_only(t()) || ar()) {
    EXPECT_EQ(count_ua(o, kNameB, kAscqReservationsReleased), 1);
    for (const Effect& e : o.effects) {
      ASSERT_TRUE(e.exclude_nexus_id.has_value());
      EXPECT_EQ(*e.exclude_nexus_id, A.nexus_id);
    }
  } else {
    EXPECT_TRUE(o.effects.empty());
  }
  // Nothing to release any more: GOOD.
  expect_good(do_release(s, A, 0xA, t()));
  expect_good(do_release(s, B, 0xB, PrType(other_type())));
  EXPECT_FALSE(s.conflicts(C, ResvClass::write, std::array<uint8_t, 10>{0x2A}));
}

TEST_P(PerType, ClearByRegistrant) {
  expect_conflict(do_clear(s, C, 0));
  expect_conflict(do_clear(s, B, 0xA));
  Outcome o = do_clear(s, B, 0xB);
  expect_good(o);
  EXPECT_FALSE(read_reservation(s).present);
  Keys k = read_keys(s);
  EXPECT_TRUE(k.keys.empty());
  EXPECT_EQ(k.generation, 3u);
  // RESERVATIONS PREEMPTED to every other registered nexus (SPC-4 5.13.11.2.3).
  EXPECT_EQ(count_ua(o, kNameA, kAscqReservationsPreempted), 1);
  for (const Effect& e : o.effects) EXPECT_EQ(*e.exclude_nexus_id, B.nexus_id);
}

TEST_P(PerType, UnregisterHolder) {
  Outcome o = do_register(s, A, 0xA, 0);
  expect_good(o);
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xB});
  Resv r = read_reservation(s);
  if (ar()) {
    // libiscsi ProutReserveOwnership*AR: the reservation stays with B.
    EXPECT_TRUE(r.present);
    EXPECT_EQ(r.scope_type, uint8_t(t()));
    EXPECT_TRUE(o.effects.empty());
    expect_good(do_release(s, B, 0xB, t()));
    EXPECT_FALSE(read_reservation(s).present);
  } else {
    EXPECT_FALSE(r.present);
    EXPECT_EQ(count_ua(o, kNameB, kAscqReservationsReleased), registrants_only(t()) ? 1 : 0);
  }
  expect_good(do_register(s, B, 0xB, 0));
  EXPECT_FALSE(read_reservation(s).present);
  EXPECT_TRUE(s.registrations().empty());
}

TEST_P(PerType, LastRegistrantGoneEndsAllRegistrantsReservation) {
  expect_good(do_register(s, B, 0xB, 0));
  expect_good(do_register(s, A, 0xA, 0));
  EXPECT_FALSE(read_reservation(s).present);
}

TEST_P(PerType, UnregisterNonHolderKeepsReservation) {
  Outcome o = do_register_ignore(s, B, 0);
  expect_good(o);
  EXPECT_TRUE(read_reservation(s).present);
  EXPECT_TRUE(s.is_holder(A));
  EXPECT_TRUE(o.effects.empty());
}

INSTANTIATE_TEST_SUITE_P(AllTypes, PerType, ::testing::ValuesIn(kAllTypes),
                         [](const ::testing::TestParamInfo<PrType>& i) {
                           return "Type" + std::to_string(int(i.param));
                         });

}  // namespace
}  // namespace nexus::server::resv::test
