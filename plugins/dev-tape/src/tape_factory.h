// Creates "tape" devices from their `options:` block.
#pragma once

#include "nexus/device.h"

namespace nexus::tape {

Status create_tape_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) noexcept;

}  // namespace nexus::tape
