// REGISTER with SPEC_I_PT and TransportIDs (SPC-4 6.16.3, 6.16.4, 7.6.4.6).
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

TEST(SpecIpt, RegistersEveryTransportId) {
  ReservationState s;
  auto p = spec_i_pt_params(
      0, 0x77, {encode_transport_id(kNameB, "400001370000"), encode_transport_id(kNameC, "")});
  Outcome o = prout(s, A, pr_out_sa::register_key, 0, p);
  expect_good(o);
  EXPECT_EQ(read_keys(s).keys, (std::vector<uint64_t>{0x77, 0x77, 0x77}));
  EXPECT_EQ(s.generation(), 1u);
  EXPECT_TRUE(s.is_registered(A));
  EXPECT_TRUE(s.is_registered(B));
  EXPECT_FALSE(s.is_registered(B2));  // the registration is for A's target port
  EXPECT_TRUE(s.is_registered(C));
  // Format 00b: every ISID of that name.
  EXPECT_TRUE(s.is_registered(nexus(kNameC, "000000000042", 1, 99)));
  FullStatus fs = read_full_status(s);
  ASSERT_EQ(fs.entries.size(), 3u);
  EXPECT_EQ(fs.entries[1].name, kNameB);
  EXPECT_EQ(fs.entries[1].isid, "400001370000");
  EXPECT_EQ(fs.entries[1].tid_format, 1);
  EXPECT_EQ(fs.entries[1].rtp, 1);
  EXPECT_EQ(fs.entries[2].name, kNameC);
  EXPECT_EQ(fs.entries[2].isid, "");
  EXPECT_EQ(fs.entries[2].tid_format, 0);
  // B, registered by A, can use its key.
  expect_good(do_reserve(s, B, 0x77, PrType::exclusive_access));
  EXPECT_TRUE(s.is_holder(B));
}

TEST(SpecIpt, WithAllTargetPorts) {
  ReservationState s;
  auto p = spec_i_pt_params(0, 0x77, {encode_transport_id(kNameB, "400001370000")}, true);
  expect_good(prout(s, A, pr_out_sa::register_key, 0, p));
  EXPECT_TRUE(s.is_registered(B2));
  EXPECT_TRUE(s.is_registered(A2));
  for (const auto& e : read_full_status(s).entries) EXPECT_TRUE(e.all_tg_pt);
}

TEST(SpecIpt, EmptyListAndDuplicatesAndSelf) {
  ReservationState s;
  auto p = spec_i_pt_params(0, 0x1, {});
  expect_good(prout(s, A, pr_out_sa::register_key, 0, p));
  EXPECT_EQ(read_keys(s).keys.size(), 1u);
  ReservationState d;
  expect_good(do_register(d, C, 0, 0xC));
  auto q = spec_i_pt_params(
      0, 0x2,
      {encode_transport_id(kNameB, "400001370000"), encode_transport_id(kNameB, "400001370000"),
       encode_transport_id(kNameA, "400001370000"),    // sender
       encode_transport_id(kNameC, "23d000000001")});  // registered
  expect_good(prout(d, A, pr_out_sa::register_key, 0, q));
  // C keeps its key; B once; A once.
  EXPECT_EQ(read_keys(d).keys, (std::vector<uint64_t>{0xC, 0x2, 0x2}));
}

TEST(SpecIpt, InvalidTransportIdRegistersNothing) {
  ReservationState s;
  auto bad = encode_transport_id(kNameC, "");
  bad[0] = 0x01;  // Fibre Channel protocol identifier
  auto good = encode_transport_id(kNameB, "400001370000");
  auto p = spec_i_pt_params(0, 0x77, {good, bad});
  Outcome o = prout(s, A, pr_out_sa::register_key, 0, p);
  // Pointer: 24 basic + 4 length + B's 52-byte TransportID.
  expect_invalid_param(o, uint16_t(28 + good.size()), 3);
  EXPECT_TRUE(s.registrations().empty());
  EXPECT_EQ(s.generation(), 0u);
}

TEST(SpecIpt, MalformedNames) {
  ReservationState s;
  auto t = encode_transport_id("iqn.a:b", "");
  t[4 + 19] = 'x';  // fill the padding: no NUL terminator left...
  for (size_t i = 4; i < t.size(); ++i) t[i] = 'a';
  expect_invalid_param(prout(s, A, pr_out_sa::register_key, 0, spec_i_pt_params(0, 1, {t})), 32);
  auto u = encode_transport_id("iqn.a:b", "400001370000");
  u[2] = 0;
  u[3] = 25;  // ADDITIONAL LENGTH not a multiple of 4
  expect_invalid_param(prout(s, A, pr_out_sa::register_key, 0, spec_i_pt_params(0, 1, {u})), 30);
  EXPECT_TRUE(s.registrations().empty());
}

TEST(SpecIpt, LengthRules) {
  ReservationState s;
  auto tid = encode_transport_id(kNameB, "");
  auto p = spec_i_pt_params(0, 0x77, {tid});
  // TRANSPORTID PARAMETER DATA LENGTH larger than what the PARAMETER LIST
  // LENGTH covers: PARAMETER LIST LENGTH ERROR.
  auto cdb = pr_out_cdb(pr_out_sa::register_key, 0, uint32_t(p.size() - 4));
  expect_pll_error(s.persistent_reserve_out(A, cdb, p));
  // SPEC_I_PT with only the 24-byte basic list.
  auto b = basic_params(0, 0x77, {true, false, false});
  expect_pll_error(prout(s, A, pr_out_sa::register_key, 0, b));
  // TRANSPORTID PARAMETER DATA LENGTH cutting a TransportID short.
  auto q = spec_i_pt_params(0, 0x77, {tid});
  put_be32(q.data() + 24, uint32_t(tid.size() - 4));
  q.resize(q.size() - 4);
  expect_invalid_param(prout(s, A, pr_out_sa::register_key, 0, q), 30);
  EXPECT_TRUE(s.registrations().empty());
}

TEST(SpecIpt, UnregisteredSenderWithNonZeroKeyConflicts) {
  ReservationState s;
  auto p = spec_i_pt_params(0x5, 0x77, {encode_transport_id(kNameB, "")});
  expect_conflict(prout(s, A, pr_out_sa::register_key, 0, p));
  EXPECT_TRUE(s.registrations().empty());
}

}  // namespace
}  // namespace nexus::server::resv::test
