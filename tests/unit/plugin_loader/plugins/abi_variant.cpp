// A device plugin declaring ABI TEST_ABI_MAJOR.TEST_ABI_MINOR (set by the
// build), to check that the loader refuses foreign majors and newer minors.
#include <nexus/plugin.hpp>

namespace {

nexus::Status create(nexus::IDeviceHost*, const nexus::IConfigNode*,
                     nexus::IDevice** out) noexcept {
  *out = nullptr;
  return nexus::Status::unsupported;
}

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    auto x =
        nexus::make_descriptor(nexus::PluginKind::device, TEST_PLUGIN_NAME, "0.1", "ABI variant");
    x.abi_major = TEST_ABI_MAJOR;
    x.abi_minor = TEST_ABI_MINOR;
    x.create_device = create;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
