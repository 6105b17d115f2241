// The task set of one logical unit (SAM-5 8.6/8.7, TST=000: one task set
// shared by every I_T nexus). Decides when a task may run:
//  - HEAD OF QUEUE runs at once;
//  - ORDERED waits for every older task and blocks every newer one;
//  - SIMPLE runs at once unless an older task touches an overlapping block
//    range and either of them writes (so a READ never overtakes an earlier
//    WRITE whose data phase has not finished), or an older ORDERED task is
//    still in the set.
// Not thread-safe: the logical unit holds its lock around every call.
#pragma once

#include <cstdint>
#include <vector>

namespace nexus::server {

class Command;

class TaskSet {
 public:
  void insert(Command* c) noexcept;
  void remove(Command* c) noexcept;
  // May c run now, given the tasks older than it?
  bool can_run(const Command* c) const noexcept;
  // Appends to out every waiting_order task that may now run (and marks
  // them running). Cheap when nothing waits.
  void collect_runnable(std::vector<Command*>& out) noexcept;
  void note_waiting() noexcept { ++waiting_; }
  uint32_t size() const noexcept { return size_; }
  Command* head() const noexcept { return head_; }

 private:
  // What the tasks in the set are, so the common case (no ORDERED task, no
  // writer the new task could collide with) needs no walk of the set.
  void count(const Command* c, int delta) noexcept;

  Command* head_ = nullptr;
  Command* tail_ = nullptr;
  uint32_t size_ = 0;
  uint32_t waiting_ = 0;
  uint32_t ordered_ = 0;    // ORDERED (or serializing) tasks, HEAD OF QUEUE excluded
  uint32_t accessors_ = 0;  // tasks touching the medium
  uint32_t writers_ = 0;    // tasks writing the medium
};

}  // namespace nexus::server
