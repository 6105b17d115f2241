// PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS, READ RESERVATION, REPORT
// CAPABILITIES, READ FULL STATUS. The full response is built, then truncated
// to the allocation length; the length fields always report the full size
// (SPC-4 4.2.5.6).
#include <algorithm>
#include <cstring>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "reservations/reservation_state.h"
#include "reservations/transport_id.h"

namespace nexus::server::resv {
namespace {

void append_be32(std::vector<uint8_t>& v, uint32_t x) {
  uint8_t b[4];
  put_be32(b, x);
  v.insert(v.end(), b, b + 4);
}
void append_be64(std::vector<uint8_t>& v, uint64_t x) {
  uint8_t b[8];
  put_be64(b, x);
  v.insert(v.end(), b, b + 8);
}

}  // namespace

Outcome ReservationState::persistent_reserve_in(const NexusIdentity& n,
                                                std::span<const uint8_t> cdb,
                                                std::span<uint8_t> out) const {
  (void)n;
  if (cdb.size() < 10) return Outcome::check(sense::invalid_field_in_cdb(0));
  // SPC-2 5.5.1: conflicts while an SPC-2 reservation exists (the core's
  // conflicts() says so first; kept here so the rule holds on its own).
  if (spc2_holder_) return Outcome::conflict();
  const uint8_t sa = cdb[1] & 0x1F;
  const uint16_t alloc = get_be16(cdb.data() + 7);

  std::vector<uint8_t> d;
  d.reserve(64);
  switch (sa) {
    case pr_in_sa::read_keys: {
      // SPC-4 6.15.2: PRgeneration, ADDITIONAL LENGTH, one key per registration.
      append_be32(d, generation_);
      append_be32(d, uint32_t(regs_.size() * 8));
      for (const Registration& r : regs_) append_be64(d, r.key);
      break;
    }
    case pr_in_sa::read_reservation: {
      // SPC-4 6.15.3: a 16-byte descriptor when a reservation exists; the
      // key is 0 for all-registrants types (SPC-4 6.15.3.2).
      append_be32(d, generation_);
      append_be32(d, resv_ ? 16 : 0);
      if (resv_) {
        uint64_t key = 0;
        if (!all_registrants(resv_->type)) {
          const Registration* h = reg_by_id(resv_->holder_registration);
          key = h ? h->key : 0;
        }
        append_be64(d, key);
        append_be32(d, 0);  // obsolete
        d.push_back(0);     // reserved
        d.push_back(uint8_t((kLuScope << 4) | uint8_t(resv_->type)));
        d.push_back(0);  // obsolete
        d.push_back(0);
      }
      break;
    }
    case pr_in_sa::report_capabilities: {
      // SPC-4 6.15.4.
      d.assign(8, 0);
      put_be16(d.data(), 8);
      // CRH=0 (SPC-2 exceptions of 5.13.3 applied as documented in
      // reservation_state.cpp), SIP_C=1, ATP_C=1, PTPL_C=1.
      d[2] = 0x08 | 0x04 | 0x01;
      // TMV=1, ALLOW COMMANDS, PTPL_A = current APTPL.
      d[3] = uint8_t(0x80 | (kAllowCommands << 4) | (aptpl_ ? 0x01 : 0x00));
      // PERSISTENT RESERVATION TYPE MASK: WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC,
      // WR_EX (byte 4) and EX_AC_AR (byte 5).
      d[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02;
      d[5] = 0x01;
      break;
    }
    case pr_in_sa::read_full_status: {
      // SPC-4 6.15.5: one descriptor per registration.
      append_be32(d, generation_);
      append_be32(d, 0);  // ADDITIONAL LENGTH, patched below
      for (const Registration& r : regs_) {
        bool holder = resv_ && (all_registrants(resv_->type) || resv_->holder_registration == r.id);
        std::vector<uint8_t> tid = encode_transport_id(r.initiator_name, r.isid);
        size_t at = d.size();
        d.resize(at + 24, 0);
        uint8_t* p = d.data() + at;
        put_be64(p, r.key);
        p[12] = uint8_t((r.all_tg_pt ? 0x02 : 0) | (holder ? 0x01 : 0));
        if (holder) p[13] = uint8_t((kLuScope << 4) | uint8_t(resv_->type));
        // RELATIVE TARGET PORT IDENTIFIER is not used with ALL_TG_PT=1.
        put_be16(p + 18, r.all_tg_pt ? 0 : r.relative_target_port);
        put_be32(p + 20, uint32_t(tid.size()));
        d.insert(d.end(), tid.begin(), tid.end());
      }
      put_be32(d.data() + 4, uint32_t(d.size() - 8));
      break;
    }
    default:
      return Outcome::check(sense::invalid_field_in_cdb(1, 4));
  }

  Outcome o;
  size_t n_out = std::min({size_t(alloc), d.size(), out.size()});
  if (n_out) std::memcpy(out.data(), d.data(), n_out);
  o.data_in_length = uint32_t(n_out);
  return o;
}

}  // namespace nexus::server::resv
