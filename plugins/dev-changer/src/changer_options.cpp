#include "changer_options.h"

#include <cstdio>
#include <set>

#include "nexus/bytes.hpp"
#include "nexus/config.hpp"
#include "nexus/handler.hpp"

namespace nexus::changer {
namespace {

std::string scalar(const IConfigNode* n) { return std::string(to_sv(n->scalar())); }

void parse_drives(Options& opt, ChangerOptions* o) {
  const IConfigNode* n = opt.child("drives");
  if (n->kind() == NodeKind::missing) {
    opt.fail(opt.node(), "missing required key 'drives' (names of tape devices)");
    return;
  }
  if (n->kind() != NodeKind::sequence || n->size() == 0) {
    opt.fail(n, "must be a list of tape device names, e.g. [tape0, tape1]");
    return;
  }
  if (n->size() > ElementAddress::kMaxDrives) {
    opt.fail(n, "at most " + std::to_string(ElementAddress::kMaxDrives) + " drives");
    return;
  }
  std::set<std::string> seen;
  for (uint32_t i = 0; i < n->size(); ++i) {
    const IConfigNode* d = n->at(i);
    if (d->kind() != NodeKind::scalar || d->scalar().size == 0) {
      opt.fail(d, "must be a device name");
      continue;
    }
    std::string name = scalar(d);
    if (!seen.insert(name).second) opt.fail(d, "drive '" + name + "' is listed twice");
    o->drives.push_back(name);
  }
}

// One `cartridges:` entry: {barcode: X, slot: N} or {barcode: X,
// import_export: N}, optional write_protect.
bool parse_cartridge(Options& opt, const IConfigNode* n, ChangerOptions* o) {
  if (n->kind() != NodeKind::map) {
    opt.fail(n, "must be a map such as {barcode: A00001L8, slot: 1}");
    return false;
  }
  Options c(n);
  CartridgeOption co;
  co.node = n;
  co.cartridge.barcode = c.string("barcode");
  if (c.has("barcode") && !valid_barcode(co.cartridge.barcode))
    c.fail(c.child("barcode"), "must be 1-32 characters of A-Z a-z 0-9 - _ .");
  co.cartridge.write_protect = c.boolean("write_protect", false);
  bool has_slot = c.has("slot"), has_ie = c.has("import_export");
  if (has_slot == has_ie) {
    c.fail(n, "needs exactly one of 'slot' (1-based storage slot) or 'import_export' (1-based)");
  } else if (has_slot) {
    uint64_t s = c.uint("slot", 1, 1, o->slots ? o->slots : 1);
    co.placement.address = uint16_t(ElementAddress::kFirstSlot + s - 1);
  } else if (o->import_export == 0) {
    c.fail(c.child("import_export"), "the library has no import/export slots");
  } else {
    uint64_t s = c.uint("import_export", 1, 1, o->import_export);
    co.placement.address = uint16_t(ElementAddress::kFirstImportExport + s - 1);
    co.placement.imported = true;  // put there by the operator (IMPEXP)
  }
  co.placement.barcode = co.cartridge.barcode;
  if (!c.ok()) return false;
  o->cartridges.push_back(std::move(co));
  return true;
}

}  // namespace

bool valid_barcode(std::string_view s) noexcept {
  if (s.empty() || s.size() > 32) return false;
  for (unsigned char ch : s)
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '_' || ch == '.'))
      return false;
  return s != "." && s != "..";
}

std::string media_path(const std::string& media_dir, const std::string& barcode) {
  std::string p = media_dir;
  if (!p.empty() && p.back() != '/') p.push_back('/');
  return p + barcode + ".tape";
}

std::string derive_serial(std::string_view device_name) {
  uint64_t h = name_hash(device_name);
  char buf[24];
  std::snprintf(buf, sizeof buf, "NXL%015llx", static_cast<unsigned long long>(h >> 4));
  return buf;
}

bool parse_changer_options(const IConfigNode* node, ChangerOptions* out) noexcept {
  try {
    Options opt(node);
    ChangerOptions o;
    parse_drives(opt, &o);
    o.slots = uint32_t(opt.uint("slots", std::nullopt, 1, ElementAddress::kMaxSlots));
    o.import_export = uint32_t(opt.uint("import_export", 0, 0, ElementAddress::kMaxImportExport));
    o.media_dir = opt.string("media_dir", "");
    read_identity(opt, &o);

    bool carts_ok = true;
    const IConfigNode* carts = opt.child("cartridges");
    if (carts->kind() == NodeKind::sequence) {
      for (uint32_t i = 0; i < carts->size(); ++i)
        carts_ok &= parse_cartridge(opt, carts->at(i), &o);
    } else if (carts->kind() != NodeKind::missing && carts->kind() != NodeKind::null) {
      opt.fail(carts, "must be a list of {barcode: X, slot: N}");
    }
    // Duplicates: each barcode once, each element once.
    std::set<std::string> barcodes;
    std::set<uint16_t> taken;
    for (const CartridgeOption& c : o.cartridges) {
      if (!barcodes.insert(c.cartridge.barcode).second)
        opt.fail(c.node, "barcode " + c.cartridge.barcode + " is listed twice");
      if (!taken.insert(c.placement.address).second)
        opt.fail(c.node, "cartridge " + c.cartridge.barcode + ": that slot is already taken");
    }
    if (!o.cartridges.empty() && o.media_dir.empty())
      opt.fail(opt.has("media_dir") ? opt.child("media_dir") : node,
               "'media_dir' (directory of the <barcode>.tape media files) is required "
               "when there are cartridges");
    if (!opt.ok() || !carts_ok) return false;
    *out = std::move(o);
    return true;
  } catch (...) {
    node->error(Str{"out of memory", 13});
    return false;
  }
}

}  // namespace nexus::changer
