// The dev-passthrough plugin: exports the "passthrough" device handler.
#include "nexus/plugin.hpp"
#include "passthrough_factory.h"

namespace {

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    nexus::PluginDescriptor x = nexus::make_descriptor(
        nexus::PluginKind::device, "passthrough", "1.0.0",
        "Forwards a real SCSI device (sg node) to many initiators, emulating per-nexus state");
    x.create_device = &nexus::passthrough::create_passthrough_device;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
