// Drive status polling: GET EVENT STATUS NOTIFICATION (polled) and
// MECHANISM STATUS.
#include "cdrom_device.h"
#include "nexus/bytes.hpp"

namespace nexus::cdrom {
namespace {

// MMC-6 notification classes (class number = bit in the request field).
constexpr uint8_t kClassOperationalChange = 1;
constexpr uint8_t kClassMedia = 4;
constexpr uint8_t kClassDeviceBusy = 6;
constexpr uint8_t kSupportedClasses =
    (1u << kClassOperationalChange) | (1u << kClassMedia) | (1u << kClassDeviceBusy);

}  // namespace

void CdromDevice::get_event_status(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  // Asynchronous notification is not offered (Morphing ASYNC=0): only
  // polled requests are valid.
  if (!(c[1] & 0x01)) return fail(cmd, sense::invalid_field_in_cdb(1, 0));
  const uint8_t request = c[4] & kSupportedClasses;
  uint8_t d[8] = {};
  d[3] = kSupportedClasses;  // Supported Event Classes
  if (request == 0) {
    // NEA: none of the requested classes is supported; header only.
    put_be16(d, 2);
    d[2] = 0x80;
    return reply(cmd, d, 4);
  }
  uint8_t cls = 0;
  MediaEvent media = MediaEvent::no_change;
  bool tray_open = false, present = false;
  try {
    std::lock_guard lock(mu_);
    tray_open = tray_open_;
    present = image_ != nullptr;
    // The class with a pending event first, else the lowest requested
    // class with a "no change" event.
    if ((request & (1u << kClassMedia)) && events_.pending(cmd->nexus_id())) {
      cls = kClassMedia;
    } else {
      for (cls = 0; !(request & (1u << cls)); ++cls) {
      }
    }
    if (cls == kClassMedia) media = events_.take(cmd->nexus_id());
  } catch (...) {
    return fail(cmd, sense::internal_target_failure());
  }
  put_be16(d, 6);  // Event Descriptor Length: bytes 2..7
  d[2] = cls;
  switch (cls) {
    case kClassMedia:
      d[4] = uint8_t(media);  // Media Event Code
      d[5] =
          uint8_t((present ? 0x02 : 0x00) | (tray_open ? 0x01 : 0x00));  // Media Present, Door Open
      d[6] = 0;                                                          // Start Slot
      d[7] = 0;                                                          // End Slot
      break;
    case kClassOperationalChange:  // NoChg; Operational Status 0: available
    case kClassDeviceBusy:         // NoChg; Busy Status 0: not busy
    default:
      break;
  }
  reply(cmd, d, sizeof d);
}

void CdromDevice::mechanism_status(IDeviceCommand* cmd, const Snapshot& s) noexcept {
  // MMC-6 Mechanism Status Header; no changer, so no slot tables.
  uint8_t d[8] = {};
  d[0] = 0x00;                       // Fault 0, Changer State ready, Current Slot 0
  d[1] = s.tray_open ? 0x10 : 0x00;  // Mechanism State idle, Door Open
  // bytes 2-4 Current LBA (obsolete), 5 Number of Slots Available,
  // 6-7 Length of Slot Tables: all zero.
  reply(cmd, d, sizeof d);
}

}  // namespace nexus::cdrom
