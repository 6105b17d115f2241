#include "pt_options.h"

#include <cctype>

#include "nexus/config.hpp"

namespace nexus::passthrough {

std::optional<uint64_t> parse_duration(std::string_view s) noexcept {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (v > 1'000'000'000ull) return std::nullopt;  // > 31 years: a typo
    v = v * 10 + uint64_t(s[i] - '0');
  }
  if (i == 0) return std::nullopt;
  std::string_view unit = s.substr(i);
  if (unit == "ms") return v;
  if (unit.empty() || unit == "s") return v * 1000;
  if (unit == "m" || unit == "min") return v * 60'000;
  if (unit == "h") return v * 3'600'000;
  return std::nullopt;
}

namespace {

uint64_t duration(Options& opt, std::string_view key, uint64_t def_ms, uint64_t min_ms) {
  if (!opt.has(key)) return def_ms;
  std::string s = opt.string(key, "");
  auto v = parse_duration(s);
  if (!v || *v < min_ms) {
    opt.fail(opt.child(key), "must be a duration of at least " + std::to_string(min_ms) +
                                 "ms, such as 500ms, 30s, 10m, 4h");
    return def_ms;
  }
  return *v;
}

}  // namespace

bool parse_passthrough_options(const IConfigNode* node, PassthroughOptions* out) noexcept {
  try {
    Options opt(node);
    PassthroughOptions o;
    o.path = opt.string("path");
    if (opt.has("path") && o.path.empty()) opt.fail(opt.child("path"), "must not be empty");
    o.exclusive = opt.boolean("exclusive", true);
    // SG_IO timeouts are whole seconds.
    o.timeout_ms = duration(opt, "timeout", o.timeout_ms, 1000);
    o.long_timeout_ms = duration(opt, "long_timeout", o.long_timeout_ms, 1000);
    o.workers = uint32_t(opt.uint("workers", 0, 0, 64));
    if (opt.has("max_transfer")) {
      uint64_t m = opt.size("max_transfer", 0);
      if (opt.ok() && (m < 512 || m > (1ull << 30)))
        opt.fail(opt.child("max_transfer"), "must be from 512 to 1G");
      else
        o.max_transfer = uint32_t(m);
    }
    o.reattach_interval_ms = duration(opt, "reattach_interval", o.reattach_interval_ms, 10);
    if (!opt.ok()) return false;
    *out = std::move(o);
    return true;
  } catch (...) {
    node->error(Str{"out of memory", 13});
    return false;
  }
}

}  // namespace nexus::passthrough
