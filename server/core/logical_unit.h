// A logical unit: one configured device, whatever LUN numbers and targets map
// it. Owns the device handler instance, its opcode table, the Control mode
// page state, the task set and the Unit Attention queues of every I_T nexus
// that sees it (DESIGN.md lesson 2: the core, not the device, owns all state
// that depends on which nexus a command came from).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/task_set.h"
#include "core/unit_attention.h"
#include "nexus/device.h"
#include "reservations/reservation_state.h"

namespace nexus::scsi {
class OpcodeTable;
struct ControlModeState;
}  // namespace nexus::scsi

namespace nexus::server {

class Core;
class Nexus;
class YamlConfigNode;
class Command;

class LogicalUnit final : public IDeviceHost {
 public:
  LogicalUnit(Core& core, std::string name, std::string state_dir, bool check_only);
  ~LogicalUnit();

  // IDeviceHost
  Str name() const noexcept override { return Str{name_.data(), name_.size()}; }
  Str state_dir() const noexcept override { return Str{state_dir_.data(), state_dir_.size()}; }
  bool check_only() const noexcept override { return check_only_; }
  void log(LogLevel level, Str message) noexcept override;
  void raise_ua(UaScope scope, uint64_t nexus_id, uint8_t asc, uint8_t ascq) noexcept override;
  IReactor* current_reactor() noexcept override;
  uint32_t reactor_count() const noexcept override;
  IReactor* reactor(uint32_t index) noexcept override;
  IDevice* peer_device(Str name) noexcept override;

  // Takes ownership of a device created by its plugin's factory and builds
  // the opcode table (core rows + the device's rows).
  void attach_device(IDevice* device);
  IDevice* device() const noexcept { return device_; }
  const std::string& device_name() const noexcept { return name_; }
  const scsi::OpcodeTable& opcodes() const noexcept { return *table_; }
  scsi::ControlModeState& control() noexcept { return *control_; }
  uint64_t naa_id() const noexcept { return naa_id_; }
  // VPD pages the device serves itself (probed once at attach).
  std::span<const uint8_t> device_vpd_pages() const noexcept { return vpd_pages_; }

  // I_T nexuses that see this LU.
  void attach_nexus(Nexus* n);
  void detach_nexus(Nexus* n);
  std::vector<std::shared_ptr<Nexus>> nexuses();
  // The same, for a caller already holding mu().
  std::vector<std::shared_ptr<Nexus>> nexuses_locked();

  // Outstanding-command limit of the LU across all nexuses (server.lun_queue_depth).
  bool admit_outstanding() noexcept {
    if (outstanding_.fetch_add(1, std::memory_order_relaxed) < queue_limit_) return true;
    outstanding_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  void release_outstanding() noexcept { outstanding_.fetch_sub(1, std::memory_order_relaxed); }
  void set_queue_limit(uint32_t n) noexcept { queue_limit_ = n; }

  // Task set and UA state, guarded by mu().
  std::mutex& mu() noexcept { return mu_; }
  TaskSet& tasks() noexcept { return tasks_; }
  UnitAttentionQueues& uas() noexcept { return uas_; }
  resv::ReservationState& reservations() noexcept { return resv_; }
  // Where APTPL persistent reservations are saved (SPC-4 5.13.4).
  std::string reservation_file() const;
  // Loads saved persistent reservations; target ports are the relative
  // target port ids (TPGTs) through which the LU is exported.
  void init_reservations(std::vector<uint16_t> target_ports);
  // Saves them if they are to persist. Call with mu() held.
  void save_reservations();

  // Runs each command on its nexus's reactor (posting when needed).
  static void dispatch(const std::vector<Command*>& cmds) noexcept;

  // Keeps the options tree the device was created from (it may hold views).
  void keep_options(std::unique_ptr<YamlConfigNode> opts);

  // Destroys the device (shutdown). With a command still in it (a hung
  // SG_IO) the device is left alone instead and false is returned.
  bool shutdown();

 private:
  Core& core_;
  std::string name_;
  std::string state_dir_;
  bool check_only_;
  IDevice* device_ = nullptr;
  std::unique_ptr<scsi::OpcodeTable> table_;
  std::unique_ptr<scsi::ControlModeState> control_;
  uint64_t naa_id_ = 0;
  std::vector<uint8_t> vpd_pages_;
  std::atomic<uint32_t> outstanding_{0};
  uint32_t queue_limit_ = 1024;
  std::mutex mu_;
  TaskSet tasks_;
  UnitAttentionQueues uas_;
  resv::ReservationState resv_;
  std::vector<Nexus*> nexuses_;
  std::unique_ptr<YamlConfigNode> options_;
};

}  // namespace nexus::server
