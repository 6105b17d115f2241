#include "core/unit_attention.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace nexus::server {

void UnitAttentionQueues::push(Queue& q, UnitAttention ua) {
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

bool UnitAttentionQueues::same_port(const resv::NexusIdentity& a,
                                    const resv::NexusIdentity& b) noexcept {
  return resv::iequal(a.initiator_name, b.initiator_name) && resv::iequal(a.isid, b.isid) &&
         a.relative_target_port == b.relative_target_port;
}

void UnitAttentionQueues::attach(uint64_t nexus, const resv::NexusIdentity& who) {
  Live& live = queues_[nexus];
  live.has_identity = true;
  live.who = who;
  for (auto it = parked_.begin(); it != parked_.end(); ++it) {
    if (!same_port(it->who, who)) continue;
    for (const UnitAttention& ua : it->q) push(live.q, ua);
    parked_.erase(it);
    break;
  }
}

void UnitAttentionQueues::detach(uint64_t nexus) {
  auto it = queues_.find(nexus);
  if (it == queues_.end()) return;
  Live gone = std::move(it->second);
  queues_.erase(it);
  if (!gone.has_identity) return;
  // Session reinstatement: the port is already back on another nexus, which
  // gets what this one had not yet reported.
  for (auto& [id, live] : queues_) {
    if (live.has_identity && same_port(live.who, gone.who)) {
      for (const UnitAttention& ua : gone.q) push(live.q, ua);
      return;
    }
  }
  for (auto p = parked_.begin(); p != parked_.end(); ++p) {
    if (same_port(p->who, gone.who)) {
      parked_.erase(p);
      break;
    }
  }
  if (parked_.size() >= kMaxParked) {
    const Parked& old = parked_.front();
    spdlog::warn(
        "unit attention: forgetting {} pending condition(s) of departed initiator port "
        "{},i,0x{} (more than {} departed ports)",
        old.q.size(), old.who.initiator_name, old.who.isid, kMaxParked);
    parked_.pop_front();
  }
  parked_.push_back(Parked{gone.who, std::move(gone.q)});
}

void UnitAttentionQueues::raise(uint64_t nexus, UnitAttention ua) {
  auto it = queues_.find(nexus);
  if (it == queues_.end()) return;
  push(it->second.q, ua);
}

void UnitAttentionQueues::raise_all(UnitAttention ua) {
  for (auto& [id, live] : queues_) push(live.q, ua);
  for (auto& p : parked_) push(p.q, ua);
}

void UnitAttentionQueues::raise_all_but(uint64_t nexus, UnitAttention ua) {
  for (auto& [id, live] : queues_)
    if (id != nexus) push(live.q, ua);
  for (auto& p : parked_) push(p.q, ua);
}

void UnitAttentionQueues::raise_parked_if(
    const std::function<bool(const resv::NexusIdentity&)>& match, UnitAttention ua) {
  for (auto& p : parked_)
    if (match(p.who)) push(p.q, ua);
}

bool UnitAttentionQueues::pending(uint64_t nexus) const {
  auto it = queues_.find(nexus);
  return it != queues_.end() && !it->second.q.empty();
}

bool UnitAttentionQueues::pop(uint64_t nexus, UnitAttention& out) {
  auto it = queues_.find(nexus);
  if (it == queues_.end() || it->second.q.empty()) return false;
  out = it->second.q.front();
  it->second.q.pop_front();
  return true;
}

bool UnitAttentionQueues::pop_if_front(uint64_t nexus, UnitAttention expected) {
  auto it = queues_.find(nexus);
  if (it == queues_.end() || it->second.q.empty() || !(it->second.q.front() == expected))
    return false;
  it->second.q.pop_front();
  return true;
}

bool UnitAttentionQueues::peek(uint64_t nexus, UnitAttention& out) const {
  auto it = queues_.find(nexus);
  if (it == queues_.end() || it->second.q.empty()) return false;
  out = it->second.q.front();
  return true;
}

void UnitAttentionQueues::clear(uint64_t nexus, UnitAttention ua) {
  auto it = queues_.find(nexus);
  if (it == queues_.end()) return;
  auto& q = it->second.q;
  q.erase(std::remove(q.begin(), q.end(), ua), q.end());
}

}  // namespace nexus::server
