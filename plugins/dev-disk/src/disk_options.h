// The `options:` block of a `handler: disk` device.
#pragma once

#include <cstdint>
#include <string>

#include "nexus/config_node.h"

namespace nexus::disk {

enum class BackendKind : uint8_t { file, null, ram };

struct DiskOptions {
  BackendKind backend = BackendKind::file;
  std::string path;     // file backend
  uint64_t size = 0;    // bytes; 0 = the file's / device's size
  bool create = false;  // create a sparse file of `size` when missing
  uint32_t block_size = 512;
  bool read_only = false;
  bool direct = false;  // O_DIRECT
  bool thin = true;     // thin provisioning when the backend supports it
  std::string vendor = "NEXUS";
  std::string product = "VIRTUAL-DISK";
  std::string revision = "0001";
  std::string serial;  // empty = derived from the device name
};

// Reads and validates the options, reporting errors on the offending node.
// Returns false when any option is invalid. Looks up every known key.
bool parse_disk_options(const IConfigNode* node, DiskOptions* out) noexcept;

// A stable serial number derived from the device name (VPD 80h).
std::string derive_serial(std::string_view device_name);

}  // namespace nexus::disk
