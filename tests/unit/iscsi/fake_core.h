// A small stand-in for nexusd's core, enough to run the iSCSI plugin for
// real in tests: epoll reactors on their own threads, an ITransportHost with
// one or two targets and CHAP settings, and an INexus serving a RAM disk
// (INQUIRY, READ CAPACITY(10), READ(10), WRITE(10), TEST UNIT READY,
// REPORT LUNS). It counts live commands so tests can assert nothing leaks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nexus/plugin.h"
#include "nexus/transport.h"

namespace nexus::test {

class EpollReactor;

struct FakeAuth {
  bool chap_required = false, mutual_required = false;
  std::string user, secret, mutual_user, mutual_secret;
};

class FakeCore final : public ITransportHost {
 public:
  // Loads the plugin, creates the transport with `options` (scalar map) and
  // starts it on 127.0.0.1:<free port>.
  explicit FakeCore(std::map<std::string, std::string> options = {}, uint32_t reactors = 2);
  ~FakeCore();
  uint16_t port() const { return port_; }
  std::string portal() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string portal6() const { return "[::1]:" + std::to_string(port_); }
  bool started() const { return started_; }

  // Test knobs (set before logging in).
  FakeAuth target_auth;
  FakeAuth discovery;
  std::string hidden_for;  // initiator that must not see the second target

  // Observations.
  std::atomic<int> live_commands{0};
  std::atomic<int> open_nexuses{0};
  std::atomic<int> nexus_lost{0};
  std::atomic<int> nexus_logged_out{0};
  std::atomic<int> aborted{0};
  std::atomic<int> tmfs{0};
  // Makes WRITE(10) / READ(10) park until release_parked() (for TMF tests).
  std::atomic<bool> park_commands{false};
  void release_parked();

  // Shuts the transport down; true if done() came within `wait_ms`.
  bool shutdown(uint32_t grace_ms, uint32_t wait_ms);
  // Waits until `pred` holds or `ms` passed.
  bool wait_for(const std::function<bool()>& pred, int ms);
  std::vector<uint8_t>& disk() { return disk_; }

  // ITransportHost
  void log(LogLevel level, Str message) noexcept override;
  uint32_t reactor_count() const noexcept override;
  IReactor* reactor(uint32_t index) noexcept override;
  IReactor* current_reactor() noexcept override;
  uint32_t target_count() const noexcept override;
  Status target(uint32_t index, TargetInfo* out) noexcept override;
  Status authorize(Str initiator_name, Str target_name, AuthInfo* auth) noexcept override;
  Status discovery_auth(Str initiator_name, AuthInfo* auth) noexcept override;
  bool target_visible(Str initiator_name, Str target_name) noexcept override;
  Status open_nexus(const SessionDesc* desc, INexusEvents* events, INexus** out) noexcept override;

  std::vector<std::string> logs();
  class Nexus;
  class Command;
  void unpark(Command* c);

 private:
  void* dl_ = nullptr;
  ITransport* transport_ = nullptr;
  std::vector<std::unique_ptr<EpollReactor>> reactors_;
  uint16_t port_ = 0;
  bool started_ = false;
  bool shut_down_ = false;
  std::vector<std::string> names_, aliases_, portal_strings_;
  std::vector<Str> portals_;
  std::vector<uint8_t> disk_;
  std::mutex log_mu_;
  std::vector<std::string> logs_;
  std::mutex park_mu_;
  std::vector<std::pair<IReactor*, Command*>> parked_;
  friend class Nexus;
  friend class Command;
};

// Target names the fake core serves.
inline constexpr const char* kTarget = "iqn.2026-11.io.nexus:t1";
inline constexpr const char* kHiddenTarget = "iqn.2026-11.io.nexus:t2";

}  // namespace nexus::test
