// The iSCSI transport object: portals (listeners on reactor 0), the
// connection/session registry shared by the reactors, login configuration
// lookups and shutdown.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "discovery.h"
#include "login_negotiation.h"
#include "login_state_machine.h"
#include "nexus/transport.h"

namespace nexus::iscsi {

class Connection;

struct TransportConfig {
  TargetOffer offer;
  uint32_t nop_interval_s = 30;  // 0 disables target NOP-In pings
  uint32_t nop_timeout_s = 30;
  uint32_t login_timeout_s = 30;  // 0 disables
  uint32_t cmdsn_window = 128;    // MaxCmdSN - ExpCmdSN + 1
};

class IscsiTransport final : public ITransport, public LoginHost {
 public:
  IscsiTransport(ITransportHost* host, const TransportConfig& cfg);

  // ITransport
  Status start() noexcept override;
  void shutdown(uint32_t grace_ms, Callback done, void* ctx) noexcept override;
  void destroy() noexcept override;

  // LoginHost (called on reactor threads)
  Access authorize(std::string_view initiator, std::string_view target, LoginPolicy* out) override;
  Access discovery_auth(std::string_view initiator, LoginPolicy* out) override;
  bool target_info(std::string_view target, uint16_t* tpgt, std::string* alias) override;
  bool session_exists(uint16_t tsih) override;
  void warn(std::string_view message) override;

  ITransportHost* host() const { return host_; }
  const TransportConfig& config() const { return cfg_; }
  const std::vector<DiscoveryTarget>& targets() const { return targets_; }
  bool shutting_down() const { return shutting_down_.load(); }
  uint32_t shutdown_grace_s() const { return grace_s_; }
  void log(LogLevel level, const std::string& msg);

  // Registry. Connection pointers are only dereferenced on their reactor.
  uint64_t register_connection(Connection* c, uint32_t reactor);
  void connection_destroyed(uint64_t id);
  // Session of (initiator, ISID, target) if one is in full feature phase.
  bool find_session(const std::string& key, uint64_t* conn_id, uint32_t* reactor);
  uint16_t register_session(const std::string& key, uint64_t conn_id);
  void unregister_session(const std::string& key, uint64_t conn_id, uint16_t tsih);

  // Cross-reactor messages to a connection by id.
  enum class Op : uint8_t { reinstate, resume_login, request_logout, force_drop };
  void send(uint64_t conn_id, Op op, uint64_t arg = 0, uint32_t arg2 = 0);
  void send_to(uint32_t reactor, uint64_t conn_id, Op op, uint64_t arg = 0, uint32_t arg2 = 0);

 private:
  struct Listener {
    int fd = -1;
    IFdWatch* watch = nullptr;
    std::string portal;
    IscsiTransport* owner = nullptr;
  };
  struct Entry {
    Connection* conn;
    uint32_t reactor;
  };
  static void on_accept(void* ctx, uint32_t events) noexcept;
  void accept_ready(Listener* l);
  void check_done();
  void finish_shutdown();

  ITransportHost* host_;
  TransportConfig cfg_;
  std::vector<DiscoveryTarget> targets_;
  std::vector<Listener*> listeners_;
  std::atomic<uint32_t> next_reactor_{0};
  std::atomic<bool> shutting_down_{false};
  std::atomic<bool> listeners_closed_{false};
  std::atomic<bool> done_called_{false};
  std::atomic<uint32_t> live_{0};  // accepted connections not yet destroyed
  uint32_t grace_s_ = 5;
  Callback done_ = nullptr;
  void* done_ctx_ = nullptr;
  ITimer* grace_timer_ = nullptr;

  std::mutex mu_;
  uint64_t next_id_ = 1;
  uint16_t next_tsih_ = 1;
  std::unordered_map<uint64_t, Entry> conns_;
  std::unordered_map<std::string, uint64_t> sessions_;
  std::unordered_map<uint16_t, uint64_t> tsihs_;
};

}  // namespace nexus::iscsi
