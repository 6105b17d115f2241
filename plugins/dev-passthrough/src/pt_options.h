// The `options:` block of a `handler: passthrough` device.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nexus/config_node.h"

namespace nexus::passthrough {

struct PassthroughOptions {
  std::string path;                      // sg/st/nst/sch/sd/sr/bsg node or a symlink to one
  bool exclusive = true;                 // open the sg node O_EXCL
  uint64_t timeout_ms = 60'000;          // per command
  uint64_t long_timeout_ms = 4 * 3600'000;  // REWIND, SPACE, ERASE, MOVE MEDIUM, FORMAT...
  uint32_t workers = 0;                  // 0 = by device type (4 disk, 1 otherwise)
  uint32_t max_transfer = 0;             // bytes; 0 = what the host path reports
  uint64_t reattach_interval_ms = 5'000;
};

// "500ms", "30s", "10m", "4h"; a bare number counts seconds. In milliseconds.
std::optional<uint64_t> parse_duration(std::string_view s) noexcept;

// Reads and validates the options, reporting errors on the offending node.
// Returns false when any option is invalid. Looks up every known key.
bool parse_passthrough_options(const IConfigNode* node, PassthroughOptions* out) noexcept;

}  // namespace nexus::passthrough
