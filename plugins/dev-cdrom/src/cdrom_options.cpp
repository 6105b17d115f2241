#include "cdrom_options.h"

#include <cstdio>

#include "nexus/config.hpp"
#include "nexus/handler.hpp"

namespace nexus::cdrom {

std::string derive_serial(std::string_view device_name) {
  uint64_t h = name_hash(device_name);
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
    read_identity(opt, &o);
    if (!opt.ok()) return false;
    *out = std::move(o);
    return true;
  } catch (...) {
    node->error(Str{"out of memory", 13});
    return false;
  }
}

}  // namespace nexus::cdrom
