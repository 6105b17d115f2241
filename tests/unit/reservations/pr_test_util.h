// Helpers for the reservation tests: CDB / parameter list builders and
// decoders of the PERSISTENT RESERVE IN data.
#pragma once

#include <algorithm>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "nexus/bytes.hpp"
#include "reservations/reservation_state.h"
#include "reservations/transport_id.h"

namespace nexus::server::resv::test {

inline NexusIdentity nexus(std::string name, std::string isid, uint16_t port, uint64_t id) {
  return NexusIdentity{std::move(name), std::move(isid), port, id};
}

inline const std::string kNameA = "iqn.2026-01.com.example:host-a";
inline const std::string kNameB = "iqn.2026-01.com.example:host-b";
inline const std::string kNameC = "iqn.2026-01.com.example:host-c";
inline const NexusIdentity A = nexus(kNameA, "400001370000", 1, 11);
inline const NexusIdentity A2 = nexus(kNameA, "400001370000", 2, 12);    // A via port 2
inline const NexusIdentity Anew = nexus(kNameA, "400001370001", 1, 13);  // A, new ISID
inline const NexusIdentity B = nexus(kNameB, "400001370000", 1, 21);
inline const NexusIdentity B2 = nexus(kNameB, "400001370000", 2, 22);
inline const NexusIdentity C = nexus(kNameC, "23d000000001", 1, 31);

constexpr PrType kAllTypes[] = {PrType::write_exclusive,
                                PrType::exclusive_access,
                                PrType::write_exclusive_registrants_only,
                                PrType::exclusive_access_registrants_only,
                                PrType::write_exclusive_all_registrants,
                                PrType::exclusive_access_all_registrants};

inline std::array<uint8_t, 10> pr_out_cdb(uint8_t sa, uint8_t type = 0, uint32_t pll = 24,
                                          uint8_t scope = 0) {
  std::array<uint8_t, 10> c{};
  c[0] = 0x5F;
  c[1] = sa;
  c[2] = uint8_t((scope << 4) | type);
  put_be32(c.data() + 5, pll);
  return c;
}

inline std::array<uint8_t, 10> pr_in_cdb(uint8_t sa, uint16_t alloc = 4096) {
  std::array<uint8_t, 10> c{};
  c[0] = 0x5E;
  c[1] = sa;
  put_be16(c.data() + 7, alloc);
  return c;
}

struct Flags {
  bool spec_i_pt = false;
  bool all_tg_pt = false;
  bool aptpl = false;
};

inline std::vector<uint8_t> basic_params(uint64_t rk, uint64_t sark, Flags f = {}) {
  std::vector<uint8_t> p(24, 0);
  put_be64(p.data(), rk);
  put_be64(p.data() + 8, sark);
  p[20] = uint8_t((f.spec_i_pt ? 0x08 : 0) | (f.all_tg_pt ? 0x04 : 0) | (f.aptpl ? 0x01 : 0));
  return p;
}

// Basic list + TRANSPORTID PARAMETER DATA LENGTH + the TransportIDs.
inline std::vector<uint8_t> spec_i_pt_params(uint64_t rk, uint64_t sark,
                                             const std::vector<std::vector<uint8_t>>& tids,
                                             bool all_tg_pt = false) {
  std::vector<uint8_t> p = basic_params(rk, sark, {true, all_tg_pt, false});
  std::vector<uint8_t> body;
  for (const auto& t : tids) body.insert(body.end(), t.begin(), t.end());
  p.resize(28);
  put_be32(p.data() + 24, uint32_t(body.size()));
  p.insert(p.end(), body.begin(), body.end());
  return p;
}

inline std::vector<uint8_t> move_params(uint64_t rk, uint64_t sark, uint16_t rtpi,
                                        const std::vector<uint8_t>& tid, bool unreg = false,
                                        bool aptpl = false) {
  // Sized up front: GCC 12 -O2 reports a false array-bounds error for
  // vector::insert after a 24-byte vector (GCC bug 107852).
  std::vector<uint8_t> p(24 + tid.size(), 0);
  put_be64(p.data(), rk);
  put_be64(p.data() + 8, sark);
  p[17] = uint8_t((unreg ? 0x02 : 0) | (aptpl ? 0x01 : 0));
  put_be16(p.data() + 18, rtpi);
  put_be32(p.data() + 20, uint32_t(tid.size()));
  std::copy(tid.begin(), tid.end(), p.begin() + 24);
  return p;
}

// ---- PR OUT shorthands -----------------------------------------------------
inline Outcome prout(ReservationState& s, const NexusIdentity& n, uint8_t sa, uint8_t type,
                     const std::vector<uint8_t>& params) {
  auto cdb = pr_out_cdb(sa, type, uint32_t(params.size()));
  return s.persistent_reserve_out(n, cdb, params);
}
inline Outcome do_register(ReservationState& s, const NexusIdentity& n, uint64_t rk, uint64_t sark,
                           Flags f = {}) {
  return prout(s, n, pr_out_sa::register_key, 0, basic_params(rk, sark, f));
}
inline Outcome do_register_ignore(ReservationState& s, const NexusIdentity& n, uint64_t sark,
                                  Flags f = {}) {
  return prout(s, n, pr_out_sa::register_and_ignore, 0, basic_params(0, sark, f));
}
inline Outcome do_reserve(ReservationState& s, const NexusIdentity& n, uint64_t rk, PrType t) {
  return prout(s, n, pr_out_sa::reserve, uint8_t(t), basic_params(rk, 0));
}
inline Outcome do_release(ReservationState& s, const NexusIdentity& n, uint64_t rk, PrType t) {
  return prout(s, n, pr_out_sa::release, uint8_t(t), basic_params(rk, 0));
}
inline Outcome do_clear(ReservationState& s, const NexusIdentity& n, uint64_t rk) {
  return prout(s, n, pr_out_sa::clear, 0, basic_params(rk, 0));
}
inline Outcome do_preempt(ReservationState& s, const NexusIdentity& n, uint64_t rk, uint64_t sark,
                          PrType t, bool abort = false) {
  return prout(s, n, abort ? pr_out_sa::preempt_and_abort : pr_out_sa::preempt, uint8_t(t),
               basic_params(rk, sark));
}

// ---- PR IN decoders --------------------------------------------------------
inline std::vector<uint8_t> prin(const ReservationState& s, uint8_t sa, uint16_t alloc = 4096,
                                 const NexusIdentity& n = A) {
  std::vector<uint8_t> out(alloc, 0xEE);
  auto cdb = pr_in_cdb(sa, alloc);
  Outcome o = s.persistent_reserve_in(n, cdb, out);
  EXPECT_EQ(o.status, ScsiStatus::good);
  out.resize(o.data_in_length);
  return out;
}

struct Keys {
  uint32_t generation = 0;
  std::vector<uint64_t> keys;
};
inline Keys read_keys(const ReservationState& s) {
  auto d = prin(s, pr_in_sa::read_keys);
  Keys k;
  EXPECT_GE(d.size(), 8u);
  if (d.size() < 8) return k;
  k.generation = get_be32(d.data());
  uint32_t len = get_be32(d.data() + 4);
  EXPECT_EQ(len + 8, d.size());
  for (size_t i = 8; i + 8 <= d.size(); i += 8) k.keys.push_back(get_be64(d.data() + i));
  return k;
}

struct Resv {
  uint32_t generation = 0;
  bool present = false;
  uint64_t key = 0;
  uint8_t scope_type = 0;
};
inline Resv read_reservation(const ReservationState& s) {
  auto d = prin(s, pr_in_sa::read_reservation);
  Resv r;
  EXPECT_GE(d.size(), 8u);
  if (d.size() < 8) return r;
  r.generation = get_be32(d.data());
  uint32_t len = get_be32(d.data() + 4);
  EXPECT_TRUE(len == 0 || len == 16);
  EXPECT_EQ(len + 8, d.size());
  if (len == 16) {
    r.present = true;
    r.key = get_be64(d.data() + 8);
    r.scope_type = d[21];
  }
  return r;
}

struct FullStatusEntry {
  uint64_t key = 0;
  bool all_tg_pt = false;
  bool r_holder = false;
  uint8_t scope_type = 0;
  uint16_t rtp = 0;
  uint8_t tid_format = 0;
  std::string name;
  std::string isid;
};
struct FullStatus {
  uint32_t generation = 0;
  std::vector<FullStatusEntry> entries;
};
inline FullStatus read_full_status(const ReservationState& s) {
  auto d = prin(s, pr_in_sa::read_full_status, 8192);
  FullStatus fs;
  EXPECT_GE(d.size(), 8u);
  if (d.size() < 8) return fs;
  fs.generation = get_be32(d.data());
  EXPECT_EQ(get_be32(d.data() + 4) + 8, d.size());
  size_t pos = 8;
  while (pos + 24 <= d.size()) {
    const uint8_t* p = d.data() + pos;
    FullStatusEntry e;
    e.key = get_be64(p);
    e.all_tg_pt = p[12] & 0x02;
    e.r_holder = p[12] & 0x01;
    e.scope_type = p[13];
    e.rtp = get_be16(p + 18);
    uint32_t tlen = get_be32(p + 20);
    EXPECT_LE(pos + 24 + tlen, d.size());
    EXPECT_EQ(tlen % 4, 0u);
    EXPECT_GE(tlen, 24u);
    auto parsed = parse_transport_ids(std::span<const uint8_t>(p + 24, tlen), 0, 1);
    EXPECT_TRUE(parsed.ok);
    if (parsed.ok && parsed.ids.size() == 1) {
      e.name = parsed.ids[0].id.name;
      e.isid = parsed.ids[0].id.isid;
      e.tid_format = p[24] >> 6;
    }
    fs.entries.push_back(e);
    pos += 24 + tlen;
  }
  EXPECT_EQ(pos, d.size());
  return fs;
}

// ---- Outcome assertions ----------------------------------------------------
inline void expect_good(const Outcome& o) {
  EXPECT_EQ(o.status, ScsiStatus::good);
  EXPECT_FALSE(o.has_sense);
}
inline void expect_conflict(const Outcome& o) {
  EXPECT_EQ(o.status, ScsiStatus::reservation_conflict);
  EXPECT_FALSE(o.has_sense);
  EXPECT_TRUE(o.effects.empty());
}
inline void expect_check(const Outcome& o, SenseKey key, uint8_t asc, uint8_t ascq) {
  EXPECT_EQ(o.status, ScsiStatus::check_condition);
  EXPECT_TRUE(o.has_sense);
  EXPECT_EQ(o.sense.key, key);
  EXPECT_EQ(o.sense.asc, asc);
  EXPECT_EQ(o.sense.ascq, ascq);
  EXPECT_TRUE(o.effects.empty());
}
inline void expect_field(const Outcome& o, bool in_cdb, uint16_t byte, int bit = -1) {
  ASSERT_TRUE(o.has_sense);
  EXPECT_TRUE(o.sense.flags & SenseFlags::field_valid);
  EXPECT_EQ(bool(o.sense.flags & SenseFlags::field_in_cdb), in_cdb);
  EXPECT_EQ(o.sense.field_pointer, byte);
  if (bit >= 0) {
    EXPECT_TRUE(o.sense.flags & SenseFlags::field_bit_valid);
    EXPECT_EQ(o.sense.field_bit, bit);
  }
}
inline void expect_invalid_param(const Outcome& o, uint16_t byte, int bit = -1) {
  expect_check(o, SenseKey::illegal_request, 0x26, 0x00);
  expect_field(o, false, byte, bit);
}
inline void expect_invalid_cdb(const Outcome& o, uint16_t byte, int bit = -1) {
  expect_check(o, SenseKey::illegal_request, 0x24, 0x00);
  expect_field(o, true, byte, bit);
}
inline void expect_pll_error(const Outcome& o) {
  expect_check(o, SenseKey::illegal_request, 0x1A, 0x00);
}

// True when `effects` holds a UA with `ascq` addressed to the registration
// of `name`/`isid` (and excluding `exclude`, if given).
inline int count_ua(const Outcome& o, const std::string& name, uint8_t ascq) {
  int n = 0;
  for (const Effect& e : o.effects)
    if (e.kind == Effect::unit_attention && e.initiator_name == name && e.asc == 0x2A &&
        e.ascq == ascq)
      ++n;
  return n;
}
inline int count_abort(const Outcome& o, const std::string& name) {
  int n = 0;
  for (const Effect& e : o.effects)
    if (e.kind == Effect::abort_tasks && e.initiator_name == name) ++n;
  return n;
}

}  // namespace nexus::server::resv::test
