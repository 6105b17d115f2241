// Who sent a command, as far as reservations care (SPC-4 5.13.1): an I_T
// nexus is an initiator port (iSCSI: name + ISID) times a target port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nexus::server::resv {

struct NexusIdentity {
  std::string initiator_name;  // iSCSI name (or the transport's initiator port name)
  std::string isid;            // 12 lowercase hex digits for iSCSI; empty for transports without
  uint16_t relative_target_port = 0;
  uint64_t nexus_id = 0;  // the core's handle; used only to exclude the sender from effects
};

// iSCSI names are case-insensitive after stringprep (RFC 3722) and ISIDs are
// hex, so both compare ASCII case-insensitively.
inline bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Same initiator port and same target port: the same I_T nexus in SCSI terms
// (a session reinstated with the same ISID is the same nexus again).
inline bool same_nexus(const NexusIdentity& a, const NexusIdentity& b) noexcept {
  return a.relative_target_port == b.relative_target_port && iequal(a.isid, b.isid) &&
         iequal(a.initiator_name, b.initiator_name);
}

}  // namespace nexus::server::resv
