#include "disk_options.h"

#include <cstdio>

#include "nexus/config.hpp"
#include "nexus/handler.hpp"

namespace nexus::disk {

std::string derive_serial(std::string_view device_name) {
  uint64_t h = name_hash(device_name);
  char buf[24];
  std::snprintf(buf, sizeof buf, "NX%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool parse_disk_options(const IConfigNode* node, DiskOptions* out) noexcept {
  try {
    Options opt(node);
    DiskOptions o;
    // Not Options::choice(): its message building trips GCC 12's -Wrestrict
    // false positive at -O3 (GCC bug 105651).
    std::string backend = opt.string("backend", "file");
    if (backend != "file" && backend != "null" && backend != "ram")
      opt.fail(opt.child("backend"), "must be one of: file null ram");
    o.backend = backend == "null"  ? BackendKind::null
                : backend == "ram" ? BackendKind::ram
                                   : BackendKind::file;
    bool has_path = opt.has("path");
    o.path = opt.string("path", "");
    bool has_size = opt.has("size");
    o.size = opt.size("size", 0);
    o.create = opt.boolean("create", false);
    o.block_size = uint32_t(opt.uint("block_size", 512, 0, 1u << 20));
    if (opt.has("block_size") && o.block_size != 512 && o.block_size != 4096)
      opt.fail(opt.child("block_size"), "must be 512 or 4096");
    o.read_only = opt.boolean("read_only", false);
    o.direct = opt.boolean("direct", false);
    o.thin = opt.boolean("thin", true);
    read_identity(opt, &o);

    if (o.backend == BackendKind::file) {
      if (o.path.empty() && !has_path)
        opt.fail(node, "missing required key 'path' (backend: file)");
      else if (o.path.empty())
        opt.fail(opt.child("path"), "must not be empty");
      if (o.create && !has_size) opt.fail(node, "'create: true' needs 'size'");
    } else {
      if (has_path) opt.fail(opt.child("path"), "only used by 'backend: file'");
      if (o.create) opt.fail(opt.child("create"), "only used by 'backend: file'");
      if (o.direct) opt.fail(opt.child("direct"), "only used by 'backend: file'");
      if (!has_size) opt.fail(node, "missing required key 'size' (backend: " + backend + ")");
    }
    if (has_size && o.size < o.block_size)
      opt.fail(opt.child("size"), "must hold at least one block of block_size bytes");
    if (!opt.ok()) return false;
    *out = std::move(o);
    return true;
  } catch (...) {
    node->error(Str{"out of memory", 13});
    return false;
  }
}

}  // namespace nexus::disk
