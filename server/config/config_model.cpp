#include "config_model.h"

namespace nexus::server {

std::string Portal::text() const {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

const Device* Config::find_device(std::string_view name) const {
  for (const auto& d : devices)
    if (d.name == name) return &d;
  return nullptr;
}

const InitiatorGroup* Config::find_group(std::string_view name) const {
  for (const auto& g : initiator_groups)
    if (g.name == name) return &g;
  return nullptr;
}

const Target* Config::find_target(std::string_view name) const {
  for (const auto& t : targets)
    if (t.name == name) return &t;
  return nullptr;
}

const TransportCfg* Config::find_transport(std::string_view plugin) const {
  for (const auto& t : transports)
    if (t.plugin == plugin) return &t;
  return nullptr;
}

}  // namespace nexus::server
