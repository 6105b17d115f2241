// One SCSI command (a task) from new_command() to release(). The same object
// is the transport's ITransportCommand and the device handler's
// IDeviceCommand, so no copy or allocation happens between them.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/buffer_pool.h"
#include "nexus/device.h"
#include "nexus/opcode.h"
#include "nexus/transport.h"

namespace nexus::server {

class Nexus;
class LogicalUnit;
struct TmfWait;

enum class CommandState : uint8_t {
  created,        // new_command() returned it; the transport may fill Data-Out
  waiting_data,   // in the task set, waiting for solicited Data-Out
  waiting_order,  // in the task set, blocked by an older task (SAM-5 8.6)
  running,        // handed to the device handler or the core's SPC code
  done,           // response or abort reported to the transport
};

class Command final : public ITransportCommand, public IDeviceCommand {
 public:
  explicit Command(Nexus* nexus) : nexus_(nexus) {}

  // ITransportCommand
  uint64_t tag() const noexcept override { return tag_; }
  uint32_t iov(const IoVec** out) const noexcept override {
    *out = buf_.iov.data();
    return buf_.count;
  }
  uint32_t buffer_length() const noexcept override { return buf_.length; }
  void start(uint32_t received) noexcept override;
  void data_out_done(Status status) noexcept override;
  ScsiStatus status() const noexcept override { return status_; }
  ConstByteSpan sense() const noexcept override { return {sense_, sense_len_}; }
  uint32_t data_in_length() const noexcept override { return data_in_len_; }
  uint8_t residual_flags() const noexcept override { return residual_flags_; }
  uint32_t residual_count() const noexcept override { return residual_count_; }
  void release() noexcept override;

  // IDeviceCommand
  ConstByteSpan cdb() const noexcept override { return {cdb_, cdb_len_}; }
  uint64_t lun() const noexcept override { return lun_; }
  TaskAttr task_attr() const noexcept override { return attr_; }
  uint64_t nexus_id() const noexcept override;
  uint32_t data_length() const noexcept override { return buf_.length; }
  void set_transfer_length(uint32_t bytes) noexcept override;
  void complete(ScsiStatus status, const SenseInfo* sense) noexcept override;
  bool aborted() const noexcept override { return aborted_.load(std::memory_order_acquire); }

  // Core side.
  void init(const CommandDesc& d) noexcept;
  void fail(ScsiStatus status, const SenseInfo* sense) noexcept;  // before start()
  void finish_on_reactor() noexcept;  // completion on the nexus's reactor
  void execute() noexcept;            // run now (ordering already satisfied)
  void ready() noexcept;              // data phase over: run or wait for order
  void compute_response() noexcept;   // data-in length, residual, sense bytes
  void abort(std::shared_ptr<TmfWait> waiter, bool report_task_aborted) noexcept;

  Nexus* nexus() const noexcept { return nexus_; }
  LogicalUnit* lu() const noexcept { return lu_; }
  CommandState state() const noexcept { return state_; }
  const OpcodeInfo* row() const noexcept { return row_; }

  // --- fields below are the core's; the task set reads them under the LU lock.
  Nexus* nexus_;
  LogicalUnit* lu_ = nullptr;
  bool read_only_ = false;
  const OpcodeInfo* row_ = nullptr;
  uint8_t cdb_[32]{};
  uint8_t cdb_len_ = 0;
  TaskAttr attr_ = TaskAttr::simple;
  DataDir dir_ = DataDir::none;
  uint64_t tag_ = 0;
  uint64_t lun_ = 0;
  uint32_t expected_ = 0;      // transport's expected data transfer length
  uint32_t needed_ = 0;        // bytes the CDB asks for (before clamping)
  bool data_out_ = false;      // Data-Out phase
  bool alloc_len_ = false;     // length field is an allocation length
  uint32_t produced_ = 0;      // Data-In bytes produced
  bool produced_set_ = false;  // the handler called set_transfer_length()
  bool data_phase_done_ = false;
  BufferPool::Buffer buf_;
  CommandState state_ = CommandState::created;
  bool prefailed_ = false;
  bool counted_in_lu_ = false;  // holds a slot of the LU's outstanding limit
  bool in_task_set_ = false;
  bool report_task_aborted_ = false;  // TAS=1 for another nexus's command
  std::atomic<bool> aborted_{false};

  // Medium access range for ordering: [lba_, lba_ + blocks_); access_ = 0
  // none, 1 read, 2 write.
  uint64_t lba_ = 0;
  uint64_t blocks_ = 0;
  uint8_t access_ = 0;

  // Completion as reported by the device (any thread) or the core.
  ScsiStatus status_ = ScsiStatus::good;
  SenseInfo pending_sense_{};
  bool has_sense_ = false;
  uint8_t sense_[252]{};
  uint32_t sense_len_ = 0;
  uint32_t data_in_len_ = 0;
  uint8_t residual_flags_ = 0;
  uint32_t residual_count_ = 0;

  // Intrusive links: the LU's task set and the nexus's live list.
  Command* ts_prev_ = nullptr;
  Command* ts_next_ = nullptr;
  Command* nx_prev_ = nullptr;
  Command* nx_next_ = nullptr;
  std::vector<std::shared_ptr<TmfWait>> abort_waiters_;
};

}  // namespace nexus::server
