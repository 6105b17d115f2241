// SPC-2 RESERVE(6/10) / RELEASE(6/10) and their interaction with PR.
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

const std::array<uint8_t, 6> kReserve6{0x16};
const std::array<uint8_t, 6> kRelease6{0x17};
const std::array<uint8_t, 10> kReserve10{0x56};
const std::array<uint8_t, 10> kRelease10{0x57};
const std::array<uint8_t, 10> kWrite10{0x2A};

TEST(Spc2, ReserveReleaseSimple) {
  ReservationState s;
  expect_good(s.reserve(A, kReserve6));
  ASSERT_TRUE(s.spc2_holder());
  EXPECT_TRUE(same_nexus(*s.spc2_holder(), A));
  expect_good(s.reserve(A, kReserve6));  // the holder may reserve again
  expect_good(s.release(A, kRelease6));
  EXPECT_FALSE(s.spc2_holder());
  expect_good(s.release(A, kRelease6));  // releasing nothing is fine
}

TEST(Spc2, TwoInitiators) {
  ReservationState s;
  expect_good(s.reserve(A, kReserve10));
  expect_conflict(s.reserve(B, kReserve10));
  expect_conflict(s.reserve(A2, kReserve6));    // A through another target port
  expect_conflict(s.reserve(Anew, kReserve6));  // A with a new ISID
  EXPECT_TRUE(s.conflicts(B, ResvClass::write, kWrite10));
  // RELEASE by a non-holder: GOOD, reservation untouched (SPC-2 7.17.2).
  expect_good(s.release(B, kRelease10));
  EXPECT_TRUE(s.spc2_holder());
  EXPECT_TRUE(s.conflicts(B, ResvClass::write, kWrite10));
  expect_good(s.release(A, kRelease10));
  expect_good(s.reserve(B, kReserve6));
}

TEST(Spc2, NexusLossReleases) {
  ReservationState s;
  expect_good(s.reserve(A, kReserve6));
  s.nexus_lost(B);  // someone else's loss changes nothing
  EXPECT_TRUE(s.spc2_holder());
  s.nexus_lost(A);
  EXPECT_FALSE(s.spc2_holder());
  expect_good(s.reserve(B, kReserve6));
}

TEST(Spc2, LuResetReleasesButKeepsPersistentReservations) {
  ReservationState s;
  expect_good(s.reserve(A, kReserve6));
  s.lu_reset();
  EXPECT_FALSE(s.spc2_holder());

  expect_good(do_register_ignore(s, B, 0xB));
  expect_good(do_reserve(s, B, 0xB, PrType::write_exclusive));
  s.lu_reset();
  s.nexus_lost(B);
  ASSERT_TRUE(s.reservation());
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xB});
  EXPECT_TRUE(s.is_holder(B));
}

TEST(Spc2, ThirdPartyAndExtentRejected) {
  ReservationState s;
  std::array<uint8_t, 6> r6{0x16, 0x10};  // 3rdPty
  expect_invalid_cdb(s.reserve(A, r6), 1, 4);
  std::array<uint8_t, 6> r6e{0x16, 0x01};  // extent
  expect_invalid_cdb(s.reserve(A, r6e), 1, 0);
  std::array<uint8_t, 10> r10{0x56, 0x00, 0x00, 0x07};  // third-party device id
  expect_invalid_cdb(s.reserve(A, r10), 3, 2);
  std::array<uint8_t, 10> r10l{0x56, 0x02};  // LONGID
  expect_invalid_cdb(s.release(A, r10l), 1, 1);
  std::array<uint8_t, 10> r10p{0x57, 0, 0, 0, 0, 0, 0, 0, 0x08};  // parameter list length
  expect_invalid_cdb(s.release(A, r10p), 8, 3);
  EXPECT_FALSE(s.spc2_holder());
}

TEST(Spc2, ReserveConflictsWithRegistrationsReleaseIsANoOp) {
  ReservationState s;
  expect_good(do_register_ignore(s, B, 0xB));
  // SPC-4 5.13.3: RESERVE conflicts while any I_T nexus is registered.
  expect_conflict(s.reserve(A, kReserve6));
  expect_conflict(s.reserve(B, kReserve10));
  // RELEASE: GOOD, no effect.
  Outcome o = s.release(B, kRelease6);
  expect_good(o);
  EXPECT_TRUE(o.effects.empty());
  EXPECT_FALSE(s.spc2_holder());
  EXPECT_EQ(read_keys(s).keys.size(), 1u);
}

TEST(Spc2, PersistentReserveInAndOutConflictUnderSpc2) {
  ReservationState s;
  expect_good(s.reserve(A, kReserve6));
  // SPC-2 5.5.1: for every nexus, the holder included.
  for (const NexusIdentity* n : {&A, &B}) {
    expect_conflict(do_register_ignore(s, *n, 0x1));
    std::vector<uint8_t> out(64);
    auto cdb = pr_in_cdb(pr_in_sa::read_keys, 64);
    expect_conflict(s.persistent_reserve_in(*n, cdb, out));
  }
  EXPECT_TRUE(s.registrations().empty());
}

}  // namespace
}  // namespace nexus::server::resv::test
