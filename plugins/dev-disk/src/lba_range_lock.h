// Per-device lock over LBA ranges: a write holds its range while it runs so
// that COMPARE AND WRITE is atomic against other writes to the same blocks
// (SBC-3 5.2). Never blocks a thread: a conflicting request queues and is
// granted, in arrival order among overlapping requests, when the holders
// release.
#pragma once

#include <cstdint>
#include <mutex>

namespace nexus::disk {

class LbaRangeLock {
 public:
  // One request; owned by the caller, linked into the lock while queued or held.
  struct Entry {
    uint64_t lba = 0;
    uint64_t count = 0;
    // Called once a queued entry is granted, on the releasing thread,
    // outside the lock's mutex.
    void (*granted)(Entry* e) noexcept = nullptr;
    Entry* prev = nullptr;
    Entry* next = nullptr;
    Entry* grant_next = nullptr;  // private: grants collected in release()
  };

  // Takes [lba, lba+count) now (true) or queues e (false; e->granted later).
  bool acquire(Entry* e) noexcept;
  // Releases a held range and grants whatever it unblocked.
  void release(Entry* e) noexcept;

  uint32_t held_count() const noexcept;
  uint32_t waiting_count() const noexcept;

 private:
  struct List {
    Entry* head = nullptr;
    Entry* tail = nullptr;
    void push(Entry* e) noexcept;
    void remove(Entry* e) noexcept;
  };
  static bool overlaps(const Entry* a, const Entry* b) noexcept;
  static bool overlaps_any(const List& l, const Entry* e, const Entry* stop) noexcept;

  mutable std::mutex mu_;
  List held_;
  List waiting_;
};

}  // namespace nexus::disk
