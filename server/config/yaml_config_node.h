// IConfigNode over a yaml-cpp node: what a plugin's factory reads its
// `options:` through. The tree is built eagerly (plugins may read it from any
// thread for as long as their object lives), every get() marks the key as
// known, and error() calls are collected with file:line:key so that
// `nexusd --check-config` can print them next to the loader's own errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config_model.h"
#include "diagnostics.h"
#include "nexus/config_node.h"

namespace nexus::server {

// Most nodes one options block may have once YAML aliases are expanded.
inline constexpr size_t kMaxOptionNodes = 100000;

class YamlConfigNode final : public IConfigNode {
 public:
  // The root of one options block. `where` locates it (path e.g.
  // "devices[0].options"; used as is when `node` is undefined); `owner`
  // describes it in messages, e.g. "device 'disk0'".
  static std::unique_ptr<YamlConfigNode> make_root(const YAML::Node& node, const Location& where,
                                                   std::string owner);

  // IConfigNode
  NodeKind kind() const noexcept override { return kind_; }
  Str scalar() const noexcept override { return Str{scalar_.data(), scalar_.size()}; }
  uint32_t size() const noexcept override;
  const IConfigNode* at(uint32_t i) const noexcept override;
  Str key_at(uint32_t i) const noexcept override;
  const IConfigNode* get(Str key) const noexcept override;
  void error(Str message) const noexcept override;

  const Location& location() const { return loc_; }
  // Errors the plugin reported through error() anywhere in this tree.
  Diagnostics errors() const;
  // "unknown key 'x' in options of device 'disk0'" for every key of a map the
  // plugin consulted with get() but never looked up (the root always counts as
  // consulted; a map the plugin iterated with key_at()/at() has no unknown keys).
  Diagnostics unknown_keys() const;

  struct Context;
  YamlConfigNode(std::shared_ptr<Context> ctx, NodeKind kind, Location loc);
  ~YamlConfigNode() = default;

 private:
  struct Entry {
    std::string key;
    Location key_location;
    std::unique_ptr<YamlConfigNode> value;
    mutable bool used = false;
  };

  static std::unique_ptr<YamlConfigNode> build(const std::shared_ptr<Context>& ctx,
                                               const YAML::Node& node, Location loc);
  const YamlConfigNode* missing_child(std::string path) const;
  void collect_unknown(Diagnostics& out, bool is_root) const;

  std::shared_ptr<Context> ctx_;
  NodeKind kind_;
  Location loc_;
  std::string scalar_;
  std::vector<Entry> entries_;                          // map
  std::vector<std::unique_ptr<YamlConfigNode>> items_;  // sequence
  mutable bool consulted_ = false;                      // get() was called
  mutable bool iterated_ = false;                       // key_at()/at() was called on a map
  // Nodes of kind missing handed out for absent keys / indices; kept so the
  // pointers stay valid.
  mutable std::map<std::string, std::unique_ptr<YamlConfigNode>, std::less<>> missing_;
};

// Location of a yaml-cpp node (1-based line/column) with the given key path.
Location location_of(const YAML::Node& node, const std::string& file, std::string path);

}  // namespace nexus::server
