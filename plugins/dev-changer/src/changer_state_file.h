// The library's contents persisted across restarts: one small text file per
// changer in the server's state directory, <state_dir>/<device>.changer,
// replaced atomically (temp file, fsync, rename, fsync of the directory).
//
//   nexus-changer-state 1
//   cartridges <digest of the sorted barcode set declared in the YAML>
//   at <address hex> <barcode> <source address hex | -> <imported 0|1>
//   ...
//   end <FNV-1a 64 of every byte before this line, hex>
//
// Startup rule (choose_placements): the persisted placement wins over the
// YAML while the YAML declares the same set of barcodes it was saved with;
// when the set changed (a cartridge added, removed or renamed), or the file
// is missing, corrupt, or no longer fits the element map (fewer slots), the
// YAML placement is used and the reason is logged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "element_map.h"

namespace nexus::changer {

struct PersistedState {
  std::string cartridge_set;  // digest
  std::vector<Placement> placements;
};

std::string cartridge_set_digest(const std::vector<Cartridge>& cartridges);
std::string serialize_state(const PersistedState& s);
// Strict parse; false with *why on any malformed line or checksum mismatch.
bool parse_state(std::string_view text, PersistedState* out, std::string* why);

std::string state_file_path(std::string_view state_dir, std::string_view device_name);
enum class ReadResult { ok, missing, error };
ReadResult read_state_file(const std::string& path, std::string* text, std::string* why);
// Atomic replace; false with *why on failure (the old file is left intact).
bool write_state_file(const std::string& path, const std::string& contents, std::string* why);

struct StartupChoice {
  bool from_state = false;  // else from the YAML
  bool warn = false;        // the state file was unusable (corrupt, doesn't fit)
  std::string reason;       // for the log
};
// Assigns `cartridges` to `map` from the state file text (if usable) or from
// `yaml` (which must fit the map: the options were validated).
StartupChoice choose_placements(ElementMap* map, const std::vector<Cartridge>& cartridges,
                                const std::vector<Placement>& yaml, ReadResult read,
                                const std::string& text);

}  // namespace nexus::changer
