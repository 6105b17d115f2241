// Builds a cdrom device from its `options:` (the plugin's create_device).
#pragma once

#include "nexus/config_node.h"
#include "nexus/device.h"

namespace nexus::cdrom {

Status create_cdrom_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) noexcept;

}  // namespace nexus::cdrom
