#include "plugin_references.h"

namespace nexus::server {
namespace {

std::string known_names(const PluginRegistry& registry, PluginKind kind) {
  std::string s;
  for (const auto& p : registry.plugins())
    if (p.kind == kind) s += (s.empty() ? "" : ", ") + p.name;
  return s.empty() ? std::string("none") : s;
}

}  // namespace

Diagnostics check_plugin_references(const Config& config, const PluginRegistry& registry) {
  Diagnostics out;
  for (const auto& d : config.devices) {
    if (registry.find(PluginKind::device, d.handler)) continue;
    out.error(d.handler_location,
              "unknown device handler '" + d.handler +
                  "' (loaded device plugins: " + known_names(registry, PluginKind::device) + ")");
  }
  for (const auto& t : config.transports) {
    if (registry.find(PluginKind::transport, t.plugin)) continue;
    out.error(t.plugin_location, "unknown transport plugin '" + t.plugin +
                                     "' (loaded transport plugins: " +
                                     known_names(registry, PluginKind::transport) + ")");
  }
  return out;
}

}  // namespace nexus::server
