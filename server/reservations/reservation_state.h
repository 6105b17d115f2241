// Reservation state of one logical unit: the SPC-2 RESERVE/RELEASE
// reservation and the SPC-4 persistent reservation (registrations, holder,
// type, APTPL, PRgeneration).
//
// Pure logic: no threads, no I/O. The core calls it under the logical unit's
// lock, answers the command with the returned Outcome, carries out the
// Outcome's effects on the live nexuses and, when state_changed_persistent is
// set, saves the state with ReservationStore before completing the command.
//
// Identity rules (SPC-4 5.13.1, 5.13.7):
// - A registration belongs to an I_T nexus: initiator port (iSCSI name + ISID)
//   x target port, or to that initiator port on every target port when it was
//   made with ALL_TG_PT=1. A registration made through SPEC_I_PT or REGISTER
//   AND MOVE with a format 00b TransportID (name only) covers every ISID of
//   that name.
// - An initiator that logs in again with a NEW ISID is a different initiator
//   port, hence a different I_T nexus: it is NOT registered and holds nothing
//   (a non-registrant for the conflict table), while the registration of the
//   old port (old ISID) persists until that port unregisters or another
//   registrant clears or preempts it. Logging in again with the SAME ISID
//   (session reinstatement) is the same I_T nexus and finds its registration.
// - I_T nexus loss releases the SPC-2 reservation of that nexus; persistent
//   reservations and registrations are unaffected (SPC-4 5.13.1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nexus/opcode.h"
#include "reservations/nexus_identity.h"
#include "reservations/outcome.h"
#include "reservations/pr_types.h"

namespace nexus::server::resv {

// SPC-4 6.15.4 REPORT CAPABILITIES ALLOW COMMANDS = 001b: TEST UNIT READY is
// allowed through Write Exclusive and Exclusive Access reservations (ResvClass
// allowed); nothing is promised about MODE SENSE, READ BUFFER, RECEIVE
// DIAGNOSTIC RESULTS, ... since their classes come from device rows.
inline constexpr uint8_t kAllowCommands = 1;

// Upper bound on registrations per LU; beyond it REGISTER answers
// INSUFFICIENT REGISTRATION RESOURCES (SPC-4 5.13.7).
inline constexpr size_t kMaxRegistrations = 2048;

struct Registration {
  uint64_t id = 0;   // unique within the state; names the holder
  uint64_t key = 0;  // never 0 (registering key 0 unregisters)
  std::string initiator_name;
  std::string isid;                   // empty: every ISID of the name
  uint16_t relative_target_port = 0;  // unused when all_tg_pt
  bool all_tg_pt = false;

  bool covers(const NexusIdentity& n) const noexcept {
    return iequal(initiator_name, n.initiator_name) && (isid.empty() || iequal(isid, n.isid)) &&
           (all_tg_pt || relative_target_port == n.relative_target_port);
  }
};

struct PersistentReservation {
  PrType type = PrType::write_exclusive;
  // Holder of a non all-registrants reservation: the registration and the
  // I_T nexus on it that reserved (an ALL_TG_PT or name-only registration
  // covers several nexuses, only one of which holds; SPC-4 5.13.10).
  uint64_t holder_registration = 0;
  std::string holder_name;
  std::string holder_isid;  // empty: any ISID (REGISTER AND MOVE to a name-only TransportID)
  uint16_t holder_port = 0;
};

class ReservationState {
 public:
  ReservationState() = default;

  // ---- SPC-2 RESERVE(6/10) / RELEASE(6/10) -------------------------------
  // `cdb` is the whole CDB; third-party and extent forms are rejected with
  // INVALID FIELD IN CDB (the opcode tables normally reject them first).
  Outcome reserve(const NexusIdentity& n, std::span<const uint8_t> cdb);
  Outcome release(const NexusIdentity& n, std::span<const uint8_t> cdb);

  // ---- Conflict check before a command runs ------------------------------
  // True when the command must end with RESERVATION CONFLICT. `cdb` supplies
  // the opcode for the few SPC-2 exceptions (conflict_table.h).
  bool conflicts(const NexusIdentity& n, ResvClass cls, std::span<const uint8_t> cdb) const;

  // ---- PERSISTENT RESERVE IN / OUT ---------------------------------------
  // `out` is the Data-In buffer (normally ALLOCATION LENGTH bytes); at most
  // min(allocation length, out.size()) bytes are written.
  Outcome persistent_reserve_in(const NexusIdentity& n, std::span<const uint8_t> cdb,
                                std::span<uint8_t> out) const;
  // `params` is the Data-Out (PARAMETER LIST LENGTH bytes).
  Outcome persistent_reserve_out(const NexusIdentity& n, std::span<const uint8_t> cdb,
                                 std::span<const uint8_t> params);

  // ---- Events -------------------------------------------------------------
  void nexus_lost(const NexusIdentity& n);  // SPC-2 reservation of n released
  void lu_reset();                          // SPC-2 reservation released; PR unaffected
  // Target ports REGISTER AND MOVE may name; empty (default) accepts any
  // non-zero RELATIVE TARGET PORT IDENTIFIER.
  void set_target_ports(std::vector<uint16_t> ports) { target_ports_ = std::move(ports); }

  // ---- Observers -------------------------------------------------------------
  bool aptpl() const noexcept { return aptpl_; }
  uint32_t generation() const noexcept { return generation_; }
  const std::vector<Registration>& registrations() const noexcept { return regs_; }
  const std::optional<PersistentReservation>& reservation() const noexcept { return resv_; }
  const std::optional<NexusIdentity>& spc2_holder() const noexcept { return spc2_holder_; }
  bool is_registered(const NexusIdentity& n) const noexcept { return find_reg(n) != nullptr; }
  bool is_holder(const NexusIdentity& n) const noexcept;

  // ---- APTPL persistence (format documented in reservation_serialization.cpp)
  std::string serialize() const;
  static std::optional<ReservationState> deserialize(std::string_view text, std::string* error);

 private:
  const Registration* find_reg(const NexusIdentity& n) const noexcept;
  Registration* find_reg(const NexusIdentity& n) noexcept;
  const Registration* reg_by_id(uint64_t id) const noexcept;
  Registration& add_reg(uint64_t key, std::string name, std::string isid, uint16_t port,
                        bool all_ports);
  // Removes registrations for which pred(reg) holds; releases the reservation
  // when its holder (or, all-registrants, the last registrant) goes. Defined
  // in persistent_reserve_out.cpp, its only user.
  template <class Pred>
  std::vector<Registration> remove_regs(Pred pred);
  void set_holder(const Registration& r, const NexusIdentity& n, PrType type);
  static Effect effect_for(const Registration& r, Effect::Kind kind, uint8_t ascq,
                           const NexusIdentity* exclude);

  Outcome do_register(const NexusIdentity& n, uint8_t sa, std::span<const uint8_t> p, uint32_t pll);
  Outcome do_reserve(const NexusIdentity& n, uint64_t rk, PrType type);
  Outcome do_release(const NexusIdentity& n, uint64_t rk, PrType type);
  Outcome do_clear(const NexusIdentity& n, uint64_t rk);
  Outcome do_preempt(const NexusIdentity& n, uint64_t rk, uint64_t sark, PrType type, bool abort);
  Outcome do_register_and_move(const NexusIdentity& n, std::span<const uint8_t> p, uint32_t pll);

  std::optional<NexusIdentity> spc2_holder_;
  std::vector<Registration> regs_;
  std::optional<PersistentReservation> resv_;
  uint32_t generation_ = 0;  // PRgeneration; 0 at power on (SPC-4 6.15.2)
  bool aptpl_ = false;
  uint64_t next_id_ = 1;
  bool dirty_ = false;  // set by a PR OUT that changed registrations/reservation/APTPL
  std::vector<uint16_t> target_ports_;
};

}  // namespace nexus::server::resv
