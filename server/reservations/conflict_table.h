// Which commands a reservation held by ANOTHER I_T nexus lets through: the
// SPC-4 5.13.1 / SBC-3 reservation tables ("commands that are allowed in the
// presence of various reservations") and the SPC-2 5.5.1 rules, expressed once
// per ResvClass so every device type shares them. Device handlers only pick a
// ResvClass per opcode row (nexus/opcode.h).
#pragma once

#include <cstdint>

#include "nexus/opcode.h"
#include "reservations/pr_types.h"

namespace nexus::server::resv {

// One row of the table. The sender is neither the SPC-2 holder nor a
// persistent reservation holder (holders are never blocked).
struct ConflictRow {
  ResvClass cls;
  // SPC-2 RESERVE(6/10) held by another I_T nexus (SPC-2 5.5.1 and Annex B,
  // column [A]).
  bool spc2_conflict;
  // Persistent reservation of each type (index: type_index()) held by another
  // I_T nexus: [type][0] = sender is registered, [type][1] = not registered.
  bool pr_conflict[6][2];
};

// The whole table (one row per ResvClass, in enum order).
const ConflictRow* conflict_rows(size_t* count) noexcept;

// Looks a class up; unknown values behave like ResvClass::conflict.
const ConflictRow& conflict_row(ResvClass cls) noexcept;

// SPC-2 exceptions keyed by opcode: TEST UNIT READY is `allowed` under every
// persistent reservation (SPC-4) but conflicts under an SPC-2 reservation
// (SPC-2 Annex B). Returns the row's verdict otherwise.
bool spc2_conflicts(ResvClass cls, uint8_t opcode) noexcept;

bool pr_conflicts(ResvClass cls, PrType type, bool registered) noexcept;

}  // namespace nexus::server::resv
