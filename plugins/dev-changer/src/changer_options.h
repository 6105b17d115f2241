// The `options:` block of a `handler: changer` device.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "element_map.h"
#include "nexus/config_node.h"

namespace nexus::changer {

struct CartridgeOption {
  Cartridge cartridge;
  Placement placement;                // address from `slot:` or `import_export:`
  const IConfigNode* node = nullptr;  // for errors (file:line)
};

struct ChangerOptions {
  std::vector<std::string> drives;  // device names of the tape drives, in element order
  uint32_t slots = 0;
  uint32_t import_export = 0;
  std::string media_dir;
  std::vector<CartridgeOption> cartridges;
  std::string vendor = "NEXUS";
  std::string product = "VIRTUAL-LIBRARY";
  std::string revision = "0001";
  std::string serial;  // empty = derived from the device name
};

// Reads and validates the options, reporting errors on the offending node.
// Looks up every known key (the core reports the rest as unknown).
bool parse_changer_options(const IConfigNode* node, ChangerOptions* out) noexcept;

// A barcode usable as a volume tag and as a file name: 1-32 of A-Z a-z 0-9 and - _ .
bool valid_barcode(std::string_view s) noexcept;

// The media file of a cartridge.
std::string media_path(const std::string& media_dir, const std::string& barcode);

// A stable serial number derived from the device name.
std::string derive_serial(std::string_view device_name);

}  // namespace nexus::changer
