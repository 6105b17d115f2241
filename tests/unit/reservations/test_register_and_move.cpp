// REGISTER AND MOVE (SPC-4 5.13.8, 6.16.4).
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

Outcome move(ReservationState& s, const NexusIdentity& n, const std::vector<uint8_t>& p) {
  return prout(s, n, pr_out_sa::register_and_move, 0, p);
}

class Move : public ::testing::Test {
 protected:
  void SetUp() override {
    expect_good(do_register(s, A, 0, 0xA));
    expect_good(do_reserve(s, A, 0xA, PrType::exclusive_access));
  }
  ReservationState s;
};

TEST_F(Move, ToUnregisteredNexus) {
  Outcome o = move(s, A, move_params(0xA, 0xB, 1, encode_transport_id(kNameB, "400001370000")));
  expect_good(o);
  EXPECT_TRUE(o.effects.empty());
  EXPECT_TRUE(s.is_holder(B));
  EXPECT_FALSE(s.is_holder(A));
  EXPECT_TRUE(s.is_registered(A));  // UNREG=0
  Resv r = read_reservation(s);
  EXPECT_EQ(r.key, 0xBu);
  EXPECT_EQ(r.scope_type, uint8_t(PrType::exclusive_access));
  EXPECT_EQ(r.generation, 2u);
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0xA, 0xB}));
  FullStatus fs = read_full_status(s);
  ASSERT_EQ(fs.entries.size(), 2u);
  EXPECT_FALSE(fs.entries[0].r_holder);
  EXPECT_TRUE(fs.entries[1].r_holder);
  EXPECT_EQ(fs.entries[1].name, kNameB);
  EXPECT_TRUE(s.conflicts(A, ResvClass::read, std::array<uint8_t, 10>{0x28}));
  EXPECT_FALSE(s.conflicts(B, ResvClass::write, std::array<uint8_t, 10>{0x2A}));
}

TEST_F(Move, UnregAndAptpl) {
  Outcome o =
      move(s, A, move_params(0xA, 0xB, 2, encode_transport_id(kNameB, "400001370000"), true, true));
  expect_good(o);
  EXPECT_TRUE(o.state_changed_persistent);
  EXPECT_TRUE(s.aptpl());
  EXPECT_FALSE(s.is_registered(A));
  EXPECT_TRUE(s.is_holder(B2));  // moved to port 2
  EXPECT_FALSE(s.is_holder(B));
  EXPECT_EQ(read_keys(s).keys, std::vector<uint64_t>{0xB});
}

TEST_F(Move, ToAlreadyRegisteredNexusReplacesItsKey) {
  expect_good(do_register(s, B, 0, 0xBB));
  expect_good(move(s, A, move_params(0xA, 0xB, 1, encode_transport_id(kNameB, "400001370000"))));
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0xA, 0xB}));
  EXPECT_TRUE(s.is_holder(B));
}

TEST_F(Move, NameOnlyTransportId) {
  expect_good(move(s, A, move_params(0xA, 0xB, 1, encode_transport_id(kNameB, ""))));
  EXPECT_TRUE(s.is_holder(B));
  EXPECT_TRUE(s.is_holder(nexus(kNameB, "000000000007", 1, 77)));
}

TEST_F(Move, Conflicts) {
  auto tid = encode_transport_id(kNameB, "400001370000");
  expect_conflict(move(s, A, move_params(0xBAD, 0xB, 1, tid)));  // wrong key
  expect_conflict(move(s, C, move_params(0, 0xB, 1, tid)));      // not registered
  expect_good(do_register(s, C, 0, 0xC));
  expect_conflict(move(s, C, move_params(0xC, 0xB, 1, tid)));  // not the holder
  // No reservation.
  expect_good(do_release(s, A, 0xA, PrType::exclusive_access));
  expect_conflict(move(s, A, move_params(0xA, 0xB, 1, tid)));
  // All-registrants reservations cannot be moved.
  expect_good(do_reserve(s, A, 0xA, PrType::write_exclusive_all_registrants));
  expect_conflict(move(s, A, move_params(0xA, 0xB, 1, tid)));
  EXPECT_EQ(s.generation(), 2u);
}

TEST_F(Move, InvalidParameters) {
  auto tid = encode_transport_id(kNameB, "400001370000");
  expect_invalid_param(move(s, A, move_params(0xA, 0, 1, tid)), 8);     // SARK 0
  expect_invalid_param(move(s, A, move_params(0xA, 0xB, 0, tid)), 18);  // RTPI 0
  // Moving to itself.
  expect_invalid_param(
      move(s, A, move_params(0xA, 0xB, 1, encode_transport_id(kNameA, "400001370000"))), 24);
  expect_invalid_param(move(s, A, move_params(0xA, 0xB, 1, encode_transport_id(kNameA, ""))), 24);
  // Two TransportIDs.
  auto two = tid;
  two.insert(two.end(), tid.begin(), tid.end());
  expect_invalid_param(move(s, A, move_params(0xA, 0xB, 1, two)), 24 + 52);
  // TransportID shorter than 24 bytes.
  auto p = move_params(0xA, 0xB, 1, tid);
  put_be32(p.data() + 20, 20);
  p.resize(44);
  expect_invalid_param(move(s, A, p), 20);
  // Unknown target port when the ports are known.
  s.set_target_ports({1, 2});
  expect_invalid_param(move(s, A, move_params(0xA, 0xB, 3, tid)), 18);
  EXPECT_TRUE(s.is_holder(A));
  EXPECT_EQ(s.registrations().size(), 1u);
}

TEST_F(Move, ParameterListLength) {
  auto tid = encode_transport_id(kNameB, "400001370000");
  auto p = move_params(0xA, 0xB, 1, tid);
  auto cdb = pr_out_cdb(pr_out_sa::register_and_move, 0, uint32_t(p.size() - 1));
  expect_pll_error(s.persistent_reserve_out(A, cdb, p));
  auto short_cdb = pr_out_cdb(pr_out_sa::register_and_move, 0, 20);
  expect_pll_error(s.persistent_reserve_out(A, short_cdb, p));
  EXPECT_TRUE(s.is_holder(A));
}

}  // namespace
}  // namespace nexus::server::resv::test
