// PR OUT REGISTER / REGISTER AND IGNORE EXISTING KEY (SPC-4 5.13.7), the
// parameter list rules (SPC-4 6.16.3) and APTPL.
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

TEST(Register, UnregisteredNexus) {
  ReservationState s;
  // RESERVATION KEY must be 0 for an unregistered I_T nexus.
  expect_conflict(do_register(s, A, 0x1, 0xA));
  // Key 0 -> 0: GOOD, nothing registered, PRgeneration unchanged.
  expect_good(do_register(s, A, 0, 0));
  EXPECT_TRUE(s.registrations().empty());
  EXPECT_EQ(s.generation(), 0u);
  Outcome o = do_register(s, A, 0, 0xA);
  expect_good(o);
  EXPECT_TRUE(o.effects.empty());
  EXPECT_FALSE(o.state_changed_persistent);  // APTPL off
  Keys k = read_keys(s);
  EXPECT_EQ(k.generation, 1u);
  EXPECT_EQ(k.keys, std::vector<uint64_t>{0xA});
  FullStatus fs = read_full_status(s);
  ASSERT_EQ(fs.entries.size(), 1u);
  EXPECT_EQ(fs.entries[0].name, kNameA);
  EXPECT_EQ(fs.entries[0].isid, "400001370000");
  EXPECT_EQ(fs.entries[0].rtp, 1);
  EXPECT_FALSE(fs.entries[0].all_tg_pt);
  EXPECT_FALSE(fs.entries[0].r_holder);
}

TEST(Register, RegisteredNexus) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA));
  // Wrong RESERVATION KEY (including 0) conflicts (libiscsi reregister_fails).
  expect_conflict(do_register(s, A, 0, 0xA));
  expect_conflict(do_register(s, A, 0xB, 0xC));
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xA});
  // Change the key.
  expect_good(do_register(s, A, 0xA, 0xAA));
  Keys k = read_keys(s);
  EXPECT_EQ(k.keys, std::vector<uint64_t>{0xAA});
  EXPECT_EQ(k.generation, 2u);
  // Unregister.
  expect_good(do_register(s, A, 0xAA, 0));
  k = read_keys(s);
  EXPECT_TRUE(k.keys.empty());
  EXPECT_EQ(k.generation, 3u);
}

TEST(Register, AndIgnoreExistingKey) {
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0));  // nothing to do
  EXPECT_EQ(s.generation(), 0u);
  expect_good(do_register_ignore(s, A, 0xA));
  // RESERVATION KEY is ignored: any value works.
  expect_good(prout(s, A, pr_out_sa::register_and_ignore, 0, basic_params(0x999, 0xAB)));
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xAB});
  expect_good(do_register_ignore(s, A, 0));
  EXPECT_TRUE(read_keys(s).keys.empty());
  EXPECT_EQ(s.generation(), 3u);
}

TEST(Register, SameKeyForSeveralNexuses) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0x7));
  expect_good(do_register(s, B, 0, 0x7));
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0x7, 0x7}));
}

TEST(Register, NewIsidIsNotRegistered) {
  // Relogin with a new ISID: a different initiator port (SPC-4 5.13.1). It is
  // not registered; the old port's registration stays until removed.
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA));
  EXPECT_FALSE(s.is_registered(Anew));
  expect_conflict(do_register(s, Anew, 0xA, 0xAB));  // not registered: RK must be 0
  expect_conflict(do_reserve(s, Anew, 0xA, PrType::write_exclusive));
  expect_good(do_register(s, Anew, 0, 0xA2));
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0xA, 0xA2}));
  // The old port's nexus is gone (logout) but its registration persists.
  s.nexus_lost(A);
  EXPECT_EQ(read_keys(s).keys.size(), 2u);
  // A session reinstated with the old ISID is the old nexus again.
  NexusIdentity again = A;
  again.nexus_id = 99;
  EXPECT_TRUE(s.is_registered(again));
  expect_good(do_register(s, again, 0xA, 0));
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xA2});
  // Or another registrant removes it: PREEMPT by key.
  ReservationState s2;
  expect_good(do_register(s2, A, 0, 0xA));
  expect_good(do_register(s2, Anew, 0, 0xA2));
  Outcome o = do_preempt(s2, Anew, 0xA2, 0xA, PrType::write_exclusive);
  expect_good(o);
  EXPECT_EQ(read_keys(s2).keys, std::vector<uint64_t>{0xA2});
}

TEST(Register, IsidAndNameCompareCaseInsensitively) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA));
  NexusIdentity upper = A;
  upper.initiator_name = "IQN.2026-01.COM.EXAMPLE:HOST-A";
  upper.isid = "400001370000";
  EXPECT_TRUE(s.is_registered(upper));
}

TEST(Register, AllTargetPorts) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, true, false}));
  EXPECT_TRUE(s.is_registered(A));
  EXPECT_TRUE(s.is_registered(A2));
  EXPECT_FALSE(s.is_registered(Anew));
  FullStatus fs = read_full_status(s);
  ASSERT_EQ(fs.entries.size(), 1u);
  EXPECT_TRUE(fs.entries[0].all_tg_pt);
  EXPECT_EQ(fs.entries[0].rtp, 0);
  // Through port 2 the key is known.
  expect_good(do_register(s, A2, 0xA, 0xAA));
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xAA});
  // Without ALL_TG_PT, port 2 is a separate I_T nexus.
  ReservationState p;
  expect_good(do_register(p, A, 0, 0xA));
  EXPECT_FALSE(p.is_registered(A2));
  expect_good(do_register(p, A2, 0, 0xA2));
  EXPECT_EQ(read_keys(p).keys.size(), 2u);
  // ALL_TG_PT from port 2 while registered on port 1: as if sent through
  // port 1 with RESERVATION KEY 0 -> conflict.
  ReservationState q;
  expect_good(do_register(q, A, 0, 0xA));
  expect_conflict(do_register(q, A2, 0, 0xB, {false, true, false}));
  // ALL_TG_PT is ignored outside REGISTER*: RESERVE with it is fine.
  expect_good(prout(q, A, pr_out_sa::reserve, 1, basic_params(0xA, 0, {false, true, false})));
}

TEST(Register, ParameterListLength) {
  ReservationState s;
  for (uint32_t len : {0u, 8u, 23u, 25u, 28u, 100u}) {
    std::vector<uint8_t> p = basic_params(0, 0xA);
    p.resize(len);
    auto cdb = pr_out_cdb(pr_out_sa::register_key, 0, len);
    expect_pll_error(s.persistent_reserve_out(A, cdb, p));
  }
  // The CDB says 24 but less arrived.
  std::vector<uint8_t> p = basic_params(0, 0xA);
  p.resize(20);
  auto cdb = pr_out_cdb(pr_out_sa::register_key, 0, 24);
  expect_pll_error(s.persistent_reserve_out(A, cdb, p));
  // Every service action checks it.
  for (uint8_t sa : {pr_out_sa::reserve, pr_out_sa::release, pr_out_sa::clear, pr_out_sa::preempt,
                     pr_out_sa::preempt_and_abort, pr_out_sa::register_and_ignore}) {
    std::vector<uint8_t> q = basic_params(0, 0xA);
    q.resize(32);
    auto c = pr_out_cdb(sa, 1, 32);
    expect_pll_error(s.persistent_reserve_out(A, c, q));
  }
  EXPECT_TRUE(s.registrations().empty());
  EXPECT_EQ(s.generation(), 0u);
}

TEST(Register, CdbChecks) {
  ReservationState s;
  for (uint8_t sa = 8; sa < 32; ++sa) {
    auto p = basic_params(0, 0xA);
    auto cdb = pr_out_cdb(sa, 0, 24);
    expect_invalid_cdb(s.persistent_reserve_out(A, cdb, p), 1, 4);
  }
  expect_good(do_register(s, A, 0, 0xA));
  // Scope other than LU_SCOPE, invalid types: INVALID FIELD IN CDB.
  for (uint8_t sa :
       {pr_out_sa::reserve, pr_out_sa::release, pr_out_sa::preempt, pr_out_sa::preempt_and_abort}) {
    auto p = basic_params(0xA, 0xA);
    auto bad_scope = pr_out_cdb(sa, 1, 24, 2);
    expect_invalid_cdb(s.persistent_reserve_out(A, bad_scope, p), 2, 7);
    for (uint8_t t : {0, 2, 4, 9, 15}) {
      auto bad_type = pr_out_cdb(sa, t, 24);
      expect_invalid_cdb(s.persistent_reserve_out(A, bad_type, p), 2, 3);
    }
  }
  // REGISTER and CLEAR ignore SCOPE/TYPE.
  auto reg = pr_out_cdb(pr_out_sa::register_key, 0xF, 24, 0xF);
  auto p = basic_params(0xA, 0xAB);
  expect_good(s.persistent_reserve_out(A, reg, p));
}

TEST(Register, SpecIptOnlyForRegister) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA));
  for (uint8_t sa : {pr_out_sa::register_and_ignore, pr_out_sa::reserve, pr_out_sa::release,
                     pr_out_sa::clear, pr_out_sa::preempt, pr_out_sa::preempt_and_abort}) {
    expect_invalid_param(prout(s, A, sa, 1, basic_params(0xA, 0xA, {true, false, false})), 20, 3);
  }
  // SPEC_I_PT from a registered I_T nexus: INVALID FIELD IN CDB (SPC-4 5.13.7).
  auto p = spec_i_pt_params(0xA, 0xAB, {encode_transport_id(kNameB, "")});
  Outcome o = prout(s, A, pr_out_sa::register_key, 0, p);
  expect_check(o, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xA});
}

TEST(Register, AptplPersistence) {
  ReservationState s;
  Outcome o = do_register(s, A, 0, 0xA, {false, false, true});
  expect_good(o);
  EXPECT_TRUE(s.aptpl());
  EXPECT_TRUE(o.state_changed_persistent);
  // Any persistent change while APTPL is on must be saved, RESERVE included.
  o = do_reserve(s, A, 0xA, PrType::write_exclusive);
  EXPECT_TRUE(o.state_changed_persistent);
  // A no-op does not need saving.
  o = do_reserve(s, A, 0xA, PrType::write_exclusive);
  expect_good(o);
  EXPECT_FALSE(o.state_changed_persistent);
  // APTPL is ignored outside REGISTER*: RELEASE with APTPL=0 keeps it.
  o = prout(s, A, pr_out_sa::release, 1, basic_params(0xA, 0));
  expect_good(o);
  EXPECT_TRUE(s.aptpl());
  EXPECT_TRUE(o.state_changed_persistent);
  // Re-register with APTPL=0: cleared, and the clearing must be saved (the
  // store then removes the file).
  o = do_register(s, A, 0xA, 0xAB);
  EXPECT_FALSE(s.aptpl());
  EXPECT_TRUE(o.state_changed_persistent);
  o = do_register(s, B, 0, 0xB);
  EXPECT_FALSE(o.state_changed_persistent);
  // Failures never ask for a save.
  o = do_register(s, B, 0x1, 0xB, {false, false, true});
  expect_conflict(o);
  EXPECT_FALSE(o.state_changed_persistent);
  EXPECT_FALSE(s.aptpl());
}

TEST(Register, RegistrationLimit) {
  ReservationState s;
  for (size_t i = 0; i < kMaxRegistrations; ++i) {
    NexusIdentity n = nexus("iqn.2026-01.com.example:h" + std::to_string(i), "400001370000", 1, i);
    ASSERT_EQ(do_register(s, n, 0, i + 1).status, ScsiStatus::good);
  }
  expect_check(do_register(s, A, 0, 0xA), SenseKey::illegal_request, 0x55, 0x04);
  EXPECT_EQ(s.registrations().size(), kMaxRegistrations);
}

}  // namespace
}  // namespace nexus::server::resv::test
