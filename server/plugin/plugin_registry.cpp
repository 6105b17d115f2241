#include "plugin_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cstddef>
#include <mutex>

namespace nexus::server {
namespace {

namespace fs = std::filesystem;

// Every accepted library stays loaded until the process exits (DESIGN.md:
// never unload a plugin that may still have live objects). The holder is
// intentionally leaked so that not even static destruction unloads them.
void keep_loaded(boost::dll::shared_library lib) {
  static std::mutex mu;
  static auto* libs = new std::vector<boost::dll::shared_library>();
  std::lock_guard lock(mu);
  libs->push_back(std::move(lib));
}

// The descriptor of ABI 1.0 ends with create_device; newer minors append.
constexpr size_t kMinDescriptorSize =
    offsetof(PluginDescriptor, create_device) + sizeof(CreateDeviceFn);
// struct_size, abi_major, abi_minor: present in every version of the struct.
constexpr size_t kVersionFieldsSize = offsetof(PluginDescriptor, kind);

std::string abi_text(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

bool valid_plugin_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

// A C string from the plugin, bounded so a garbage pointer to unterminated
// memory is at least not read forever.
std::string bounded(const char* s, size_t max = 1024) {
  if (!s) return {};
  size_t n = 0;
  while (n < max && s[n]) ++n;
  return std::string(s, n);
}

}  // namespace

const char* plugin_kind_name(PluginKind kind) {
  switch (kind) {
    case PluginKind::transport:
      return "transport";
    case PluginKind::device:
      return "device";
  }
  return "unknown";
}

Status LoadedPlugin::create_device(IDeviceHost* host, const IConfigNode* options,
                                   IDevice** out) const {
  *out = nullptr;
  if (kind != PluginKind::device || !descriptor->create_device) return Status::unsupported;
  return descriptor->create_device(host, options, out);
}

Status LoadedPlugin::create_transport(ITransportHost* host, const IConfigNode* options,
                                      ITransport** out) const {
  *out = nullptr;
  if (kind != PluginKind::transport || !descriptor->create_transport) return Status::unsupported;
  return descriptor->create_transport(host, options, out);
}

size_t PluginRegistry::load_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    spdlog::warn("plugin directory {} does not exist or is not a directory", dir.string());
    return 0;
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() == ".so" && it->is_regular_file(ec)) files.push_back(p);
  }
  if (ec) spdlog::warn("cannot list plugin directory {}: {}", dir.string(), ec.message());
  std::sort(files.begin(), files.end());
  size_t loaded = 0;
  for (const auto& f : files) loaded += load_file(f) ? 1 : 0;
  spdlog::debug("plugin directory {}: {} plugin(s) loaded", dir.string(), loaded);
  return loaded;
}

bool PluginRegistry::load_file(const fs::path& file) {
  std::error_code ec;
  fs::path canon = fs::weakly_canonical(file, ec);
  if (ec) canon = file;
  const std::string shown = file.string();
  for (const auto& p : plugins_) {
    if (p.path == canon) {
      spdlog::debug("plugin {} already loaded", shown);
      return false;
    }
  }

  boost::dll::shared_library lib;
  try {
    lib.load(boost::dll::fs::path(canon.string()), boost::dll::load_mode::rtld_now);
  } catch (const std::exception& e) {
    spdlog::warn("skipping {}: cannot load it as a shared library: {}", shown, e.what());
    return false;
  }
  if (!lib.has(NEXUS_PLUGIN_ENTRY_SYMBOL)) {
    spdlog::warn("skipping {}: not a Nexus plugin (no '{}' symbol)", shown,
                 NEXUS_PLUGIN_ENTRY_SYMBOL);
    return false;
  }
  const PluginDescriptor* d = nullptr;
  try {
    auto& entry = lib.get_alias<const PluginDescriptor*() noexcept>(NEXUS_PLUGIN_ENTRY_SYMBOL);
    d = entry();
  } catch (const std::exception& e) {
    spdlog::warn("skipping {}: cannot resolve '{}': {}", shown, NEXUS_PLUGIN_ENTRY_SYMBOL,
                 e.what());
    return false;
  }
  const std::string ours = abi_text(NEXUS_ABI_MAJOR, NEXUS_ABI_MINOR);
  if (!d || d->struct_size < kVersionFieldsSize) {
    spdlog::error("plugin {} refused: its entry point returned no valid descriptor", shown);
    return false;
  }
  const std::string theirs = abi_text(d->abi_major, d->abi_minor);
  if (d->abi_major != NEXUS_ABI_MAJOR) {
    spdlog::error(
        "plugin {} refused: built for plugin ABI {}, this nexusd provides ABI {} "
        "(the major version must match; rebuild the plugin against SDK {}.x)",
        shown, theirs, ours, NEXUS_ABI_MAJOR);
    return false;
  }
  if (d->abi_minor > NEXUS_ABI_MINOR) {
    spdlog::error(
        "plugin {} refused: built for plugin ABI {}, newer than this nexusd's ABI {} "
        "(upgrade nexusd or rebuild the plugin against SDK {})",
        shown, theirs, ours, ours);
    return false;
  }
  if (d->struct_size < kMinDescriptorSize || d->struct_size > 65536) {
    spdlog::error("plugin {} refused: descriptor size {} is not valid for ABI {} (expected >= {})",
                  shown, d->struct_size, theirs, kMinDescriptorSize);
    return false;
  }
  const std::string name = bounded(d->name, 128);
  if (!valid_plugin_name(name)) {
    spdlog::error("plugin {} refused: invalid plugin name '{}' (1-64 of A-Z a-z 0-9 - _ .)", shown,
                  name);
    return false;
  }
  if (d->kind != PluginKind::device && d->kind != PluginKind::transport) {
    spdlog::error("plugin {} refused: unknown plugin kind {}", shown,
                  static_cast<uint32_t>(d->kind));
    return false;
  }
  if ((d->kind == PluginKind::device && !d->create_device) ||
      (d->kind == PluginKind::transport && !d->create_transport)) {
    spdlog::error("plugin {} refused: {} plugin '{}' has no factory function", shown,
                  plugin_kind_name(d->kind), name);
    return false;
  }
  for (const auto& p : plugins_) {
    // One namespace for both kinds so that a name always means one thing.
    if (p.name == name) {
      spdlog::error("plugin {} refused: a plugin named '{}' is already loaded from {}", shown, name,
                    p.path.string());
      return false;
    }
  }

  LoadedPlugin lp{canon,
                  d,
                  d->kind,
                  name,
                  d->version ? bounded(d->version, 64) : "?",
                  bounded(d->description),
                  d->abi_major,
                  d->abi_minor};
  keep_loaded(std::move(lib));
  spdlog::info("loaded {} plugin '{}' {} (ABI {}) from {}", plugin_kind_name(lp.kind), lp.name,
               lp.version, theirs, shown);
  plugins_.push_back(std::move(lp));
  return true;
}

const LoadedPlugin* PluginRegistry::find(PluginKind kind, std::string_view name) const {
  for (const auto& p : plugins_)
    if (p.kind == kind && p.name == name) return &p;
  return nullptr;
}

std::string PluginRegistry::describe() const {
  std::string out;
  for (const auto& p : plugins_) {
    out += fmt::format("{:<10} {:<20} {:<10} ABI {}.{}  {}  {}\n", plugin_kind_name(p.kind), p.name,
                       p.version, p.abi_major, p.abi_minor, p.path.string(), p.description);
  }
  return out;
}

fs::path default_plugin_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::path("lib/nexus");
  return (exe.parent_path() / ".." / "lib" / "nexus").lexically_normal();
}

}  // namespace nexus::server
