// Loads and validates the YAML configuration. Every problem found is
// collected (not only the first) as "FILE:LINE:COL: KEY.PATH: message";
// defaults are filled in for everything optional.
//
// Checked here: YAML syntax, unknown and duplicate keys at every level, value
// types and ranges, iSCSI names, portals, sizes, durations, log levels,
// duplicate device / group / target names, duplicate or out-of-range LUNs,
// LUNs naming unknown devices, ACLs naming unknown groups, CHAP secrets and
// secret files. Not checked here (needs the plugins): unknown handler /
// transport plugins and the plugins' own options.
#pragma once

#include <string>
#include <string_view>

#include "config_model.h"
#include "diagnostics.h"

namespace nexus::server {

struct LoadResult {
  Config config;
  Diagnostics diagnostics;  // errors and warnings
  bool ok() const { return !diagnostics.has_errors(); }
};

// Relative `secret_file:` paths are resolved against the directory of `path`.
LoadResult load_config_file(const std::string& path);
// `file_name` is used in messages and to resolve relative secret files.
LoadResult load_config_string(std::string_view yaml, const std::string& file_name = "<config>");

// Largest LUN number accepted (SAM-5 flat/peripheral single level addressing).
inline constexpr uint32_t kMaxLun = 16383;

}  // namespace nexus::server
