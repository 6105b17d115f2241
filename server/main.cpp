// nexusd: loads the configuration and the plugins, builds the core and serves
// until SIGTERM/SIGINT, then drains in-flight commands and logs sessions out.
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config_loader.h"
#include "core/core.h"
#include "plugin/plugin_references.h"
#include "plugin/plugin_registry.h"

namespace {

void usage(FILE* out) {
  std::fputs(
      "usage: nexusd --config FILE [options]\n"
      "  -c, --config FILE      YAML configuration (see docs/configuration.md)\n"
      "      --check-config     validate the configuration and the plugins' options, then exit\n"
      "                         (exit status 0 = valid, 1 = invalid)\n"
      "  -p, --plugin-dir DIR   load plugins from DIR (repeatable; replaces server.plugin_dirs)\n"
      "      --list-plugins     list the plugins found and exit\n"
      "  -l, --log-level LEVEL  trace|debug|info|warn|error (overrides server.log_level)\n"
      "  -h, --help             this text\n",
      out);
}

spdlog::level::level_enum to_spd(nexus::LogLevel l) {
  return static_cast<spdlog::level::level_enum>(l);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nexus::server;
  std::string config_path;
  std::vector<std::string> plugin_dirs;
  std::string log_level;
  bool check_only = false, list_plugins = false;

  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "nexusd: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "-c" || a == "--config")
      config_path = value("--config");
    else if (a.rfind("--config=", 0) == 0)
      config_path = a.substr(9);
    else if (a == "--check-config")
      check_only = true;
    else if (a == "-p" || a == "--plugin-dir")
      plugin_dirs.push_back(value("--plugin-dir"));
    else if (a == "--list-plugins")
      list_plugins = true;
    else if (a == "-l" || a == "--log-level")
      log_level = value("--log-level");
    else if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "nexusd: unknown argument '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    }
  }

  auto logger = spdlog::stderr_color_mt("nexusd");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");

  if (list_plugins && config_path.empty()) {
    PluginRegistry registry;
    if (plugin_dirs.empty()) plugin_dirs.push_back(default_plugin_dir().string());
    for (const auto& d : plugin_dirs) registry.load_dir(d);
    std::fputs(registry.describe().c_str(), stdout);
    return 0;
  }
  if (config_path.empty()) {
    usage(stderr);
    return 2;
  }

  LoadResult loaded = load_config_file(config_path);
  for (const auto& d : loaded.diagnostics.items()) std::fprintf(stderr, "%s\n", d.format().c_str());
  if (!loaded.ok()) {
    std::fprintf(stderr, "nexusd: %zu error(s) in %s\n", loaded.diagnostics.error_count(),
                 config_path.c_str());
    return 1;
  }
  const Config& cfg = loaded.config;
  spdlog::set_level(to_spd(cfg.server.log_level));
  if (!log_level.empty()) {
    auto lvl = spdlog::level::from_str(log_level);
    if (lvl == spdlog::level::off && log_level != "off") {
      std::fprintf(stderr, "nexusd: bad --log-level '%s'\n", log_level.c_str());
      return 2;
    }
    spdlog::set_level(lvl);
  }

  PluginRegistry registry;
  if (plugin_dirs.empty()) plugin_dirs = cfg.server.plugin_dirs;
  if (plugin_dirs.empty()) plugin_dirs.push_back(default_plugin_dir().string());
  for (const auto& d : plugin_dirs) registry.load_dir(d);
  if (list_plugins) {
    std::fputs(registry.describe().c_str(), stdout);
    return 0;
  }

  Diagnostics diag = check_plugin_references(cfg, registry);
  Core core(cfg, registry, check_only);
  // build() skips devices whose plugin is missing, so one run reports both
  // unknown plugins and the option errors of the known ones.
  bool built = core.build(diag);
  for (const auto& d : diag.items()) std::fprintf(stderr, "%s\n", d.format().c_str());
  if (!built || diag.has_errors()) {
    std::fprintf(stderr, "nexusd: %zu error(s) in %s\n", diag.error_count(), config_path.c_str());
    return 1;
  }
  if (check_only) {
    std::printf("%s: configuration OK (%zu device(s), %zu target(s))\n", config_path.c_str(),
                cfg.devices.size(), cfg.targets.size());
    return 0;
  }

  // Signals are taken synchronously by this thread; reactor threads inherit
  // the blocked mask so no handler ever runs on them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  if (!core.start()) {
    spdlog::critical("nexusd: could not start (see above)");
    if (!core.shutdown()) {
      spdlog::shutdown();
      std::_Exit(1);
    }
    return 1;
  }
  spdlog::info("nexusd ready: {} device(s), {} target(s), {} reactor(s)", cfg.devices.size(),
               cfg.targets.size(), core.reactors().size());
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      spdlog::warn("SIGHUP: configuration reload is not supported yet; ignoring");
      continue;
    }
    spdlog::info("signal {}: shutting down (grace {} ms)", strsignal(sig),
                 cfg.server.shutdown_grace_ms);
    break;
  }
  if (!core.shutdown()) {
    // Something still runs (see Core::shutdown): exit without destructors,
    // which would free what it uses.
    spdlog::error("nexusd stopped uncleanly");
    spdlog::shutdown();
    std::_Exit(1);
  }
  spdlog::info("nexusd stopped");
  return 0;
}
