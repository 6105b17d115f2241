// The `options:` block of a `handler: cdrom` device.
#pragma once

#include <string>
#include <string_view>

#include "nexus/config_node.h"

namespace nexus::cdrom {

struct CdromOptions {
  std::string image;  // ISO image loaded at start; empty = start with an empty drive
  std::string vendor = "NEXUS";
  std::string product = "VIRTUAL-CDROM";
  std::string revision = "0001";
  std::string serial;  // empty = derived from the device name
};

// Reads and validates the options, reporting errors on the offending node.
bool parse_cdrom_options(const IConfigNode* node, CdromOptions* out) noexcept;

// A stable serial number derived from the device name (VPD 80h).
std::string derive_serial(std::string_view device_name);

}  // namespace nexus::cdrom
