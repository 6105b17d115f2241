// The `options:` block of a `handler: tape` device.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nexus/config_node.h"

namespace nexus::tape {

struct TapeOptions {
  std::string medium;             // media file loaded at start ("" = drive starts empty)
  bool medium_write_protect = false;
  bool create_medium = false;     // create `medium` when missing
  std::string create_barcode;
  uint64_t create_capacity = 0;
  uint32_t block_size = 0;        // initial block length; 0 = variable-block mode
  uint32_t min_block_length = 1;  // READ BLOCK LIMITS
  uint32_t max_block_length = 8u << 20;
  uint8_t density_code = 0x5E;    // reported/accepted density (LTO-8-like by default)
  std::string vendor = "NEXUS";
  std::string product = "VTAPE-LTO";
  std::string revision = "0001";
  std::string serial;             // empty = derived from the device name
};

// Reads and validates the options, reporting errors on the offending node.
// Returns false when any option is invalid. Looks up every known key.
bool parse_tape_options(const IConfigNode* node, TapeOptions* out) noexcept;

// A stable serial number derived from the device name (VPD 80h).
std::string derive_tape_serial(std::string_view device_name);

}  // namespace nexus::tape
