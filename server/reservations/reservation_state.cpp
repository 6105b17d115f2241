#include "reservations/reservation_state.h"

#include <algorithm>
#include <utility>

#include "nexus/sense.hpp"
#include "reservations/conflict_table.h"

namespace nexus::server::resv {
namespace {

// RESERVE/RELEASE(6): bytes 1..4 carry the third-party / extent fields
// (SPC-2 7.21, 7.17); (10): bytes 1..8 (3RDPTY, LONGID, third-party device
// ID, parameter list length). We implement neither, so every one of those
// bytes must be zero. Returns the offending byte (0 = none).
std::optional<SenseInfo> check_spc2_cdb(std::span<const uint8_t> cdb) {
  if (cdb.empty()) return sense::invalid_field_in_cdb(0);
  size_t last = cdb.size() >= 10 ? 8 : (cdb.size() >= 6 ? 4 : cdb.size() - 1);
  for (size_t i = 1; i <= last && i < cdb.size(); ++i) {
    if (cdb[i] == 0) continue;
    int bit = 7;
    while (!(cdb[i] & (1u << bit))) --bit;
    return sense::invalid_field_in_cdb(uint16_t(i), bit);
  }
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------------------
// SPC-2 RESERVE / RELEASE

Outcome ReservationState::reserve(const NexusIdentity& n, std::span<const uint8_t> cdb) {
  if (auto s = check_spc2_cdb(cdb)) return Outcome::check(*s);
  // SPC-4 5.13.3: RESERVE conflicts while any I_T nexus is registered.
  if (!regs_.empty()) return Outcome::conflict();
  // SPC-2 7.21.2: reserved by another I_T nexus -> conflict; the holder may
  // reserve again.
  if (spc2_holder_ && !same_nexus(*spc2_holder_, n)) return Outcome::conflict();
  spc2_holder_ = n;
  return Outcome::good();
}

Outcome ReservationState::release(const NexusIdentity& n, std::span<const uint8_t> cdb) {
  if (auto s = check_spc2_cdb(cdb)) return Outcome::check(*s);
  // SPC-4 5.13.3: with registrations present RELEASE completes with GOOD and
  // no effect (there is no SPC-2 reservation to release: RESERVE conflicted).
  if (!regs_.empty()) return Outcome::good();
  // SPC-2 7.17.2: releasing without holding the reservation is not an error
  // and leaves the reservation alone.
  if (spc2_holder_ && same_nexus(*spc2_holder_, n)) spc2_holder_.reset();
  return Outcome::good();
}

void ReservationState::nexus_lost(const NexusIdentity& n) {
  if (spc2_holder_ && same_nexus(*spc2_holder_, n)) spc2_holder_.reset();
}

void ReservationState::lu_reset() { spc2_holder_.reset(); }

// ---------------------------------------------------------------------------
// Conflict check

bool ReservationState::conflicts(const NexusIdentity& n, ResvClass cls,
                                 std::span<const uint8_t> cdb) const {
  if (spc2_holder_) {
    // SPC-2 5.5.1: while an SPC-2 reservation exists, PERSISTENT RESERVE IN
    // and OUT conflict for every I_T nexus, the holder included.
    if (cls == ResvClass::pr_in || cls == ResvClass::pr_out) return true;
    if (same_nexus(*spc2_holder_, n)) return false;
    return spc2_conflicts(cls, cdb.empty() ? 0xFF : cdb[0]);
  }
  if (cls == ResvClass::reserve) return !regs_.empty();  // SPC-4 5.13.3
  if (!resv_) return false;
  if (is_holder(n)) return false;
  return pr_conflicts(cls, resv_->type, find_reg(n) != nullptr);
}

// ---------------------------------------------------------------------------
// Registration helpers

const Registration* ReservationState::find_reg(const NexusIdentity& n) const noexcept {
  // An exact registration (this ISID, this port) wins over a wider one.
  const Registration* wide = nullptr;
  for (const Registration& r : regs_) {
    if (!r.covers(n)) continue;
    if (!r.isid.empty() && !r.all_tg_pt) return &r;
    if (!wide) wide = &r;
  }
  return wide;
}

Registration* ReservationState::find_reg(const NexusIdentity& n) noexcept {
  return const_cast<Registration*>(std::as_const(*this).find_reg(n));
}

const Registration* ReservationState::reg_by_id(uint64_t id) const noexcept {
  for (const Registration& r : regs_)
    if (r.id == id) return &r;
  return nullptr;
}

bool ReservationState::is_holder(const NexusIdentity& n) const noexcept {
  if (!resv_) return false;
  if (all_registrants(resv_->type)) return find_reg(n) != nullptr;
  return iequal(resv_->holder_name, n.initiator_name) &&
         (resv_->holder_isid.empty() || iequal(resv_->holder_isid, n.isid)) &&
         resv_->holder_port == n.relative_target_port;
}

Registration& ReservationState::add_reg(uint64_t key, std::string name, std::string isid,
                                        uint16_t port, bool all_ports) {
  Registration r;
  r.id = next_id_++;
  r.key = key;
  r.initiator_name = std::move(name);
  r.isid = std::move(isid);
  std::transform(r.isid.begin(), r.isid.end(), r.isid.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; });
  r.relative_target_port = all_ports ? 0 : port;
  r.all_tg_pt = all_ports;
  regs_.push_back(std::move(r));
  return regs_.back();
}

void ReservationState::set_holder(const Registration& r, const NexusIdentity& n, PrType type) {
  PersistentReservation pr;
  pr.type = type;
  pr.holder_registration = r.id;
  pr.holder_name = n.initiator_name;
  pr.holder_isid = n.isid;
  pr.holder_port = n.relative_target_port;
  resv_ = std::move(pr);
}

Effect ReservationState::effect_for(const Registration& r, Effect::Kind kind, uint8_t ascq,
                                    const NexusIdentity* exclude) {
  Effect e;
  e.kind = kind;
  e.initiator_name = r.initiator_name;
  e.isid = r.isid;
  e.relative_target_port = r.relative_target_port;
  e.all_ports = r.all_tg_pt;
  if (kind == Effect::unit_attention) {
    e.asc = kAscParametersChanged;
    e.ascq = ascq;
  }
  if (exclude) e.exclude_nexus_id = exclude->nexus_id;
  return e;
}

}  // namespace nexus::server::resv
