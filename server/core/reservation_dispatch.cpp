#include "core/reservation_dispatch.h"

#include <spdlog/spdlog.h>

#include "core/core.h"
#include "core/logical_unit.h"
#include "core/nexus_session.h"
#include "core/reactor.h"
#include "core/scsi_command.h"
#include "core/spc_bridge.h"
#include "nexus/sense.hpp"
#include "scsi/core_opcode_rows.h"

namespace nexus::server {
namespace {

bool matches(const resv::Effect& e, const resv::NexusIdentity& id) {
  if (e.exclude_nexus_id && *e.exclude_nexus_id == id.nexus_id) return false;
  if (!resv::iequal(e.initiator_name, id.initiator_name)) return false;
  if (!e.isid.empty() && !resv::iequal(e.isid, id.isid)) return false;
  return e.all_ports || e.relative_target_port == id.relative_target_port;
}

// Turns the outcome's effects into Unit Attentions and aborted tasks for the
// live nexuses they name. Called with lu->mu() held; aborts are posted.
void apply_effects(LogicalUnit* lu, const std::vector<resv::Effect>& effects,
                   const std::vector<std::shared_ptr<Nexus>>& nexuses) {
  bool tas = task_aborted_status(lu);
  for (const resv::Effect& e : effects) {
    // An initiator port that is not logged in still learns of it at its next
    // login (SPC-4 5.13.11: REGISTRATIONS PREEMPTED / RESERVATIONS RELEASED
    // are for the I_T nexus, not the session).
    if (e.kind == resv::Effect::unit_attention)
      lu->uas().raise_parked_if([&](const resv::NexusIdentity& id) { return matches(e, id); },
                                UnitAttention{e.asc, e.ascq});
    for (const auto& n : nexuses) {
      if (!matches(e, n->identity())) continue;
      if (e.kind == resv::Effect::unit_attention) {
        lu->uas().raise(n->id(), UnitAttention{e.asc, e.ascq});
      } else {
        // PREEMPT AND ABORT (SPC-4 5.13.12.2.3): the preempted nexuses' tasks
        // end with TASK ABORTED (TAS=1) or silently (TAS=0). The PR OUT
        // completes without waiting for them.
        n->reactor().post_fn([n, lu, tas] { n->abort_matching(lu, false, 0, tas, nullptr); });
      }
    }
  }
}

}  // namespace

void run_reservation_command(Command& c, std::span<uint8_t> buffer) noexcept {
  LogicalUnit* lu = c.lu();
  if (!lu) {
    SenseInfo s = sense::lun_not_supported();
    c.complete(ScsiStatus::check_condition, &s);
    return;
  }
  std::span<const uint8_t> cdb(c.cdb_, c.cdb_len_);
  const resv::NexusIdentity& who = c.nexus()->identity();
  resv::Outcome out;
  {
    std::lock_guard lock(lu->mu());
    auto& state = lu->reservations();
    switch (c.cdb_[0]) {
      case scsi::op::reserve_6:
      case scsi::op::reserve_10:
        out = state.reserve(who, cdb);
        break;
      case scsi::op::release_6:
      case scsi::op::release_10:
        out = state.release(who, cdb);
        break;
      case scsi::op::persistent_reserve_in:
        out = state.persistent_reserve_in(who, cdb, buffer);
        break;
      case scsi::op::persistent_reserve_out:
        out = state.persistent_reserve_out(who, cdb, buffer.first(c.data_length()));
        break;
      default: {
        SenseInfo s = sense::invalid_opcode();
        c.complete(ScsiStatus::check_condition, &s);
        return;
      }
    }
    // Taken under the same lock as the state change: a port that logs in
    // meanwhile is either in this list or still parked, never neither.
    apply_effects(lu, out.effects, lu->nexuses_locked());
    if (out.state_changed_persistent) lu->save_reservations();
  }
  c.set_transfer_length(out.data_in_length);
  c.complete(out.status, out.has_sense ? &out.sense : nullptr);
}

void release_nexus_reservations(Nexus& n) noexcept {
  for (const auto& e : n.luns()) {
    std::lock_guard lock(e.lu->mu());
    e.lu->reservations().nexus_lost(n.identity());
  }
}

}  // namespace nexus::server
