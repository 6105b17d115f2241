// Header-only helpers to read a plugin's `options:` with precise errors.
//
//   nexus::Options opt(options);
//   auto path = opt.string("path", "");           // "" = required
//   auto size = opt.size("size", 1ull << 30);     // accepts 512, 4K, 1G, 2TiB
//   bool ok = opt.ok();                           // false after any error()
#pragma once

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "nexus/bytes.hpp"
#include "nexus/config_node.h"

namespace nexus {

// Parses "4096", "4K", "4KiB", "1G" (binary multiples) into bytes.
inline std::optional<uint64_t> parse_size(std::string_view s) noexcept {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return std::nullopt;
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + uint64_t(s[i] - '0');
  }
  std::string_view suf = s.substr(i);
  unsigned shift = 0;
  if (!suf.empty()) {
    switch (std::toupper(static_cast<unsigned char>(suf[0]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      case 'P': shift = 50; break;
      default: return std::nullopt;
    }
    suf.remove_prefix(1);
    if (suf == "iB" || suf == "IB" || suf == "B" || suf == "b") suf = {};
    if (!suf.empty()) return std::nullopt;
  }
  if (shift && v > (UINT64_MAX >> shift)) return std::nullopt;
  return v << shift;
}

class Options {
 public:
  explicit Options(const IConfigNode* node) noexcept : node_(node) {
    if (node_->kind() != NodeKind::map && node_->kind() != NodeKind::missing &&
        node_->kind() != NodeKind::null)
      fail(node_, "must be a map of options");
  }
  bool ok() const noexcept { return ok_; }
  const IConfigNode* node() const noexcept { return node_; }
  const IConfigNode* child(std::string_view key) const noexcept { return node_->get(to_str(key)); }
  bool has(std::string_view key) const noexcept { return child(key)->kind() != NodeKind::missing; }

  // Reports an error at `n` and remembers that the options are invalid.
  void fail(const IConfigNode* n, std::string_view msg) noexcept {
    n->error(to_str(msg));
    ok_ = false;
  }

  std::string string(std::string_view key, std::optional<std::string> def = std::nullopt) {
    const IConfigNode* n = child(key);
    if (n->kind() == NodeKind::missing) {
      if (!def) fail(node_, std::string("missing required key '") + std::string(key) + "'");
      return def.value_or("");
    }
    if (n->kind() != NodeKind::scalar) {
      fail(n, "must be a string");
      return def.value_or("");
    }
    return std::string(to_sv(n->scalar()));
  }

  uint64_t size(std::string_view key, std::optional<uint64_t> def = std::nullopt) {
    const IConfigNode* n = child(key);
    if (n->kind() == NodeKind::missing) {
      if (!def) fail(node_, std::string("missing required key '") + std::string(key) + "'");
      return def.value_or(0);
    }
    auto v = n->kind() == NodeKind::scalar ? parse_size(to_sv(n->scalar())) : std::nullopt;
    if (!v) {
      fail(n, "must be a size such as 4096, 64K, 1G");
      return def.value_or(0);
    }
    return *v;
  }

  uint64_t uint(std::string_view key, std::optional<uint64_t> def = std::nullopt,
                uint64_t min = 0, uint64_t max = UINT64_MAX) {
    const IConfigNode* n = child(key);
    if (n->kind() == NodeKind::missing) {
      if (!def) fail(node_, std::string("missing required key '") + std::string(key) + "'");
      return def.value_or(0);
    }
    std::string_view s = n->kind() == NodeKind::scalar ? to_sv(n->scalar()) : std::string_view{};
    uint64_t v = 0;
    bool good = !s.empty();
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || v > (UINT64_MAX - 9) / 10) {
        good = false;
        break;
      }
      v = v * 10 + uint64_t(c - '0');
    }
    if (!good || v < min || v > max) {
      fail(n, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
      return def.value_or(min);
    }
    return v;
  }

  bool boolean(std::string_view key, bool def) {
    const IConfigNode* n = child(key);
    if (n->kind() == NodeKind::missing) return def;
    std::string_view s = n->kind() == NodeKind::scalar ? to_sv(n->scalar()) : std::string_view{};
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(n, "must be true or false");
    return def;
  }

  // One of a fixed set of words.
  std::string choice(std::string_view key, std::initializer_list<std::string_view> allowed,
                     std::optional<std::string> def = std::nullopt) {
    std::string v = string(key, def);
    for (auto a : allowed)
      if (v == a) return v;
    std::string msg = "must be one of:";
    for (auto a : allowed) {
      msg.push_back(' ');
      msg.append(a.data(), a.size());
    }
    fail(has(key) ? child(key) : node_, msg);
    return def.value_or("");
  }

 private:
  const IConfigNode* node_;
  bool ok_ = true;
};

}  // namespace nexus
