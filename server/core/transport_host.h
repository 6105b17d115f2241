// The core side of one transport plugin instance (nexus::ITransportHost):
// which targets it serves, login authorization (LUN masking and CHAP from
// the ACLs), and opening I_T nexuses.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config_model.h"
#include "config/diagnostics.h"
#include "nexus/transport.h"

namespace nexus::server {

class Core;
struct LoadedPlugin;
class YamlConfigNode;

class TransportHost final : public ITransportHost {
 public:
  TransportHost(Core& core, const TransportCfg& cfg, const LoadedPlugin& plugin);
  ~TransportHost();

  // Calls the plugin's factory; option errors go to diag.
  bool create(Diagnostics& diag);
  bool start();
  // Asks the transport to log every session out and waits up to grace_ms
  // (plus 3 s) for it to report done. False when it did not: the transport
  // is then abandoned (never destroyed), since its sessions may still run.
  bool shutdown(uint64_t grace_ms);

  // ITransportHost
  void log(LogLevel level, Str message) noexcept override;
  uint32_t reactor_count() const noexcept override;
  IReactor* reactor(uint32_t index) noexcept override;
  IReactor* current_reactor() noexcept override;
  uint32_t target_count() const noexcept override { return uint32_t(targets_.size()); }
  Status target(uint32_t index, TargetInfo* out) noexcept override;
  Status authorize(Str initiator_name, Str target_name, AuthInfo* auth) noexcept override;
  Status discovery_auth(Str initiator_name, AuthInfo* auth) noexcept override;
  bool target_visible(Str initiator_name, Str target_name) noexcept override;
  Status open_nexus(const SessionDesc* desc, INexusEvents* events, INexus** out) noexcept override;

 private:
  struct TargetEntry {
    const Target* target;
    std::vector<std::string> portal_text;
    std::vector<Str> portals;
  };
  const TargetEntry* find(std::string_view name) const noexcept;

  Core& core_;
  const TransportCfg& cfg_;
  const LoadedPlugin& plugin_;
  std::vector<TargetEntry> targets_;
  std::unique_ptr<YamlConfigNode> options_;
  ITransport* transport_ = nullptr;
  bool abandoned_ = false;  // shutdown timed out: never destroyed
};

}  // namespace nexus::server
