// The APTPL text format: round trip and rejection of damaged input.
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

ReservationState populated(PrType type) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, false, true}));
  expect_good(do_register(s, B2, 0, 0xFFFFFFFFFFFFFFFFull, {false, true, true}));
  auto p = spec_i_pt_params(0, 0xC, {encode_transport_id(kNameC, "")});
  p[20] |= 0x01;  // APTPL
  expect_good(prout(s, nexus("iqn.x:odd", "abcdef012345", 7, 70), pr_out_sa::register_key, 0, p));
  expect_good(do_reserve(s, B2, 0xFFFFFFFFFFFFFFFFull, type));
  return s;
}

TEST(Serialization, RoundTripEveryType) {
  for (PrType t : kAllTypes) {
    ReservationState s = populated(t);
    std::string text = s.serialize();
    std::string err;
    auto back = ReservationState::deserialize(text, &err);
    ASSERT_TRUE(back) << err;
    EXPECT_EQ(back->serialize(), text);
    EXPECT_TRUE(back->aptpl());
    // Observable state is the same, except PRgeneration (0 after power on).
    EXPECT_EQ(back->generation(), 0u);
    EXPECT_EQ(read_keys(*back).keys, read_keys(s).keys);
    Resv r1 = read_reservation(s), r2 = read_reservation(*back);
    EXPECT_EQ(r1.present, r2.present);
    EXPECT_EQ(r1.key, r2.key);
    EXPECT_EQ(r1.scope_type, r2.scope_type);
    auto f1 = read_full_status(s), f2 = read_full_status(*back);
    ASSERT_EQ(f1.entries.size(), f2.entries.size());
    for (size_t i = 0; i < f1.entries.size(); ++i) {
      EXPECT_EQ(f1.entries[i].name, f2.entries[i].name);
      EXPECT_EQ(f1.entries[i].isid, f2.entries[i].isid);
      EXPECT_EQ(f1.entries[i].r_holder, f2.entries[i].r_holder);
      EXPECT_EQ(f1.entries[i].all_tg_pt, f2.entries[i].all_tg_pt);
      EXPECT_EQ(f1.entries[i].rtp, f2.entries[i].rtp);
    }
    EXPECT_EQ(back->is_holder(B2), s.is_holder(B2));
    EXPECT_EQ(back->is_holder(B), s.is_holder(B));
    // The restored state keeps working: new registrations get fresh ids.
    expect_good(do_register(*back, Anew, 0, 0x5));
    EXPECT_EQ(back->registrations().size(), 5u);
    expect_good(do_register(*back, A, 0xA, 0));
    EXPECT_EQ(back->is_holder(B2), true);
  }
}

TEST(Serialization, Empty) {
  ReservationState s;
  std::string text = s.serialize();
  EXPECT_EQ(text, "nexus-pr-state 1\naptpl 0\nend\n");
  auto back = ReservationState::deserialize(text, nullptr);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->registrations().empty());
}

TEST(Serialization, DocumentedFormat) {
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, false, true}));
  expect_good(do_reserve(s, A, 0xA, PrType::write_exclusive));
  EXPECT_EQ(s.serialize(),
            "nexus-pr-state 1\n"
            "aptpl 1\n"
            "reg 1 000000000000000a 0 1 400001370000 iqn.2026-01.com.example:host-a\n"
            "resv 1 1 1 400001370000 iqn.2026-01.com.example:host-a\n"
            "end\n");
}

TEST(Serialization, SpecialCharactersInNamesArePercentEncoded) {
  ReservationState s;
  NexusIdentity n = nexus("weird name%,x", "", 3, 1);
  expect_good(do_register(s, n, 0, 0x1, {false, false, true}));
  std::string text = s.serialize();
  EXPECT_NE(text.find("weird%20name%25%2Cx"), std::string::npos);
  auto back = ReservationState::deserialize(text, nullptr);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->is_registered(n));
}

TEST(Serialization, RejectsDamage) {
  const std::string good =
      "nexus-pr-state 1\naptpl 1\n"
      "reg 1 000000000000000a 0 1 400001370000 iqn.a:b\n"
      "resv 1 1 1 400001370000 iqn.a:b\nend\n";
  ASSERT_TRUE(ReservationState::deserialize(good, nullptr));
  const char* bad[] = {
      "",
      "nexus-pr-state 2\naptpl 1\nend\n",                                            // version
      "something else\n",                                                            // magic
      "nexus-pr-state 1\nend\n",                                                     // no aptpl
      "nexus-pr-state 1\naptpl 1\n",                                                 // truncated
      "nexus-pr-state 1\naptpl 2\nend\n",                                            // aptpl value
      "nexus-pr-state 1\naptpl 1\nreg 1 0000000000000000 0 1 - iqn.a:b\nend\n",      // key 0
      "nexus-pr-state 1\naptpl 1\nreg 1 00000000000000zz 0 1 - iqn.a:b\nend\n",      // hex
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 2 1 - iqn.a:b\nend\n",      // all_tg_pt
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 70000 - iqn.a:b\nend\n",  // port
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 1 12345 iqn.a:b\nend\n",  // isid
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 1 - %\nend\n",            // empty name
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 1 - a%4\nend\n",          // bad escape
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 1 - a\n"
      "reg 1 000000000000000b 0 1 - b\nend\n",  // duplicate id
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 1 - a\nresv 2 1 1 - a\nend\n",  // type
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 1 - a\nresv 1 9 1 - a\nend\n",  // holder
      "nexus-pr-state 1\naptpl 1\nresv 7 0 0 - %\nend\n",  // reservation, nobody registered
      "nexus-pr-state 1\naptpl 1\nend\nreg 1 000000000000000a 0 1 - a\n",  // after end
      "nexus-pr-state 1\naptpl 1\nbogus\nend\n",
      "nexus-pr-state 1\naptpl 1\nreg 1 000000000000000a 0 1 - a%00b\nend\n",  // NUL
  };
  for (const char* b : bad) {
    std::string err;
    EXPECT_FALSE(ReservationState::deserialize(b, &err)) << b;
    EXPECT_FALSE(err.empty()) << b;
  }
  std::string err;
  ReservationState::deserialize("nexus-pr-state 1\naptpl 1\nbogus\nend\n", &err);
  EXPECT_NE(err.find("line 3"), std::string::npos) << err;
}

TEST(Serialization, CommentsAndBlankLinesIgnored) {
  auto s = ReservationState::deserialize(
      "# saved by nexusd\nnexus-pr-state 1\n\naptpl 0\n# none\nend\n", nullptr);
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->aptpl());
}

}  // namespace
}  // namespace nexus::server::resv::test
