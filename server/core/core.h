// The target core: owns reactors, the buffer pool, logical units, transports
// and the I_T nexuses, built from one loaded configuration.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/access_control.h"
#include "config/config_model.h"
#include "config/diagnostics.h"
#include "core/buffer_pool.h"
#include "core/reactor.h"
#include "nexus/device.h"

namespace nexus::server {

class LogicalUnit;
class Nexus;
class PluginRegistry;
class TransportHost;
struct TmfWait;

class Core {
 public:
  Core(const Config& config, const PluginRegistry& plugins, bool check_only);
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Creates every device and transport through its plugin. Plugin option
  // errors and unknown keys are added to diag. False if anything failed.
  bool build(Diagnostics& diag);
  // Starts the reactors and the transports.
  bool start();
  // Graceful stop: transports log sessions out (grace period), in-flight
  // commands drain, devices are destroyed. False when something did not
  // stop (sessions past the grace period, a command stuck in a device, a
  // stuck reactor): then nothing more is freed, the Core is abandoned (its
  // destructor leaks it) and the caller should exit the process at once.
  bool shutdown();

  const Config& config() const noexcept { return config_; }
  const AccessControl& access() const noexcept { return access_; }
  ReactorPool& reactors() noexcept { return *reactors_; }
  BufferPool& buffers() noexcept { return *buffers_; }
  LogicalUnit* find_lu(std::string_view device) noexcept;
  // Adds a logical unit for an already created device (build() and tests).
  LogicalUnit* add_device(const std::string& name, IDevice* device);

  // Nexus registry (used by transport hosts and TMFs).
  std::shared_ptr<Nexus> add_nexus(std::shared_ptr<Nexus> n);
  void remove_nexus(uint64_t id) noexcept;
  uint64_t next_nexus_id() noexcept { return next_nexus_id_.fetch_add(1) + 1; }
  size_t nexus_count() const;

  // Task management spanning nexuses (SAM-5 7.4, 7.5, 7.7).
  void clear_task_set(Nexus& origin, LogicalUnit* lu, const std::shared_ptr<TmfWait>& wait,
                      bool lu_reset) noexcept;
  // Aborts every task of the LU (CLEAR TASK SET, LU reset, QErr=01b).
  void abort_lu_tasks(LogicalUnit* lu, uint64_t origin_id, const std::shared_ptr<TmfWait>& wait,
                      bool ua_for_others) noexcept;
  void nexus_reset(Nexus& origin, const std::shared_ptr<TmfWait>& wait) noexcept;
  void nexus_closing(Nexus& n, bool lost) noexcept;

 private:
  bool drain_reactors();
  const Config& config_;
  const PluginRegistry& plugins_;
  bool check_only_;
  AccessControl access_;
  std::unique_ptr<ReactorPool> reactors_;
  std::unique_ptr<BufferPool> buffers_;
  std::vector<std::unique_ptr<LogicalUnit>> lus_;
  std::vector<std::unique_ptr<TransportHost>> transports_;
  mutable std::mutex nexus_mu_;
  std::condition_variable nexus_cv_;
  std::unordered_map<uint64_t, std::shared_ptr<Nexus>> nexuses_;
  std::atomic<uint64_t> next_nexus_id_{0};
  bool started_ = false;
  bool abandoned_ = false;  // an unclean shutdown(): work still points into us
};

}  // namespace nexus::server
