// The I_T nexus (SAM-5 4.5): one initiator port logged in to one target port.
// It owns the LUN map the initiator's ACL grants, the outstanding-command
// limit, and every live command of the nexus. All of its state is confined to
// its reactor thread; other threads reach it by posting.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/scsi_command.h"
#include "nexus/transport.h"
#include "reservations/nexus_identity.h"

namespace nexus::server {

class Core;
class LogicalUnit;
class Reactor;
struct TmfWait;

struct LunEntry {
  uint32_t lun;  // LUN number (0..16383)
  LogicalUnit* lu;
  bool read_only;
};

class Nexus final : public INexus, public std::enable_shared_from_this<Nexus> {
 public:
  Nexus(Core& core, uint64_t id, Reactor& reactor, const SessionDesc& desc, INexusEvents* events,
        std::vector<LunEntry> luns, uint32_t queue_depth);
  ~Nexus();

  // INexus
  uint64_t id() const noexcept override { return id_; }
  ITransportCommand* new_command(const CommandDesc* desc) noexcept override;
  void task_mgmt(const TmfDesc* tmf) noexcept override;
  void close(bool lost) noexcept override;
  void log(LogLevel level, Str message) noexcept override;

  Core& core() noexcept { return core_; }
  Reactor& reactor() noexcept { return reactor_; }
  INexusEvents* events() noexcept { return events_; }
  const std::string& initiator() const noexcept { return initiator_; }
  const std::string& initiator_port() const noexcept { return port_id_; }
  const std::string& target() const noexcept { return target_; }
  uint16_t relative_port() const noexcept { return rel_port_; }
  const std::vector<LunEntry>& luns() const noexcept { return luns_; }
  const LunEntry* find_lun(uint32_t lun) const noexcept;
  std::vector<uint32_t> lun_numbers() const;
  // Identity for logs: "initiator -> target".
  const std::string& label() const noexcept { return label_; }
  // The I_T nexus as reservations know it (initiator port + target port).
  const resv::NexusIdentity& identity() const noexcept { return identity_; }

  // Called by Command.
  void command_released(Command* c) noexcept;
  void tmf_finished() noexcept;  // a TMF of this nexus was answered

  // Aborts this nexus's commands that match (run on this nexus's reactor).
  // lu == nullptr matches all LUs; tag matching only when use_tag.
  void abort_matching(LogicalUnit* lu, bool use_tag, uint64_t tag, bool tas,
                      const std::shared_ptr<TmfWait>& waiter) noexcept;
  bool has_task(LogicalUnit* lu, bool use_tag, uint64_t tag) const noexcept;

 private:
  Command* alloc_command() noexcept;
  void maybe_closed() noexcept;

  Core& core_;
  uint64_t id_;
  Reactor& reactor_;
  INexusEvents* events_;
  std::string initiator_;
  std::string port_id_;
  std::string target_;
  std::string label_;
  uint16_t rel_port_;
  resv::NexusIdentity identity_;
  std::vector<LunEntry> luns_;
  uint32_t queue_depth_;
  uint32_t live_ = 0;
  Command* live_head_ = nullptr;
  std::vector<Command*> free_;  // recycled command objects
  bool closing_ = false;
  bool closed_reported_ = false;
  uint32_t pending_tmfs_ = 0;
};

}  // namespace nexus::server
