// The one symbol a plugin exports: a function returning its descriptor.
#pragma once

#include "nexus/abi.h"
#include "nexus/config_node.h"
#include "nexus/device.h"
#include "nexus/transport.h"

namespace nexus {

enum class PluginKind : uint32_t { transport = 1, device = 2 };

using CreateTransportFn = Status (*)(ITransportHost* host, const IConfigNode* options,
                                     ITransport** out) noexcept;
using CreateDeviceFn = Status (*)(IDeviceHost* host, const IConfigNode* options,
                                  IDevice** out) noexcept;

struct PluginDescriptor {
  uint32_t struct_size;  // sizeof(PluginDescriptor) as the plugin was built
  uint16_t abi_major;    // NEXUS_ABI_MAJOR; the loader refuses another major
  uint16_t abi_minor;    // NEXUS_ABI_MINOR; older minors load in newer servers
  PluginKind kind;
  uint32_t reserved0;
  const char* name;         // what `handler:` / `transport:` in the YAML names
  const char* version;      // the plugin's own version
  const char* description;
  CreateTransportFn create_transport;  // kind == transport
  CreateDeviceFn create_device;        // kind == device
};

using PluginEntryFn = const PluginDescriptor* (*)() noexcept;

}  // namespace nexus

// Name of the exported alias the loader looks up.
#define NEXUS_PLUGIN_ENTRY_SYMBOL "nexus_plugin_entry"
