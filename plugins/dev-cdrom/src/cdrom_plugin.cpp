// The dev-cdrom plugin: exports the "cdrom" device handler.
#include "cdrom_factory.h"
#include "nexus/plugin.hpp"

namespace {

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    nexus::PluginDescriptor x =
        nexus::make_descriptor(nexus::PluginKind::device, "cdrom", "1.0.0",
                               "MMC-6 read-only CD/DVD-ROM drive with ISO images as discs");
    x.create_device = &nexus::cdrom::create_cdrom_device;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
