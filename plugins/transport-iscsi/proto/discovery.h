// SendTargets text responses (RFC 7143 §13.3, Appendix C).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::iscsi {

struct DiscoveryTarget {
  std::string name;
  uint16_t portal_group_tag = 1;
  std::vector<std::string> portals;  // "host:port", IPv6 as "[addr]:port"
};

// Builds the reply to SendTargets=<value>.
//  - "All": every target the initiator may see (discovery sessions only);
//  - a target name: that target if visible;
//  - empty: the session's own target (normal sessions only).
// Wildcard portals (0.0.0.0, [::]) are replaced by `local_address`, the
// address the initiator reached us on ("host:port" form).
std::string send_targets_reply(std::string_view value, bool discovery_session,
                               std::string_view session_target,
                               const std::vector<DiscoveryTarget>& targets,
                               const std::function<bool(std::string_view)>& visible,
                               std::string_view local_address);

// "host:port" for an address (IPv6 in brackets).
std::string format_portal(std::string_view host, uint16_t port);

}  // namespace nexus::iscsi
