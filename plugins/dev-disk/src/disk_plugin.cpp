// The dev-disk plugin: exports the "disk" device handler.
#include "disk_factory.h"
#include "nexus/plugin.hpp"

namespace {

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    nexus::PluginDescriptor x = nexus::make_descriptor(
        nexus::PluginKind::device, "disk", "1.0.0",
        "SBC-3 direct-access block device on a file, block device, memory or nothing");
    x.create_device = &nexus::disk::create_disk_device;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
