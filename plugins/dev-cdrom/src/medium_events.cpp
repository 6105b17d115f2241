#include "medium_events.h"

namespace nexus::cdrom {

uint64_t& MediumEvents::cursor(uint64_t nexus_id) {
  auto it = seen_.find(nexus_id);
  if (it != seen_.end()) return it->second;
  // Nexuses come and go without telling the device; bound the table.
  if (seen_.size() >= kMaxNexuses) seen_.clear();
  return seen_.emplace(nexus_id, next_seq_ - 1).first->second;
}

void MediumEvents::touch(uint64_t nexus_id) { cursor(nexus_id); }

void MediumEvents::post(MediaEvent e) {
  history_.push_back(Entry{next_seq_++, e});
  while (history_.size() > kHistory) history_.pop_front();
}

MediaEvent MediumEvents::take(uint64_t nexus_id) {
  uint64_t& c = cursor(nexus_id);
  for (const Entry& e : history_) {
    if (e.seq > c) {
      c = e.seq;
      return e.event;
    }
  }
  c = next_seq_ - 1;
  return MediaEvent::no_change;
}

bool MediumEvents::pending(uint64_t nexus_id) {
  uint64_t c = cursor(nexus_id);
  return !history_.empty() && history_.back().seq > c;
}

}  // namespace nexus::cdrom
