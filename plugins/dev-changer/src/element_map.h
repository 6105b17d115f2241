// The library's elements (SMC-3 4.2): one medium transport, import/export
// slots, data transfer elements (drives) and storage slots, each with a fixed
// element address, and which cartridge sits where. Pure bookkeeping: no I/O,
// no locking (the device serializes access), no drive handling.
//
// Element addresses (reported in the Element Address Assignment page 1Dh):
//   medium transport      0x0000
//   import/export         0x0010 + i   (i < 240)
//   data transfer (drive) 0x0100 + i   (i < 256)
//   storage slots         0x1000 + i   (i < 4096)
// The ranges never interleave, so "ascending address order" (READ ELEMENT
// STATUS with ELEMENT TYPE CODE 0) is transport, I/E, drives, slots.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::changer {

// SMC-3 Table 20 element type codes.
enum class ElementType : uint8_t {
  all = 0,
  transport = 1,
  storage = 2,
  import_export = 3,
  data_transfer = 4,
};

struct ElementAddress {
  static constexpr uint16_t kTransport = 0x0000;
  static constexpr uint16_t kFirstImportExport = 0x0010;
  static constexpr uint16_t kFirstDrive = 0x0100;
  static constexpr uint16_t kFirstSlot = 0x1000;
  static constexpr uint32_t kMaxImportExport = 240;
  static constexpr uint32_t kMaxDrives = 256;
  static constexpr uint32_t kMaxSlots = 4096;
};

struct Cartridge {
  std::string barcode;  // primary volume tag; media file <media_dir>/<barcode>.tape
  bool write_protect = false;
};

struct Element {
  uint16_t address = 0;
  ElementType type = ElementType::storage;
  uint16_t index = 0;               // 0-based within its type
  std::optional<size_t> cartridge;  // index into ElementMap::cartridges()
  std::optional<uint16_t> source;   // SVALID + SOURCE STORAGE ELEMENT ADDRESS
  bool imported = false;            // I/E: IMPEXP (placed by an operator)
};

// Where a cartridge is, as persisted and as declared in the YAML.
struct Placement {
  std::string barcode;
  uint16_t address = 0;
  std::optional<uint16_t> source;
  bool imported = false;
};

enum class MoveCheck : uint8_t {
  ok,
  invalid_transport,    // 21h/01h, in the transport field
  invalid_source,       // 21h/01h
  invalid_destination,  // 21h/01h (unknown, or the medium transport)
  source_empty,         // 3Bh/0Eh
  destination_full,     // 3Bh/0Dh
};

class ElementMap {
 public:
  ElementMap(uint32_t drives, uint32_t slots, uint32_t import_export);

  uint32_t count(ElementType t) const noexcept;
  uint16_t first(ElementType t) const noexcept;
  // All elements in ascending address order.
  const std::vector<Element>& elements() const noexcept { return elements_; }
  Element* find(uint16_t address) noexcept;
  const Element* find(uint16_t address) const noexcept;
  // The element of a drive (0-based), or null.
  Element* drive(uint32_t index) noexcept;

  const std::vector<Cartridge>& cartridges() const noexcept { return cartridges_; }
  // Replaces the cartridges and puts each where `placements` says. Returns
  // false (map unchanged) with *why set when a placement names an unknown
  // barcode or address, the transport, or a full element, or when a
  // cartridge is left without a place.
  bool assign(std::vector<Cartridge> cartridges, const std::vector<Placement>& placements,
              std::string* why);
  std::vector<Placement> placements() const;

  // SMC-3 6.6 MOVE MEDIUM checks, in the order the fields are evaluated.
  MoveCheck check_move(uint16_t transport, uint16_t src, uint16_t dst) const noexcept;
  // Moves the cartridge (check_move() said ok). Records `src` as the source
  // element; a cartridge put into an I/E element by the changer is exported
  // (IMPEXP 0).
  void move(uint16_t src, uint16_t dst) noexcept;
  // EXCHANGE MEDIUM (SMC-3 6.3): src -> dst1, dst1's cartridge -> dst2.
  MoveCheck check_exchange(uint16_t transport, uint16_t src, uint16_t dst1,
                           uint16_t dst2) const noexcept;
  void exchange(uint16_t src, uint16_t dst1, uint16_t dst2) noexcept;

  // True when `address` names an element (any type).
  bool valid(uint16_t address) const noexcept { return find(address) != nullptr; }
  const Cartridge* cartridge_at(uint16_t address) const noexcept;

 private:
  std::vector<Element> elements_;
  std::vector<Cartridge> cartridges_;
  uint32_t drives_, slots_, ie_;
};

const char* element_type_name(ElementType t) noexcept;

}  // namespace nexus::changer
