// Header-only helper: export a plugin's descriptor with Boost.DLL.
//
//   static const nexus::PluginDescriptor* describe() noexcept { ... }
//   NEXUS_PLUGIN(describe)
#pragma once

#include <boost/dll/alias.hpp>

#include "nexus/plugin.h"

#define NEXUS_PLUGIN(describe_fn)                                              \
  namespace nexus_plugin_export {                                              \
  const ::nexus::PluginDescriptor* nexus_plugin_entry_impl() noexcept {        \
    return describe_fn();                                                      \
  }                                                                            \
  }                                                                            \
  BOOST_DLL_ALIAS(nexus_plugin_export::nexus_plugin_entry_impl, nexus_plugin_entry)

namespace nexus {
// Fills the ABI fields of a descriptor.
constexpr PluginDescriptor make_descriptor(PluginKind kind, const char* name, const char* version,
                                           const char* description) noexcept {
  PluginDescriptor d{};
  d.struct_size = sizeof(PluginDescriptor);
  d.abi_major = NEXUS_ABI_MAJOR;
  d.abi_minor = NEXUS_ABI_MINOR;
  d.kind = kind;
  d.name = name;
  d.version = version;
  d.description = description;
  return d;
}
}  // namespace nexus
