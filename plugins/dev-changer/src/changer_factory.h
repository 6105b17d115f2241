#pragma once

#include "nexus/device.h"

namespace nexus::changer {

// The descriptor's create_device: validates the options (media files must
// exist), picks the startup placement (state file or YAML) and creates the
// device.
Status create_changer_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) noexcept;

}  // namespace nexus::changer
