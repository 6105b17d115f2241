// Cross-check of a loaded configuration against the loaded plugins: every
// `handler:` must name a device plugin and every transport a transport
// plugin ("unknown plugin" errors of `nexusd --check-config`).
#pragma once

#include "config_model.h"
#include "diagnostics.h"
#include "plugin_registry.h"

namespace nexus::server {

Diagnostics check_plugin_references(const Config& config, const PluginRegistry& registry);

}  // namespace nexus::server
