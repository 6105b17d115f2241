// What executing a core-handled command produced: status, sense and how many
// Data-In bytes are valid, plus side effects the core must act on (Unit
// Attentions for other nexuses, clearing the pending sense).
#pragma once

#include <cstdint>

#include "nexus/scsi.h"
#include "nexus/sense.hpp"

namespace nexus::scsi {

enum class Disposition : uint8_t {
  completed = 0,    // status/sense/data below are the answer
  not_handled = 1,  // not ours (RESERVE/RELEASE, PR, RTPG): route to the core module owning it
};

struct Result {
  Disposition disposition = Disposition::completed;
  ScsiStatus status = ScsiStatus::good;
  bool has_sense = false;
  SenseInfo sense{};
  // Valid Data-In bytes at the start of the buffer, already truncated to the
  // ALLOCATION LENGTH and the buffer size (SPC-4 4.2.5.6).
  uint32_t data_in_length = 0;
  // MODE SELECT changed a current value: raise MODE PARAMETERS CHANGED
  // (2Ah/01h) for every other I_T nexus of the LU (SPC-4 7.5.1).
  bool mode_parameters_changed = false;
  // MODE SELECT changed the block descriptor (block length / capacity): the
  // core re-reads DeviceInfo and raises CAPACITY DATA HAS CHANGED (2Ah/09h).
  bool block_descriptor_changed = false;
  // REQUEST SENSE returned CoreContext::pending_sense: the core drops it
  // (SPC-4 5.12, a Unit Attention reported this way is cleared).
  bool pending_sense_consumed = false;
  // REPORT LUNS ran: the core clears REPORTED LUNS DATA HAS CHANGED (3Fh/0Eh)
  // for every LU of this I_T nexus (VPD 86h LUICLR=1, SPC-4 6.33/7.8.7).
  bool reported_luns = false;

  static Result good(uint32_t data_in_length = 0) noexcept {
    Result r;
    r.data_in_length = data_in_length;
    return r;
  }
  static Result check(const SenseInfo& s) noexcept {
    Result r;
    r.status = ScsiStatus::check_condition;
    r.has_sense = true;
    r.sense = s;
    return r;
  }
  static Result not_handled() noexcept {
    Result r;
    r.disposition = Disposition::not_handled;
    return r;
  }
};

}  // namespace nexus::scsi
