#include "tape_options.h"

#include <cstdio>
#include <cstdlib>

#include "nexus/config.hpp"
#include "nexus/handler.hpp"
#include "tape_media.h"

namespace nexus::tape {

std::string derive_tape_serial(std::string_view device_name) {
  uint64_t h = name_hash(device_name);
  char buf[24];
  std::snprintf(buf, sizeof buf, "NXT%013llx",
                static_cast<unsigned long long>(h & 0xFFFFFFFFFFFFFull));
  return buf;
}

bool parse_tape_options(const IConfigNode* node, TapeOptions* out) noexcept {
  try {
    Options opt(node);
    TapeOptions o;
    o.medium = opt.string("medium", "");
    if (opt.has("medium") && o.medium.empty()) opt.fail(opt.child("medium"), "must not be empty");
    o.medium_write_protect = opt.boolean("medium_write_protect", false);
    if (opt.has("create_medium")) {
      const IConfigNode* cm = opt.child("create_medium");
      Options sub(cm);
      o.create_medium = true;
      o.create_barcode = sub.string("barcode");
      o.create_capacity = sub.size("capacity", 1ull << 30);
      if (sub.ok() && (o.create_barcode.empty() ||
                       o.create_barcode.size() > MediaFormat::kBarcodeSize ||
                       !is_printable_ascii(o.create_barcode)))
        sub.fail(sub.child("barcode"), "must be 1 to 32 printable ASCII characters");
      if (sub.ok() && o.create_capacity < MediaFormat::kMinCapacity)
        sub.fail(sub.child("capacity"), "must be at least 64K");
      if (!sub.ok()) opt.fail(cm, "invalid create_medium");
      if (o.medium.empty()) opt.fail(cm, "needs 'medium' (the file to create)");
    }
    o.max_block_length =
        uint32_t(opt.uint("max_block_length", o.max_block_length, 1, MediaFormat::kMaxBlockLength));
    o.min_block_length = uint32_t(opt.uint("min_block_length", 1, 1, MediaFormat::kMaxBlockLength));
    if (o.min_block_length > o.max_block_length)
      opt.fail(opt.child("min_block_length"), "must not exceed max_block_length");
    o.block_size = uint32_t(opt.uint("block_size", 0, 0, MediaFormat::kMaxBlockLength));
    if (o.block_size != 0 &&
        (o.block_size < o.min_block_length || o.block_size > o.max_block_length))
      opt.fail(opt.child("block_size"),
               "must be 0 (variable) or between min_block_length and max_block_length");
    if (opt.has("density_code")) {
      // Density codes are usually written in hex (0x5E); decimal works too.
      std::string s = opt.string("density_code", "");
      char* end = nullptr;
      unsigned long v = s.empty() ? 0 : std::strtoul(s.c_str(), &end, 0);
      if (s.empty() || *end != '\0' || v < 1 || v > 0x7E)
        opt.fail(opt.child("density_code"), "must be a density code from 0x01 to 0x7E");
      else
        o.density_code = uint8_t(v);
    }
    read_identity(opt, &o, EmptyIdentity::rejected);
    if (!opt.ok()) return false;
    *out = std::move(o);
    return true;
  } catch (...) {
    node->error(Str{"out of memory", 13});
    return false;
  }
}

}  // namespace nexus::tape
