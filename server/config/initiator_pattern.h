// Initiator name patterns of initiator groups: an exact name, or a pattern
// where '*' matches any run of characters and '?' exactly one.
#pragma once

#include <string_view>

namespace nexus::server {

// ASCII case-insensitive: iSCSI names are compared after RFC 3722
// normalization, which lowercases, and WWPN-style hex names ignore case too.
bool initiator_matches(std::string_view pattern, std::string_view name) noexcept;

inline bool is_wildcard_pattern(std::string_view pattern) noexcept {
  return pattern.find_first_of("*?") != std::string_view::npos;
}

}  // namespace nexus::server
