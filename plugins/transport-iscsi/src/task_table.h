// The commands of one connection by Initiator Task Tag, plus a free list of
// Task objects: chained hashing through a link inside the Task, so inserting
// and erasing never allocate (DESIGN.md lesson 5). Tasks are recycled; the
// bucket array only grows (rarely, past one task per bucket).
#pragma once

#include <cstdint>
#include <vector>

#include "nexus/transport.h"
#include "r2t.h"

namespace nexus::iscsi {

struct Task {
  uint32_t itt = 0;
  ITransportCommand* cmd = nullptr;
  uint64_t lun = 0;
  DataDir dir = DataDir::none;
  uint32_t expected_in = 0;  // expected Data-In length
  DataOutTracker data_out;
  uint32_t data_sn = 0;
  bool started = false;
  bool response_deferred = false;  // waiting for the unsolicited burst to end
  Task* hash_next = nullptr;       // TaskTable's chain
};

class TaskTable {
 public:
  TaskTable() : buckets_(kInitialBuckets, nullptr) {}
  ~TaskTable() {
    for (Task* t : free_) delete t;
    for (Task* b : buckets_)
      while (b) {
        Task* n = b->hash_next;
        delete b;
        b = n;
      }
  }
  TaskTable(const TaskTable&) = delete;
  TaskTable& operator=(const TaskTable&) = delete;

  // A reset Task from the free list (or the heap while the list is empty).
  Task* acquire() {
    Task* t;
    if (!free_.empty()) {
      t = free_.back();
      free_.pop_back();
      *t = Task{};
    } else {
      t = new Task;
    }
    return t;
  }
  // Gives back a Task that is not (or no longer) in the table.
  void recycle(Task* t) {
    if (free_.size() < kMaxFree) {
      free_.push_back(t);
    } else {
      delete t;
    }
  }

  Task* find(uint32_t itt) const {
    for (Task* t = buckets_[slot(itt)]; t; t = t->hash_next)
      if (t->itt == itt) return t;
    return nullptr;
  }
  void insert(Task* t) {
    if (size_ >= buckets_.size()) rehash(buckets_.size() * 2);
    Task*& head = buckets_[slot(t->itt)];
    t->hash_next = head;
    head = t;
    ++size_;
  }
  void erase(Task* t) {
    for (Task** p = &buckets_[slot(t->itt)]; *p; p = &(*p)->hash_next) {
      if (*p == t) {
        *p = t->hash_next;
        t->hash_next = nullptr;
        --size_;
        return;
      }
    }
  }
  size_t size() const { return size_; }
  // Removes every task and returns them (connection teardown).
  std::vector<Task*> take_all() {
    std::vector<Task*> out;
    out.reserve(size_);
    for (Task*& b : buckets_) {
      for (Task* t = b; t;) {
        Task* n = t->hash_next;
        t->hash_next = nullptr;
        out.push_back(t);
        t = n;
      }
      b = nullptr;
    }
    size_ = 0;
    return out;
  }

 private:
  static constexpr size_t kInitialBuckets = 256;  // >= the CmdSN window
  static constexpr size_t kMaxFree = 1024;
  size_t slot(uint32_t itt) const {
    // Fibonacci hashing: the top bits of the product, well spread whatever
    // numbering the initiator uses for its ITTs.
    return size_t(uint32_t(itt * 0x9E3779B1u) >> shift_);
  }
  void rehash(size_t n) {
    std::vector<Task*> old(n, nullptr);
    old.swap(buckets_);
    --shift_;  // n is twice the old size
    for (Task* b : old)
      for (Task* t = b; t;) {
        Task* next = t->hash_next;
        Task*& head = buckets_[slot(t->itt)];
        t->hash_next = head;
        head = t;
        t = next;
      }
  }

  std::vector<Task*> buckets_;
  std::vector<Task*> free_;
  size_t size_ = 0;
  uint32_t shift_ = 24;  // 32 - log2(kInitialBuckets)
};

}  // namespace nexus::iscsi
