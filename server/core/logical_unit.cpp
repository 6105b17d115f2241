#include "core/logical_unit.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>

#include "config/yaml_config_node.h"
#include "core/core.h"
#include "core/nexus_session.h"
#include "core/reactor.h"
#include "core/scsi_command.h"
#include "nexus/bytes.hpp"
#include "reservations/reservation_store.h"
#include "scsi/control_mode_state.h"
#include "scsi/core_opcode_rows.h"
#include "scsi/opcode_table.h"

namespace nexus::server {
namespace {

// A stable 60-bit value derived from the device name, for the NAA locally
// assigned designator (SPC-4 7.8.6.6.4): the same name keeps the same id
// across restarts, so initiators' multipath maps stay valid.
uint64_t derive_naa(const std::string& name) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h & 0x0FFFFFFFFFFFFFFFull;
}

void run_posted(void* ctx) noexcept { static_cast<Command*>(ctx)->execute(); }

}  // namespace

LogicalUnit::LogicalUnit(Core& core, std::string name, std::string state_dir, bool check_only)
    : core_(core),
      name_(std::move(name)),
      state_dir_(std::move(state_dir)),
      check_only_(check_only),
      table_(std::make_unique<scsi::OpcodeTable>()),
      control_(std::make_unique<scsi::ControlModeState>()),
      naa_id_(derive_naa(name_)) {}

LogicalUnit::~LogicalUnit() { shutdown(); }

void LogicalUnit::log(LogLevel level, Str message) noexcept {
  spdlog::log(static_cast<spdlog::level::level_enum>(level), "[lu {}] {}", name_, to_sv(message));
}

void LogicalUnit::raise_ua(UaScope scope, uint64_t nexus_id, uint8_t asc, uint8_t ascq) noexcept {
  std::lock_guard lock(mu_);
  UnitAttention ua{asc, ascq};
  switch (scope) {
    case UaScope::all_nexuses:
      uas_.raise_all(ua);
      break;
    case UaScope::all_but:
      uas_.raise_all_but(nexus_id, ua);
      break;
    case UaScope::only:
      uas_.raise(nexus_id, ua);
      break;
  }
}

IReactor* LogicalUnit::current_reactor() noexcept { return Reactor::current(); }
uint32_t LogicalUnit::reactor_count() const noexcept { return core_.reactors().size(); }
IReactor* LogicalUnit::reactor(uint32_t index) noexcept {
  return index < core_.reactors().size() ? &core_.reactors().at(index) : nullptr;
}

IDevice* LogicalUnit::peer_device(Str name) noexcept {
  LogicalUnit* lu = core_.find_lu(to_sv(name));
  return lu ? lu->device() : nullptr;
}

void LogicalUnit::attach_device(IDevice* device) {
  device_ = device;
  DeviceInfo info{};
  info.struct_size = sizeof info;
  device->info(&info);
  const OpcodeInfo* rows = nullptr;
  uint32_t n = device->opcodes(&rows);
  std::vector<scsi::RejectedRow> rejected;
  // No REPORT TARGET PORT GROUPS yet, so INQUIRY must not claim ALUA (TPGS).
  auto core_rows = (info.flags & DeviceInfoFlags::passthrough)
                       ? scsi::core_rows_for_passthrough(info.type)
                       : scsi::core_rows_without_alua(info.type);
  table_ = std::make_unique<scsi::OpcodeTable>(core_rows, std::span<const OpcodeInfo>(rows, n),
                                               &rejected);
  for (const auto& r : rejected)
    spdlog::warn("[lu {}] handler row {:02x}h ({}) ignored: reason {}", name_, r.row->opcode,
                 r.row->name ? r.row->name : "?", int(r.why));
  if (info.naa_id) naa_id_ = info.naa_id;
  // The core answers 00h, 80h, 83h and 86h; ask the handler for the rest.
  uint8_t probe[8];
  for (unsigned page = 0x80; page <= 0xFF; ++page) {
    if (page == 0x80 || page == 0x83 || page == 0x86) continue;
    uint32_t len = 0;
    if (device->vpd_page(uint8_t(page), ByteSpan{probe, sizeof probe}, &len) == Status::ok)
      vpd_pages_.push_back(uint8_t(page));
  }
}

void LogicalUnit::attach_nexus(Nexus* n) {
  std::lock_guard lock(mu_);
  nexuses_.push_back(n);
  uas_.attach(n->id(), n->identity());
}

void LogicalUnit::detach_nexus(Nexus* n) {
  {
    std::lock_guard lock(mu_);
    nexuses_.erase(std::remove(nexuses_.begin(), nexuses_.end(), n), nexuses_.end());
    uas_.detach(n->id());
  }
  // Outside mu_: the device takes its own locks.
  if (device_) device_->nexus_lost(n->id());
}

std::vector<std::shared_ptr<Nexus>> LogicalUnit::nexuses() {
  std::lock_guard lock(mu_);
  return nexuses_locked();
}

std::vector<std::shared_ptr<Nexus>> LogicalUnit::nexuses_locked() {
  std::vector<std::shared_ptr<Nexus>> v;
  v.reserve(nexuses_.size());
  // Attached nexuses are alive: they detach (under mu_) before going away.
  for (Nexus* n : nexuses_) v.push_back(n->shared_from_this());
  return v;
}

void LogicalUnit::dispatch(const std::vector<Command*>& cmds) noexcept {
  for (Command* c : cmds) {
    Reactor& r = c->nexus()->reactor();
    if (r.on_this_thread())
      c->execute();
    else
      r.post(&run_posted, c);
  }
}

std::string LogicalUnit::reservation_file() const { return state_dir_ + "/" + name_ + ".pr"; }

void LogicalUnit::init_reservations(std::vector<uint16_t> target_ports) {
  std::lock_guard lock(mu_);
  std::string err;
  auto loaded = resv::ReservationStore::load(reservation_file(), &err);
  if (loaded) {
    resv_ = std::move(*loaded);
    if (!resv_.registrations().empty())
      spdlog::info("[lu {}] restored {} persistent reservation registration(s) from {}", name_,
                   resv_.registrations().size(), reservation_file());
  } else {
    // A damaged file must not stop the server; the reservation holder has
    // to re-register, which initiators do after REGISTRATIONS PREEMPTED or a
    // conflict. Say so loudly.
    spdlog::error("[lu {}] ignoring unreadable reservation state {}: {}", name_, reservation_file(),
                  err);
  }
  resv_.set_target_ports(std::move(target_ports));
}

void LogicalUnit::save_reservations() {
  if (check_only_) return;
  std::string err;
  if (!resv::ReservationStore::save(reservation_file(), resv_, &err))
    spdlog::error("[lu {}] could not save persistent reservations to {}: {}", name_,
                  reservation_file(), err);
}

void LogicalUnit::keep_options(std::unique_ptr<YamlConfigNode> opts) { options_ = std::move(opts); }

bool LogicalUnit::shutdown() {
  if (!device_) return true;
  if (uint32_t n = outstanding_.load()) {
    // A command the device never completed (a hung SG_IO, a stuck backend):
    // destroy() would wait for it forever or free what it still uses. The
    // process is exiting, so leave the device to the OS instead.
    spdlog::error("[lu {}] {} command(s) still in the device at shutdown; not destroying it", name_,
                  n);
    device_ = nullptr;
    return false;
  }
  device_->destroy();
  device_ = nullptr;
  return true;
}

}  // namespace nexus::server
