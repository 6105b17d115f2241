// A well-formed device plugin ("test-good") whose factory always fails: the
// loader tests only need a descriptor that is accepted.
#include <nexus/plugin.hpp>

namespace {

nexus::Status create(nexus::IDeviceHost*, const nexus::IConfigNode*,
                     nexus::IDevice** out) noexcept {
  *out = nullptr;
  return nexus::Status::unsupported;
}

const nexus::PluginDescriptor* describe() noexcept {
  static const nexus::PluginDescriptor d = [] {
    auto x = nexus::make_descriptor(nexus::PluginKind::device, TEST_PLUGIN_NAME, "0.1",
                                    "loader test plugin");
    x.create_device = create;
    return x;
  }();
  return &d;
}

}  // namespace

NEXUS_PLUGIN(describe)
