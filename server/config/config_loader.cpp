#include "config_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "config_values.h"
#include "initiator_pattern.h"
#include "nexus/config.hpp"
#include "yaml_config_node.h"

namespace nexus::server {
namespace {

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Names of devices and groups end up in logs, state file names and VPD
// designators: keep them to a safe character set.
bool valid_object_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' &&
        c != ':')
      return false;
  return true;
}

using Keys = std::initializer_list<const char*>;

class Loader {
 public:
  Loader(std::string file, std::filesystem::path base_dir)
      : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

  void load(const YAML::Node& root) {
    cfg_.file = file_;
    if (!root.IsDefined() || root.IsNull()) {
      diag_.warning(Location{file_, 0, 0, ""}, "configuration is empty");
      return;
    }
    if (!root.IsMap()) {
      diag_.error(at(root, ""),
                  "the configuration must be a map (server:, devices:, targets:, ...)");
      return;
    }
    check_keys(root, "",
               {"server", "transports", "devices", "initiator_groups", "discovery", "targets"});
    load_server(find(root, "server"));
    load_transports(find(root, "transports"));
    load_devices(find(root, "devices"));
    load_groups(find(root, "initiator_groups"));
    load_discovery(find(root, "discovery"));
    load_targets(find(root, "targets"));
    if (cfg_.targets.empty()) diag_.warning(Location{file_, 0, 0, "targets"}, "no targets defined");
  }

  Config take_config() { return std::move(cfg_); }
  Diagnostics& diagnostics() { return diag_; }

 private:
  Location at(const YAML::Node& n, const std::string& path) const {
    return location_of(n, file_, path);
  }

  static YAML::Node find(const YAML::Node& map, std::string_view key) {
    if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    for (const auto& kv : map)
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    return YAML::Node(YAML::NodeType::Undefined);
  }

  // Unknown keys (with a "did you mean" hint) and keys given twice.
  void check_keys(const YAML::Node& map, const std::string& path, Keys allowed) {
    std::set<std::string> seen;
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) {
        diag_.error(at(kv.first, path), "map keys must be plain words");
        continue;
      }
      const std::string& key = kv.first.Scalar();
      Location loc = at(kv.first, join(path, key));
      if (!seen.insert(key).second) diag_.error(loc, "key '" + key + "' given more than once");
      bool known = false;
      const char* hint = nullptr;
      for (const char* a : allowed) {
        if (key == a) known = true;
        if (edit_distance(key, a) <= 2) hint = a;
      }
      if (known) continue;
      std::string msg = "unknown key '" + key + "'";
      if (hint) msg += std::string(" (did you mean '") + hint + "'?)";
      diag_.error(loc, msg);
    }
  }

  // Duplicate keys inside plugin options (the plugin only sees the first).
  void check_duplicate_keys(const YAML::Node& n, const std::string& path) {
    size_t budget = kMaxOptionNodes;
    check_duplicate_keys(n, path, budget);
  }
  void check_duplicate_keys(const YAML::Node& n, const std::string& path, size_t& budget) {
    if (budget == 0) return;  // YamlConfigNode reports the oversized tree
    --budget;
    if (n.IsMap()) {
      std::set<std::string> seen;
      for (const auto& kv : n) {
        std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "?";
        if (!seen.insert(key).second)
          diag_.error(at(kv.first, join(path, key)), "key '" + key + "' given more than once");
        check_duplicate_keys(kv.second, join(path, key), budget);
      }
    } else if (n.IsSequence()) {
      size_t i = 0;
      for (const auto& item : n) check_duplicate_keys(item, indexed(path, i++), budget);
    }
  }

  bool expect_map(const YAML::Node& n, const std::string& path) {
    if (n.IsMap()) return true;
    diag_.error(at(n, path), "must be a map");
    return false;
  }
  // A list; absent or null counts as empty (returns false without error).
  bool expect_list(const YAML::Node& n, const std::string& path) {
    if (!n.IsDefined() || n.IsNull()) return false;
    if (n.IsSequence()) return true;
    diag_.error(at(n, path), "must be a list");
    return false;
  }

  void missing(const YAML::Node& map, const std::string& path, const char* key) {
    diag_.error(at(map, join(path, key)), std::string("missing required key '") + key + "'");
  }

  std::optional<std::string> str(const YAML::Node& map, const std::string& path, const char* key,
                                 bool required) {
    YAML::Node v = find(map, key);
    if (!v.IsDefined()) {
      if (required) missing(map, path, key);
      return std::nullopt;
    }
    if (!v.IsScalar() || v.Scalar().empty()) {
      diag_.error(at(v, join(path, key)), "must be a non-empty string");
      return std::nullopt;
    }
    return v.Scalar();
  }

  std::optional<uint64_t> uint(const YAML::Node& map, const std::string& path, const char* key,
                               uint64_t min, uint64_t max) {
    YAML::Node v = find(map, key);
    if (!v.IsDefined()) return std::nullopt;
    auto n = v.IsScalar() ? parse_uint(v.Scalar()) : std::nullopt;
    if (!n || *n < min || *n > max) {
      diag_.error(at(v, join(path, key)),
                  "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
      return std::nullopt;
    }
    return n;
  }

  std::optional<bool> boolean(const YAML::Node& map, const std::string& path, const char* key) {
    YAML::Node v = find(map, key);
    if (!v.IsDefined()) return std::nullopt;
    auto b = v.IsScalar() ? parse_bool(v.Scalar()) : std::nullopt;
    if (!b) diag_.error(at(v, join(path, key)), "must be true or false");
    return b;
  }

  // --- server: ------------------------------------------------------------
  void load_server(const YAML::Node& n) {
    const std::string path = "server";
    Server& s = cfg_.server;
    s.location = n.IsDefined() ? at(n, path) : Location{file_, 0, 0, path};
    if (!n.IsDefined() || n.IsNull() || !expect_map(n, path)) return;
    check_keys(n, path,
               {"plugin_dirs", "state_dir", "log_level", "reactors", "session_queue_depth",
                "lun_queue_depth", "buffer_memory", "shutdown_grace"});
    YAML::Node dirs = find(n, "plugin_dirs");
    if (dirs.IsScalar()) {
      s.plugin_dirs.push_back(dirs.Scalar());
    } else if (expect_list(dirs, join(path, "plugin_dirs"))) {
      size_t i = 0;
      for (const auto& d : dirs) {
        std::string p = indexed(join(path, "plugin_dirs"), i++);
        if (!d.IsScalar() || d.Scalar().empty())
          diag_.error(at(d, p), "must be a directory path");
        else
          s.plugin_dirs.push_back(d.Scalar());
      }
    }
    if (auto v = str(n, path, "state_dir", false)) s.state_dir = *v;
    if (auto v = str(n, path, "log_level", false)) {
      if (auto l = parse_log_level(*v))
        s.log_level = *l;
      else
        diag_.error(at(find(n, "log_level"), join(path, "log_level")),
                    "must be one of: trace debug info warn error critical");
    }
    if (auto v = uint(n, path, "reactors", 0, 1024)) s.reactors = uint32_t(*v);
    if (auto v = uint(n, path, "session_queue_depth", 1, 65536))
      s.session_queue_depth = uint32_t(*v);
    if (auto v = uint(n, path, "lun_queue_depth", 1, 1u << 20)) s.lun_queue_depth = uint32_t(*v);
    if (YAML::Node v = find(n, "buffer_memory"); v.IsDefined()) {
      auto size = v.IsScalar() ? parse_size(v.Scalar()) : std::nullopt;
      if (!size || *size < (1u << 20))
        diag_.error(at(v, join(path, "buffer_memory")),
                    "must be a size of at least 1M, such as 256M or 2G");
      else
        s.buffer_memory = *size;
    }
    if (YAML::Node v = find(n, "shutdown_grace"); v.IsDefined()) {
      auto ms = v.IsScalar() ? parse_duration_ms(v.Scalar()) : std::nullopt;
      if (!ms)
        diag_.error(at(v, join(path, "shutdown_grace")),
                    "must be a duration such as 500ms, 5s or 2m");
      else
        s.shutdown_grace_ms = *ms;
    }
  }

  // --- transports: -------------------------------------------------------
  void load_transports(const YAML::Node& n) {
    transports_given_ = n.IsDefined();
    if (!expect_list(n, "transports")) return;
    size_t i = 0;
    for (const auto& t : n) {
      std::string path = indexed("transports", i++);
      if (!expect_map(t, path)) continue;
      check_keys(t, path, {"plugin", "options"});
      TransportCfg tc;
      tc.location = at(t, path);
      auto plugin = str(t, path, "plugin", true);
      if (!plugin) continue;
      tc.plugin = *plugin;
      tc.plugin_location = at(find(t, "plugin"), join(path, "plugin"));
      load_options(t, path, tc.options, tc.options_location);
      if (cfg_.find_transport(tc.plugin))
        diag_.error(at(find(t, "plugin"), join(path, "plugin")),
                    "transport '" + tc.plugin + "' is listed more than once");
      else
        cfg_.transports.push_back(std::move(tc));
    }
  }

  void load_options(const YAML::Node& map, const std::string& path, YAML::Node& out,
                    Location& out_loc) {
    YAML::Node o = find(map, "options");
    std::string opath = join(path, "options");
    out_loc = o.IsDefined() ? at(o, opath) : at(map, opath);
    if (!o.IsDefined()) return;
    if (!o.IsNull() && !o.IsMap()) {
      diag_.error(out_loc, "must be a map of options");
      return;
    }
    check_duplicate_keys(o, opath);
    out = o;
  }

  // --- devices: ----------------------------------------------------------
  void load_devices(const YAML::Node& n) {
    if (!expect_list(n, "devices")) return;
    size_t i = 0;
    for (const auto& d : n) {
      std::string path = indexed("devices", i++);
      if (!expect_map(d, path)) continue;
      check_keys(d, path, {"name", "handler", "options"});
      Device dev;
      dev.location = at(d, path);
      auto name = str(d, path, "name", true);
      auto handler = str(d, path, "handler", true);
      load_options(d, path, dev.options, dev.options_location);
      if (!name || !handler) continue;
      Location name_loc = at(find(d, "name"), join(path, "name"));
      if (!valid_object_name(*name)) {
        diag_.error(name_loc,
                    "device name '" + *name + "' must be 1-64 characters of A-Z a-z 0-9 _ - . :");
        continue;
      }
      if (const Device* other = cfg_.find_device(*name)) {
        diag_.error(name_loc, "duplicate device name '" + *name + "' (first defined at line " +
                                  std::to_string(other->location.line) + ")");
        continue;
      }
      dev.name = *name;
      dev.handler = *handler;
      dev.handler_location = at(find(d, "handler"), join(path, "handler"));
      cfg_.devices.push_back(std::move(dev));
    }
  }

  // --- CHAP ---------------------------------------------------------------
  std::optional<Chap> load_chap(const YAML::Node& map, const std::string& parent, const char* key) {
    YAML::Node n = find(map, key);
    std::string path = join(parent, key);
    if (!n.IsDefined()) return std::nullopt;
    if (!expect_map(n, path)) return std::nullopt;
    check_keys(n, path, {"user", "secret", "secret_file"});
    Chap c;
    c.location = at(n, path);
    auto user = str(n, path, "user", true);
    YAML::Node secret = find(n, "secret");
    YAML::Node file = find(n, "secret_file");
    if (secret.IsDefined() && file.IsDefined()) {
      diag_.error(at(file, join(path, "secret_file")),
                  "give either 'secret' or 'secret_file', not both");
      return std::nullopt;
    }
    if (!secret.IsDefined() && !file.IsDefined()) {
      diag_.error(c.location, "missing 'secret' or 'secret_file'");
      return std::nullopt;
    }
    Location secret_loc;
    if (secret.IsDefined()) {
      auto s = str(n, path, "secret", true);
      if (!s) return std::nullopt;
      c.secret = *s;
      secret_loc = at(secret, join(path, "secret"));
    } else {
      auto f = str(n, path, "secret_file", true);
      if (!f) return std::nullopt;
      secret_loc = at(file, join(path, "secret_file"));
      c.secret_file = *f;
      std::filesystem::path p(*f);
      if (p.is_relative()) p = base_dir_ / p;
      std::ifstream in(p, std::ios::binary);
      std::ostringstream buf;
      if (in) buf << in.rdbuf();
      if (!in || in.bad()) {
        diag_.error(secret_loc,
                    "cannot read CHAP secret file '" + p.string() + "': " + std::strerror(errno));
        return std::nullopt;
      }
      c.secret = buf.str();
      while (!c.secret.empty() && (c.secret.back() == '\n' || c.secret.back() == '\r'))
        c.secret.pop_back();
      if (c.secret.empty()) {
        diag_.error(secret_loc, "CHAP secret file '" + p.string() + "' is empty");
        return std::nullopt;
      }
    }
    if (!user) return std::nullopt;
    c.user = *user;
    // RFC 7143 §9.2.1 wants secrets of at least 96 bits; many initiators
    // (e.g. the Microsoft one) refuse more than 16 bytes.
    if (c.secret.size() < 12 || c.secret.size() > 16)
      diag_.warning(secret_loc, "CHAP secret is " + std::to_string(c.secret.size()) +
                                    " bytes; 12 to 16 bytes is recommended");
    return c;
  }

  Auth load_auth(const YAML::Node& map, const std::string& path) {
    Auth a;
    a.chap = load_chap(map, path, "chap");
    a.mutual_chap = load_chap(map, path, "mutual_chap");
    // Mutual CHAP is the second half of a CHAP exchange the initiator started.
    if (a.mutual_chap && !find(map, "chap").IsDefined())
      diag_.error(a.mutual_chap->location, "mutual_chap needs chap as well");
    // RFC 7143 §9.2.1: a secret used to authenticate initiators must not
    // also authenticate targets.
    if (a.chap && a.mutual_chap && a.chap->secret == a.mutual_chap->secret)
      diag_.error(a.mutual_chap->location,
                  "mutual_chap secret must differ from the chap secret (RFC 7143 §9.2.1)");
    return a;
  }

  // --- initiator_groups: ---------------------------------------------------
  void load_groups(const YAML::Node& n) {
    if (!expect_list(n, "initiator_groups")) return;
    size_t i = 0;
    for (const auto& g : n) {
      std::string path = indexed("initiator_groups", i++);
      if (!expect_map(g, path)) continue;
      check_keys(g, path, {"name", "initiators", "chap", "mutual_chap"});
      InitiatorGroup grp;
      grp.location = at(g, path);
      auto name = str(g, path, "name", true);
      YAML::Node inits = find(g, "initiators");
      std::string ipath = join(path, "initiators");
      if (!inits.IsDefined()) {
        missing(g, path, "initiators");
      } else if (inits.IsScalar()) {
        diag_.error(at(inits, ipath), "must be a list of initiator names or patterns");
      } else if (expect_list(inits, ipath)) {
        size_t k = 0;
        for (const auto& p : inits) {
          std::string ppath = indexed(ipath, k++);
          if (!p.IsScalar() || p.Scalar().empty()) {
            diag_.error(at(p, ppath), "must be an initiator name or pattern");
            continue;
          }
          const std::string& pat = p.Scalar();
          if (pat.find_first_of(" \t") != std::string::npos) {
            diag_.error(at(p, ppath), "initiator pattern '" + pat + "' contains whitespace");
            continue;
          }
          // Exact iSCSI names are checked like target names; other transports
          // (FC/SRP port names) have their own formats.
          bool iscsi =
              pat.starts_with("iqn.") || pat.starts_with("eui.") || pat.starts_with("naa.");
          if (iscsi && !is_wildcard_pattern(pat)) {
            if (std::string why = check_iscsi_name(pat); !why.empty()) {
              diag_.error(at(p, ppath), "bad initiator name '" + pat + "': " + why);
              continue;
            }
          }
          if (std::find(grp.initiators.begin(), grp.initiators.end(), pat) != grp.initiators.end())
            diag_.warning(at(p, ppath), "initiator '" + pat + "' listed twice");
          else
            grp.initiators.push_back(pat);
        }
        if (k == 0) diag_.error(at(inits, ipath), "must list at least one initiator");
      }
      grp.auth = load_auth(g, path);
      if (!name) continue;
      Location name_loc = at(find(g, "name"), join(path, "name"));
      if (!valid_object_name(*name)) {
        diag_.error(name_loc,
                    "group name '" + *name + "' must be 1-64 characters of A-Z a-z 0-9 _ - . :");
        continue;
      }
      if (const InitiatorGroup* other = cfg_.find_group(*name)) {
        diag_.error(name_loc, "duplicate initiator group '" + *name + "' (first defined at line " +
                                  std::to_string(other->location.line) + ")");
        continue;
      }
      grp.name = *name;
      cfg_.initiator_groups.push_back(std::move(grp));
    }
  }

  // --- discovery: ------------------------------------------------------------
  void load_discovery(const YAML::Node& n) {
    cfg_.discovery.location =
        n.IsDefined() ? at(n, "discovery") : Location{file_, 0, 0, "discovery"};
    if (!n.IsDefined() || n.IsNull() || !expect_map(n, "discovery")) return;
    check_keys(n, "discovery", {"chap", "mutual_chap"});
    cfg_.discovery.auth = load_auth(n, "discovery");
  }

  // --- targets: -------------------------------------------------------------
  std::vector<LunMap> load_luns(const YAML::Node& n, const std::string& path) {
    std::vector<LunMap> out;
    if (!expect_list(n, path)) return out;
    size_t i = 0;
    for (const auto& l : n) {
      std::string lpath = indexed(path, i++);
      if (!expect_map(l, lpath)) continue;
      check_keys(l, lpath, {"lun", "device", "read_only"});
      LunMap m;
      m.location = at(l, lpath);
      YAML::Node lun = find(l, "lun");
      std::optional<uint64_t> num;
      if (!lun.IsDefined()) {
        missing(l, lpath, "lun");
      } else {
        num = lun.IsScalar() ? parse_uint(lun.Scalar()) : std::nullopt;
        if (!num || *num > kMaxLun) {
          diag_.error(at(lun, join(lpath, "lun")),
                      "LUN must be a number from 0 to " + std::to_string(kMaxLun));
          num.reset();
        }
      }
      auto dev = str(l, lpath, "device", true);
      if (dev && !cfg_.find_device(*dev)) {
        diag_.error(at(find(l, "device"), join(lpath, "device")),
                    "unknown device '" + *dev + "' (not defined under devices:)");
        dev.reset();
      }
      if (auto ro = boolean(l, lpath, "read_only")) m.read_only = *ro;
      if (!num || !dev) continue;
      m.lun = uint32_t(*num);
      m.device = *dev;
      bool dup = false;
      for (const auto& o : out) {
        if (o.lun == m.lun) {
          diag_.error(at(lun, join(lpath, "lun")), "LUN " + std::to_string(m.lun) +
                                                       " is mapped twice (also at line " +
                                                       std::to_string(o.location.line) + ")");
          dup = true;
        }
      }
      if (!dup) out.push_back(std::move(m));
    }
    return out;
  }

  // The relative target port identifier a nexus carries is the target's
  // portal_group_tag. Reservations and parked Unit Attentions tell initiator
  // ports apart by initiator name, ISID and that identifier (SPC-4 5.13.2);
  // open-iscsi uses one ISID for all targets. A device reachable through two
  // targets with the same tag would see two different I_T nexuses as one.
  // A warning, not an error: it matters only to initiators that log in to
  // both targets and use reservations or depend on Unit Attentions.
  void check_shared_devices_have_distinct_ports() {
    auto devices_of = [](const Target& t) {
      std::set<std::string> d;
      for (const auto& m : t.luns) d.insert(m.device);
      for (const auto& a : t.acls)
        for (const auto& m : a.luns) d.insert(m.device);
      return d;
    };
    for (size_t i = 0; i < cfg_.targets.size(); ++i) {
      const Target& a = cfg_.targets[i];
      const auto da = devices_of(a);
      for (size_t j = i + 1; j < cfg_.targets.size(); ++j) {
        const Target& b = cfg_.targets[j];
        if (b.transport != a.transport || b.portal_group_tag != a.portal_group_tag) continue;
        for (const auto& dev : devices_of(b)) {
          if (!da.count(dev)) continue;
          diag_.warning(b.location, "device '" + dev + "' is exported by target '" + a.name +
                                        "' (line " + std::to_string(a.location.line) +
                                        ") and by this target with the same portal_group_tag " +
                                        std::to_string(b.portal_group_tag) +
                                        ": reservations and Unit Attentions would take one "
                                        "initiator's two sessions for one port; give the targets "
                                        "different portal_group_tag values");
          break;
        }
      }
    }
  }

  void load_targets(const YAML::Node& n) {
    if (expect_list(n, "targets")) {
      size_t i = 0;
      for (const auto& t : n) load_target(t, indexed("targets", i++));
    }
    check_shared_devices_have_distinct_ports();
    // Without a transports: section, every transport a target names is
    // loaded with empty options.
    for (const auto& t : cfg_.targets) {
      if (cfg_.find_transport(t.transport)) continue;
      if (transports_given_) {
        diag_.error(transport_locations_[&t - cfg_.targets.data()],
                    "transport '" + t.transport + "' is not listed under transports:");
      } else {
        TransportCfg tc;
        tc.plugin = t.transport;
        tc.location = transport_locations_[&t - cfg_.targets.data()];
        tc.options_location = tc.location;
        tc.plugin_location = tc.location;
        cfg_.transports.push_back(std::move(tc));
      }
    }
  }

  void load_target(const YAML::Node& t, const std::string& path) {
    if (!expect_map(t, path)) return;
    check_keys(t, path,
               {"name", "alias", "transport", "portals", "portal_group_tag", "chap", "mutual_chap",
                "luns", "acls"});
    Target tg;
    tg.location = at(t, path);
    auto name = str(t, path, "name", true);
    Location name_loc = at(find(t, "name"), join(path, "name"));
    if (name) {
      if (std::string why = check_iscsi_name(*name); !why.empty()) {
        diag_.error(name_loc, "bad target name '" + *name + "': " + why);
        name.reset();
      } else if (const Target* other = cfg_.find_target(*name)) {
        diag_.error(name_loc, "duplicate target name '" + *name + "' (first defined at line " +
                                  std::to_string(other->location.line) + ")");
        name.reset();
      }
    }
    if (auto a = str(t, path, "alias", false)) tg.alias = *a;
    if (auto tr = str(t, path, "transport", false)) tg.transport = *tr;
    Location transport_loc = tg.location;
    transport_loc.path = join(path, "transport");
    if (YAML::Node tn = find(t, "transport"); tn.IsDefined())
      transport_loc = at(tn, transport_loc.path);

    YAML::Node portals = find(t, "portals");
    std::string ppath = join(path, "portals");
    if (portals.IsScalar()) {
      diag_.error(at(portals, ppath), "must be a list of portals such as [\"127.0.0.1:3260\"]");
    } else if (expect_list(portals, ppath)) {
      size_t k = 0;
      for (const auto& p : portals) {
        std::string pp = indexed(ppath, k++);
        if (!p.IsScalar()) {
          diag_.error(at(p, pp), "must be a portal such as \"127.0.0.1:3260\" or \"[::1]:3260\"");
          continue;
        }
        std::string why;
        auto parsed = parse_portal(p.Scalar(), &why);
        if (!parsed) {
          diag_.error(at(p, pp), why);
          continue;
        }
        Portal portal{parsed->host, parsed->port, parsed->ipv6, at(p, pp)};
        bool dup = false;
        for (const auto& o : tg.portals)
          if (o.host == portal.host && o.port == portal.port) dup = true;
        if (dup)
          diag_.error(portal.location, "portal '" + portal.text() + "' listed twice");
        else
          tg.portals.push_back(std::move(portal));
      }
    }
    if (tg.portals.empty() && !portals.IsDefined() && tg.transport == "iscsi")
      tg.portals.push_back(Portal{"0.0.0.0", 3260, false, tg.location});
    if (auto v = uint(t, path, "portal_group_tag", 1, 65535)) tg.portal_group_tag = uint16_t(*v);
    tg.auth = load_auth(t, path);
    tg.luns = load_luns(find(t, "luns"), join(path, "luns"));

    YAML::Node acls = find(t, "acls");
    std::string apath = join(path, "acls");
    if (expect_list(acls, apath)) {
      size_t k = 0;
      for (const auto& a : acls) {
        std::string ap = indexed(apath, k++);
        if (!expect_map(a, ap)) continue;
        check_keys(a, ap, {"group", "luns"});
        Acl acl;
        acl.location = at(a, ap);
        auto group = str(a, ap, "group", true);
        if (find(a, "luns").IsDefined()) {
          acl.luns = load_luns(find(a, "luns"), join(ap, "luns"));
        } else {
          acl.luns = tg.luns;
          acl.luns_inherited = true;
        }
        if (!group) continue;
        Location gloc = at(find(a, "group"), join(ap, "group"));
        if (!cfg_.find_group(*group)) {
          diag_.error(gloc, "unknown initiator group '" + *group +
                                "' (not defined under initiator_groups:)");
          continue;
        }
        bool dup = false;
        for (const auto& o : tg.acls) dup |= o.group == *group;
        if (dup) {
          diag_.error(gloc, "group '" + *group + "' has two acls in this target");
          continue;
        }
        acl.group = *group;
        tg.acls.push_back(std::move(acl));
      }
    }
    if (tg.luns.empty() && tg.acls.empty() && !find(t, "luns").IsDefined())
      diag_.warning(tg.location, "target has no LUNs");
    if (!name) return;
    tg.name = *name;
    cfg_.targets.push_back(std::move(tg));
    transport_locations_.push_back(transport_loc);
  }

  std::string file_;
  std::filesystem::path base_dir_;
  Config cfg_;
  Diagnostics diag_;
  bool transports_given_ = false;
  std::vector<Location> transport_locations_;  // parallel to cfg_.targets
};

LoadResult run(const std::string& file, const std::filesystem::path& base_dir,
               const std::function<YAML::Node()>& parse) {
  LoadResult r;
  Loader loader(file, base_dir);
  try {
    YAML::Node root = parse();
    loader.load(root);
  } catch (const YAML::Exception& e) {
    Location loc{file, 0, 0, ""};
    if (!e.mark.is_null()) {
      loc.line = e.mark.line + 1;
      loc.column = e.mark.column + 1;
    }
    loader.diagnostics().error(loc, "YAML syntax error: " + e.msg);
  }
  r.config = loader.take_config();
  r.config.file = file;
  r.diagnostics = std::move(loader.diagnostics());
  return r;
}

}  // namespace

LoadResult load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.config.file = path;
    r.diagnostics.error(Location{path, 0, 0, ""},
                        std::string("cannot open configuration: ") + std::strerror(errno));
    return r;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  std::filesystem::path base = std::filesystem::path(path).parent_path();
  return run(path, base, [&] { return YAML::Load(text); });
}

LoadResult load_config_string(std::string_view yaml, const std::string& file_name) {
  std::string text(yaml);
  std::filesystem::path base = std::filesystem::path(file_name).parent_path();
  return run(file_name, base, [&] { return YAML::Load(text); });
}

}  // namespace nexus::server
