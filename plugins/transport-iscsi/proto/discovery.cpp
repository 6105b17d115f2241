#include "discovery.h"

#include "text_keys.h"

namespace nexus::iscsi {
namespace {

bool is_wildcard(std::string_view portal) {
  return portal.rfind("0.0.0.0:", 0) == 0 || portal.rfind("[::]:", 0) == 0;
}

void append_target(std::string* out, const DiscoveryTarget& t, std::string_view local) {
  append_pair(out, "TargetName", t.name);
  for (const auto& p : t.portals) {
    std::string addr = is_wildcard(p) && !local.empty() ? std::string(local) : p;
    append_pair(out, "TargetAddress", addr + "," + std::to_string(t.portal_group_tag));
  }
}

}  // namespace

std::string format_portal(std::string_view host, uint16_t port) {
  std::string s;
  if (host.find(':') != std::string_view::npos) {
    s = "[" + std::string(host) + "]";
  } else {
    s = std::string(host);
  }
  return s + ":" + std::to_string(port);
}

std::string send_targets_reply(std::string_view value, bool discovery_session,
                               std::string_view session_target,
                               const std::vector<DiscoveryTarget>& targets,
                               const std::function<bool(std::string_view)>& visible,
                               std::string_view local_address) {
  std::string out;
  if (value == "All") {
    if (!discovery_session) return out;  // §13.3: All is for discovery sessions
    for (const auto& t : targets)
      if (visible(t.name)) append_target(&out, t, local_address);
    return out;
  }
  std::string_view wanted = value.empty() ? session_target : value;
  if (value.empty() && discovery_session) return out;
  for (const auto& t : targets)
    if (t.name == wanted && visible(t.name)) append_target(&out, t, local_address);
  return out;
}

}  // namespace nexus::iscsi
