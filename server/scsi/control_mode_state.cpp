#include "scsi/control_mode_state.h"

#include <algorithm>

#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"

namespace nexus::scsi {
namespace {

const ControlModeState kDefaults{};

const ControlModeState& pick(const ControlModeState& state, ModePageControl pc) {
  return pc == ModePageControl::defaults ? kDefaults : state;
}

// SPC-4 7.5.8 Table 457.
void encode_control(const ControlModeState& state, ModePageControl pc, std::span<uint8_t> out) {
  if (out.size() < kControlPageLength) return;
  std::fill(out.begin(), out.begin() + kControlPageLength, 0);
  out[0] = 0x0A;
  out[1] = kControlPageLength - 2;
  if (pc == ModePageControl::changeable) {
    out[2] = 0x04;  // D_SENSE
    out[3] = 0x06;  // QERR
    out[4] = 0x08;  // SWP
    out[5] = 0x40;  // TAS
    return;
  }
  const ControlModeState& s = pick(state, pc);
  out[2] = uint8_t((s.tst & 0x7) << 5 | (s.d_sense ? 0x04 : 0) | (s.gltsd ? 0x02 : 0));
  out[3] = uint8_t((s.queue_algorithm_modifier & 0xF) << 4 | (s.qerr & 0x3) << 1);
  out[4] = uint8_t((s.ua_intlck_ctrl & 0x3) << 4 | (s.swp ? 0x08 : 0));
  out[5] = uint8_t(s.tas ? 0x40 : 0);
  put_be16(&out[8], s.busy_timeout_period);
}

bool check_control(std::span<const uint8_t> page, SenseInfo* sense) {
  // QErr 10b is reserved and 11b (abort only this nexus's tasks) is not
  // supported: only 00b/01b (SPC-4 7.5.8 Table 460).
  if (((page[3] >> 1) & 0x3) > 1) {
    *sense = sense::invalid_field_in_param(3, 2);
    return false;
  }
  return true;
}

void apply_control(std::span<const uint8_t> page, ControlModeState& s) {
  s.d_sense = page[2] & 0x04;
  s.qerr = (page[3] >> 1) & 0x3;
  s.swp = page[4] & 0x08;
  s.tas = page[5] & 0x40;
}

// SPC-4 7.5.14 Table 476.
void encode_ie(const ControlModeState& state, ModePageControl pc, std::span<uint8_t> out) {
  if (out.size() < kIePageLength) return;
  std::fill(out.begin(), out.begin() + kIePageLength, 0);
  out[0] = 0x1C;
  out[1] = kIePageLength - 2;
  if (pc == ModePageControl::changeable) {
    out[2] = 0x08;  // DEXCPT
    out[3] = 0x0F;  // MRIE
    put_be32(&out[4], 0xFFFFFFFFu);
    put_be32(&out[8], 0xFFFFFFFFu);
    return;
  }
  const ControlModeState& s = pick(state, pc);
  out[2] = s.ie_dexcpt ? 0x08 : 0;
  out[3] = s.ie_mrie & 0x0F;
  put_be32(&out[4], s.ie_interval_timer);
  put_be32(&out[8], s.ie_report_count);
}

bool check_ie(std::span<const uint8_t> page, SenseInfo* sense) {
  if ((page[3] & 0x0F) > 6) {  // MRIE 7h-Bh reserved, Ch-Fh vendor specific
    *sense = sense::invalid_field_in_param(3, 3);
    return false;
  }
  return true;
}

void apply_ie(std::span<const uint8_t> page, ControlModeState& s) {
  s.ie_dexcpt = page[2] & 0x08;
  s.ie_mrie = page[3] & 0x0F;
  s.ie_interval_timer = get_be32(&page[4]);
  s.ie_report_count = get_be32(&page[8]);
}

constexpr CoreModePage kPages[] = {
    {{0x0A, 0x00}, kControlPageLength, encode_control, check_control, apply_control},
    {{0x1C, 0x00}, kIePageLength, encode_ie, check_ie, apply_ie},
};

}  // namespace

std::span<const CoreModePage> core_mode_pages() noexcept { return kPages; }

const CoreModePage* find_core_mode_page(ModePageId id) noexcept {
  for (const auto& p : kPages)
    if (p.id.page == id.page && p.id.subpage == id.subpage) return &p;
  return nullptr;
}

}  // namespace nexus::scsi
