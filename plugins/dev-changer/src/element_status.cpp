#include "element_status.h"

#include <algorithm>
#include <cstring>

#include "nexus/bytes.hpp"

namespace nexus::changer {
namespace {

constexpr size_t kHeader = 8;
constexpr size_t kPageHeader = 8;
constexpr size_t kBaseDescriptor = 12;
constexpr size_t kVolTag = 36;
constexpr size_t kIdHeader = 4;

constexpr uint8_t kFull = 0x01, kImpExp = 0x02, kExcept = 0x04, kAccess = 0x08, kExEnab = 0x10,
                  kInEnab = 0x20;
constexpr uint8_t kSValid = 0x80;
constexpr uint8_t kMediumData = 1, kMediumCleaning = 2;
constexpr uint8_t kCodeSetAscii = 2, kIdTypeT10Vendor = 1;

void put_descriptor(uint8_t* d, size_t len, const ElementMap& map, const Element& e,
                    const StatusRequest& req, const DriveView* drive) {
  std::memset(d, 0, len);
  put_be16(d, e.address);
  const Cartridge* cart = e.cartridge ? &map.cartridges()[*e.cartridge] : nullptr;
  uint8_t flags = cart ? kFull : 0;
  switch (e.type) {
    case ElementType::transport:
      break;  // FULL and EXCEPT only; the transport never holds media at rest
    case ElementType::storage:
      flags |= kAccess;
      break;
    case ElementType::import_export:
      flags |= kAccess | kExEnab | kInEnab;
      if (cart && e.imported) flags |= kImpExp;
      break;
    case ElementType::data_transfer:
      if (!drive || drive->access) flags |= kAccess;
      if (drive && drive->except) {
        flags |= kExcept;
        d[4] = drive->asc;
        d[5] = drive->ascq;
      }
      break;
    case ElementType::all:
      break;
  }
  d[2] = flags;
  if (cart) {
    d[9] = cart->barcode.rfind("CLN", 0) == 0 ? kMediumCleaning : kMediumData;
    if (e.source) {
      d[9] |= kSValid;
      put_be16(d + 10, *e.source);
    }
  }
  size_t off = kBaseDescriptor;
  if (req.voltag) {
    // An empty element has no volume tag: the field stays zero.
    if (cart) copy_padded(d + off, 32, cart->barcode);
    off += kVolTag;
  }
  if (req.dvcid && drive && !drive->identifier.empty() && e.type == ElementType::data_transfer) {
    d[off] = kCodeSetAscii;
    d[off + 1] = kIdTypeT10Vendor;
    size_t n = std::min(drive->identifier.size(), len - off - kIdHeader);
    d[off + 3] = uint8_t(n);
    std::memcpy(d + off + kIdHeader, drive->identifier.data(), n);
  }
}

}  // namespace

std::string drive_identifier(std::string_view vendor, std::string_view product,
                             std::string_view serial) {
  uint8_t vp[24];
  copy_padded(vp, 8, vendor);
  copy_padded(vp + 8, 16, product);
  std::string id(reinterpret_cast<const char*>(vp), sizeof vp);
  id.append(serial.substr(0, 255 - sizeof vp));
  return id;
}

bool build_element_status(const ElementMap& map, const StatusRequest& req,
                          const std::vector<DriveView>& drives, StatusReport* out) {
  // Select: the requested type, address >= start, at most `count`, in
  // ascending address order.
  std::vector<const Element*> picked;
  bool any = false;
  for (const Element& e : map.elements()) {
    if (req.type != ElementType::all && e.type != req.type) continue;
    if (e.address < req.start) continue;
    any = true;
    if (picked.size() < req.count) picked.push_back(&e);
  }
  if (!any) return false;

  auto drive_of = [&](const Element& e) -> const DriveView* {
    return e.type == ElementType::data_transfer && e.index < drives.size() ? &drives[e.index]
                                                                           : nullptr;
  };
  StatusReport r;
  r.data.assign(kHeader, 0);
  r.unit_ends.push_back(kHeader);
  size_t i = 0;
  while (i < picked.size()) {
    ElementType t = picked[i]->type;
    size_t j = i;
    size_t id_len = 0;
    while (j < picked.size() && picked[j]->type == t) {
      if (req.dvcid && t == ElementType::data_transfer) {
        const DriveView* dv = drive_of(*picked[j]);
        if (dv) id_len = std::max(id_len, dv->identifier.size());
      }
      ++j;
    }
    size_t dlen = kBaseDescriptor + (req.voltag ? kVolTag : 0) + kIdHeader + id_len;
    size_t page = r.data.size();
    r.data.resize(page + kPageHeader + dlen * (j - i), 0);
    uint8_t* p = r.data.data() + page;
    p[0] = uint8_t(t);
    p[1] = req.voltag ? 0x80 : 0x00;  // PVOLTAG; AVOLTAG never
    put_be16(p + 2, uint16_t(dlen));
    put_be24(p + 5, uint32_t(dlen * (j - i)));
    r.unit_ends.push_back(page + kPageHeader);
    for (size_t k = i; k < j; ++k) {
      size_t off = page + kPageHeader + dlen * (k - i);
      put_descriptor(r.data.data() + off, dlen, map, *picked[k], req, drive_of(*picked[k]));
      r.unit_ends.push_back(off + dlen);
    }
    i = j;
  }
  uint8_t* h = r.data.data();
  put_be16(h, picked.empty() ? 0 : picked.front()->address);
  put_be16(h + 2, uint16_t(picked.size()));
  put_be24(h + 5, uint32_t(r.data.size() - kHeader));
  *out = std::move(r);
  return true;
}

size_t truncate_to_units(const StatusReport& r, size_t alloc) {
  if (alloc >= r.data.size()) return r.data.size();
  size_t best = 0;
  for (size_t end : r.unit_ends)
    if (end <= alloc) best = end;
  // Less than the header: what fits of it (SPC-4 4.2.5.6 allocation length).
  return best ? best : alloc;
}

}  // namespace nexus::changer
