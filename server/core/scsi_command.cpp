#include "core/scsi_command.h"

#include <spdlog/spdlog.h>

#include "core/core.h"
#include "core/logical_unit.h"
#include "core/nexus_session.h"
#include "core/reactor.h"
#include "core/spc_bridge.h"
#include "core/tmf_wait.h"
#include "nexus/sense.hpp"
#include "scsi/control_mode_state.h"

namespace nexus::server {
namespace {

thread_local std::vector<Command*> t_runnable;

void post_finish(void* ctx) noexcept { static_cast<Command*>(ctx)->finish_on_reactor(); }

}  // namespace

uint64_t Command::nexus_id() const noexcept { return nexus_->id(); }

void Command::init(const CommandDesc& d) noexcept {
  cdb_len_ = d.cdb_length > sizeof cdb_ ? sizeof cdb_ : d.cdb_length;
  if (d.cdb && cdb_len_) std::memcpy(cdb_, d.cdb, cdb_len_);
  attr_ = d.attr;
  dir_ = d.dir;
  tag_ = d.tag;
  lun_ = d.lun;
  expected_ = d.expected_length;
  lu_ = nullptr;
  read_only_ = false;
  row_ = nullptr;
  needed_ = 0;
  data_out_ = false;
  alloc_len_ = false;
  produced_ = 0;
  produced_set_ = false;
  data_phase_done_ = false;
  state_ = CommandState::created;
  prefailed_ = false;
  counted_in_lu_ = false;
  in_task_set_ = false;
  report_task_aborted_ = false;
  aborted_.store(false, std::memory_order_relaxed);
  lba_ = blocks_ = 0;
  access_ = 0;
  status_ = ScsiStatus::good;
  has_sense_ = false;
  sense_len_ = 0;
  data_in_len_ = 0;
  residual_flags_ = 0;
  residual_count_ = 0;
  abort_waiters_.clear();
}

void Command::fail(ScsiStatus status, const SenseInfo* sense) noexcept {
  prefailed_ = true;
  status_ = status;
  has_sense_ = sense != nullptr;
  if (sense) pending_sense_ = *sense;
}

void Command::start(uint32_t received) noexcept {
  if (aborted()) {  // a TMF reached it before the transport started it
    state_ = CommandState::done;
    finish_on_reactor();
    return;
  }
  if (prefailed_) {
    state_ = CommandState::running;
    finish_on_reactor();
    return;
  }
  IDevice* dev = lu_ ? lu_->device() : nullptr;
  // Medium and write-protection checks come before the data phase so no
  // Data-Out is pulled for a command that cannot run.
  if (dev && row_ && !(row_->flags & OpcodeFlags::handled_by_core)) {
    DeviceInfo info{};
    info.struct_size = sizeof info;
    if (dev->info(&info) == Status::ok) {
      if (!(row_->flags & OpcodeFlags::ok_on_no_medium) &&
          !(info.flags & DeviceInfoFlags::medium_present)) {
        SenseInfo s = sense::medium_not_present();
        fail(ScsiStatus::check_condition, &s);
      } else if ((row_->flags & OpcodeFlags::writes_medium) &&
                 (read_only_ || (info.flags & DeviceInfoFlags::write_protected) ||
                  lu_->control().swp)) {
        SenseInfo s = sense::write_protected();
        fail(ScsiStatus::check_condition, &s);
      }
    }
  }
  // Without a Data-Out phase to wait for, the ordering decision is taken
  // under the same LU lock as the insertion (one lock round trip, not two).
  const bool need_data = data_out_ && received < buf_.length;
  bool decided = false, run_now = false;
  if (lu_ && !prefailed_) {
    std::lock_guard lock(lu_->mu());
    UnitAttention ua{};
    // SAM-5 5.14: a pending UA is reported (and cleared, UA_INTLCK_CTRL=00b)
    // on any command but INQUIRY, REPORT LUNS and REQUEST SENSE.
    if (!(row_->flags & OpcodeFlags::allow_on_ua) && lu_->uas().pop(nexus_->id(), ua)) {
      SenseInfo s = sense::make(SenseKey::unit_attention, ua.asc, ua.ascq);
      fail(ScsiStatus::check_condition, &s);
    } else if (lu_->reservations().conflicts(nexus_->identity(), row_->resv_class,
                                             std::span<const uint8_t>(cdb_, cdb_len_))) {
      // SPC-4 5.13.1 / SPC-2 5.5.1: checked before any data is transferred.
      fail(ScsiStatus::reservation_conflict, nullptr);
    } else {
      lu_->tasks().insert(this);
      if (!need_data) {
        decided = true;
        data_phase_done_ = true;
        if (lu_->tasks().can_run(this)) {
          state_ = CommandState::running;
          run_now = true;
        } else {
          state_ = CommandState::waiting_order;
          lu_->tasks().note_waiting();
        }
      }
    }
  }
  if (prefailed_) {
    state_ = CommandState::running;
    finish_on_reactor();
    return;
  }
  if (need_data) {
    state_ = CommandState::waiting_data;
    nexus_->events()->request_data_out(this, received, buf_.length - received);
    return;
  }
  if (run_now) return execute();
  if (decided) return;  // waits for older tasks; the task set dispatches it
  data_phase_done_ = true;
  ready();
}

void Command::data_out_done(Status status) noexcept {
  if (state_ != CommandState::waiting_data) return;  // aborted meanwhile
  if (status != Status::ok) {
    // ERL 0 transports drop the connection on digest errors; anything that
    // still reports here gets DATA PHASE ERROR.
    if (lu_) {
      std::lock_guard lock(lu_->mu());
      lu_->tasks().remove(this);
      lu_->tasks().collect_runnable(t_runnable);
    }
    SenseInfo s = sense::make(SenseKey::aborted_command, 0x4B, 0x00);
    status_ = ScsiStatus::check_condition;
    pending_sense_ = s;
    has_sense_ = true;
    state_ = CommandState::running;
    std::vector<Command*> run;
    run.swap(t_runnable);
    finish_on_reactor();
    LogicalUnit::dispatch(run);
    return;
  }
  data_phase_done_ = true;
  ready();
}

void Command::ready() noexcept {
  bool run = true;
  if (lu_) {
    std::lock_guard lock(lu_->mu());
    if (lu_->tasks().can_run(this)) {
      state_ = CommandState::running;
    } else {
      state_ = CommandState::waiting_order;
      lu_->tasks().note_waiting();
      run = false;
    }
  } else {
    state_ = CommandState::running;
  }
  if (run) execute();
}

void Command::execute() noexcept {
  if (row_ && (row_->flags & OpcodeFlags::handled_by_core || !lu_ || !lu_->device())) {
    run_core_command(*this);
  } else {
    lu_->device()->execute(this);
  }
}

void Command::complete(ScsiStatus status, const SenseInfo* sense) noexcept {
  status_ = status;
  has_sense_ = sense != nullptr;
  if (sense) pending_sense_ = *sense;
  if (nexus_->reactor().on_this_thread())
    finish_on_reactor();
  else
    nexus_->reactor().post(&post_finish, this);
}

void Command::set_transfer_length(uint32_t bytes) noexcept {
  produced_ = bytes < buf_.length ? bytes : buf_.length;
  produced_set_ = true;
}

void Command::compute_response() noexcept {
  data_in_len_ = 0;
  residual_flags_ = 0;
  residual_count_ = 0;
  sense_len_ = 0;
  if (has_sense_ && status_ == ScsiStatus::check_condition)
    sense_len_ = encode_sense_for(lu_, pending_sense_, sense_, sizeof sense_);
  uint32_t moved = 0;  // bytes the command transferred (or wanted to, for Data-In)
  if (data_out_) {
    moved = data_phase_done_ ? buf_.length : 0;
    if (needed_ > expected_ && (data_phase_done_ || prefailed_)) {
      residual_flags_ = Residual::overflow;
      residual_count_ = needed_ - expected_;
      return;
    }
  } else if (dir_ != DataDir::write && buf_.length) {
    bool good = status_ == ScsiStatus::good || status_ == ScsiStatus::condition_met;
    if (good || produced_set_) moved = produced_set_ ? produced_ : buf_.length;
    // Overflow: the command had more to return than the initiator expected
    // (SAM-5 5.4.3); we send what fits and report the rest.
    uint32_t want = moved;
    if (!alloc_len_ && needed_ > buf_.length && good) want = needed_;
    data_in_len_ = moved < expected_ ? moved : expected_;
    if (want > expected_) {
      residual_flags_ = Residual::overflow;
      residual_count_ = want - expected_;
      return;
    }
  }
  if (moved < expected_) {
    residual_flags_ = Residual::underflow;
    residual_count_ = expected_ - moved;
  }
}

void Command::finish_on_reactor() noexcept {
  std::vector<Command*> run;
  if (in_task_set_) {
    std::lock_guard lock(lu_->mu());
    lu_->tasks().remove(this);
    lu_->tasks().collect_runnable(t_runnable);
    run.swap(t_runnable);
  }
  state_ = CommandState::done;
  auto waiters = std::move(abort_waiters_);
  abort_waiters_.clear();
  INexusEvents* ev = nexus_->events();
  if (aborted()) {
    if (report_task_aborted_) {
      status_ = ScsiStatus::task_aborted;
      has_sense_ = false;
      produced_set_ = false;
      compute_response();
      data_in_len_ = 0;
      ev->send_response(this);
    } else {
      ev->command_aborted(this);
    }
  } else {
    compute_response();
    // Control mode page QErr=01b (SPC-4 7.5.8): a CHECK CONDITION aborts
    // every other task of the task set, whichever nexus sent it.
    if (status_ == ScsiStatus::check_condition && lu_ && lu_->control().qerr == 1)
      nexus_->core().abort_lu_tasks(lu_, nexus_->id(), nullptr, true);
    ev->send_response(this);
  }
  // `this` may be released and recycled by now.
  for (auto& w : waiters) w->done_one();
  LogicalUnit::dispatch(run);
}

void Command::abort(std::shared_ptr<TmfWait> waiter, bool report_task_aborted) noexcept {
  if (state_ == CommandState::done) return;
  aborted_.store(true, std::memory_order_release);
  report_task_aborted_ = report_task_aborted;
  if (waiter) {
    waiter->pending.fetch_add(1);
    abort_waiters_.push_back(std::move(waiter));
  }
  switch (state_) {
    case CommandState::created:
      break;  // terminated at start() or release()
    case CommandState::waiting_data:
    case CommandState::waiting_order:
      finish_on_reactor();
      break;
    case CommandState::running:
      if (lu_ && lu_->device() && row_ && !(row_->flags & OpcodeFlags::handled_by_core))
        lu_->device()->abort(this);
      break;
    case CommandState::done:
      break;
  }
}

void Command::release() noexcept {
  if (in_task_set_) {
    std::lock_guard lock(lu_->mu());
    lu_->tasks().remove(this);
    lu_->tasks().collect_runnable(t_runnable);
  }
  std::vector<Command*> run;
  run.swap(t_runnable);
  auto waiters = std::move(abort_waiters_);
  abort_waiters_.clear();
  nexus_->core().buffers().release(buf_);
  if (counted_in_lu_) lu_->release_outstanding();
  Nexus* n = nexus_;
  n->command_released(this);
  for (auto& w : waiters) w->done_one();
  LogicalUnit::dispatch(run);
}

}  // namespace nexus::server
