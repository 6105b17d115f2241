// PERSISTENT RESERVE IN/OUT codes (SPC-4 6.15, 6.16).
#pragma once

#include <cstdint>

namespace nexus::server::resv {

// SPC-4 6.15.1: PERSISTENT RESERVE IN service actions.
namespace pr_in_sa {
inline constexpr uint8_t read_keys = 0x00;
inline constexpr uint8_t read_reservation = 0x01;
inline constexpr uint8_t report_capabilities = 0x02;
inline constexpr uint8_t read_full_status = 0x03;
}  // namespace pr_in_sa

// SPC-4 6.16.2: PERSISTENT RESERVE OUT service actions.
namespace pr_out_sa {
inline constexpr uint8_t register_key = 0x00;
inline constexpr uint8_t reserve = 0x01;
inline constexpr uint8_t release = 0x02;
inline constexpr uint8_t clear = 0x03;
inline constexpr uint8_t preempt = 0x04;
inline constexpr uint8_t preempt_and_abort = 0x05;
inline constexpr uint8_t register_and_ignore = 0x06;
inline constexpr uint8_t register_and_move = 0x07;
}  // namespace pr_out_sa

// SPC-4 6.15.3.4: persistent reservation TYPE codes.
enum class PrType : uint8_t {
  write_exclusive = 0x1,
  exclusive_access = 0x3,
  write_exclusive_registrants_only = 0x5,
  exclusive_access_registrants_only = 0x6,
  write_exclusive_all_registrants = 0x7,
  exclusive_access_all_registrants = 0x8,
};

inline constexpr uint8_t kLuScope = 0x0;  // SPC-4 6.15.3.3: the only scope left

inline constexpr bool valid_pr_type(uint8_t t) noexcept {
  return t == 1 || t == 3 || t == 5 || t == 6 || t == 7 || t == 8;
}
// All-registrants types: every registered I_T nexus is a holder (SPC-4 5.13.10).
inline constexpr bool all_registrants(PrType t) noexcept {
  return t == PrType::write_exclusive_all_registrants ||
         t == PrType::exclusive_access_all_registrants;
}
inline constexpr bool registrants_only(PrType t) noexcept {
  return t == PrType::write_exclusive_registrants_only ||
         t == PrType::exclusive_access_registrants_only;
}
// Index 0..5 in the order WE, EA, WE-RO, EA-RO, WE-AR, EA-AR (table columns).
inline constexpr int type_index(PrType t) noexcept {
  switch (t) {
    case PrType::write_exclusive:
      return 0;
    case PrType::exclusive_access:
      return 1;
    case PrType::write_exclusive_registrants_only:
      return 2;
    case PrType::exclusive_access_registrants_only:
      return 3;
    case PrType::write_exclusive_all_registrants:
      return 4;
    case PrType::exclusive_access_all_registrants:
      return 5;
  }
  return 0;
}

}  // namespace nexus::server::resv
