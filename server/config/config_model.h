// The server configuration as loaded from YAML. Every element remembers where
// it came from so that later checks (unknown plugin, missing backing file)
// can report "file:line:col: key.path: message" like the loader does.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nexus/abi.h"

namespace nexus::server {

// Where a configuration element is. line/column are 1-based (0 = unknown).
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string path;  // key path, e.g. "targets[0].luns[1].device"
};

struct Server {
  std::vector<std::string> plugin_dirs;  // empty = the default <exe>/../lib/nexus
  std::string state_dir = "/var/lib/nexus";
  LogLevel log_level = LogLevel::info;
  uint32_t reactors = 0;  // 0 = one per CPU core
  uint32_t session_queue_depth = 128;
  uint32_t lun_queue_depth = 1024;
  uint64_t buffer_memory = 256ull << 20;
  uint64_t shutdown_grace_ms = 5000;
  Location location;
};

struct TransportCfg {
  std::string plugin;
  YAML::Node options{YAML::NodeType::Undefined};  // the raw `options:` node (may be undefined/null)
  Location location;
  Location options_location;
  Location plugin_location;  // the `plugin:` value (or the target naming the transport)
};

struct Device {
  std::string name;
  std::string handler;
  YAML::Node options{YAML::NodeType::Undefined};
  Location location;
  Location options_location;
  Location handler_location;  // the `handler:` value
};

struct Chap {
  std::string user;
  std::string secret;       // from `secret:` or the contents of `secret_file:`
  std::string secret_file;  // empty when the secret was given inline
  Location location;
};

struct Auth {
  std::optional<Chap> chap;         // the initiator proves itself to us
  std::optional<Chap> mutual_chap;  // we prove ourselves to the initiator
  bool empty() const { return !chap && !mutual_chap; }
};

struct InitiatorGroup {
  std::string name;
  std::vector<std::string> initiators;  // exact names or * / ? patterns
  Auth auth;
  Location location;
};

struct LunMap {
  uint32_t lun = 0;  // 0..16383 (SAM-5 single level, peripheral/flat addressing)
  std::string device;
  bool read_only = false;
  Location location;
};

struct Acl {
  std::string group;
  std::vector<LunMap> luns;  // when the acl has no `luns:` key: a copy of the target's
  bool luns_inherited = false;
  Location location;
};

struct Portal {
  std::string host;  // without brackets for IPv6
  uint16_t port = 3260;
  bool ipv6 = false;
  Location location;
  std::string text() const;  // "host:port" / "[v6]:port"
};

struct Target {
  std::string name;
  std::string alias;
  std::string transport = "iscsi";
  std::vector<Portal> portals;
  uint16_t portal_group_tag = 1;
  Auth auth;
  std::vector<LunMap> luns;
  std::vector<Acl> acls;  // empty = open to every initiator with `luns`
  Location location;
};

struct Discovery {
  Auth auth;
  Location location;
};

struct Config {
  std::string file;  // the file it was loaded from
  Server server;
  std::vector<TransportCfg> transports;
  std::vector<Device> devices;
  std::vector<InitiatorGroup> initiator_groups;
  Discovery discovery;
  std::vector<Target> targets;

  const Device* find_device(std::string_view name) const;
  const InitiatorGroup* find_group(std::string_view name) const;
  const Target* find_target(std::string_view name) const;
  const TransportCfg* find_transport(std::string_view plugin) const;
};

}  // namespace nexus::server
