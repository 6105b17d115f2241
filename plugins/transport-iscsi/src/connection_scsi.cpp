// Connection: SCSI Command, Data-Out/R2T, Data-In/SCSI Response, task
// management, and the INexusEvents the core calls for them.
#include <algorithm>
#include <cstring>

#include "connection.h"
#include "nexus/bytes.hpp"

namespace nexus::iscsi {
namespace {

// iSCSI ATTR (§11.3.1) -> SAM task attribute; untagged is treated as simple.
TaskAttr map_attr(uint8_t a) {
  switch (a) {
    case 2:
      return TaskAttr::ordered;
    case 3:
      return TaskAttr::head_of_queue;
    case 4:
      return TaskAttr::aca;
    default:
      return TaskAttr::simple;
  }
}

// RFC 7143 §11.5.1 and RFC 7144 §4 function codes.
bool map_function(uint8_t f, TmfFunction* out) {
  switch (f) {
    case 1:
      *out = TmfFunction::abort_task;
      return true;
    case 2:
      *out = TmfFunction::abort_task_set;
      return true;
    case 3:
      *out = TmfFunction::clear_aca;
      return true;
    case 4:
      *out = TmfFunction::clear_task_set;
      return true;
    case 5:
      *out = TmfFunction::lun_reset;
      return true;
    case 6:
      *out = TmfFunction::target_warm_reset;
      return true;
    case 7:
      *out = TmfFunction::target_cold_reset;
      return true;
    case 9:
      *out = TmfFunction::query_task;
      return true;
    case 10:
      *out = TmfFunction::query_task_set;
      return true;
    case 11:
      *out = TmfFunction::i_t_nexus_reset;
      return true;
    case 12:
      *out = TmfFunction::query_async_event;
      return true;
    default:
      return false;
  }
}

// §11.6.1 response codes.
constexpr uint8_t kTmfComplete = 0, kTmfNoTask = 1, kTmfNoLun = 2, kTmfNoReassign = 4,
                  kTmfNotSupported = 5, kTmfSucceeded = 7, kTmfRejected = 255;

uint8_t map_tmf_response(TmfResponse r) {
  switch (r) {
    case TmfResponse::function_complete:
      return kTmfComplete;
    case TmfResponse::function_succeeded:
      return kTmfSucceeded;
    case TmfResponse::function_rejected:
      return kTmfRejected;
    case TmfResponse::incorrect_lun:
      return kTmfNoLun;
    case TmfResponse::service_delivery_failure:
      return kTmfRejected;
    case TmfResponse::task_not_found:
      return kTmfNoTask;
    case TmfResponse::not_supported:
      return kTmfNotSupported;
  }
  return kTmfRejected;
}

}  // namespace

Task* Connection::find_task(uint32_t itt) { return tasks_.find(itt); }

void Connection::erase_task(Task* t) {
  if (rx_task_ == t) rx_retarget_to_sink();
  tasks_.erase(t);
}

void Connection::release_all_tasks() {
  if (rx_task_) rx_retarget_to_sink();
  for (Task* t : tasks_.take_all()) {
    t->cmd->release();
    tasks_.recycle(t);
  }
}

void Connection::scsi_command_header() {
  uint32_t dsl = cur_common_.data_length;
  ScsiCommand c;
  if (!ScsiCommand::decode(cur_, &c)) {
    send_reject(RejectReason::invalid_pdu_field);
    return set_rx_discard(dsl);
  }
  if (discovery_ || !nexus_) {  // no SCSI in discovery sessions (§4.3)
    send_reject(RejectReason::protocol_error);
    return set_rx_discard(dsl);
  }
  if (phase_ == Phase::logging_out) {
    send_reject(RejectReason::waiting_for_logout);
    return set_rx_discard(dsl);
  }
  if (!check_cmd_sn(c.immediate, c.cmd_sn)) return set_rx_discard(dsl);
  if (find_task(c.itt)) {
    send_reject(RejectReason::task_in_progress);
    return set_rx_discard(dsl);
  }
  // Immediate and unsolicited data only as negotiated (§13.10, §13.11, §13.14).
  if ((dsl && !params_.immediate_data) || (!c.final && params_.initial_r2t) ||
      dsl > params_.first_burst || dsl > c.expected_length) {
    send_reject(RejectReason::protocol_error);
    return set_rx_discard(dsl);
  }
  // Additional header segments: extended CDB (type 1), bidi read length (type 2).
  uint8_t cdb[16 + 1020];
  std::memcpy(cdb, c.cdb, 16);
  size_t cdb_len = 16;
  uint32_t bidi_read = 0;
  for (size_t pos = 0; pos + 4 <= cur_ahs_.size();) {
    uint16_t alen = get_be16(&cur_ahs_[pos]);
    uint8_t type = cur_ahs_[pos + 2];
    if (pos + 3 + alen > cur_ahs_.size() || alen == 0) {
      send_reject(RejectReason::invalid_pdu_field);
      return set_rx_discard(dsl);
    }
    if (type == 1 && alen > 1) {
      std::memcpy(cdb + 16, &cur_ahs_[pos + 4], alen - 1);
      cdb_len = std::min<size_t>(16 + alen - 1, 260);
    } else if (type == 2 && alen == 5) {
      bidi_read = get_be32(&cur_ahs_[pos + 4]);
    }
    pos += 3 + alen;
    pos = (pos + 3) & ~size_t(3);
  }

  CommandDesc d{};
  d.struct_size = sizeof d;
  d.attr = map_attr(c.attr);
  d.dir = c.read && c.write ? DataDir::bidi
          : c.write         ? DataDir::write
          : c.read          ? DataDir::read
                            : DataDir::none;
  d.cdb_length = uint8_t(cdb_len);
  d.lun = c.lun;
  d.tag = c.itt;
  d.cdb = cdb;
  d.expected_length = c.expected_length;
  d.expected_in_length = d.dir == DataDir::bidi ? bidi_read : 0;
  ITransportCommand* cmd = nexus_->new_command(&d);
  if (!cmd) return drop("core returned no command");

  Task* t = tasks_.acquire();
  t->itt = c.itt;
  t->cmd = cmd;
  t->lun = c.lun;
  t->dir = d.dir;
  t->expected_in = d.dir == DataDir::bidi   ? bidi_read
                   : d.dir == DataDir::read ? c.expected_length
                                            : 0;
  t->data_out.init(c.write ? c.expected_length : 0, dsl, !c.final, params_.first_burst);
  tasks_.insert(t);
  if (dsl) {
    set_rx_command(t, 0, dsl);  // immediate data lands in the command buffer
  } else {
    rx_task_ = t;
  }
}

void Connection::start_command(Task* t) {
  rx_task_ = nullptr;
  t->started = true;
  // The core may answer synchronously; t must not be used after start().
  t->cmd->start(t->data_out.received());
}

void Connection::data_out_header() {
  uint32_t dsl = cur_common_.data_length;
  DataOut d;
  DataOut::decode(cur_, &d);
  Task* t = find_task(d.itt);
  if (!t) return set_rx_discard(dsl);  // finished or aborted task: drop its data
  std::string why;
  if (!t->data_out.accept(d.ttt, d.data_sn, d.buffer_offset, dsl, d.final, &why)) return drop(why);
  if (dsl) {
    set_rx_command(t, d.buffer_offset, dsl);
  } else {
    rx_task_ = t;
  }
}

void Connection::data_out_complete(Task* t) {
  rx_task_ = nullptr;
  if (t->response_deferred && !t->data_out.unsolicited_pending()) {
    t->response_deferred = false;
    return respond(t);
  }
  if (!t->started) return;
  if (t->data_out.request_satisfied()) {
    t->data_out.clear_request();
    return t->cmd->data_out_done(Status::ok);
  }
  issue_r2ts(t);
}

void Connection::issue_r2ts(Task* t) {
  R2TPlan plan;
  while (t->data_out.next_r2t(params_.max_burst, params_.max_outstanding_r2t, next_ttt(), &plan)) {
    TxPdu p;
    R2T r;
    r.lun = t->lun;
    r.itt = t->itt;
    r.ttt = plan.ttt;
    r.stat_sn = stat_sn_;  // R2T does not advance StatSN
    r.exp_cmd_sn = exp_cmd_sn_;
    r.max_cmd_sn = max_cmd_sn();
    r.r2t_sn = plan.r2t_sn;
    r.buffer_offset = plan.offset;
    r.desired_length = plan.length;
    r.encode(p.header);
    queue(std::move(p));
  }
}

void Connection::request_data_out(ITransportCommand* cmd, uint32_t offset,
                                  uint32_t length) noexcept {
  Task* t = find_task(uint32_t(cmd->tag()));
  if (!t || t->cmd != cmd) return;  // already released by us (connection gone)
  t->data_out.request(offset + length);
  if (t->data_out.request_satisfied()) {
    t->data_out.clear_request();
    return cmd->data_out_done(Status::ok);
  }
  // Outside on_fd() queue() posts one flush for everything queued meanwhile.
  issue_r2ts(t);
}

void Connection::send_response(ITransportCommand* cmd) noexcept {
  Task* t = find_task(uint32_t(cmd->tag()));
  if (!t || t->cmd != cmd) return;  // already released by us (connection gone)
  // §11.4.x: while unsolicited data is still due, the response waits for it.
  if (t->data_out.unsolicited_pending()) {
    t->response_deferred = true;
    return;
  }
  // Outside on_fd() queue() posts one flush for everything queued meanwhile.
  respond(t);
}

void Connection::respond(Task* t) {
  ITransportCommand* cmd = t->cmd;
  erase_task(t);
  ScsiStatus st = cmd->status();
  ConstByteSpan sense = cmd->sense();
  bool reads = t->dir == DataDir::read || t->dir == DataDir::bidi;
  uint32_t len = reads ? std::min(cmd->data_in_length(), cmd->buffer_length()) : 0;
  uint8_t rflags = cmd->residual_flags();
  uint32_t rcount = cmd->residual_count();
  if (reads && len > t->expected_in) {  // never send more than the initiator expects
    if (!rflags) {
      rflags = Residual::overflow;
      rcount = len - t->expected_in;
    }
    len = t->expected_in;
  } else if (reads && !rflags && len < t->expected_in) {
    rflags = Residual::underflow;
    rcount = t->expected_in - len;
  }
  bool overflow = rflags & Residual::overflow, underflow = rflags & Residual::underflow;
  // Phase collapse (§11.7.4): status rides on the last Data-In when GOOD without sense.
  bool collapse = len && st == ScsiStatus::good && sense.size == 0;

  const IoVec* v = nullptr;
  uint32_t nv = cmd->iov(&v);
  uint32_t vi = 0;
  uint64_t vo = 0;
  uint32_t seg = std::max<uint32_t>(params_.initiator_max_recv, 512);
  uint32_t burst = std::max<uint32_t>(params_.max_burst, 512);
  uint32_t in_burst = 0;
  for (uint32_t off = 0; off < len;) {
    uint32_t n = std::min({seg, len - off, burst - in_burst});
    bool last = off + n == len;
    in_burst += n;
    bool end_of_sequence = last || in_burst == burst;
    if (end_of_sequence) in_burst = 0;
    TxPdu p;
    DataIn di;
    di.final = end_of_sequence;
    di.has_status = last && collapse;
    di.lun = t->lun;
    di.itt = t->itt;
    di.ttt = kReservedTag;
    di.exp_cmd_sn = exp_cmd_sn_;
    di.max_cmd_sn = max_cmd_sn();
    di.data_sn = t->data_sn++;
    di.buffer_offset = off;
    di.data_length = n;
    if (di.has_status) {
      di.status = uint8_t(st);
      di.stat_sn = stat_sn_++;
      di.overflow = overflow;
      di.underflow = underflow;
      di.residual = rcount;
      p.release_after = cmd;
    }
    di.encode(p.header);
    for (uint32_t want = n; want && vi < nv;) {
      uint64_t take = std::min<uint64_t>(v[vi].len - vo, want);
      p.data.push_back(iovec{v[vi].base + vo, size_t(take)});
      want -= uint32_t(take);
      vo += take;
      if (vo == v[vi].len) {
        ++vi;
        vo = 0;
      }
    }
    queue(std::move(p));
    off += n;
  }
  if (!collapse) {
    TxPdu p;
    ScsiResponse r;
    r.status = uint8_t(st);
    r.itt = t->itt;
    r.overflow = overflow;
    r.underflow = underflow;
    r.residual = rcount;
    r.exp_data_sn = t->data_sn;
    r.stat_sn = stat_sn_++;
    r.exp_cmd_sn = exp_cmd_sn_;
    r.max_cmd_sn = max_cmd_sn();
    if (sense.size) {  // §11.4.7: SenseLength then the sense data
      size_t n = std::min<uint64_t>(sense.size, 0xffff);
      p.owned.resize(2 + n);
      put_be16(reinterpret_cast<uint8_t*>(p.owned.data()), uint16_t(n));
      std::memcpy(p.owned.data() + 2, sense.data, n);
    }
    r.data_length = uint32_t(p.owned.size());
    r.encode(p.header);
    p.release_after = cmd;
    queue(std::move(p));
  }
  tasks_.recycle(t);
}

void Connection::command_aborted(ITransportCommand* cmd) noexcept {
  Task* t = find_task(uint32_t(cmd->tag()));
  if (!t || t->cmd != cmd) return;  // already released by us (connection gone)
  erase_task(t);                    // its remaining Data-Out is discarded as unknown
  tasks_.recycle(t);
  cmd->release();
}

void Connection::handle_tmf() {
  TaskMgmtRequest r;
  if (!TaskMgmtRequest::decode(cur_, &r)) return send_reject(RejectReason::invalid_pdu_field);
  if (discovery_ || !nexus_) return send_reject(RejectReason::protocol_error);
  uint32_t window_start = exp_cmd_sn_, window_end = max_cmd_sn();  // before this request
  if (!check_cmd_sn(r.immediate, r.cmd_sn)) return;
  auto answer = [&](uint8_t code) {
    TxPdu p;
    TaskMgmtResponse t;
    t.response = code;
    t.itt = r.itt;
    t.stat_sn = stat_sn_++;
    t.exp_cmd_sn = exp_cmd_sn_;
    t.max_cmd_sn = max_cmd_sn();
    t.encode(p.header);
    queue(std::move(p));
  };
  if (r.function == 8) return answer(kTmfNoReassign);  // TASK REASSIGN needs ERL 2
  TmfFunction f;
  if (!map_function(r.function, &f)) return answer(kTmfNotSupported);
  if (f == TmfFunction::abort_task && !find_task(r.referenced_tag)) {
    // §11.6.1: a RefCmdSN inside the window and before this request means
    // the command is still in flight (consider it received): "function
    // complete". Otherwise it completed or never existed: "task does not
    // exist".
    bool in_window = int32_t(r.ref_cmd_sn - window_start) >= 0 &&
                     int32_t(r.ref_cmd_sn - window_end) <= 0 &&
                     int32_t(r.ref_cmd_sn - r.cmd_sn) < 0;
    return answer(in_window ? kTmfComplete : kTmfNoTask);
  }
  tmfs_[r.itt] = r.function;
  TmfDesc d{};
  d.struct_size = sizeof d;
  d.function = f;
  d.lun = r.lun;
  d.referenced_tag = r.referenced_tag;
  d.tmf_tag = r.itt;
  nexus_->task_mgmt(&d);
}

void Connection::tmf_done(uint64_t tmf_tag, TmfResponse response) noexcept {
  uint8_t function = 0;
  if (auto it = tmfs_.find(uint32_t(tmf_tag)); it != tmfs_.end()) {
    function = it->second;
    tmfs_.erase(it);
  }
  TxPdu p;
  TaskMgmtResponse t;
  t.response = map_tmf_response(response);
  t.itt = uint32_t(tmf_tag);
  t.stat_sn = stat_sn_++;
  t.exp_cmd_sn = exp_cmd_sn_;
  t.max_cmd_sn = max_cmd_sn();
  t.encode(p.header);
  // §11.5.1: TARGET COLD RESET closes the connections after the response.
  p.close_after = function == 7 && t.response == kTmfComplete;
  queue(std::move(p));
}

}  // namespace nexus::iscsi
