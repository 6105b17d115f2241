// PERSISTENT RESERVE IN: data formats, truncation, PRgeneration.
#include <gtest/gtest.h>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

TEST(PrIn, ReadKeysEmpty) {
  ReservationState s;
  auto d = prin(s, pr_in_sa::read_keys);
  EXPECT_EQ(d, (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(PrIn, ReadKeysListsEveryRegistration) {
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0x1122334455667788ull));
  expect_good(do_register_ignore(s, B, 0xB));
  auto d = prin(s, pr_in_sa::read_keys);
  EXPECT_EQ(d, (std::vector<uint8_t>{0,    0,    0,    2,    0, 0, 0, 16, 0x11, 0x22, 0x33, 0x44,
                                     0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0,  0,    0,    0,    0x0B}));
}

TEST(PrIn, TruncationKeepsFullAdditionalLength) {
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0xA));
  expect_good(do_register_ignore(s, B, 0xB));
  for (uint16_t alloc : {0, 1, 4, 8, 12, 16, 23}) {
    auto d = prin(s, pr_in_sa::read_keys, alloc);
    EXPECT_EQ(d.size(), std::min<size_t>(alloc, 24));
    if (alloc >= 8) {
      EXPECT_EQ(get_be32(d.data() + 4), 16u);
    }
  }
  // A Data-In buffer smaller than the allocation length bounds the copy.
  std::vector<uint8_t> out(10);
  auto cdb = pr_in_cdb(pr_in_sa::read_keys, 4096);
  Outcome o = s.persistent_reserve_in(A, cdb, out);
  expect_good(o);
  EXPECT_EQ(o.data_in_length, 10u);
}

TEST(PrIn, ReadReservation) {
  ReservationState s;
  auto none = prin(s, pr_in_sa::read_reservation);
  EXPECT_EQ(none, (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0}));
  expect_good(do_register_ignore(s, A, 0xABCD));
  expect_good(do_reserve(s, A, 0xABCD, PrType::exclusive_access));
  auto d = prin(s, pr_in_sa::read_reservation);
  EXPECT_EQ(d, (std::vector<uint8_t>{0, 0, 0,    1,    0, 0, 0, 16, 0, 0,    0, 0,
                                     0, 0, 0xAB, 0xCD, 0, 0, 0, 0,  0, 0x03, 0, 0}));
}

TEST(PrIn, ReadReservationAllRegistrantsKeyIsZero) {
  for (PrType t :
       {PrType::write_exclusive_all_registrants, PrType::exclusive_access_all_registrants}) {
    ReservationState s;
    expect_good(do_register_ignore(s, A, 0xA));
    expect_good(do_reserve(s, A, 0xA, t));
    Resv r = read_reservation(s);
    EXPECT_TRUE(r.present);
    EXPECT_EQ(r.key, 0u);
    EXPECT_EQ(r.scope_type, uint8_t(t));
  }
}

TEST(PrIn, ReportCapabilities) {
  ReservationState s;
  auto d = prin(s, pr_in_sa::report_capabilities);
  // LENGTH 8; SIP_C ATP_C PTPL_C; TMV, ALLOW COMMANDS 1, PTPL_A 0; type mask.
  EXPECT_EQ(d, (std::vector<uint8_t>{0x00, 0x08, 0x0D, 0x90, 0xEA, 0x01, 0x00, 0x00}));
  expect_good(do_register_ignore(s, A, 0xA, {false, false, true}));
  d = prin(s, pr_in_sa::report_capabilities);
  EXPECT_EQ(d[3], 0x91);  // PTPL_A follows APTPL
  auto t = prin(s, pr_in_sa::report_capabilities, 3);
  EXPECT_EQ(t, (std::vector<uint8_t>{0x00, 0x08, 0x0D}));
}

TEST(PrIn, ReadFullStatusBytes) {
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0xA));
  expect_good(do_register_ignore(s, B2, 0xB, {false, true, false}));  // ALL_TG_PT
  expect_good(do_reserve(s, A, 0xA, PrType::write_exclusive));
  auto d = prin(s, pr_in_sa::read_full_status, 8192);
  // Header + 2 x (24 + TransportID): A's TransportID is 52 bytes, B's too.
  ASSERT_EQ(d.size(), 8u + 76 + 76);
  EXPECT_EQ(get_be32(d.data()), 2u);
  EXPECT_EQ(get_be32(d.data() + 4), 152u);
  const uint8_t* a = d.data() + 8;
  std::vector<uint8_t> a_hdr(a, a + 24);
  EXPECT_EQ(a_hdr, (std::vector<uint8_t>{0,    0,    0, 0, 0, 0, 0,    0x0A, 0, 0, 0, 0,
                                         0x01, 0x01, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 52}));
  std::vector<uint8_t> tid(a + 24, a + 76);
  EXPECT_EQ(tid, encode_transport_id(kNameA, "400001370000"));
  const uint8_t* b = a + 76;
  EXPECT_EQ(get_be64(b), 0xBu);
  EXPECT_EQ(b[12], 0x02);  // ALL_TG_PT, not holder
  EXPECT_EQ(b[13], 0x00);  // scope/type only for the holder
  EXPECT_EQ(get_be16(b + 18), 0);
  // Truncated to 10 bytes: header still reports the full length.
  auto t = prin(s, pr_in_sa::read_full_status, 10);
  ASSERT_EQ(t.size(), 10u);
  EXPECT_EQ(get_be32(t.data() + 4), 152u);
}

TEST(PrIn, ReadFullStatusAllRegistrantsEveryoneHolds) {
  ReservationState s;
  expect_good(do_register_ignore(s, A, 0xA));
  expect_good(do_register_ignore(s, B, 0xB));
  expect_good(do_reserve(s, B, 0xB, PrType::exclusive_access_all_registrants));
  FullStatus fs = read_full_status(s);
  ASSERT_EQ(fs.entries.size(), 2u);
  for (auto& e : fs.entries) {
    EXPECT_TRUE(e.r_holder);
    EXPECT_EQ(e.scope_type, 0x08);
    EXPECT_EQ(e.rtp, 1);
    EXPECT_EQ(e.tid_format, 1);
  }
  EXPECT_EQ(fs.entries[0].name, kNameA);
  EXPECT_EQ(fs.entries[0].isid, "400001370000");
}

TEST(PrIn, ServiceActionRange) {
  ReservationState s;
  for (uint8_t sa = 4; sa < 32; ++sa) {
    std::vector<uint8_t> out(64);
    auto cdb = pr_in_cdb(sa, 64);
    expect_invalid_cdb(s.persistent_reserve_in(A, cdb, out), 1, 4);
  }
  for (uint8_t sa = 0; sa < 4; ++sa) prin(s, sa);
}

TEST(PrIn, GenerationCountsOnlyTheRightServiceActions) {
  ReservationState s;
  EXPECT_EQ(read_keys(s).generation, 0u);
  expect_good(do_register(s, A, 0, 0));  // registers nothing
  EXPECT_EQ(read_keys(s).generation, 0u);
  expect_good(do_register(s, A, 0, 0xA));
  EXPECT_EQ(read_keys(s).generation, 1u);
  expect_good(do_register_ignore(s, B, 0xB));
  EXPECT_EQ(read_keys(s).generation, 2u);
  expect_good(do_reserve(s, A, 0xA, PrType::write_exclusive));
  EXPECT_EQ(read_keys(s).generation, 2u);  // RESERVE does not count
  expect_conflict(do_reserve(s, B, 0xB, PrType::write_exclusive));
  expect_conflict(do_register(s, B, 0xBAD, 0xC));
  EXPECT_EQ(read_keys(s).generation, 2u);  // failures do not count
  expect_good(do_release(s, A, 0xA, PrType::write_exclusive));
  EXPECT_EQ(read_keys(s).generation, 2u);  // RELEASE does not count
  expect_good(do_register(s, A, 0xA, 0xAA));
  EXPECT_EQ(read_keys(s).generation, 3u);
  expect_good(do_preempt(s, A, 0xAA, 0xB, PrType::write_exclusive));
  EXPECT_EQ(read_keys(s).generation, 4u);
  expect_good(do_clear(s, A, 0xAA));
  EXPECT_EQ(read_keys(s).generation, 5u);
  EXPECT_EQ(read_reservation(s).generation, 5u);
  EXPECT_EQ(read_full_status(s).generation, 5u);
}

}  // namespace
}  // namespace nexus::server::resv::test
