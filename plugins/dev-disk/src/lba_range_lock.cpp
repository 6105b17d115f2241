#include "lba_range_lock.h"

namespace nexus::disk {

void LbaRangeLock::List::push(Entry* e) noexcept {
  e->next = nullptr;
  e->prev = tail;
  if (tail)
    tail->next = e;
  else
    head = e;
  tail = e;
}

void LbaRangeLock::List::remove(Entry* e) noexcept {
  if (e->prev)
    e->prev->next = e->next;
  else
    head = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    tail = e->prev;
  e->prev = e->next = nullptr;
}

bool LbaRangeLock::overlaps(const Entry* a, const Entry* b) noexcept {
  // Zero-length ranges still serialize against their start block.
  uint64_t ae = a->lba + (a->count ? a->count : 1);
  uint64_t be = b->lba + (b->count ? b->count : 1);
  return a->lba < be && b->lba < ae;
}

bool LbaRangeLock::overlaps_any(const List& l, const Entry* e, const Entry* stop) noexcept {
  for (const Entry* x = l.head; x && x != stop; x = x->next)
    if (overlaps(x, e)) return true;
  return false;
}

bool LbaRangeLock::acquire(Entry* e) noexcept {
  std::lock_guard<std::mutex> g(mu_);
  if (!overlaps_any(held_, e, nullptr) && !overlaps_any(waiting_, e, nullptr)) {
    held_.push(e);
    return true;
  }
  waiting_.push(e);
  return false;
}

void LbaRangeLock::release(Entry* e) noexcept {
  Entry* grants = nullptr;
  Entry** tail = &grants;
  {
    std::lock_guard<std::mutex> g(mu_);
    held_.remove(e);
    for (Entry* x = waiting_.head; x;) {
      Entry* next = x->next;
      // FIFO among overlapping waiters: one passes only waiters it doesn't overlap.
      if (!overlaps_any(held_, x, nullptr) && !overlaps_any(waiting_, x, x)) {
        waiting_.remove(x);
        held_.push(x);
        x->grant_next = nullptr;
        *tail = x;
        tail = &x->grant_next;
      }
      x = next;
    }
  }
  while (grants) {
    Entry* g = grants;
    grants = g->grant_next;
    g->granted(g);
  }
}

uint32_t LbaRangeLock::held_count() const noexcept {
  std::lock_guard<std::mutex> g(mu_);
  uint32_t n = 0;
  for (Entry* x = held_.head; x; x = x->next) ++n;
  return n;
}

uint32_t LbaRangeLock::waiting_count() const noexcept {
  std::lock_guard<std::mutex> g(mu_);
  uint32_t n = 0;
  for (Entry* x = waiting_.head; x; x = x->next) ++n;
  return n;
}

}  // namespace nexus::disk
