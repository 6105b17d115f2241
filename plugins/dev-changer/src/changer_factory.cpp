#include "changer_factory.h"

#include <sys/stat.h>

#include <memory>
#include <string>

#include "changer_device.h"
#include "changer_options.h"
#include "changer_state_file.h"
#include "nexus/bytes.hpp"
#include "nexus/log.hpp"

namespace nexus::changer {

Status create_changer_device(IDeviceHost* host, const IConfigNode* options,
                             IDevice** out) noexcept {
  if (!host || !options || !out) return Status::invalid_argument;
  *out = nullptr;
  try {
    ChangerOptions o;
    if (!parse_changer_options(options, &o)) return Status::invalid_argument;
    // Cartridges are media files made by nexus-mktape; a missing one is a
    // configuration error, reported at its YAML entry.
    bool files_ok = true;
    std::vector<Cartridge> cartridges;
    std::vector<Placement> yaml;
    for (const CartridgeOption& c : o.cartridges) {
      std::string path = media_path(o.media_dir, c.cartridge.barcode);
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        std::string msg = "media file " + path + " of cartridge " + c.cartridge.barcode +
                          " does not exist (create it with nexus-mktape)";
        c.node->error(to_str(msg));
        files_ok = false;
      }
      cartridges.push_back(c.cartridge);
      yaml.push_back(c.placement);
    }
    if (!files_ok) return Status::invalid_argument;

    ElementMap map(uint32_t(o.drives.size()), o.slots, o.import_export);
    std::string state_dir(to_sv(host->state_dir()));
    std::string path = state_dir.empty() ? "" : state_file_path(state_dir, to_sv(host->name()));
    std::string text, why;
    ReadResult read = path.empty() ? ReadResult::missing : read_state_file(path, &text, &why);
    StartupChoice choice = choose_placements(&map, cartridges, yaml, read, text);
    logf(host, choice.warn ? LogLevel::warn : LogLevel::info, "changer: %s%s%s",
         choice.reason.c_str(), why.empty() ? "" : ": ", why.c_str());

    bool check = host->check_only();
    logf(host, LogLevel::info,
         "changer: %zu drive(s) at 0100h, %u slot(s) at 1000h, %u import/export at 0010h, "
         "%zu cartridge(s) in %s",
         o.drives.size(), o.slots, o.import_export, cartridges.size(), o.media_dir.c_str());
    auto* dev = new ChangerDevice(host, std::move(o), std::move(map), check ? "" : path);
    if (!check) {
      if (!choice.from_state) dev->save_state();
      dev->schedule_restore();
    }
    *out = dev;
    return Status::ok;
  } catch (const std::bad_alloc&) {
    return Status::no_memory;
  } catch (...) {
    return Status::error;
  }
}

}  // namespace nexus::changer
