// Media class events of GET EVENT STATUS NOTIFICATION (MMC-6), kept per I_T
// nexus: a drive exported to N initiators must tell each of them that a new
// disc arrived, not only the first one to poll. Events are a short shared
// history with sequence numbers; each nexus remembers how far it has read.
// Not thread-safe: the device serializes access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>

namespace nexus::cdrom {

// MMC-6 Media Event Code.
enum class MediaEvent : uint8_t {
  no_change = 0,
  eject_request = 1,
  new_media = 2,
  media_removal = 3,
  media_changed = 4,
};

class MediumEvents {
 public:
  // Starts tracking a nexus at the current point of the history (events
  // posted before it showed up are not replayed). No-op if known.
  void touch(uint64_t nexus_id);
  // Queues an event for every tracked nexus.
  void post(MediaEvent e);
  // The oldest event the nexus has not seen, consumed; no_change if none.
  MediaEvent take(uint64_t nexus_id);
  // True if the nexus has an unseen event (peeks, does not consume).
  bool pending(uint64_t nexus_id);
  // Forgets every nexus (e.g. after a reset).
  void clear_nexuses() { seen_.clear(); }

  static constexpr size_t kHistory = 16;
  static constexpr size_t kMaxNexuses = 4096;

 private:
  struct Entry {
    uint64_t seq;
    MediaEvent event;
  };
  uint64_t& cursor(uint64_t nexus_id);

  std::deque<Entry> history_;
  uint64_t next_seq_ = 1;
  std::unordered_map<uint64_t, uint64_t> seen_;  // nexus -> last seq read
};

}  // namespace nexus::cdrom
