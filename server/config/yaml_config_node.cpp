#include "yaml_config_node.h"

#include "nexus/bytes.hpp"

namespace nexus::server {

struct YamlConfigNode::Context {
  std::string owner;
  std::mutex mu;  // guards errors and every node's lazily created missing_ children
  Diagnostics errors;
  // Nodes still allowed in this tree: YAML aliases can make a small file
  // expand into a huge tree ("billion laughs"); stop building past the limit.
  size_t budget = kMaxOptionNodes;
  bool overflow_reported = false;
};

Location location_of(const YAML::Node& node, const std::string& file, std::string path) {
  Location loc;
  loc.file = file;
  loc.path = std::move(path);
  if (node.IsDefined()) {
    YAML::Mark m = node.Mark();
    if (!m.is_null()) {
      loc.line = m.line + 1;
      loc.column = m.column + 1;
    }
  }
  return loc;
}

YamlConfigNode::YamlConfigNode(std::shared_ptr<Context> ctx, NodeKind kind, Location loc)
    : ctx_(std::move(ctx)), kind_(kind), loc_(std::move(loc)) {}

std::unique_ptr<YamlConfigNode> YamlConfigNode::make_root(const YAML::Node& node,
                                                          const Location& where,
                                                          std::string owner) {
  auto ctx = std::make_shared<Context>();
  ctx->owner = std::move(owner);
  Location loc = where;
  if (node.IsDefined()) loc = location_of(node, where.file, where.path);
  return build(ctx, node, loc);
}

std::unique_ptr<YamlConfigNode> YamlConfigNode::build(const std::shared_ptr<Context>& ctx,
                                                      const YAML::Node& node, Location loc) {
  NodeKind kind = NodeKind::missing;
  if (node.IsDefined()) {
    switch (node.Type()) {
      case YAML::NodeType::Null:
        kind = NodeKind::null;
        break;
      case YAML::NodeType::Scalar:
        kind = NodeKind::scalar;
        break;
      case YAML::NodeType::Sequence:
        kind = NodeKind::sequence;
        break;
      case YAML::NodeType::Map:
        kind = NodeKind::map;
        break;
      case YAML::NodeType::Undefined:
        break;
    }
  }
  if (ctx->budget == 0) {
    if (!ctx->overflow_reported)
      ctx->errors.error(loc, "options have more than " + std::to_string(kMaxOptionNodes) +
                                 " nodes (aliases expanded); ignoring the rest");
    ctx->overflow_reported = true;
    kind = NodeKind::missing;
  } else {
    --ctx->budget;
  }
  auto n = std::make_unique<YamlConfigNode>(ctx, kind, loc);
  if (kind == NodeKind::scalar) {
    n->scalar_ = node.Scalar();
  } else if (kind == NodeKind::sequence) {
    uint32_t i = 0;
    for (const auto& item : node) {
      std::string path = loc.path + "[" + std::to_string(i++) + "]";
      n->items_.push_back(build(ctx, item, location_of(item, loc.file, path)));
    }
  } else if (kind == NodeKind::map) {
    for (const auto& kv : node) {
      Entry e;
      e.key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
      std::string path = loc.path.empty() ? e.key : loc.path + "." + e.key;
      e.key_location = location_of(kv.first, loc.file, path);
      e.value = build(ctx, kv.second, location_of(kv.second, loc.file, path));
      n->entries_.push_back(std::move(e));
    }
  }
  return n;
}

uint32_t YamlConfigNode::size() const noexcept {
  if (kind_ == NodeKind::map) return uint32_t(entries_.size());
  if (kind_ == NodeKind::sequence) return uint32_t(items_.size());
  return 0;
}

const YamlConfigNode* YamlConfigNode::missing_child(std::string path) const {
  if (!ctx_) return this;  // the out-of-memory placeholder
  std::lock_guard lock(ctx_->mu);
  auto it = missing_.find(path);
  if (it != missing_.end()) return it->second.get();
  Location loc = loc_;  // an absent key is reported where its map is
  loc.path = path;
  auto node = std::make_unique<YamlConfigNode>(ctx_, NodeKind::missing, loc);
  const YamlConfigNode* raw = node.get();
  missing_.emplace(std::move(path), std::move(node));
  return raw;
}

const IConfigNode* YamlConfigNode::at(uint32_t i) const noexcept {
  try {
    if (kind_ == NodeKind::sequence && i < items_.size()) return items_[i].get();
    if (kind_ == NodeKind::map && i < entries_.size()) {
      iterated_ = true;
      entries_[i].used = true;
      return entries_[i].value.get();
    }
    return missing_child(loc_.path + "[" + std::to_string(i) + "]");
  } catch (...) {
    // Allocation failure while building a placeholder: nothing sane to return
    // but a node that is never written to.
    static const YamlConfigNode kNone(nullptr, NodeKind::missing, Location{});
    return &kNone;
  }
}

Str YamlConfigNode::key_at(uint32_t i) const noexcept {
  if (kind_ != NodeKind::map || i >= entries_.size()) return Str{"", 0};
  iterated_ = true;
  entries_[i].used = true;
  return Str{entries_[i].key.data(), entries_[i].key.size()};
}

const IConfigNode* YamlConfigNode::get(Str key) const noexcept {
  std::string_view k = to_sv(key);
  try {
    if (kind_ == NodeKind::map) {
      consulted_ = true;
      for (const auto& e : entries_) {
        if (e.key == k) {
          e.used = true;
          return e.value.get();
        }
      }
    }
    return missing_child(loc_.path.empty() ? std::string(k) : loc_.path + "." + std::string(k));
  } catch (...) {
    static const YamlConfigNode kNone(nullptr, NodeKind::missing, Location{});
    return &kNone;
  }
}

void YamlConfigNode::error(Str message) const noexcept {
  if (!ctx_) return;
  try {
    std::lock_guard lock(ctx_->mu);
    ctx_->errors.error(loc_, std::string(to_sv(message)));
  } catch (...) {
  }
}

Diagnostics YamlConfigNode::errors() const {
  if (!ctx_) return {};
  std::lock_guard lock(ctx_->mu);
  return ctx_->errors;
}

Diagnostics YamlConfigNode::unknown_keys() const {
  Diagnostics out;
  collect_unknown(out, /*is_root=*/true);
  return out;
}

void YamlConfigNode::collect_unknown(Diagnostics& out, bool is_root) const {
  if (kind_ == NodeKind::map && (consulted_ || is_root) && !iterated_) {
    for (const auto& e : entries_)
      if (!e.used)
        out.error(e.key_location, "unknown key '" + e.key + "' in options of " + ctx_->owner);
  }
  for (const auto& e : entries_)
    if (e.used) e.value->collect_unknown(out, false);
  for (const auto& item : items_) item->collect_unknown(out, false);
}

}  // namespace nexus::server
