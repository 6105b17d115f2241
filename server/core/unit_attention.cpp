#include "core/unit_attention.h"

#include <algorithm>

namespace nexus::server {

void UnitAttentionQueues::raise(uint64_t nexus, UnitAttention ua) {
  auto it = queues_.find(nexus);
  if (it == queues_.end()) return;
  auto& q = it->second;
  if (std::find(q.begin(), q.end(), ua) != q.end()) return;
  if (q.size() >= kMaxPerNexus) {
    // Overflow: collapse everything into one POWER ON, RESET, OR BUS DEVICE
    // RESET OCCURRED, which tells the initiator to re-read all state.
    q.clear();
    q.push_back(UnitAttention{0x29, 0x00});
    return;
  }
  q.push_back(ua);
}

void UnitAttentionQueues::raise_all(UnitAttention ua) {
  for (auto& [id, q] : queues_) raise(id, ua);
}

void UnitAttentionQueues::raise_all_but(uint64_t nexus, UnitAttention ua) {
  for (auto& [id, q] : queues_)
    if (id != nexus) raise(id, ua);
}

bool UnitAttentionQueues::pending(uint64_t nexus) const {
  auto it = queues_.find(nexus);
  return it != queues_.end() && !it->second.empty();
}

bool UnitAttentionQueues::pop(uint64_t nexus, UnitAttention& out) {
  auto it = queues_.find(nexus);
  if (it == queues_.end() || it->second.empty()) return false;
  out = it->second.front();
  it->second.pop_front();
  return true;
}

bool UnitAttentionQueues::peek(uint64_t nexus, UnitAttention& out) const {
  auto it = queues_.find(nexus);
  if (it == queues_.end() || it->second.empty()) return false;
  out = it->second.front();
  return true;
}

void UnitAttentionQueues::clear(uint64_t nexus, UnitAttention ua) {
  auto it = queues_.find(nexus);
  if (it == queues_.end()) return;
  auto& q = it->second;
  q.erase(std::remove(q.begin(), q.end(), ua), q.end());
}

}  // namespace nexus::server
