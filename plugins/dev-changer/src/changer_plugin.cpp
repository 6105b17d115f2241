// The dev-changer plugin: exports the "changer" device handler.
#include "changer_factory.h"
#include "nexus/plugin.hpp"

namespace {

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    nexus::PluginDescriptor x = nexus::make_descriptor(
        nexus::PluginKind::device, "changer", "1.0.0",
        "SMC-3 medium changer of a virtual tape library (drives are tape devices)");
    x.create_device = &nexus::changer::create_changer_device;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
