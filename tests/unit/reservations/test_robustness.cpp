// Garbage in: precise errors out, never a crash (run under ASan/UBSan too).
#include <gtest/gtest.h>

#include <random>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

TEST(Robustness, RandomPersistentReserveOut) {
  std::mt19937 rng(12345);
  ReservationState s;
  const NexusIdentity* who[] = {&A, &A2, &Anew, &B, &B2, &C};
  for (int i = 0; i < 20000; ++i) {
    std::array<uint8_t, 10> cdb{};
    cdb[0] = 0x5F;
    cdb[1] = uint8_t(rng() % 9);
    cdb[2] = uint8_t(rng() % 3 == 0 ? rng() : (rng() % 9));
    size_t len = rng() % 4 == 0 ? rng() % 200 : 24;
    put_be32(cdb.data() + 5, uint32_t(rng() % 8 == 0 ? rng() : len));
    std::vector<uint8_t> params(len);
    for (auto& b : params) b = uint8_t(rng() % 4 == 0 ? rng() : (rng() % 3));
    if (len >= 28 && rng() % 2) {
      params[20] |= 0x08;
      put_be32(params.data() + 24, uint32_t(rng() % 2 ? len - 28 : rng()));
    }
    Outcome o = s.persistent_reserve_out(*who[rng() % 6], cdb, params);
    if (o.status == ScsiStatus::check_condition) {
      EXPECT_TRUE(o.has_sense);
      EXPECT_TRUE(o.effects.empty());
    }
    // The state stays self-consistent: it serializes and reads back.
    if (i % 500 == 0) {
      std::string err;
      auto back = ReservationState::deserialize(s.serialize(), &err);
      ASSERT_TRUE(back) << err;
    }
  }
}

TEST(Robustness, RandomPersistentReserveIn) {
  std::mt19937 rng(7);
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA));
  expect_good(do_reserve(s, A, 0xA, PrType::write_exclusive));
  for (int i = 0; i < 5000; ++i) {
    std::array<uint8_t, 10> cdb{};
    for (auto& b : cdb) b = uint8_t(rng());
    std::vector<uint8_t> out(rng() % 300);
    Outcome o = s.persistent_reserve_in(B, cdb, out);
    EXPECT_LE(o.data_in_length, out.size());
    EXPECT_LE(o.data_in_length, get_be16(cdb.data() + 7));
  }
  std::vector<uint8_t> out(16);
  std::array<uint8_t, 4> short_cdb{0x5E};
  expect_invalid_cdb(s.persistent_reserve_in(A, short_cdb, out), 0);
  expect_invalid_cdb(s.persistent_reserve_out(A, short_cdb, {}), 0);
}

TEST(Robustness, RandomStateFiles) {
  std::mt19937 rng(99);
  ReservationState s;
  expect_good(do_register(s, A, 0, 0xA, {false, true, true}));
  expect_good(do_register(s, B, 0, 0xB, {false, false, true}));
  expect_good(do_reserve(s, B, 0xB, PrType::exclusive_access));
  const std::string good = s.serialize();
  for (int i = 0; i < 5000; ++i) {
    std::string t = good;
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % t.size();
      switch (rng() % 3) {
        case 0:
          t[at] = char(rng());
          break;
        case 1:
          t.erase(at, 1 + rng() % 8);
          break;
        case 2:
          t.insert(at, 1, char(rng()));
          break;
      }
      if (t.empty()) t = "x";
    }
    std::string err;
    auto back = ReservationState::deserialize(t, &err);
    if (!back) {
      EXPECT_FALSE(err.empty());
      continue;
    }
    // Whatever was accepted behaves.
    EXPECT_EQ(prin(*back, pr_in_sa::read_full_status).size() >= 8, true);
    (void)back->conflicts(C, ResvClass::write, std::array<uint8_t, 10>{0x2A});
  }
}

}  // namespace
}  // namespace nexus::server::resv::test
