// What a reservation operation tells the core: the command's status/sense,
// the Data-In length, and the side effects on OTHER nexuses the core must
// carry out (Unit Attentions, task aborts) because only it knows which
// nexuses are live.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nexus/scsi.h"
#include "nexus/sense.hpp"

namespace nexus::server::resv {

// ASC 2Ah qualifiers raised by reservations (SPC-4 Annex D, ASC/ASCQ assignments).
inline constexpr uint8_t kAscParametersChanged = 0x2A;
inline constexpr uint8_t kAscqReservationsPreempted = 0x03;   // 2Ah/03h
inline constexpr uint8_t kAscqReservationsReleased = 0x04;    // 2Ah/04h
inline constexpr uint8_t kAscqRegistrationsPreempted = 0x05;  // 2Ah/05h

// One side effect, addressed to the set of I_T nexuses a registration covers:
// every live nexus whose initiator name matches, whose ISID matches (an empty
// `isid` matches every ISID of that name: a TransportID without ISID, or a
// transport without ISIDs), and whose relative target port matches (or any
// port when `all_ports`). The nexus `exclude_nexus_id` (the sender, when the
// standard says "other than the I_T nexus on which the command was
// received") is skipped.
struct Effect {
  enum Kind : uint8_t {
    unit_attention,  // establish a UA with asc/ascq
    abort_tasks,     // PREEMPT AND ABORT: abort every task of the nexus (SPC-4 5.13.12.3)
  };
  Kind kind = unit_attention;
  std::string initiator_name;
  std::string isid;
  uint16_t relative_target_port = 0;
  bool all_ports = false;
  uint8_t asc = 0;
  uint8_t ascq = 0;
  std::optional<uint64_t> exclude_nexus_id;
};

struct Outcome {
  ScsiStatus status = ScsiStatus::good;
  bool has_sense = false;
  SenseInfo sense{};
  uint32_t data_in_length = 0;  // bytes of `out` to return (PR IN)
  std::vector<Effect> effects;
  // The persistent state changed and APTPL is (or just stopped being) in
  // force: the core must call ReservationStore::save() before completing the
  // command (SPC-4 5.13.4: the change must survive a power loss).
  bool state_changed_persistent = false;

  static Outcome good() { return {}; }
  static Outcome conflict() {
    Outcome o;
    o.status = ScsiStatus::reservation_conflict;
    return o;
  }
  static Outcome check(const SenseInfo& s) {
    Outcome o;
    o.status = ScsiStatus::check_condition;
    o.has_sense = true;
    o.sense = s;
    return o;
  }
};

// Sense data this module needs beyond nexus/sense.hpp.
namespace sense_codes {
// ILLEGAL REQUEST, INVALID RELEASE OF PERSISTENT RESERVATION (26h/04h).
inline SenseInfo invalid_release() noexcept {
  return sense::make(SenseKey::illegal_request, 0x26, 0x04);
}
// ILLEGAL REQUEST, INSUFFICIENT REGISTRATION RESOURCES (55h/04h).
inline SenseInfo insufficient_registration_resources() noexcept {
  return sense::make(SenseKey::illegal_request, 0x55, 0x04);
}
// ILLEGAL REQUEST, INVALID FIELD IN CDB without a field pointer (the rule
// concerns the parameter data but SPC-4 5.13.7 names this code).
inline SenseInfo invalid_field_in_cdb_no_pointer() noexcept {
  return sense::make(SenseKey::illegal_request, 0x24, 0x00);
}
}  // namespace sense_codes

}  // namespace nexus::server::resv
