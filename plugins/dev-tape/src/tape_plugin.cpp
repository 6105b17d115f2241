// The dev-tape plugin: exports the "tape" device handler.
#include "nexus/plugin.hpp"
#include "tape_factory.h"

namespace {

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    nexus::PluginDescriptor x =
        nexus::make_descriptor(nexus::PluginKind::device, "tape", "1.0.0",
                               "SSC-3 sequential-access (tape) drive on media files");
    x.create_device = &nexus::tape::create_tape_device;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
