#include "changer_device.h"

#include <algorithm>
#include <cstring>

#include "changer_opcodes.h"
#include "changer_state_file.h"
#include "nexus/bytes.hpp"
#include "nexus/handler.hpp"
#include "nexus/log.hpp"
#include "nexus/sense.hpp"

namespace nexus::changer {
namespace {

// SMC-3 sense codes of the motion commands.
SenseInfo invalid_element(uint16_t cdb_byte) noexcept {
  SenseInfo s = sense::make(SenseKey::illegal_request, 0x21, 0x01);  // INVALID ELEMENT ADDRESS
  s.flags |= SenseFlags::field_valid | SenseFlags::field_in_cdb;
  s.field_pointer = cdb_byte;
  return s;
}
SenseInfo source_empty() noexcept {  // MEDIUM SOURCE ELEMENT EMPTY
  return sense::make(SenseKey::illegal_request, 0x3B, 0x0E);
}
SenseInfo destination_full() noexcept {  // MEDIUM DESTINATION ELEMENT FULL
  return sense::make(SenseKey::illegal_request, 0x3B, 0x0D);
}
SenseInfo removal_prevented_sense() noexcept {  // MEDIUM REMOVAL PREVENTED
  return sense::make(SenseKey::illegal_request, 0x53, 0x02);
}
SenseInfo load_failed() noexcept {  // MEDIUM LOAD OR EJECT FAILED
  return sense::make(SenseKey::hardware_error, 0x53, 0x00);
}

bool is_drive(const Element* e) { return e && e->type == ElementType::data_transfer; }

}  // namespace

void fail(IDeviceCommand* cmd, const SenseInfo& s) noexcept {
  cmd->complete(ScsiStatus::check_condition, &s);
}

// Shared with a posted restore callback, which must not touch a destroyed device.
struct ChangerDevice::RestoreToken {
  std::mutex mu;
  ChangerDevice* device = nullptr;
};

ChangerDevice::ChangerDevice(IDeviceHost* host, ChangerOptions opts, ElementMap map,
                             std::string state_path)
    : host_(host),
      opts_(std::move(opts)),
      identity_(identity_from(opts_, derive_serial(to_sv(host->name())))),
      state_path_(std::move(state_path)),
      map_(std::move(map)),
      token_(std::make_shared<RestoreToken>()) {
  digest_ = cartridge_set_digest(map_.cartridges());
  for (const std::string& n : opts_.drives) drives_.push_back(Drive{n});
  token_->device = this;
}

ChangerDevice::~ChangerDevice() {
  std::lock_guard lock(token_->mu);
  token_->device = nullptr;
}

Status ChangerDevice::info(DeviceInfo* out) noexcept {
  if (!out) return Status::invalid_argument;
  DeviceInfo d{};
  d.struct_size = sizeof(DeviceInfo);
  d.type = PeripheralType::changer;
  d.scsi_version = 0x06;  // SPC-4
  // A library is always ready; its media live in elements, not in the LU.
  d.flags = DeviceInfoFlags::removable | DeviceInfoFlags::medium_present | DeviceInfoFlags::ready;
  fill_identity(d, identity_);
  return publish_info(d, out);
}

uint32_t ChangerDevice::opcodes(const OpcodeInfo** rows) noexcept {
  const auto& v = changer_opcodes();
  *rows = v.data();
  return uint32_t(v.size());
}

bool ChangerDevice::data_length(ConstByteSpan, uint32_t*, SenseInfo* sense) noexcept {
  *sense = sense::invalid_opcode();  // no LengthUnit::device rows
  return false;
}

Status ChangerDevice::vpd_page(uint8_t, ByteSpan, uint32_t*) noexcept {
  return Status::unsupported;
}

Status ChangerDevice::block_descriptor(BlockDescriptor*) noexcept { return Status::unsupported; }

Status ChangerDevice::set_block_descriptor(const BlockDescriptor*, SenseInfo* sense) noexcept {
  *sense = sense::invalid_field_in_param(3);  // BLOCK DESCRIPTOR LENGTH must be 0
  return Status::invalid_argument;
}

void ChangerDevice::abort(IDeviceCommand*) noexcept {
  // Every command completes inline.
}

void ChangerDevice::reset(ResetKind) noexcept {
  // SPC-4 6.13: a LU reset or power on ends medium removal prevention.
  std::lock_guard lock(mu_);
  preventers_.clear();
}

void ChangerDevice::nexus_lost(uint64_t nexus_id) noexcept {
  // SPC-4 6.13: prevention ends with the I_T nexus that asked for it.
  std::lock_guard lock(mu_);
  preventers_.erase(nexus_id);
}

void ChangerDevice::destroy() noexcept { delete this; }

std::vector<Placement> ChangerDevice::placements() {
  std::lock_guard lock(mu_);
  return map_.placements();
}

bool ChangerDevice::removal_prevented() {
  std::lock_guard lock(mu_);
  return !preventers_.empty();
}

IRemovableMedium* ChangerDevice::resolve(uint32_t i) noexcept {
  if (i >= drives_.size()) return nullptr;
  Drive& d = drives_[i];
  if (d.medium) return d.medium;
  d.device = host_->peer_device(to_str(d.name));
  d.medium = d.device ? d.device->removable_medium() : nullptr;
  if (!d.medium && !d.warned) {
    d.warned = true;
    logf(host_, LogLevel::error, "changer: drive %u '%s' %s", i, d.name.c_str(),
         d.device ? "is not a removable-medium device (handler: tape expected)"
                  : "is not a configured device");
  }
  return d.medium;
}

DriveView ChangerDevice::drive_view(uint32_t i) noexcept {
  DriveView v;
  IRemovableMedium* m = resolve(i);
  if (!m) {
    v.except = true;
    v.asc = 0x25;  // LOGICAL UNIT NOT SUPPORTED: no such drive behind the element
    v.ascq = 0x00;
    v.access = false;
    return v;
  }
  DeviceInfo info{};
  info.struct_size = sizeof info;
  if (drives_[i].device->info(&info) == Status::ok) {
    auto field = [](const char* s, size_t cap) { return std::string_view(s, strnlen(s, cap)); };
    v.identifier = drive_identifier(field(info.vendor, sizeof info.vendor),
                                    field(info.product, sizeof info.product),
                                    field(info.serial, sizeof info.serial));
  }
  // The transport can reach a cartridge only once the drive unloaded it.
  v.access = m->state() != MediumState::loaded;
  return v;
}

void ChangerDevice::persist() noexcept {
  if (state_path_.empty()) return;
  try {
    PersistedState s{digest_, map_.placements()};
    std::string why;
    if (!write_state_file(state_path_, serialize_state(s), &why))
      logf(host_, LogLevel::warn, "changer: state not saved: %s", why.c_str());
  } catch (...) {
    logf(host_, LogLevel::warn, "changer: state not saved: out of memory");
  }
}

void ChangerDevice::save_state() noexcept {
  std::lock_guard lock(mu_);
  persist();
}

void ChangerDevice::restore_drives() noexcept {
  std::lock_guard lock(mu_);
  restore_locked();
}

void ChangerDevice::restore_locked() noexcept {
  if (restored_) return;
  bool all = true;
  for (uint32_t i = 0; i < drives_.size(); ++i) {
    IRemovableMedium* m = resolve(i);
    if (!m) {
      all = false;
      continue;
    }
    const Element* e = map_.drive(i);
    if (!e || !e->cartridge) {
      if (m->state() != MediumState::empty)
        logf(host_, LogLevel::warn,
             "changer: drive %u '%s' holds a medium the library does not know (%.*s); "
             "moves into it fail until it is ejected",
             i, drives_[i].name.c_str(), int(m->medium_path().size), m->medium_path().data);
      continue;
    }
    const Cartridge& c = map_.cartridges()[*e->cartridge];
    std::string path = media_path(opts_.media_dir, c.barcode);
    if (m->state() != MediumState::empty) {
      if (to_sv(m->medium_path()) != path)
        logf(host_, LogLevel::warn, "changer: drive %u '%s' holds %.*s, the library expects %s", i,
             drives_[i].name.c_str(), int(m->medium_path().size), m->medium_path().data,
             path.c_str());
      continue;
    }
    Status st = m->load(to_str(path), c.write_protect);
    if (st == Status::ok)
      logf(host_, LogLevel::info, "changer: reloaded %s into drive %u '%s'", c.barcode.c_str(), i,
           drives_[i].name.c_str());
    else
      logf(host_, LogLevel::error, "changer: reloading %s into drive %u '%s' failed (status %d)",
           c.barcode.c_str(), i, drives_[i].name.c_str(), int(st));
  }
  restored_ = all;
}

void ChangerDevice::schedule_restore() noexcept {
  if (host_->reactor_count() == 0 || !host_->reactor(0)) return;
  auto* ctx = new (std::nothrow) std::shared_ptr<RestoreToken>(token_);
  if (!ctx) return;
  host_->reactor(0)->post(
      [](void* p) noexcept {
        auto* t = static_cast<std::shared_ptr<RestoreToken>*>(p);
        {
          std::lock_guard lock((*t)->mu);
          if ((*t)->device) (*t)->device->restore_drives();
        }
        delete t;
      },
      ctx);
}

// Moves cartridges between elements, drives included: every check first,
// then the unloads, then the loads; a failure puts back what it can and
// leaves the map unchanged.
bool ChangerDevice::run_steps(const std::vector<Step>& steps, SenseInfo* sense) noexcept {
  auto is_from = [&](uint16_t a) {
    return std::any_of(steps.begin(), steps.end(), [a](const Step& s) { return s.from == a; });
  };
  auto path_of = [&](size_t cart) {
    return media_path(opts_.media_dir, map_.cartridges()[cart].barcode);
  };
  // Checks.
  for (const Step& s : steps) {
    const Element* from = map_.find(s.from);
    const Element* to = map_.find(s.to);
    if (is_drive(from)) {
      IRemovableMedium* m = resolve(from->index);
      if (!m) {
        *sense = sense::internal_target_failure();
        return false;
      }
      // SMC-3: the drive must have unloaded the medium (LOAD UNLOAD with
      // LOAD=0) before the transport can take it.
      if (m->state() == MediumState::loaded || m->removal_prevented()) {
        *sense = removal_prevented_sense();
        return false;
      }
    }
    if (is_drive(to)) {
      IRemovableMedium* m = resolve(to->index);
      if (!m) {
        *sense = sense::internal_target_failure();
        return false;
      }
      if (!is_from(s.to) && m->state() != MediumState::empty) {
        *sense = destination_full();
        return false;
      }
    }
  }
  // Unloads.
  std::vector<const Step*> unloaded;
  auto put_back = [&] {
    for (const Step* s : unloaded) {
      const Element* from = map_.find(s->from);
      Status st = drives_[from->index].medium->load(to_str(path_of(s->cartridge)),
                                                    map_.cartridges()[s->cartridge].write_protect);
      if (st != Status::ok)
        logf(host_, LogLevel::error, "changer: could not put %s back into drive '%s' (status %d)",
             map_.cartridges()[s->cartridge].barcode.c_str(), drives_[from->index].name.c_str(),
             int(st));
    }
  };
  for (const Step& s : steps) {
    const Element* from = map_.find(s.from);
    if (!is_drive(from)) continue;
    IRemovableMedium* m = drives_[from->index].medium;
    if (m->state() == MediumState::empty) continue;  // lost it already (e.g. forced eject)
    Status st = m->unload(false);
    if (st != Status::ok) {
      put_back();
      *sense = st == Status::busy ? removal_prevented_sense() : load_failed();
      logf(host_, LogLevel::warn, "changer: unloading drive '%s' failed (status %d)",
           drives_[from->index].name.c_str(), int(st));
      return false;
    }
    unloaded.push_back(&s);
  }
  // Loads.
  std::vector<IRemovableMedium*> loaded;
  for (const Step& s : steps) {
    const Element* to = map_.find(s.to);
    if (!is_drive(to)) continue;
    IRemovableMedium* m = drives_[to->index].medium;
    const Cartridge& c = map_.cartridges()[s.cartridge];
    std::string path = path_of(s.cartridge);
    Status st = m->load(to_str(path), c.write_protect);
    if (st != Status::ok) {
      logf(host_, LogLevel::error, "changer: loading %s (%s) into drive '%s' failed (status %d)",
           c.barcode.c_str(), path.c_str(), drives_[to->index].name.c_str(), int(st));
      for (IRemovableMedium* l : loaded) l->unload(true);
      put_back();
      *sense = st == Status::busy ? destination_full() : load_failed();
      return false;
    }
    loaded.push_back(m);
  }
  return true;
}

void ChangerDevice::execute(IDeviceCommand* cmd) noexcept {
  ConstByteSpan cdb = cmd->cdb();
  if (!cdb.data || cdb.size < 6) return fail(cmd, sense::invalid_opcode());
  switch (cdb.data[0]) {
    case op::kReadElementStatus:
      return read_element_status(cmd);
    case op::kMoveMedium:
      return move_medium(cmd);
    case op::kExchangeMedium:
      return exchange_medium(cmd);
    case op::kInitializeElementStatus:
      return initialize_element_status(cmd, false);
    case op::kInitializeElementStatusWithRange:
      return initialize_element_status(cmd, true);
    case op::kPositionToElement:
      return position_to_element(cmd);
    case op::kPreventAllowMediumRemoval:
      return prevent_allow(cmd);
    default:
      return fail(cmd, sense::invalid_opcode());
  }
}

void ChangerDevice::read_element_status(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  if (cmd->cdb().size < 12) return fail(cmd, sense::invalid_opcode());
  StatusRequest req;
  uint8_t type = c[1] & 0x0F;
  if (type > uint8_t(ElementType::data_transfer))
    return fail(cmd, sense::invalid_field_in_cdb(1, 3));
  req.type = ElementType(type);
  req.voltag = c[1] & 0x10;
  req.start = get_be16(c + 2);
  req.count = get_be16(c + 4);
  req.dvcid = c[6] & 0x01;  // CURDATA (bit 1): the report is always current, no motion
  uint32_t alloc = get_be24(c + 7);
  try {
    std::lock_guard lock(mu_);
    restore_locked();
    std::vector<DriveView> views;
    for (uint32_t i = 0; i < drives_.size(); ++i) views.push_back(drive_view(i));
    StatusReport r;
    if (!build_element_status(map_, req, views, &r)) return fail(cmd, invalid_element(2));
    size_t n = truncate_to_units(r, alloc);
    reply_data(cmd, std::span(r.data.data(), n));
  } catch (...) {
    return fail(cmd, sense::internal_target_failure());
  }
  cmd->complete(ScsiStatus::good, nullptr);
}

void ChangerDevice::move_medium(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  if (cmd->cdb().size < 12) return fail(cmd, sense::invalid_opcode());
  uint16_t transport = get_be16(c + 2), src = get_be16(c + 4), dst = get_be16(c + 6);
  try {
    std::lock_guard lock(mu_);
    restore_locked();
    switch (map_.check_move(transport, src, dst)) {
      case MoveCheck::ok:
        break;
      case MoveCheck::invalid_transport:
        return fail(cmd, invalid_element(2));
      case MoveCheck::invalid_source:
        return fail(cmd, invalid_element(4));
      case MoveCheck::invalid_destination:
        return fail(cmd, invalid_element(6));
      case MoveCheck::source_empty:
        return fail(cmd, source_empty());
      case MoveCheck::destination_full:
        return fail(cmd, destination_full());
    }
    SenseInfo s{};
    if (!run_steps({Step{src, dst, *map_.find(src)->cartridge}}, &s)) return fail(cmd, s);
    logf(host_, LogLevel::info, "changer: moved %s from %04xh to %04xh",
         map_.cartridge_at(src)->barcode.c_str(), src, dst);
    map_.move(src, dst);
    persist();
  } catch (...) {
    return fail(cmd, sense::internal_target_failure());
  }
  cmd->complete(ScsiStatus::good, nullptr);
}

void ChangerDevice::exchange_medium(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  if (cmd->cdb().size < 12) return fail(cmd, sense::invalid_opcode());
  uint16_t transport = get_be16(c + 2), src = get_be16(c + 4), dst1 = get_be16(c + 6),
           dst2 = get_be16(c + 8);
  try {
    std::lock_guard lock(mu_);
    restore_locked();
    switch (map_.check_exchange(transport, src, dst1, dst2)) {
      case MoveCheck::ok:
        break;
      case MoveCheck::invalid_transport:
        return fail(cmd, invalid_element(2));
      case MoveCheck::invalid_source:
        return fail(cmd, invalid_element(4));
      case MoveCheck::invalid_destination: {
        bool first_bad = !map_.valid(dst1) || dst1 == ElementAddress::kTransport || dst1 == src;
        return fail(cmd, invalid_element(first_bad ? 6 : 8));
      }
      case MoveCheck::source_empty:
        return fail(cmd, source_empty());
      case MoveCheck::destination_full:
        return fail(cmd, destination_full());
    }
    SenseInfo s{};
    std::vector<Step> steps = {Step{src, dst1, *map_.find(src)->cartridge},
                               Step{dst1, dst2, *map_.find(dst1)->cartridge}};
    if (!run_steps(steps, &s)) return fail(cmd, s);
    map_.exchange(src, dst1, dst2);
    persist();
  } catch (...) {
    return fail(cmd, sense::internal_target_failure());
  }
  cmd->complete(ScsiStatus::good, nullptr);
}

void ChangerDevice::initialize_element_status(IDeviceCommand* cmd, bool with_range) noexcept {
  const uint8_t* c = cmd->cdb().data;
  std::lock_guard lock(mu_);
  // SMC-3 6.5: with RANGE=1 the STARTING ELEMENT ADDRESS must name an element.
  if (with_range && cmd->cdb().size >= 10 && (c[1] & 0x01) && !map_.valid(get_be16(c + 2)))
    return fail(cmd, invalid_element(2));
  // The inventory is exact already; "scanning" re-checks the drives.
  restored_ = false;
  restore_locked();
  cmd->complete(ScsiStatus::good, nullptr);
}

void ChangerDevice::position_to_element(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  std::lock_guard lock(mu_);
  if (get_be16(c + 2) != ElementAddress::kTransport) return fail(cmd, invalid_element(2));
  if (!map_.valid(get_be16(c + 4))) return fail(cmd, invalid_element(4));
  cmd->complete(ScsiStatus::good, nullptr);
}

void ChangerDevice::prevent_allow(IDeviceCommand* cmd) noexcept {
  const uint8_t* c = cmd->cdb().data;
  uint8_t prevent = c[4] & 0x03;
  // SMC-3 6.9: 00b allow, 01b prevent; 10b/11b are obsolete for changers.
  if (prevent > 1) return fail(cmd, sense::invalid_field_in_cdb(4, 1));
  std::lock_guard lock(mu_);
  if (prevent)
    preventers_.insert(cmd->nexus_id());
  else
    preventers_.erase(cmd->nexus_id());
  cmd->complete(ScsiStatus::good, nullptr);
}

}  // namespace nexus::changer
