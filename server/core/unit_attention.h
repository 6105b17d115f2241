// Per-I_T_L Unit Attention queues (SAM-5 5.14, SPC-4 5.14 / 4.5.2).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <unordered_map>

#include "nexus/scsi.h"
#include "reservations/nexus_identity.h"

namespace nexus::server {

struct UnitAttention {
  uint8_t asc;
  uint8_t ascq;
  bool operator==(const UnitAttention&) const = default;
};

// Not thread-safe: the owning logical unit guards it with its lock.
//
// A Unit Attention belongs to an I_T nexus, i.e. to an initiator port and a
// target port (SAM-5 5.14), not to one iSCSI session: an initiator port that
// logs out or loses its connection and comes back (same name and ISID, so the
// same port, RFC 7143 4.4.2) still has to learn what changed meanwhile - a
// cartridge moved, a reservation preempted. So the queue of a departed nexus
// is parked under its identity, keeps receiving conditions raised for every
// nexus, and is handed to the next nexus with that identity.
class UnitAttentionQueues {
 public:
  // A queue holds at most this many conditions. On overflow it collapses to
  // one POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h), the
  // highest-precedence UA (SPC-4 5.14), which makes the initiator re-read all
  // state instead of missing a condition silently.
  static constexpr size_t kMaxPerNexus = 16;
  // Departed I_T nexuses remembered per LU; the oldest is forgotten first
  // (logged: that port then comes back without the conditions it missed).
  static constexpr size_t kMaxParked = 256;

  // A nexus without identity (tests, internal use): its queue is dropped on
  // detach.
  void attach(uint64_t nexus) { queues_.try_emplace(nexus); }
  // Adopts the parked queue of the same initiator port / target port, if any.
  void attach(uint64_t nexus, const resv::NexusIdentity& who);
  // Parks the queue when the nexus has an identity and no other live nexus
  // has the same one.
  void detach(uint64_t nexus);
  // Queues ua for one nexus, skipping an exact duplicate already pending.
  void raise(uint64_t nexus, UnitAttention ua);
  // Every nexus, live or parked.
  void raise_all(UnitAttention ua);
  void raise_all_but(uint64_t nexus, UnitAttention ua);
  // Parked nexuses whose identity matches (reservation effects on initiator
  // ports that are not logged in).
  void raise_parked_if(const std::function<bool(const resv::NexusIdentity&)>& match,
                       UnitAttention ua);
  bool pending(uint64_t nexus) const;
  // Removes and returns the oldest condition.
  bool pop(uint64_t nexus, UnitAttention& out);
  bool peek(uint64_t nexus, UnitAttention& out) const;
  // Removes the oldest condition only if it still is `expected` (REQUEST
  // SENSE reported it; another reactor may have changed the queue since).
  bool pop_if_front(uint64_t nexus, UnitAttention expected);
  // Drops pending conditions with this asc/ascq (REPORT LUNS clears 3Fh/0Eh).
  void clear(uint64_t nexus, UnitAttention ua);
  size_t parked() const noexcept { return parked_.size(); }

 private:
  using Queue = std::deque<UnitAttention>;
  struct Live {
    Queue q;
    bool has_identity = false;
    resv::NexusIdentity who;
  };
  struct Parked {
    resv::NexusIdentity who;
    Queue q;
  };
  static void push(Queue& q, UnitAttention ua);
  static bool same_port(const resv::NexusIdentity& a, const resv::NexusIdentity& b) noexcept;

  std::unordered_map<uint64_t, Live> queues_;
  std::list<Parked> parked_;  // oldest first
};

}  // namespace nexus::server
