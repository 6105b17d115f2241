#include "reservations/conflict_table.h"

#include <iterator>

namespace nexus::server::resv {
namespace {

constexpr bool A = false;  // allowed
constexpr bool C = true;   // RESERVATION CONFLICT

// Columns: WE, EA, WE-RO, EA-RO, WE-AR, EA-AR; each {registered, not registered}.
// Under WE/EA only the holder is privileged, so registration does not matter
// (SPC-4 5.13.1 table, "From any I_T nexus" columns). Under the registrants-
// only and all-registrants types a registered nexus may do everything
// ("From registered I_T nexus (RR all types)"), a non-registered one what the
// base WE/EA type lets through ("From I_T nexus not registered").
constexpr ConflictRow kRows[] = {
    // MODE SELECT, LOG SELECT, WRITE BUFFER, ...: only registrants of the
    // RO/AR types besides the holder.
    {ResvClass::conflict, C, {{C, C}, {C, C}, {A, C}, {A, C}, {A, C}, {A, C}}},
    // INQUIRY, REPORT LUNS, REQUEST SENSE, TEST UNIT READY, READ CAPACITY,
    // REPORT SUPPORTED OPERATION CODES, ...
    {ResvClass::allowed, A, {{A, A}, {A, A}, {A, A}, {A, A}, {A, A}, {A, A}}},
    // Medium reads (SBC-3 READ, VERIFY, ...): shared under Write Exclusive types.
    {ResvClass::read, C, {{A, A}, {C, C}, {A, A}, {A, C}, {A, A}, {A, C}}},
    // Medium writes.
    {ResvClass::write, C, {{C, C}, {C, C}, {A, C}, {A, C}, {A, C}, {A, C}}},
    // PERSISTENT RESERVE IN: allowed under every PR; under an SPC-2
    // reservation it conflicts for every nexus, holder included (SPC-2 5.5.1;
    // ReservationState::conflicts handles the holder case).
    {ResvClass::pr_in, C, {{A, A}, {A, A}, {A, A}, {A, A}, {A, A}, {A, A}}},
    // PERSISTENT RESERVE OUT: the service action decides (RESERVATION CONFLICT
    // for non-registrants is the PR OUT logic's job, SPC-4 5.13.7 ff).
    {ResvClass::pr_out, C, {{A, A}, {A, A}, {A, A}, {A, A}, {A, A}, {A, A}}},
    // RESERVE(6/10): conflicts with any registration (SPC-4 5.13.3); handled
    // in ReservationState::conflicts since it needs no reservation to exist.
    {ResvClass::reserve, C, {{C, C}, {C, C}, {C, C}, {C, C}, {C, C}, {C, C}}},
    // RELEASE(6/10): GOOD without effect when not the holder (SPC-2 7.17.2).
    {ResvClass::release, A, {{A, A}, {A, A}, {A, A}, {A, A}, {A, A}, {A, A}}},
    // Allowed for registered nexuses only, whatever the type.
    {ResvClass::allowed_if_registered, C, {{A, C}, {A, C}, {A, C}, {A, C}, {A, C}, {A, C}}},
};

static_assert(std::size(kRows) == size_t(ResvClass::allowed_if_registered) + 1);
constexpr bool rows_in_enum_order() {
  for (size_t i = 0; i < std::size(kRows); ++i)
    if (size_t(kRows[i].cls) != i) return false;
  return true;
}
static_assert(rows_in_enum_order());

constexpr uint8_t kTestUnitReady = 0x00;

}  // namespace

const ConflictRow* conflict_rows(size_t* count) noexcept {
  *count = std::size(kRows);
  return kRows;
}

const ConflictRow& conflict_row(ResvClass cls) noexcept {
  size_t i = size_t(cls);
  if (i >= std::size(kRows)) i = size_t(ResvClass::conflict);
  return kRows[i];
}

bool spc2_conflicts(ResvClass cls, uint8_t opcode) noexcept {
  if (cls == ResvClass::allowed && opcode == kTestUnitReady) return true;
  return conflict_row(cls).spc2_conflict;
}

bool pr_conflicts(ResvClass cls, PrType type, bool registered) noexcept {
  return conflict_row(cls).pr_conflict[type_index(type)][registered ? 0 : 1];
}

}  // namespace nexus::server::resv
