// Creates "passthrough" devices from their `options:` block.
#pragma once

#include "nexus/device.h"
#include "scsi_backend.h"

namespace nexus::passthrough {

// The plugin's factory: sg_pt backend, paths resolved through /sys and /dev.
Status create_passthrough_device(IDeviceHost* host, const IConfigNode* options,
                                 IDevice** out) noexcept;

// Same with injected backend and resolver (unit tests).
Status create_passthrough_device(IDeviceHost* host, const IConfigNode* options,
                                 const BackendFactory& backend, const PathResolver& resolve,
                                 IDevice** out) noexcept;

}  // namespace nexus::passthrough
