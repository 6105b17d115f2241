// The mode pages the core owns for every LU: Control (0Ah, SPC-4 7.5.8) and
// Informational Exceptions Control (1Ch, SPC-4 7.5.14). The core keeps one
// ControlModeState per LU; its fields drive task-set behaviour (QErr, TAS),
// sense format (D_SENSE) and software write protection (SWP).
#pragma once

#include <cstdint>
#include <span>

#include "nexus/device.h"
#include "nexus/scsi.h"

namespace nexus::scsi {

struct ControlModeState {
  // --- Control mode page (0Ah/00h) ---
  uint8_t tst = 0;  // 000b: one task set per LU for all I_T nexuses. Not changeable.
  uint8_t queue_algorithm_modifier = 0;  // 0: restricted reordering. Not changeable.
  uint8_t qerr = 0;                  // 00b or 01b (abort all tasks on CHECK CONDITION). Changeable.
  bool d_sense = false;              // descriptor format sense data. Changeable.
  bool tas = false;                  // aborted tasks of other nexuses end TASK ABORTED. Changeable.
  bool swp = false;                  // software write protect: the core treats the LU as
                                     // write protected (DATA PROTECT) while set. Changeable.
  uint8_t ua_intlck_ctrl = 0;        // 00b: UAs cleared when reported. Not changeable.
  bool gltsd = true;                 // log parameters are not implicitly saved. Not changeable.
  uint16_t busy_timeout_period = 0;  // unlimited. Not changeable.
  // --- Informational Exceptions Control mode page (1Ch/00h) ---
  bool ie_dexcpt = true;           // informational exception operations disabled. Changeable.
  uint8_t ie_mrie = 0;             // method of reporting (0..6). Changeable.
  uint32_t ie_interval_timer = 0;  // Changeable.
  uint32_t ie_report_count = 0;    // Changeable.
};

// A mode page the core implements, described as data so MODE SENSE/SELECT
// treat core and device pages alike (add a row for a new core page).
struct CoreModePage {
  ModePageId id;
  uint16_t length;  // whole page incl. its header (page_0: 2 bytes)
  // Writes the page (header included) for PC current/changeable/default.
  void (*encode)(const ControlModeState& state, ModePageControl pc, std::span<uint8_t> out);
  // Checks values the changeable mask cannot express (reserved codes); the
  // sense field pointer is relative to the page start.
  bool (*check)(std::span<const uint8_t> page, SenseInfo* sense);
  // Stores a validated page into the state.
  void (*apply)(std::span<const uint8_t> page, ControlModeState& state);
};

std::span<const CoreModePage> core_mode_pages() noexcept;
const CoreModePage* find_core_mode_page(ModePageId id) noexcept;

inline constexpr uint16_t kControlPageLength = 12;
inline constexpr uint16_t kIePageLength = 12;

}  // namespace nexus::scsi
