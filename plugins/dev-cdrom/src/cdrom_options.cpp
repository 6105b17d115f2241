#include "cdrom_options.h"

#include <cstdio>

#include "nexus/config.hpp"

namespace nexus::cdrom {
namespace {

// INQUIRY identity fields are printable ASCII (SPC-4 4.4.1).
bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

void identity(Options& opt, const char* key, size_t max, std::string* field) {
  if (!opt.has(key)) return;
  std::string v = opt.string(key, *field);
  if (v.size() > max || !printable(v)) {
    opt.fail(opt.child(key),
             "must be printable ASCII of at most " + std::to_string(max) + " characters");
    return;
  }
  *field = v;
}

}  // namespace

std::string derive_serial(std::string_view device_name) {
  // FNV-1a: stable across runs and builds, unlike std::hash.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : device_name) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "NC%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool parse_cdrom_options(const IConfigNode* node, CdromOptions* out) noexcept {
  try {
    Options opt(node);
    CdromOptions o;
    bool has_image = opt.has("image");
    o.image = opt.string("image", "");
    if (has_image && o.image.empty()) opt.fail(opt.child("image"), "must not be empty");
    identity(opt, "vendor", 8, &o.vendor);
    identity(opt, "product", 16, &o.product);
    identity(opt, "revision", 4, &o.revision);
    identity(opt, "serial", 63, &o.serial);
    if (!opt.ok()) return false;
    *out = std::move(o);
    return true;
  } catch (...) {
    node->error(Str{"out of memory", 13});
    return false;
  }
}

}  // namespace nexus::cdrom
