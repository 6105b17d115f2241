// PREEMPT and PREEMPT AND ABORT (SPC-4 5.13.12) for every type.
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

class Preempt : public ::testing::TestWithParam<PrType> {
 protected:
  // A, B, C registered (0xA, 0xB, 0xC); B holds the reservation.
  void SetUp() override {
    expect_good(do_register(s, A, 0, 0xA));
    expect_good(do_register(s, B, 0, 0xB));
    expect_good(do_register(s, C, 0, 0xC));
    expect_good(do_reserve(s, B, 0xB, t()));
  }
  PrType t() const { return GetParam(); }
  bool ar() const { return all_registrants(t()); }
  PrType other() const {
    return t() == PrType::exclusive_access ? PrType::write_exclusive : PrType::exclusive_access;
  }
  ReservationState s;
};

TEST_P(Preempt, HolderKey) {
  Outcome o = do_preempt(s, A, 0xA, 0xB, t());
  expect_good(o);
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0xA, 0xC}));
  EXPECT_EQ(s.generation(), 4u);
  EXPECT_EQ(count_ua(o, kNameB, kAscqRegistrationsPreempted), 1);
  EXPECT_EQ(count_abort(o, kNameB), 0);
  Resv r = read_reservation(s);
  ASSERT_TRUE(r.present);
  EXPECT_EQ(r.scope_type, uint8_t(t()));
  if (ar()) {
    // Non-zero key under all-registrants: only registrations go; A and C
    // still hold.
    EXPECT_EQ(r.key, 0u);
    EXPECT_TRUE(s.is_holder(A));
    EXPECT_TRUE(s.is_holder(C));
  } else {
    // A now holds; the type did not change so nobody else is told.
    EXPECT_EQ(r.key, 0xAu);
    EXPECT_TRUE(s.is_holder(A));
    EXPECT_FALSE(s.is_holder(C));
    EXPECT_EQ(count_ua(o, kNameC, kAscqReservationsReleased), 0);
  }
  EXPECT_EQ(o.effects.size(), 1u);
}

TEST_P(Preempt, HolderKeyWithTypeChange) {
  Outcome o = do_preempt(s, A, 0xA, 0xB, other());
  expect_good(o);
  Resv r = read_reservation(s);
  ASSERT_TRUE(r.present);
  if (ar()) {
    EXPECT_EQ(r.scope_type, uint8_t(t()));  // reservation untouched
    EXPECT_EQ(count_ua(o, kNameC, kAscqReservationsReleased), 0);
  } else {
    EXPECT_EQ(r.scope_type, uint8_t(other()));
    EXPECT_EQ(r.key, 0xAu);
    // SPC-4 5.13.12.2.2: type changed -> RESERVATIONS RELEASED to the
    // remaining registrants other than the sender.
    EXPECT_EQ(count_ua(o, kNameC, kAscqReservationsReleased), 1);
    EXPECT_EQ(count_ua(o, kNameA, kAscqReservationsReleased), 1);  // A's registration...
    for (const Effect& e : o.effects)
      if (e.initiator_name == kNameA) {
        EXPECT_EQ(*e.exclude_nexus_id, A.nexus_id);  // ...minus A
      }
  }
}

TEST_P(Preempt, ZeroKey) {
  Outcome o = do_preempt(s, A, 0xA, 0, t());
  if (!ar()) {
    // SPC-4 6.16.3: zero SARK names nobody unless all-registrants.
    expect_invalid_param(o, 8);
    EXPECT_EQ(read_keys(s).keys.size(), 3u);
    EXPECT_EQ(s.generation(), 3u);
    return;
  }
  // All-registrants + SARK 0: everyone else goes, A holds a new reservation
  // of the CDB's type.
  expect_good(o);
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xA});
  EXPECT_EQ(count_ua(o, kNameB, kAscqRegistrationsPreempted), 1);
  EXPECT_EQ(count_ua(o, kNameC, kAscqRegistrationsPreempted), 1);
  Resv r = read_reservation(s);
  ASSERT_TRUE(r.present);
  EXPECT_EQ(r.scope_type, uint8_t(t()));
  // ...and with a different type, A's reservation is of that type.
  ReservationState s2;
  expect_good(do_register(s2, A, 0, 0xA));
  expect_good(do_register(s2, B, 0, 0xB));
  expect_good(do_reserve(s2, B, 0xB, t()));
  expect_good(do_preempt(s2, A, 0xA, 0, PrType::write_exclusive));
  r = read_reservation(s2);
  EXPECT_EQ(r.scope_type, uint8_t(PrType::write_exclusive));
  EXPECT_EQ(r.key, 0xAu);
  EXPECT_TRUE(s2.is_holder(A));
  EXPECT_FALSE(s2.is_registered(B));
}

TEST_P(Preempt, NonHolderKeyRemovesRegistrationOnly) {
  Outcome o = do_preempt(s, A, 0xA, 0xC, t());
  expect_good(o);
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0xA, 0xB}));
  EXPECT_TRUE(s.is_holder(B));
  EXPECT_EQ(read_reservation(s).scope_type, uint8_t(t()));
  EXPECT_EQ(count_ua(o, kNameC, kAscqRegistrationsPreempted), 1);
  EXPECT_EQ(o.effects.size(), 1u);
}

TEST_P(Preempt, Conflicts) {
  NexusIdentity d = nexus("iqn.2026-01.com.example:host-d", "400001370000", 1, 41);
  expect_conflict(do_preempt(s, d, 0, 0xB, t()));       // not registered
  expect_conflict(do_preempt(s, A, 0xB, 0xB, t()));     // wrong RESERVATION KEY
  expect_conflict(do_preempt(s, A, 0xA, 0xDEAD, t()));  // SARK matches nobody
  EXPECT_EQ(read_keys(s).keys.size(), 3u);
  EXPECT_EQ(s.generation(), 3u);
  EXPECT_TRUE(s.is_holder(B));
}

TEST_P(Preempt, AndAbortAbortsPreemptedNexuses) {
  Outcome o = do_preempt(s, A, 0xA, 0xB, t(), true);
  expect_good(o);
  EXPECT_EQ(count_ua(o, kNameB, kAscqRegistrationsPreempted), 1);
  EXPECT_EQ(count_abort(o, kNameB), 1);
  EXPECT_EQ(count_abort(o, kNameC), 0);
  EXPECT_EQ(count_abort(o, kNameA), 0);
  for (const Effect& e : o.effects)
    if (e.kind == Effect::abort_tasks) {
      EXPECT_EQ(e.isid, "400001370000");
      EXPECT_EQ(e.relative_target_port, 1);
      EXPECT_FALSE(e.all_ports);
    }
  if (!ar()) {
    EXPECT_TRUE(s.is_holder(A));
  }
}

TEST_P(Preempt, HolderPreemptsItsOwnKey) {
  Outcome o = do_preempt(s, B, 0xB, 0xB, other());
  expect_good(o);
  EXPECT_EQ(read_keys(s).keys.size(), 3u);  // the sender keeps its registration
  EXPECT_EQ(s.generation(), 4u);
  EXPECT_TRUE(s.is_holder(B));
  if (ar()) {
    // A non-zero key under all-registrants only removes registrations: the
    // sender's own is kept, so nothing changes.
    EXPECT_EQ(read_reservation(s).scope_type, uint8_t(t()));
    EXPECT_TRUE(o.effects.empty());
    return;
  }
  // Non all-registrants: the holder re-reserves with the new type and the
  // others learn the reservation they knew is gone.
  EXPECT_EQ(read_reservation(s).scope_type, uint8_t(other()));
  EXPECT_EQ(count_ua(o, kNameA, kAscqReservationsReleased), 1);
  EXPECT_EQ(count_ua(o, kNameC, kAscqReservationsReleased), 1);
}

TEST_P(Preempt, AptplChangesAskForASave) {
  expect_good(do_register(s, A, 0xA, 0xA, {false, false, true}));
  Outcome o = do_preempt(s, A, 0xA, 0xC, t(), true);
  expect_good(o);
  EXPECT_TRUE(o.state_changed_persistent);
  o = do_clear(s, A, 0xA);
  expect_good(o);
  EXPECT_TRUE(o.state_changed_persistent);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, Preempt, ::testing::ValuesIn(kAllTypes),
                         [](const ::testing::TestParamInfo<PrType>& i) {
                           return "Type" + std::to_string(int(i.param));
                         });

TEST(PreemptNoReservation, RemovesRegistrations) {
  // libiscsi ProutPreempt.RemoveRegistration.
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA));
  expect_good(do_register(s, B, 0, 0xB));
  expect_good(do_register(s, B2, 0, 0xB));  // same key on another nexus
  Outcome o = do_preempt(s, A, 0xA, 0xB, PrType::write_exclusive);
  expect_good(o);
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xA});
  EXPECT_EQ(count_ua(o, kNameB, kAscqRegistrationsPreempted), 2);
  EXPECT_FALSE(read_reservation(s).present);  // PREEMPT does not reserve here
  EXPECT_EQ(s.generation(), 4u);
  expect_invalid_param(do_preempt(s, A, 0xA, 0, PrType::write_exclusive), 8);
  expect_conflict(do_preempt(s, A, 0xA, 0xB, PrType::write_exclusive));
  // Own key: identified, nothing removed (the sender keeps its registration).
  expect_good(do_preempt(s, A, 0xA, 0xA, PrType::write_exclusive));
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xA});
}

TEST(PreemptNoReservation, NameOnlyRegistrationEffectsCoverEveryIsid) {
  // A registration made from a format 00b TransportID covers every ISID of
  // the name: its effects carry an empty ISID (see outcome.h).
  ReservationState s;
  auto p = spec_i_pt_params(0, 0xA, {encode_transport_id(kNameC, "")}, true);
  expect_good(prout(s, A, pr_out_sa::register_key, 0, p));
  expect_good(do_register(s, B, 0, 0xB));
  Outcome o = do_preempt(s, B, 0xB, 0xA, PrType::exclusive_access, true);
  expect_good(o);
  ASSERT_EQ(o.effects.size(), 4u);  // UA + abort for A's and C's registrations
  for (const Effect& e : o.effects) {
    EXPECT_TRUE(e.all_ports);
    EXPECT_EQ(*e.exclude_nexus_id, B.nexus_id);
    if (e.initiator_name == kNameC) {
      EXPECT_EQ(e.isid, "");
    }
  }
  EXPECT_EQ(count_abort(o, kNameC), 1);
  EXPECT_EQ(count_ua(o, kNameA, kAscqRegistrationsPreempted), 1);
}

}  // namespace
}  // namespace nexus::server::resv::test
