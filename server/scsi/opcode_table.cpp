#include "scsi/opcode_table.h"

#include <algorithm>
#include <bit>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::scsi {
namespace {

constexpr uint8_t kVariableLength = 0x7F;
constexpr uint8_t kNacaBit = 0x04;  // control byte, SAM-5 5.2.4

bool row_has_sa(const OpcodeInfo& r) noexcept {
  return (r.flags & OpcodeFlags::service_action) != 0;
}

// Bits of byte i that form the SERVICE ACTION field (SPC-4 4.2.5.2).
uint8_t service_action_mask(uint8_t opcode, size_t i) noexcept {
  if (opcode == kVariableLength) return (i == 8 || i == 9) ? 0xFF : 0x00;
  return i == 1 ? 0x1F : 0x00;
}

uint16_t service_action_of(std::span<const uint8_t> cdb) noexcept {
  if (cdb[0] == kVariableLength) return cdb.size() >= 10 ? get_be16(&cdb[8]) : 0;
  return cdb.size() >= 2 ? cdb[1] & 0x1F : 0;
}

SenseInfo invalid_field(size_t byte, int bit = -1) noexcept {
  return sense::invalid_field_in_cdb(uint16_t(byte), bit);
}

bool same_key(const OpcodeInfo& a, const OpcodeInfo& b) noexcept {
  if (a.opcode != b.opcode) return false;
  if (!row_has_sa(a) || !row_has_sa(b)) return true;
  return a.service_action == b.service_action;
}

}  // namespace

uint8_t group_cdb_length(uint8_t opcode) noexcept {
  switch (opcode >> 5) {
    case 0:
      return 6;
    case 1:
    case 2:
      return 10;
    case 4:
      return 16;
    case 5:
      return 12;
    default:
      return 0;  // 3: reserved / variable length (7Fh); 6, 7: vendor specific
  }
}

OpcodeTable::OpcodeTable() noexcept = default;

OpcodeTable::OpcodeTable(std::span<const OpcodeInfo> core_rows,
                         std::span<const OpcodeInfo> device_rows,
                         std::vector<RejectedRow>* rejected) {
  rows_.reserve(core_rows.size() + device_rows.size());
  for (const auto& r : core_rows) add(r, false, rejected);
  for (const auto& r : device_rows) add(r, true, rejected);
  core_.clear();
  index();
}

bool OpcodeTable::add(const OpcodeInfo& row, bool from_device, std::vector<RejectedRow>* rejected) {
  auto reject = [&](RowRejection why) {
    if (rejected) rejected->push_back({&row, why});
    return false;
  };
  const uint8_t glen = group_cdb_length(row.opcode);
  if (row.cdb_length < 6 || (glen != 0 && row.cdb_length != glen) ||
      (row.opcode == kVariableLength && row.cdb_length < 10))
    return reject(RowRejection::bad_length);
  if (row.len_size > 8 || size_t(row.len_offset) + row.len_size > row.cdb_length ||
      row.lba_size > 8 || size_t(row.lba_offset) + row.lba_size > row.cdb_length)
    return reject(RowRejection::bad_length);
  for (size_t i = 0; i < rows_.size(); ++i) {
    const OpcodeInfo& have = rows_[i];
    if (have.opcode != row.opcode) continue;
    if (row_has_sa(have) != row_has_sa(row)) {
      return reject(from_device && core_[i] ? RowRejection::overrides_core
                                            : RowRejection::mixed_service_action);
    }
    if (same_key(have, row)) {
      return reject(from_device && core_[i] ? RowRejection::overrides_core
                                            : RowRejection::duplicate);
    }
  }
  OpcodeInfo copy = row;
  if (from_device) copy.flags &= ~OpcodeFlags::handled_by_core;
  if (!row_has_sa(copy)) copy.service_action = 0;
  rows_.push_back(copy);
  core_.push_back(!from_device);
  return true;
}

void OpcodeTable::index() {
  std::stable_sort(rows_.begin(), rows_.end(), [](const OpcodeInfo& a, const OpcodeInfo& b) {
    if (a.opcode != b.opcode) return a.opcode < b.opcode;
    return a.service_action < b.service_action;
  });
  first_.fill(0);
  count_.fill(0);
  for (size_t i = 0; i < rows_.size(); ++i) {
    const uint8_t op = rows_[i].opcode;
    if (count_[op] == 0) first_[op] = uint16_t(i);
    ++count_[op];
  }
}

bool OpcodeTable::has_service_actions(uint8_t opcode) const noexcept {
  return count_[opcode] != 0 && row_has_sa(rows_[first_[opcode]]);
}

const OpcodeInfo* OpcodeTable::find(uint8_t opcode, uint16_t service_action) const noexcept {
  const size_t n = count_[opcode];
  if (n == 0) return nullptr;
  const OpcodeInfo* begin = &rows_[first_[opcode]];
  if (!row_has_sa(*begin)) return begin;
  for (size_t i = 0; i < n; ++i)
    if (begin[i].service_action == service_action) return &begin[i];
  return nullptr;
}

LookupResult OpcodeTable::lookup(std::span<const uint8_t> cdb) const noexcept {
  LookupResult res;
  if (cdb.empty() || count_[cdb[0]] == 0) {
    res.sense = sense::invalid_opcode();  // 20h/00h
    return res;
  }
  const uint8_t op = cdb[0];
  // The transport hands over at least the CDB its protocol carries (iSCSI:
  // 16 bytes, zero padded); bytes past the command's length are ignored.
  // A CDB shorter than its command has no standard ASC; we answer INVALID
  // FIELD IN CDB (pointing at ADDITIONAL CDB LENGTH for 7Fh).
  size_t needed = group_cdb_length(op);
  if (op == kVariableLength) {
    if (cdb.size() < 8) {
      res.sense = sense::make(SenseKey::illegal_request, 0x24, 0x00);
      return res;
    }
    needed = size_t(8) + cdb[7];
    if (needed < 10 || cdb.size() < needed) {
      res.sense = invalid_field(7, 7);
      return res;
    }
  }
  if (needed != 0 && cdb.size() < needed) {
    res.sense = sense::make(SenseKey::illegal_request, 0x24, 0x00);
    return res;
  }
  const OpcodeInfo* row = find(op, service_action_of(cdb));
  if (!row) {
    // Known opcode, unknown service action (SPC-4 4.2.5.2).
    res.sense = op == kVariableLength ? invalid_field(8, 7) : invalid_field(1, 4);
    return res;
  }
  const size_t len = row->cdb_length;
  if (cdb.size() < len || (op == kVariableLength && needed != len)) {
    res.sense = op == kVariableLength ? invalid_field(7, 7)
                                      : sense::make(SenseKey::illegal_request, 0x24, 0x00);
    return res;
  }
  // We do not support ACA (INQUIRY NormACA=0): NACA=1 is an invalid field
  // (SAM-5 5.9, SPC-4 Table 11).
  const size_t ctl = control_byte_index(op, len);
  if (cdb[ctl] & kNacaBit) {
    res.sense = invalid_field(ctl, 2);
    return res;
  }
  // Reserved and unsupported bits (SPC-4 4.2.5.1 / 6.35.4 CDB USAGE DATA).
  const size_t checked = std::min<size_t>(len, sizeof(row->usage));
  const bool has_sa = row_has_sa(*row);
  for (size_t i = 1; i < checked; ++i) {
    const uint8_t allowed = row->usage[i] | (has_sa ? service_action_mask(op, i) : 0);
    const uint8_t bad = cdb[i] & uint8_t(~allowed);
    if (bad) {
      res.sense = invalid_field(i, std::bit_width(unsigned(bad)) - 1);
      return res;
    }
  }
  res.row = row;
  return res;
}

}  // namespace nexus::scsi
