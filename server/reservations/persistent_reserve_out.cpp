// PERSISTENT RESERVE OUT (SPC-4 6.16) and the reservation model of SPC-4
// 5.13.7 - 5.13.12.
//
// PRgeneration (SPC-4 6.15.2) is incremented by every successful REGISTER,
// REGISTER AND IGNORE EXISTING KEY, CLEAR, PREEMPT, PREEMPT AND ABORT and
// REGISTER AND MOVE; not by RESERVE, RELEASE, a failed command, or a
// REGISTER that registers nothing (unregistered I_T nexus, key 0).
#include <algorithm>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "reservations/reservation_state.h"
#include "reservations/transport_id.h"

namespace nexus::server::resv {
namespace {

constexpr uint32_t kBasicParamLength = 24;  // SPC-4 6.16.3

// A registration for (name, isid, port|all) would cover an I_T nexus that a
// registration in `v` already covers.
bool overlaps(const std::vector<Registration>& v, std::string_view name, std::string_view isid,
              uint16_t port, bool all_ports) {
  for (const Registration& r : v) {
    if (!iequal(r.initiator_name, name)) continue;
    if (!r.isid.empty() && !isid.empty() && !iequal(r.isid, isid)) continue;
    if (!r.all_tg_pt && !all_ports && r.relative_target_port != port) continue;
    return true;
  }
  return false;
}

}  // namespace

template <class Pred>
std::vector<Registration> ReservationState::remove_regs(Pred pred) {
  std::vector<Registration> removed, kept;
  for (Registration& r : regs_) (pred(r) ? removed : kept).push_back(std::move(r));
  regs_ = std::move(kept);
  if (!removed.empty()) dirty_ = true;
  if (resv_) {
    // SPC-4 5.13.11.3: removing the holder's registration releases a
    // reservation; an all-registrants one lasts while any registrant does.
    bool gone = all_registrants(resv_->type) ? regs_.empty()
                                             : reg_by_id(resv_->holder_registration) == nullptr;
    if (gone) resv_.reset();
  }
  return removed;
}

Outcome ReservationState::persistent_reserve_out(const NexusIdentity& n,
                                                 std::span<const uint8_t> cdb,
                                                 std::span<const uint8_t> params) {
  if (cdb.size() < 10) return Outcome::check(sense::invalid_field_in_cdb(0));
  const uint8_t sa = cdb[1] & 0x1F;
  if (sa > pr_out_sa::register_and_move) return Outcome::check(sense::invalid_field_in_cdb(1, 4));
  // SPC-2 5.5.1: conflicts with an SPC-2 reservation, whoever sends it.
  if (spc2_holder_) return Outcome::conflict();

  const uint8_t scope = cdb[2] >> 4;
  const uint8_t type = cdb[2] & 0x0F;
  // SCOPE and TYPE matter to RESERVE, RELEASE, PREEMPT and PREEMPT AND ABORT
  // only (SPC-4 6.16.2); LU_SCOPE is the only scope.
  const bool uses_type = sa == pr_out_sa::reserve || sa == pr_out_sa::release ||
                         sa == pr_out_sa::preempt || sa == pr_out_sa::preempt_and_abort;
  if (uses_type) {
    if (scope != kLuScope) return Outcome::check(sense::invalid_field_in_cdb(2, 7));
    if (!valid_pr_type(type)) return Outcome::check(sense::invalid_field_in_cdb(2, 3));
  }

  const uint32_t pll = get_be32(cdb.data() + 5);
  std::span<const uint8_t> p = params.first(std::min<size_t>(params.size(), pll));
  const bool aptpl_before = aptpl_;
  dirty_ = false;

  Outcome o;
  if (sa == pr_out_sa::register_and_move) {
    o = do_register_and_move(n, p, pll);
  } else {
    // SPC-4 6.16.3: the basic parameter list is 24 bytes; only SPEC_I_PT
    // (REGISTER) adds TransportIDs after it.
    if (pll < kBasicParamLength || p.size() < kBasicParamLength)
      return Outcome::check(sense::param_list_length_error());
    const bool spec_i_pt = p[20] & 0x08;
    // SPC-4 6.16.3: SPEC_I_PT is valid for REGISTER only.
    if (spec_i_pt && sa != pr_out_sa::register_key)
      return Outcome::check(sense::invalid_field_in_param(20, 3));
    if (!spec_i_pt && pll != kBasicParamLength)
      return Outcome::check(sense::param_list_length_error());
    const uint64_t rk = get_be64(p.data());
    const uint64_t sark = get_be64(p.data() + 8);
    switch (sa) {
      case pr_out_sa::register_key:
      case pr_out_sa::register_and_ignore:
        o = do_register(n, sa, p, pll);
        break;
      case pr_out_sa::reserve:
        o = do_reserve(n, rk, PrType(type));
        break;
      case pr_out_sa::release:
        o = do_release(n, rk, PrType(type));
        break;
      case pr_out_sa::clear:
        o = do_clear(n, rk);
        break;
      case pr_out_sa::preempt:
        o = do_preempt(n, rk, sark, PrType(type), false);
        break;
      case pr_out_sa::preempt_and_abort:
        o = do_preempt(n, rk, sark, PrType(type), true);
        break;
    }
  }
  if (o.status == ScsiStatus::good && dirty_ && (aptpl_ || aptpl_before))
    o.state_changed_persistent = true;
  dirty_ = false;
  return o;
}

// SPC-4 5.13.7 (register behaviours) and 5.13.11.3 (unregister).
Outcome ReservationState::do_register(const NexusIdentity& n, uint8_t sa,
                                      std::span<const uint8_t> p, uint32_t pll) {
  const bool ignore_key = sa == pr_out_sa::register_and_ignore;
  const uint64_t rk = get_be64(p.data());
  const uint64_t sark = get_be64(p.data() + 8);
  const bool spec_i_pt = p[20] & 0x08;
  const bool all_tg_pt = p[20] & 0x04;
  const bool aptpl = p[20] & 0x01;

  Registration* r = find_reg(n);
  if (!ignore_key) {
    if (!r && rk != 0) return Outcome::conflict();
    if (r && rk != r->key) return Outcome::conflict();
  }
  // SPC-4 5.13.7: SPEC_I_PT=1 from a registered I_T nexus.
  if (r && spec_i_pt) return Outcome::check(sense_codes::invalid_field_in_cdb_no_pointer());

  std::vector<ParsedTransportId> tids;
  if (spec_i_pt) {
    // SPC-4 6.16.4: TRANSPORTID PARAMETER DATA LENGTH at bytes 24..27; the
    // PARAMETER LIST LENGTH must cover all the TransportIDs it announces.
    if (pll < kBasicParamLength + 4 || p.size() < kBasicParamLength + 4)
      return Outcome::check(sense::param_list_length_error());
    const uint32_t tpdl = get_be32(p.data() + 24);
    if (uint64_t(kBasicParamLength) + 4 + tpdl > pll ||
        uint64_t(kBasicParamLength) + 4 + tpdl > p.size())
      return Outcome::check(sense::param_list_length_error());
    TransportIdParse parsed = parse_transport_ids(p.subspan(kBasicParamLength + 4, tpdl),
                                                  kBasicParamLength + 4, kMaxRegistrations);
    if (!parsed.ok) return Outcome::check(parsed.sense);
    tids = std::move(parsed.ids);
  }

  if (r) {
    dirty_ = true;
    if (sark == 0) {
      // SPC-4 5.13.11.3: unregister. Losing the holder of a registrants-only
      // reservation releases it with RESERVATIONS RELEASED to the others
      // (SPC-4 5.13.11.2.2); a WE/EA one goes silently.
      const bool was_holder =
          resv_ && !all_registrants(resv_->type) && resv_->holder_registration == r->id;
      const PrType old_type = resv_ ? resv_->type : PrType::write_exclusive;
      const uint64_t id = r->id;
      remove_regs([id](const Registration& x) { return x.id == id; });
      Outcome o;
      if (was_holder && registrants_only(old_type))
        for (const Registration& x : regs_)
          o.effects.push_back(effect_for(x, Effect::unit_attention, kAscqReservationsReleased, &n));
      ++generation_;
      return o;
    }
    // Replace the key; the registration keeps its target port scope.
    r->key = sark;
    aptpl_ = aptpl;
    ++generation_;
    return Outcome::good();
  }

  // Not registered: SERVICE ACTION RESERVATION KEY 0 registers nothing.
  if (sark == 0) return Outcome::good();

  // ALL_TG_PT acts as if received through every target port; a port where
  // this initiator port is already registered would answer RESERVATION
  // CONFLICT to RESERVATION KEY 0 (SPC-4 6.16.3).
  if (all_tg_pt && overlaps(regs_, n.initiator_name, n.isid, n.relative_target_port, true))
    return Outcome::conflict();

  // The sender first, then each TransportID (SPC-4 6.16.3 SPEC_I_PT): all or
  // nothing. A TransportID naming an I_T nexus that is already registered (or
  // named twice) is skipped rather than re-keyed.
  std::vector<Registration> planned;
  Registration self;
  self.initiator_name = n.initiator_name;
  self.isid = n.isid;
  self.relative_target_port = n.relative_target_port;
  self.all_tg_pt = all_tg_pt;
  planned.push_back(self);
  for (const ParsedTransportId& t : tids) {
    if (overlaps(regs_, t.id.name, t.id.isid, n.relative_target_port, all_tg_pt) ||
        overlaps(planned, t.id.name, t.id.isid, n.relative_target_port, all_tg_pt))
      continue;
    Registration x;
    x.initiator_name = t.id.name;
    x.isid = t.id.isid;
    x.relative_target_port = n.relative_target_port;
    x.all_tg_pt = all_tg_pt;
    planned.push_back(std::move(x));
  }
  if (regs_.size() + planned.size() > kMaxRegistrations)
    return Outcome::check(sense_codes::insufficient_registration_resources());
  for (Registration& x : planned)
    add_reg(sark, std::move(x.initiator_name), std::move(x.isid), x.relative_target_port,
            x.all_tg_pt);
  aptpl_ = aptpl;
  dirty_ = true;
  ++generation_;
  return Outcome::good();
}

// SPC-4 5.13.9 (reserving).
Outcome ReservationState::do_reserve(const NexusIdentity& n, uint64_t rk, PrType type) {
  const Registration* r = find_reg(n);
  if (!r || r->key != rk) return Outcome::conflict();
  if (resv_) {
    // The holder may repeat its reservation; any other change, or any other
    // nexus, conflicts.
    if (is_holder(n) && resv_->type == type) return Outcome::good();
    return Outcome::conflict();
  }
  set_holder(*r, n, type);
  dirty_ = true;
  return Outcome::good();
}

// SPC-4 5.13.11.2 (releasing).
Outcome ReservationState::do_release(const NexusIdentity& n, uint64_t rk, PrType type) {
  const Registration* r = find_reg(n);
  if (!r || r->key != rk) return Outcome::conflict();
  // No reservation, or held by another I_T nexus: GOOD, nothing released.
  if (!resv_ || !is_holder(n)) return Outcome::good();
  if (resv_->type != type) return Outcome::check(sense_codes::invalid_release());
  const PrType old = resv_->type;
  resv_.reset();
  dirty_ = true;
  Outcome o;
  // SPC-4 5.13.11.2.2: releasing a registrants-only or all-registrants
  // reservation tells every other registered I_T nexus.
  if (registrants_only(old) || all_registrants(old))
    for (const Registration& x : regs_)
      o.effects.push_back(effect_for(x, Effect::unit_attention, kAscqReservationsReleased, &n));
  return o;
}

// SPC-4 5.13.11.2.3 (clearing).
Outcome ReservationState::do_clear(const NexusIdentity& n, uint64_t rk) {
  const Registration* r = find_reg(n);
  if (!r || r->key != rk) return Outcome::conflict();
  Outcome o;
  for (const Registration& x : regs_)
    o.effects.push_back(effect_for(x, Effect::unit_attention, kAscqReservationsPreempted, &n));
  regs_.clear();
  resv_.reset();
  dirty_ = true;
  ++generation_;
  return o;
}

// SPC-4 5.13.12 (preempting) and 5.13.12.3 (PREEMPT AND ABORT).
Outcome ReservationState::do_preempt(const NexusIdentity& n, uint64_t rk, uint64_t sark,
                                     PrType type, bool abort) {
  const Registration* r = find_reg(n);
  if (!r || r->key != rk) return Outcome::conflict();
  const uint64_t self = r->id;
  const bool key_known = std::any_of(regs_.begin(), regs_.end(),
                                     [sark](const Registration& x) { return x.key == sark; });

  Outcome o;
  // The sender's own registration is never removed by its PREEMPT.
  auto remove_key = [&](uint64_t key) {
    return remove_regs([&](const Registration& x) { return x.key == key && x.id != self; });
  };
  auto report = [&](const std::vector<Registration>& removed) {
    for (const Registration& x : removed) {
      o.effects.push_back(effect_for(x, Effect::unit_attention, kAscqRegistrationsPreempted, &n));
      if (abort) o.effects.push_back(effect_for(x, Effect::abort_tasks, 0, &n));
    }
  };

  if (resv_ && all_registrants(resv_->type) && sark == 0) {
    // SPC-4 5.13.12.2.2: key 0 under an all-registrants reservation preempts
    // every other registrant and makes the sender the holder of a new
    // reservation of the CDB's type.
    report(remove_regs([&](const Registration& x) { return x.id != self; }));
    set_holder(*reg_by_id(self), n, type);
  } else if (resv_ && !all_registrants(resv_->type) && sark != 0 &&
             reg_by_id(resv_->holder_registration) &&
             reg_by_id(resv_->holder_registration)->key == sark) {
    // SPC-4 5.13.12.2.2: preempting the holder: remove its registrations
    // (all with that key, except the sender's), reserve for the sender with
    // the CDB's scope/type, and if the type changed tell the remaining
    // registrants RESERVATIONS RELEASED.
    const PrType old_type = resv_->type;
    report(remove_key(sark));
    set_holder(*reg_by_id(self), n, type);
    if (old_type != type)
      for (const Registration& x : regs_)
        o.effects.push_back(effect_for(x, Effect::unit_attention, kAscqReservationsReleased, &n));
  } else {
    // SPC-4 5.13.12.2.3: no reservation, or SARK names non-holders: remove
    // those registrations only. Key 0 names nobody: with no reservation or a
    // non all-registrants one it is an invalid parameter (SPC-4 6.16.3).
    if (sark == 0) return Outcome::check(sense::invalid_field_in_param(8));
    if (!key_known) return Outcome::conflict();
    report(remove_key(sark));
  }
  dirty_ = true;
  ++generation_;
  return o;
}

// SPC-4 5.13.8 (REGISTER AND MOVE), parameter list SPC-4 6.16.4.
Outcome ReservationState::do_register_and_move(const NexusIdentity& n, std::span<const uint8_t> p,
                                               uint32_t pll) {
  if (pll < kBasicParamLength || p.size() < kBasicParamLength)
    return Outcome::check(sense::param_list_length_error());
  const uint64_t rk = get_be64(p.data());
  const uint64_t sark = get_be64(p.data() + 8);
  const bool unreg = p[17] & 0x02;
  const bool aptpl = p[17] & 0x01;
  const uint16_t rtpi = get_be16(p.data() + 18);
  const uint32_t tpdl = get_be32(p.data() + 20);
  if (uint64_t(kBasicParamLength) + tpdl > pll || uint64_t(kBasicParamLength) + tpdl > p.size())
    return Outcome::check(sense::param_list_length_error());

  const Registration* r = find_reg(n);
  if (!r || r->key != rk) return Outcome::conflict();
  // Only the holder of a non all-registrants reservation can move it.
  if (!resv_ || !is_holder(n) || all_registrants(resv_->type)) return Outcome::conflict();
  if (sark == 0) return Outcome::check(sense::invalid_field_in_param(8));
  // Exactly one TransportID (at least 24 bytes for iSCSI).
  if (tpdl < 24) return Outcome::check(sense::invalid_field_in_param(20));
  TransportIdParse parsed =
      parse_transport_ids(p.subspan(kBasicParamLength, tpdl), kBasicParamLength, 1);
  if (!parsed.ok) return Outcome::check(parsed.sense);
  if (parsed.ids.size() != 1) return Outcome::check(sense::invalid_field_in_param(20));
  const TransportId& dest = parsed.ids[0].id;
  if (rtpi == 0 || (!target_ports_.empty() && std::find(target_ports_.begin(), target_ports_.end(),
                                                        rtpi) == target_ports_.end()))
    return Outcome::check(sense::invalid_field_in_param(18));

  NexusIdentity d;
  d.initiator_name = dest.name;
  d.isid = dest.isid;
  d.relative_target_port = rtpi;
  // Moving to the sending I_T nexus itself is invalid (SPC-4 5.13.8).
  if (iequal(d.initiator_name, n.initiator_name) && rtpi == n.relative_target_port &&
      (d.isid.empty() || iequal(d.isid, n.isid)))
    return Outcome::check(sense::invalid_field_in_param(kBasicParamLength));

  // The destination's registration: exactly its identity, or one covering it.
  Registration* dest_reg = nullptr;
  for (Registration& x : regs_) {
    bool same = iequal(x.initiator_name, d.initiator_name) &&
                (x.all_tg_pt || x.relative_target_port == rtpi) &&
                (x.isid.empty() || iequal(x.isid, d.isid));
    if (same) {
      dest_reg = &x;
      break;
    }
  }
  // One registration record covering both nexuses (ALL_TG_PT or name-only)
  // cannot be re-keyed or unregistered for one of them alone.
  if (dest_reg && dest_reg->id == r->id)
    return Outcome::check(sense::invalid_field_in_param(kBasicParamLength));
  if (!dest_reg && regs_.size() >= kMaxRegistrations)
    return Outcome::check(sense_codes::insufficient_registration_resources());

  const PrType type = resv_->type;
  const uint64_t source_id = r->id;
  if (dest_reg) {
    dest_reg->key = sark;
  } else {
    dest_reg = &add_reg(sark, d.initiator_name, d.isid, rtpi, false);
  }
  set_holder(*dest_reg, d, type);
  if (unreg) remove_regs([source_id](const Registration& x) { return x.id == source_id; });
  aptpl_ = aptpl;
  dirty_ = true;
  ++generation_;
  return Outcome::good();
}

}  // namespace nexus::server::resv
