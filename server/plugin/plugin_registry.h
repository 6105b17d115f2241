// Finds, checks and keeps the plugins (.so) nexusd runs with.
//
// Each plugin exports one Boost.DLL alias, NEXUS_PLUGIN_ENTRY_SYMBOL, returning
// its PluginDescriptor. A plugin is refused, with one log line saying why,
// when the symbol is missing, the descriptor is malformed, its ABI major
// differs from ours, its ABI minor is newer than ours (we would not know the
// members it appended), or its name is already taken. Loaded libraries are
// never unloaded: objects they created may live until the process exits.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "nexus/plugin.h"

namespace nexus::server {

struct LoadedPlugin {
  std::filesystem::path path;
  const PluginDescriptor* descriptor;  // owned by the (never unloaded) library
  PluginKind kind;
  std::string name;
  std::string version;
  std::string description;
  uint16_t abi_major;
  uint16_t abi_minor;

  Status create_device(IDeviceHost* host, const IConfigNode* options, IDevice** out) const;
  Status create_transport(ITransportHost* host, const IConfigNode* options, ITransport** out) const;
};

const char* plugin_kind_name(PluginKind kind);

class PluginRegistry {
 public:
  PluginRegistry() = default;
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // Loads every *.so in `dir` (not recursive, in name order). Returns how
  // many plugins were added. A missing directory is logged and yields 0.
  size_t load_dir(const std::filesystem::path& dir);
  // Loads one file; false (after logging why) when it is not accepted.
  bool load_file(const std::filesystem::path& file);

  const LoadedPlugin* find(PluginKind kind, std::string_view name) const;
  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  // One line per plugin for `nexusd --list-plugins`:
  // "device     disk             1.0.0    ABI 1.0  /path/disk.so  description"
  std::string describe() const;

 private:
  std::vector<LoadedPlugin> plugins_;
};

// The default plugin directory: <directory of the running executable>/../lib/nexus.
std::filesystem::path default_plugin_dir();

}  // namespace nexus::server
