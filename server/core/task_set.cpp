#include "core/task_set.h"

#include "core/scsi_command.h"

namespace nexus::server {
namespace {

bool is_ordered(const Command* c) {
  return c->attr_ == TaskAttr::ordered || (c->row_ && (c->row_->flags & OpcodeFlags::serialize_lu));
}

bool ranges_conflict(const Command* a, const Command* b) {
  if (!a->access_ || !b->access_) return false;
  if (a->access_ == 1 && b->access_ == 1) return false;  // two reads never conflict
  // blocks_ == 0 with access means "whole LU" (e.g. UNMAP, FORMAT).
  if (a->blocks_ == 0 || b->blocks_ == 0) return true;
  return a->lba_ < b->lba_ + b->blocks_ && b->lba_ < a->lba_ + a->blocks_;
}

bool blocks_later(const Command* c) { return is_ordered(c) && c->attr_ != TaskAttr::head_of_queue; }

}  // namespace

void TaskSet::count(const Command* c, int delta) noexcept {
  if (blocks_later(c)) ordered_ += uint32_t(delta);
  if (c->access_) accessors_ += uint32_t(delta);
  if (c->access_ == 2) writers_ += uint32_t(delta);
}

void TaskSet::insert(Command* c) noexcept {
  c->ts_prev_ = tail_;
  c->ts_next_ = nullptr;
  if (tail_)
    tail_->ts_next_ = c;
  else
    head_ = c;
  tail_ = c;
  c->in_task_set_ = true;
  ++size_;
  count(c, 1);
}

void TaskSet::remove(Command* c) noexcept {
  if (!c->in_task_set_) return;
  if (c->state_ == CommandState::waiting_order && waiting_) --waiting_;
  if (c->ts_prev_)
    c->ts_prev_->ts_next_ = c->ts_next_;
  else
    head_ = c->ts_next_;
  if (c->ts_next_)
    c->ts_next_->ts_prev_ = c->ts_prev_;
  else
    tail_ = c->ts_prev_;
  c->ts_prev_ = c->ts_next_ = nullptr;
  c->in_task_set_ = false;
  --size_;
  count(c, -1);
}

bool TaskSet::can_run(const Command* c) const noexcept {
  if (c->attr_ == TaskAttr::head_of_queue) return true;
  bool ordered = is_ordered(c);
  // ORDERED waits for every older task.
  if (ordered) return head_ == c || head_ == nullptr;
  // Fast path: the counts (which include c itself) show nothing that could
  // hold c back, older or newer.
  if (ordered_ == 0 && c->in_task_set_) {
    if (c->access_ == 0) return true;
    if (c->access_ == 1 && writers_ == 0) return true;
    if (c->access_ == 2 && accessors_ == 1) return true;
  }
  for (const Command* o = head_; o && o != c; o = o->ts_next_) {
    // An older HEAD OF QUEUE task does not hold back later SIMPLE tasks.
    if (blocks_later(o)) return false;
    if (ranges_conflict(o, c)) return false;
  }
  return true;
}

void TaskSet::collect_runnable(std::vector<Command*>& out) noexcept {
  if (!waiting_) return;
  for (Command* c = head_; c; c = c->ts_next_) {
    if (c->state_ != CommandState::waiting_order) continue;
    if (can_run(c)) {
      c->state_ = CommandState::running;
      --waiting_;
      out.push_back(c);
      if (!waiting_) break;
    }
  }
}

}  // namespace nexus::server
