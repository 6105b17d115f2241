// A descriptor without a name: refused.
#include <nexus/plugin.hpp>

namespace {

nexus::Status create(nexus::IDeviceHost*, const nexus::IConfigNode*,
                     nexus::IDevice** out) noexcept {
  *out = nullptr;
  return nexus::Status::unsupported;
}

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    auto x = nexus::make_descriptor(nexus::PluginKind::device, nullptr, "0.1", "no name");
    x.create_device = create;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
