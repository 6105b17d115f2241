// Per-I_T_L Unit Attention queues (SAM-5 5.14, SPC-4 5.14 / 4.5.2).
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>

#include "nexus/scsi.h"

namespace nexus::server {

struct UnitAttention {
  uint8_t asc;
  uint8_t ascq;
  bool operator==(const UnitAttention&) const = default;
};

// Not thread-safe: the owning logical unit guards it with its lock.
class UnitAttentionQueues {
 public:
  // A queue holds at most this many conditions. On overflow it collapses to
  // one POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h), the
  // highest-precedence UA (SPC-4 5.14), which makes the initiator re-read all
  // state instead of missing a condition silently.
  static constexpr size_t kMaxPerNexus = 16;

  void attach(uint64_t nexus) { queues_.try_emplace(nexus); }
  void detach(uint64_t nexus) { queues_.erase(nexus); }
  // Queues ua for one nexus, skipping an exact duplicate already pending.
  void raise(uint64_t nexus, UnitAttention ua);
  void raise_all(UnitAttention ua);
  void raise_all_but(uint64_t nexus, UnitAttention ua);
  bool pending(uint64_t nexus) const;
  // Removes and returns the oldest condition.
  bool pop(uint64_t nexus, UnitAttention& out);
  bool peek(uint64_t nexus, UnitAttention& out) const;
  // Drops pending conditions with this asc/ascq (REPORT LUNS clears 3Fh/0Eh).
  void clear(uint64_t nexus, UnitAttention ua);

 private:
  std::unordered_map<uint64_t, std::deque<UnitAttention>> queues_;
};

}  // namespace nexus::server
