// Parsers and validators for the scalar values of the configuration. Each
// returns the value or an error message that the loader places at the key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nexus/abi.h"

namespace nexus::server {

// An empty string means the name is valid; otherwise why it is not.
// iSCSI names per RFC 7143 §4.2.7 / RFC 3722: "iqn.YYYY-MM.reversed.domain[:anything]",
// "eui." + 16 hex digits, "naa." + 16 or 32 hex digits; at most 223 bytes, lowercase.
std::string check_iscsi_name(std::string_view name);

struct ParsedPortal {
  std::string host;  // IPv6 without brackets
  uint16_t port = 3260;
  bool ipv6 = false;
};
// "host:port", "a.b.c.d:port", "[v6]:port"; the port defaults to 3260 when absent.
// Returns the portal, or sets *error.
std::optional<ParsedPortal> parse_portal(std::string_view text, std::string* error);

// "500ms", "5s", "2m", "1h"; a bare number counts seconds.
std::optional<uint64_t> parse_duration_ms(std::string_view text);

// trace|debug|info|warn|warning|error|critical
std::optional<LogLevel> parse_log_level(std::string_view text);
const char* log_level_name(LogLevel level);

// Strict unsigned decimal (no sign, no spaces, no hex).
std::optional<uint64_t> parse_uint(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);

}  // namespace nexus::server
