#include "core/nexus_session.h"

#include <spdlog/spdlog.h>

#include "core/core.h"
#include "core/logical_unit.h"
#include "core/reactor.h"
#include "core/spc_bridge.h"
#include "core/tmf_wait.h"
#include "nexus/bytes.hpp"
#include "nexus/sense.hpp"
#include "scsi/lun_encoding.h"

namespace nexus::server {

Nexus::Nexus(Core& core, uint64_t id, Reactor& reactor, const SessionDesc& desc,
             INexusEvents* events, std::vector<LunEntry> luns, uint32_t queue_depth)
    : core_(core),
      id_(id),
      reactor_(reactor),
      events_(events),
      initiator_(to_sv(desc.initiator_name)),
      port_id_(to_sv(desc.initiator_port_id)),
      target_(to_sv(desc.target_name)),
      rel_port_(desc.relative_port),
      luns_(std::move(luns)),
      queue_depth_(queue_depth) {
  // iSCSI initiator port names are "<name>,i,0x<ISID>" (RFC 7143 §4.2.7.1);
  // reservations are keyed by name + ISID (SPC-4 5.13.1).
  identity_.initiator_name = initiator_;
  if (auto p = port_id_.find(",i,0x"); p != std::string::npos) {
    identity_.isid = port_id_.substr(p + 5);
    for (char& ch : identity_.isid) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  }
  identity_.relative_target_port = rel_port_;
  identity_.nexus_id = id_;
  label_ = port_id_.empty() ? initiator_ : port_id_;
  label_ += " -> " + target_;
  free_.reserve(queue_depth_ + 8);
}

Nexus::~Nexus() {
  for (Command* c : free_) delete c;
}

const LunEntry* Nexus::find_lun(uint32_t lun) const noexcept {
  for (const auto& e : luns_)
    if (e.lun == lun) return &e;
  return nullptr;
}

std::vector<uint32_t> Nexus::lun_numbers() const {
  std::vector<uint32_t> v;
  v.reserve(luns_.size());
  for (const auto& e : luns_) v.push_back(e.lun);
  return v;
}

void Nexus::log(LogLevel level, Str message) noexcept {
  spdlog::log(static_cast<spdlog::level::level_enum>(level), "[{}] {}", label_, to_sv(message));
}

Command* Nexus::alloc_command() noexcept {
  if (!free_.empty()) {
    Command* c = free_.back();
    free_.pop_back();
    return c;
  }
  return new (std::nothrow) Command(this);
}

ITransportCommand* Nexus::new_command(const CommandDesc* desc) noexcept {
  Command* c = alloc_command();
  if (!c) return nullptr;  // out of memory: the transport drops the connection
  c->init(*desc);
  c->nx_prev_ = nullptr;
  c->nx_next_ = live_head_;
  if (live_head_) live_head_->nx_prev_ = c;
  live_head_ = c;
  ++live_;

  if (closing_) {
    c->fail(ScsiStatus::busy, nullptr);
    return c;
  }
  // SAM-5 5.3: TASK SET FULL when this nexus already has commands
  // outstanding; BUSY when it has none (the limit is then global).
  if (live_ > queue_depth_) {
    c->fail(ScsiStatus::task_set_full, nullptr);
    return c;
  }
  if (desc->cdb_length == 0 || desc->cdb_length > 32 || !desc->cdb) {
    SenseInfo s = sense::invalid_opcode();
    c->fail(ScsiStatus::check_condition, &s);
    return c;
  }
  auto lun = scsi::decode_lun(desc->lun);
  const LunEntry* entry = lun ? find_lun(*lun) : nullptr;
  if (entry) {
    c->lu_ = entry->lu;
    c->read_only_ = entry->read_only;
    // SAM-5 5.3: the LU's task set is full across all nexuses.
    if (!entry->lu->admit_outstanding()) {
      c->fail(live_ > 1 ? ScsiStatus::task_set_full : ScsiStatus::busy, nullptr);
      return c;
    }
    c->counted_in_lu_ = true;
  }
  Admission a = admit_command(c->lu_, lun.value_or(0xFFFFFFFF), c->cdb_, c->cdb_len_);
  c->row_ = a.row;
  if (!a.ok) {
    c->fail(ScsiStatus::check_condition, &a.sense);
    return c;
  }
  c->needed_ = a.length;
  c->data_out_ = a.data_out;
  c->alloc_len_ = a.alloc_len;
  c->lba_ = a.lba;
  c->blocks_ = a.blocks;
  c->access_ = a.access;
  uint32_t length = a.length;
  bool sends = desc->dir == DataDir::write || desc->dir == DataDir::bidi;
  uint32_t offered = sends ? desc->expected_length : 0;
  if ((a.row->flags & OpcodeFlags::exact_data_out) && offered != a.length) {
    // WRITE SAME and COMPARE AND WRITE are meaningless with a partial or
    // padded buffer (also when the CDB implies no data at all).
    SenseInfo s = sense::invalid_field_in_cdb(0);
    c->fail(ScsiStatus::check_condition, &s);
    return c;
  }
  if (a.whole_data_out && offered < a.length) {
    // Less Data-Out than the CDB asks for is acted on in whole blocks below,
    // but a real device behind a pass-through handler gets the original CDB
    // and would wait for data that never comes, or write garbage.
    SenseInfo s = sense::invalid_field_in_cdb(a.row->len_size ? a.row->len_offset : 0);
    c->fail(ScsiStatus::check_condition, &s);
    return c;
  }
  if (a.data_out) {
    // SAM-5 5.4.3 / RFC 7143 11.4.5.2: with less Data-Out than the CDB asks
    // for, only what the initiator sends is transferred (the handler acts on
    // whole blocks) and the response reports the overflow.
    if (offered < length) length = offered;
  }
  if (!core_.buffers().allocate(length, c->buf_)) {
    c->fail(live_ > 1 ? ScsiStatus::task_set_full : ScsiStatus::busy, nullptr);
    return c;
  }
  return c;
}

void Nexus::command_released(Command* c) noexcept {
  if (c->nx_prev_)
    c->nx_prev_->nx_next_ = c->nx_next_;
  else
    live_head_ = c->nx_next_;
  if (c->nx_next_) c->nx_next_->nx_prev_ = c->nx_prev_;
  c->nx_prev_ = c->nx_next_ = nullptr;
  --live_;
  if (free_.size() < queue_depth_ + 8)
    free_.push_back(c);
  else
    delete c;
  maybe_closed();
}

void Nexus::abort_matching(LogicalUnit* lu, bool use_tag, uint64_t tag, bool tas,
                           const std::shared_ptr<TmfWait>& waiter) noexcept {
  // Collect first: aborting may release commands and edit the list.
  std::vector<Command*> hit;
  for (Command* c = live_head_; c; c = c->nx_next_) {
    if (c->state() == CommandState::done) continue;
    if (lu && c->lu() != lu) continue;
    if (use_tag && c->tag() != tag) continue;
    hit.push_back(c);
  }
  for (Command* c : hit) c->abort(waiter, tas);
}

bool Nexus::has_task(LogicalUnit* lu, bool use_tag, uint64_t tag) const noexcept {
  for (Command* c = live_head_; c; c = c->nx_next_) {
    if (c->state() == CommandState::done) continue;
    if (lu && c->lu() != lu) continue;
    if (use_tag && c->tag() != tag) continue;
    return true;
  }
  return false;
}

void Nexus::task_mgmt(const TmfDesc* tmf) noexcept {
  auto wait = std::make_shared<TmfWait>();
  wait->origin = shared_from_this();
  wait->tmf_tag = tmf->tmf_tag;
  ++pending_tmfs_;
  auto lun = scsi::decode_lun(tmf->lun);
  const LunEntry* entry = lun ? find_lun(*lun) : nullptr;
  LogicalUnit* lu = entry ? entry->lu : nullptr;
  auto needs_lu = [&]() {
    if (lu) return true;
    wait->response = TmfResponse::incorrect_lun;
    return false;
  };
  switch (tmf->function) {
    case TmfFunction::abort_task:
      if (needs_lu()) abort_matching(lu, true, tmf->referenced_tag, false, wait);
      break;
    case TmfFunction::abort_task_set:
      if (needs_lu()) abort_matching(lu, false, 0, false, wait);
      break;
    case TmfFunction::clear_task_set:
      if (needs_lu()) core_.clear_task_set(*this, lu, wait, false);
      break;
    case TmfFunction::lun_reset:
      if (needs_lu()) core_.clear_task_set(*this, lu, wait, true);
      break;
    case TmfFunction::i_t_nexus_reset:
      core_.nexus_reset(*this, wait);
      break;
    case TmfFunction::target_warm_reset:
    case TmfFunction::target_cold_reset:
      for (const auto& e : luns_) core_.clear_task_set(*this, e.lu, wait, true);
      break;
    case TmfFunction::query_task:
      if (needs_lu())
        wait->response = has_task(lu, true, tmf->referenced_tag) ? TmfResponse::function_succeeded
                                                                 : TmfResponse::function_complete;
      break;
    case TmfFunction::query_task_set:
      if (needs_lu())
        wait->response = has_task(lu, false, 0) ? TmfResponse::function_succeeded
                                                : TmfResponse::function_complete;
      break;
    case TmfFunction::query_async_event:
      if (needs_lu()) {
        std::lock_guard lock(lu->mu());
        wait->response = lu->uas().pending(id_) ? TmfResponse::function_succeeded
                                                : TmfResponse::function_complete;
      }
      break;
    case TmfFunction::clear_aca:
      // ACA is not supported (INQUIRY NormACA=0, NACA=1 CDBs are rejected).
      wait->response = TmfResponse::function_rejected;
      break;
    default:
      wait->response = TmfResponse::not_supported;
      break;
  }
  wait->done_one();
}

void Nexus::tmf_finished() noexcept {
  --pending_tmfs_;
  maybe_closed();
}

void Nexus::close(bool lost) noexcept {
  if (closing_) return;
  closing_ = true;
  spdlog::info("[{}] nexus {} ({} commands outstanding)", label_, lost ? "lost" : "closed", live_);
  core_.nexus_closing(*this, lost);
  std::vector<Command*> started;
  for (Command* c = live_head_; c; c = c->nx_next_)
    if (c->state() != CommandState::done && c->state() != CommandState::created)
      started.push_back(c);
  for (Command* c : started) c->abort(nullptr, false);
  maybe_closed();
}

void Nexus::maybe_closed() noexcept {
  if (!closing_ || closed_reported_ || live_ != 0 || pending_tmfs_ != 0) return;
  closed_reported_ = true;
  for (const auto& e : luns_) e.lu->detach_nexus(this);
  INexusEvents* ev = events_;
  core_.remove_nexus(id_);  // keeps the object alive until this call stack unwinds
  ev->closed();
}

}  // namespace nexus::server
