#include "element_map.h"

#include <set>

namespace nexus::changer {

const char* element_type_name(ElementType t) noexcept {
  switch (t) {
    case ElementType::transport:
      return "medium transport";
    case ElementType::storage:
      return "storage";
    case ElementType::import_export:
      return "import/export";
    case ElementType::data_transfer:
      return "data transfer";
    case ElementType::all:
      break;
  }
  return "element";
}

ElementMap::ElementMap(uint32_t drives, uint32_t slots, uint32_t import_export)
    : drives_(drives), slots_(slots), ie_(import_export) {
  elements_.reserve(1 + ie_ + drives_ + slots_);
  auto add = [&](ElementType t, uint16_t first, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      Element e;
      e.address = uint16_t(first + i);
      e.type = t;
      e.index = uint16_t(i);
      elements_.push_back(e);
    }
  };
  add(ElementType::transport, ElementAddress::kTransport, 1);
  add(ElementType::import_export, ElementAddress::kFirstImportExport, ie_);
  add(ElementType::data_transfer, ElementAddress::kFirstDrive, drives_);
  add(ElementType::storage, ElementAddress::kFirstSlot, slots_);
}

uint32_t ElementMap::count(ElementType t) const noexcept {
  switch (t) {
    case ElementType::transport:
      return 1;
    case ElementType::import_export:
      return ie_;
    case ElementType::data_transfer:
      return drives_;
    case ElementType::storage:
      return slots_;
    case ElementType::all:
      break;
  }
  return uint32_t(elements_.size());
}

uint16_t ElementMap::first(ElementType t) const noexcept {
  switch (t) {
    case ElementType::import_export:
      return ElementAddress::kFirstImportExport;
    case ElementType::data_transfer:
      return ElementAddress::kFirstDrive;
    case ElementType::storage:
      return ElementAddress::kFirstSlot;
    default:
      return ElementAddress::kTransport;
  }
}

const Element* ElementMap::find(uint16_t a) const noexcept {
  if (a == ElementAddress::kTransport) return &elements_[0];
  auto in = [a](uint16_t first, uint32_t n) { return a >= first && uint32_t(a - first) < n; };
  size_t base = 1;
  if (in(ElementAddress::kFirstImportExport, ie_))
    return &elements_[base + (a - ElementAddress::kFirstImportExport)];
  base += ie_;
  if (in(ElementAddress::kFirstDrive, drives_))
    return &elements_[base + (a - ElementAddress::kFirstDrive)];
  base += drives_;
  if (in(ElementAddress::kFirstSlot, slots_))
    return &elements_[base + (a - ElementAddress::kFirstSlot)];
  return nullptr;
}

Element* ElementMap::find(uint16_t a) noexcept {
  return const_cast<Element*>(static_cast<const ElementMap*>(this)->find(a));
}

Element* ElementMap::drive(uint32_t index) noexcept {
  return index < drives_ ? find(uint16_t(ElementAddress::kFirstDrive + index)) : nullptr;
}

const Cartridge* ElementMap::cartridge_at(uint16_t address) const noexcept {
  const Element* e = find(address);
  return e && e->cartridge ? &cartridges_[*e->cartridge] : nullptr;
}

bool ElementMap::assign(std::vector<Cartridge> cartridges, const std::vector<Placement>& placements,
                        std::string* why) {
  std::vector<Element> next = elements_;
  for (Element& e : next) {
    e.cartridge.reset();
    e.source.reset();
    e.imported = false;
  }
  std::set<std::string> placed;
  for (const Placement& p : placements) {
    size_t ci = 0;
    while (ci < cartridges.size() && cartridges[ci].barcode != p.barcode) ++ci;
    if (ci == cartridges.size()) {
      *why = "unknown cartridge " + p.barcode;
      return false;
    }
    if (!placed.insert(p.barcode).second) {
      *why = "cartridge " + p.barcode + " placed twice";
      return false;
    }
    const Element* found = find(p.address);
    if (!found || found->type == ElementType::transport) {
      *why =
          "cartridge " + p.barcode + ": no storage element at address " + std::to_string(p.address);
      return false;
    }
    Element& e = next[size_t(found - elements_.data())];
    if (e.cartridge) {
      *why = "cartridge " + p.barcode + ": element " + std::to_string(p.address) + " is taken";
      return false;
    }
    if (p.source && (!find(*p.source) || *p.source == ElementAddress::kTransport)) {
      *why = "cartridge " + p.barcode + ": bad source element";
      return false;
    }
    e.cartridge = ci;
    e.source = p.source;
    e.imported = p.imported && e.type == ElementType::import_export;
  }
  if (placed.size() != cartridges.size()) {
    *why = "not every cartridge has a place";
    return false;
  }
  elements_ = std::move(next);
  cartridges_ = std::move(cartridges);
  return true;
}

std::vector<Placement> ElementMap::placements() const {
  std::vector<Placement> v;
  for (const Element& e : elements_)
    if (e.cartridge)
      v.push_back(Placement{cartridges_[*e.cartridge].barcode, e.address, e.source, e.imported});
  return v;
}

MoveCheck ElementMap::check_move(uint16_t transport, uint16_t src, uint16_t dst) const noexcept {
  // The medium transport holds no media at rest (Device Capabilities StorMT
  // = 0), so it is neither a source nor a destination.
  if (transport != ElementAddress::kTransport) return MoveCheck::invalid_transport;
  const Element* s = find(src);
  if (!s || s->type == ElementType::transport) return MoveCheck::invalid_source;
  const Element* d = find(dst);
  if (!d || d->type == ElementType::transport) return MoveCheck::invalid_destination;
  if (!s->cartridge) return MoveCheck::source_empty;
  if (d->cartridge) return MoveCheck::destination_full;
  return MoveCheck::ok;
}

void ElementMap::move(uint16_t src, uint16_t dst) noexcept {
  Element* s = find(src);
  Element* d = find(dst);
  d->cartridge = s->cartridge;
  d->source = src;
  d->imported = false;
  s->cartridge.reset();
  s->source.reset();
  s->imported = false;
}

MoveCheck ElementMap::check_exchange(uint16_t transport, uint16_t src, uint16_t dst1,
                                     uint16_t dst2) const noexcept {
  if (transport != ElementAddress::kTransport) return MoveCheck::invalid_transport;
  const Element* s = find(src);
  if (!s || s->type == ElementType::transport) return MoveCheck::invalid_source;
  const Element* d1 = find(dst1);
  const Element* d2 = find(dst2);
  if (!d1 || d1->type == ElementType::transport || !d2 || d2->type == ElementType::transport ||
      dst1 == src)
    return MoveCheck::invalid_destination;
  if (!s->cartridge || !d1->cartridge) return MoveCheck::source_empty;
  // The second destination may be the source (a swap); otherwise it must be
  // empty. dst2 == dst1 is a full destination.
  if (dst2 != src && d2->cartridge) return MoveCheck::destination_full;
  return MoveCheck::ok;
}

void ElementMap::exchange(uint16_t src, uint16_t dst1, uint16_t dst2) noexcept {
  Element* s = find(src);
  Element* d1 = find(dst1);
  Element* d2 = find(dst2);
  std::optional<size_t> a = s->cartridge, b = d1->cartridge;
  s->cartridge.reset();
  s->source.reset();
  s->imported = false;
  d1->cartridge = a;
  d1->source = src;
  d1->imported = false;
  d2->cartridge = b;
  d2->source = dst1;
  d2->imported = false;
}

}  // namespace nexus::changer
