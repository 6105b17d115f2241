// Connection I/O: the receive state machine (BHS -> AHS -> header digest ->
// data segment straight into its destination -> padding/data digest), the
// transmit queue, timers and teardown.
#include "connection.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "crc32c.h"
#include "nexus/bytes.hpp"
#include "socket_util.h"

namespace nexus::iscsi {
namespace {
constexpr size_t kSinkSize = 64 * 1024;
constexpr size_t kMaxRxIov = 64;
constexpr size_t kTxHighWater = 1024;  // stop reading while this many PDUs wait to go out
// Read-ahead for headers: 85 BHSs, i.e. a whole QD64 batch of READs. Data
// segments are read straight into their buffers; only the part of one that
// happens to share a read with headers is copied from here.
constexpr size_t kStageSize = 4096;
}  // namespace

Connection::Connection(IscsiTransport* transport, IReactor* reactor, int fd)
    : transport_(transport), reactor_(reactor), cfg_(transport->config()), fd_(fd) {}

Connection::~Connection() {
  if (keepalive_timer_) keepalive_timer_->release();
  if (logout_timer_) logout_timer_->release();
  if (tsih_) transport_->unregister_session(session_key_, id_, tsih_);
  if (reinstate_waiter_)
    transport_->send_to(reinstate_waiter_reactor_, reinstate_waiter_,
                        IscsiTransport::Op::resume_login);
  transport_->connection_destroyed(id_);
}

void Connection::start() {
  id_ = transport_->register_connection(this, reactor_->index());
  peer_ = peer_address(fd_);
  local_addr_ = local_address(fd_);
  tune_accepted_socket(fd_);
  login_ = std::make_unique<LoginStateMachine>(transport_, cfg_.offer);
  keepalive_timer_ = reactor_->create_timer(&Connection::on_keepalive_timer, this);
  watch_ = reactor_->watch_fd(fd_, FdEvents::readable, &Connection::on_fd, this);
  if (!watch_ || !keepalive_timer_) return drop("cannot watch the socket");
  if (transport_->shutting_down()) return drop("target shutting down");
  if (cfg_.login_timeout_s && keepalive_timer_)
    keepalive_timer_->arm(uint64_t(cfg_.login_timeout_s) * 1000);
  logf(LogLevel::debug, "connection from %s", peer_.c_str());
}

void Connection::logf(LogLevel level, const char* fmt, ...) {
  char buf[768];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::string msg = "iscsi " + peer_;
  if (!initiator_.empty()) msg += " " + initiator_;
  msg += ": ";
  msg += buf;
  transport_->log(level, msg);
}

void Connection::on_fd(void* ctx, uint32_t events) noexcept {
  auto* c = static_cast<Connection*>(ctx);
  if (c->dropping_) return;
  c->in_io_ = true;
  if (events & FdEvents::writable) c->flush_pending_ = true;
  if (events & (FdEvents::readable | FdEvents::error)) c->on_readable();
  c->in_io_ = false;
  // One sendmsg() for every response this batch of PDUs produced.
  if (!c->dropping_ && c->flush_pending_) {
    c->flush_pending_ = false;
    c->flush();
  }
  if (!c->dropping_) c->maybe_resume();
}

void Connection::resume_cb(void* ctx) noexcept {
  auto* c = static_cast<Connection*>(ctx);
  c->resume_posted_ = false;
  on_fd(ctx, FdEvents::readable);
}

// Staged bytes, and bytes left in an edge-triggered socket, do not make the
// fd readable again: when reading stopped with some left (budget, transmit
// backlog), come back through the loop.
void Connection::maybe_resume() {
  if (resume_posted_ || dropping_ || !deferred_drop_.empty()) return;
  if (stage_pos_ == stage_len_ && !rx_pending_) return;
  if (tx_.size() > kTxHighWater || phase_ == Phase::waiting_reinstatement) return;
  resume_posted_ = true;
  reactor_->post(&Connection::resume_cb, this);
}

// Copies staged bytes into the current data segment's destination (and its
// padding/digest); returns how many it took.
size_t Connection::rx_consume(const uint8_t* src, size_t n) {
  size_t used = 0;
  while (used < n && rx_iov_pos_ < rx_iov_.size()) {
    iovec& s = rx_iov_[rx_iov_pos_];
    size_t take = std::min(n - used, s.iov_len);
    std::memcpy(s.iov_base, src + used, take);
    if (data_digest_ && rx_digest_valid_) rx_crc_ = crc32c_update(rx_crc_, s.iov_base, take);
    s.iov_base = static_cast<uint8_t*>(s.iov_base) + take;
    s.iov_len -= take;
    used += take;
    if (s.iov_len == 0) ++rx_iov_pos_;
  }
  size_t take = std::min(n - used, rx_tail_len_ - rx_tail_have_);
  std::memcpy(rx_tail_ + rx_tail_have_, src + used, take);
  rx_tail_have_ += take;
  return used + take;
}

void Connection::on_readable() {
  // Once a read comes back short the socket is empty: stop there instead of
  // paying for a read() that says EAGAIN.
  bool drained = false;
  // Until the socket is seen empty, bytes may be left in it: the fd watch
  // may be edge-triggered (Asio registers EPOLLET), so a stop for the budget
  // or the transmit backlog must come back by itself (maybe_resume).
  rx_pending_ = true;
  for (int budget = 256; budget > 0 && !dropping_; --budget) {
    if (tx_.size() > kTxHighWater || phase_ == Phase::waiting_reinstatement) return;
    if (rx_ == Rx::header) {
      size_t need = kBhsLen;
      if (hdr_have_ >= kBhsLen) need += size_t(hdr_[4]) * 4 + (header_digest_ ? 4 : 0);
      if (hdr_have_ >= need) {
        header_complete();
        continue;
      }
      if (stage_pos_ == stage_len_) {
        if (drained) {
          rx_pending_ = false;
          return;
        }
        if (!stage_) stage_.reset(new uint8_t[kStageSize]);
        ssize_t n = ::recv(fd_, stage_.get(), kStageSize, MSG_DONTWAIT);
        if (n == 0) return drop("connection closed by peer");
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK) {
            rx_pending_ = false;
            return;
          }
          return drop(std::string("read: ") + std::strerror(errno));
        }
        stage_pos_ = 0;
        stage_len_ = size_t(n);
        drained = stage_len_ < kStageSize;
        rx_activity_ = true;
      }
      size_t k = std::min(need - hdr_have_, stage_len_ - stage_pos_);
      std::memcpy(hdr_ + hdr_have_, stage_.get() + stage_pos_, k);
      stage_pos_ += k;
      bool had_bhs = hdr_have_ >= kBhsLen;
      hdr_have_ += k;
      // Before login completes only AHS-less Login Requests are valid; refuse
      // anything else at once instead of waiting for an AHS that won't come.
      if (!had_bhs && hdr_have_ >= kBhsLen && phase_ == Phase::login &&
          ((hdr_[0] & 0x3f) != uint8_t(Opcode::login_request) || hdr_[4] != 0))
        return drop("not a Login Request during login");
      continue;
    }
    // Data segment: first what was read ahead, then straight from the socket
    // into the destination slices, padding/digest and the next BHS, all in
    // one readv.
    if (stage_pos_ < stage_len_) {
      stage_pos_ += rx_consume(stage_.get() + stage_pos_, stage_len_ - stage_pos_);
      while (rx_iov_pos_ < rx_iov_.size() && rx_iov_[rx_iov_pos_].iov_len == 0) ++rx_iov_pos_;
      if (rx_iov_pos_ >= rx_iov_.size() && rx_tail_have_ == rx_tail_len_) data_complete();
      continue;
    }
    if (drained) {
      rx_pending_ = false;
      return;
    }
    while (rx_iov_pos_ < rx_iov_.size() && rx_iov_[rx_iov_pos_].iov_len == 0) ++rx_iov_pos_;
    iovec iov[kMaxRxIov + 2];
    size_t n_iov = 0, asked = 0;
    for (size_t i = rx_iov_pos_; i < rx_iov_.size() && n_iov < kMaxRxIov; ++i)
      if (rx_iov_[i].iov_len) iov[n_iov++] = rx_iov_[i];
    if (rx_iov_.size() - rx_iov_pos_ <= kMaxRxIov) {
      if (rx_tail_have_ < rx_tail_len_)
        iov[n_iov++] = iovec{rx_tail_ + rx_tail_have_, rx_tail_len_ - rx_tail_have_};
      iov[n_iov++] = iovec{hdr_, kBhsLen};  // hdr_have_ is 0 while in data
    }
    for (size_t i = 0; i < n_iov; ++i) asked += iov[i].iov_len;
    ssize_t n = ::readv(fd_, iov, int(n_iov));
    if (n == 0) return drop("connection closed by peer");
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        rx_pending_ = false;
        return;
      }
      return drop(std::string("read: ") + std::strerror(errno));
    }
    drained = size_t(n) < asked;
    rx_activity_ = true;
    size_t left = size_t(n);
    while (left && rx_iov_pos_ < rx_iov_.size()) {
      iovec& s = rx_iov_[rx_iov_pos_];
      size_t take = std::min(left, s.iov_len);
      if (data_digest_ && rx_digest_valid_) rx_crc_ = crc32c_update(rx_crc_, s.iov_base, take);
      s.iov_base = static_cast<uint8_t*>(s.iov_base) + take;
      s.iov_len -= take;
      left -= take;
      if (s.iov_len == 0) ++rx_iov_pos_;
    }
    while (rx_iov_pos_ < rx_iov_.size() && rx_iov_[rx_iov_pos_].iov_len == 0) ++rx_iov_pos_;
    size_t take = std::min(left, rx_tail_len_ - rx_tail_have_);
    rx_tail_have_ += take;
    left -= take;
    hdr_have_ += left;
    if (rx_iov_pos_ >= rx_iov_.size() && rx_tail_have_ == rx_tail_len_) data_complete();
  }
}

void Connection::header_complete() {
  size_t ahs = size_t(hdr_[4]) * 4;
  if (header_digest_) {
    if (crc32c(hdr_, kBhsLen + ahs) != get_digest(hdr_ + kBhsLen + ahs))
      return drop("header digest error");
  }
  std::memcpy(cur_, hdr_, kBhsLen);
  cur_ahs_.assign(hdr_ + kBhsLen, hdr_ + kBhsLen + ahs);
  hdr_have_ = 0;
  cur_common_ = decode_common(cur_);
  uint32_t dsl = cur_common_.data_length;
  uint32_t limit = phase_ == Phase::login ? kLoginMaxSegment : params_.target_max_recv;
  if (dsl > limit) {
    return drop("data segment of " + std::to_string(dsl) + " bytes exceeds " +
                std::to_string(limit));
  }
  rx_task_ = nullptr;
  rx_discard_ = false;
  Opcode op = cur_common_.opcode;
  switch (phase_) {
    case Phase::login:
      if (op != Opcode::login_request) return drop("non-login PDU during login");
      set_rx_buffer(dsl);
      break;
    case Phase::waiting_reinstatement:
      return drop("PDU while the login is pending");
    case Phase::full_feature:
    case Phase::logging_out:
      if (op == Opcode::scsi_command) {
        scsi_command_header();
      } else if (op == Opcode::data_out) {
        data_out_header();
      } else {
        set_rx_buffer(dsl);
      }
      break;
  }
  if (dropping_) return;
  if (dsl == 0) {
    dispatch();
  } else {
    begin_data(dsl);
  }
}

void Connection::begin_data(uint32_t len) {
  rx_ = Rx::data;
  rx_iov_pos_ = 0;
  rx_tail_have_ = 0;
  rx_tail_len_ = (padded(len) - len) + (data_digest_ ? 4 : 0);
  rx_crc_ = crc32c_init();
  rx_digest_valid_ = !rx_discard_;
}

void Connection::set_rx_buffer(uint32_t len) {
  rx_buf_.resize(len);
  rx_iov_.assign(1, iovec{rx_buf_.data(), len});
}

void Connection::set_rx_discard(uint32_t len) {
  if (!sink_) sink_.reset(new uint8_t[kSinkSize]);
  rx_iov_.clear();
  rx_discard_ = true;
  for (uint32_t left = len; left;) {
    size_t n = std::min<size_t>(left, kSinkSize);
    rx_iov_.push_back(iovec{sink_.get(), n});
    left -= uint32_t(n);
  }
}

void Connection::set_rx_command(Task* t, uint32_t offset, uint32_t len) {
  rx_iov_.clear();
  const IoVec* v = nullptr;
  uint32_t n = t->cmd->iov(&v);
  uint64_t skip = offset, want = len;
  for (uint32_t i = 0; i < n && want; ++i) {
    if (skip >= v[i].len) {
      skip -= v[i].len;
      continue;
    }
    uint64_t take = std::min<uint64_t>(v[i].len - skip, want);
    rx_iov_.push_back(iovec{v[i].base + skip, size_t(take)});
    want -= take;
    skip = 0;
  }
  if (want) {  // the buffer is shorter than the data: discard the rest
    if (!sink_) sink_.reset(new uint8_t[kSinkSize]);
    for (; want;) {
      size_t k = std::min<uint64_t>(want, kSinkSize);
      rx_iov_.push_back(iovec{sink_.get(), k});
      want -= k;
    }
  }
  rx_task_ = t;
}

void Connection::rx_retarget_to_sink() {
  // The command buffer is going away while its data is still arriving.
  if (!sink_) sink_.reset(new uint8_t[kSinkSize]);
  size_t left = 0;
  for (size_t i = rx_iov_pos_; i < rx_iov_.size(); ++i) left += rx_iov_[i].iov_len;
  rx_iov_.resize(rx_iov_pos_);
  while (left) {
    size_t k = std::min(left, kSinkSize);
    rx_iov_.push_back(iovec{sink_.get(), k});
    left -= k;
  }
  rx_task_ = nullptr;
  rx_digest_valid_ = false;
  rx_discard_ = true;
}

void Connection::data_complete() {
  rx_ = Rx::header;
  uint32_t dsl = cur_common_.data_length;
  if (data_digest_ && dsl && rx_digest_valid_) {
    uint32_t pad = padded(dsl) - dsl;
    uint32_t crc = crc32c_final(crc32c_update(rx_crc_, rx_tail_, pad));
    if (crc != get_digest(rx_tail_ + pad)) {
      send_reject(RejectReason::data_digest_error);
      Opcode op = cur_common_.opcode;
      if (op == Opcode::scsi_command || op == Opcode::data_out) {
        // ERL 0 cannot recover the lost data of a command (§7.8).
        flush();
        return drop("data digest error on command data");
      }
      logf(LogLevel::warn, "data digest error, PDU ignored");
      return;
    }
  }
  dispatch();
}

void Connection::dispatch() {
  switch (cur_common_.opcode) {
    case Opcode::login_request:
      if (phase_ == Phase::login) return handle_login();
      return send_reject(RejectReason::protocol_error);
    case Opcode::scsi_command:
      if (rx_task_) start_command(rx_task_);
      return;
    case Opcode::data_out:
      if (rx_task_) data_out_complete(rx_task_);
      return;
    case Opcode::nop_out:
      return handle_nop_out();
    case Opcode::text_request:
      return handle_text();
    case Opcode::logout_request:
      return handle_logout();
    case Opcode::tmf_request:
      return handle_tmf();
    case Opcode::snack_request:
      return send_reject(RejectReason::protocol_error);  // ERL 0
    default:
      if (!is_initiator_opcode(uint8_t(cur_common_.opcode)) && (uint8_t(cur_common_.opcode) & 0x20))
        return send_reject(RejectReason::protocol_error);  // a target opcode
      return send_reject(RejectReason::command_not_supported);
  }
}

void Connection::send_reject(RejectReason reason) {
  TxPdu p;
  Reject r;
  r.reason = uint8_t(reason);
  r.data_length = kBhsLen;
  r.stat_sn = stat_sn_++;
  r.exp_cmd_sn = exp_cmd_sn_;
  r.max_cmd_sn = max_cmd_sn();
  r.encode(p.header);
  p.owned.assign(reinterpret_cast<const char*>(cur_), kBhsLen);  // §11.17: the rejected header
  logf(LogLevel::debug, "reject opcode 0x%02x reason 0x%02x", cur_[0] & 0x3f, unsigned(reason));
  queue(std::move(p));
}

bool Connection::check_cmd_sn(bool immediate, uint32_t sn) {
  if (immediate) return true;  // §4.2.2.1: immediate delivery, CmdSN not advanced
  // Serial number arithmetic (RFC 1982): ignore anything outside the window.
  if (int32_t(sn - exp_cmd_sn_) < 0 || int32_t(sn - max_cmd_sn()) > 0) {
    logf(LogLevel::debug, "CmdSN %u outside [%u, %u], ignored", sn, exp_cmd_sn_, max_cmd_sn());
    return false;
  }
  exp_cmd_sn_ = sn + 1;
  return true;
}

uint32_t Connection::next_ttt() {
  if (++ttt_counter_ == kReservedTag) ttt_counter_ = 1;
  return ttt_counter_;
}

void Connection::queue(TxPdu&& pdu) {
  if (dropping_ || !deferred_drop_.empty()) {
    if (pdu.release_after) pdu.release_after->release();
    return;
  }
  tx_.push(std::move(pdu), header_digest_, data_digest_);
  if (in_io_) {
    flush_pending_ = true;
  } else if (!flush_posted_) {
    // Outside the connection's own I/O callback (a completion from the core,
    // a timer): gather everything queued until the loop comes back into one
    // sendmsg(), e.g. all the io_uring completions of one batch.
    flush_posted_ = true;
    reactor_->post(&Connection::flush_cb, this);
  }
}

void Connection::flush_cb(void* ctx) noexcept {
  auto* c = static_cast<Connection*>(ctx);
  c->flush_posted_ = false;
  c->flush_pending_ = true;
  on_fd(ctx, 0);
}

void Connection::flush() {
  if (dropping_) return;
  std::string why;
  switch (tx_.flush(fd_)) {
    case TxQueue::Result::done:
      write_blocked_ = false;
      break;
    case TxQueue::Result::blocked:
      write_blocked_ = true;
      break;
    case TxQueue::Result::closed_after:
      why = "connection closed after the final response";
      break;
    case TxQueue::Result::error:
      why = std::string("write: ") + std::strerror(errno);
      break;
  }
  if (why.empty()) return update_interest();
  if (in_io_) return drop(why);
  // Called from a core callback (send_response, tmf_done...): do not close
  // the nexus re-entrantly inside it; drop from the reactor loop instead.
  // Posts run in order, so this runs before any destroy posted later.
  if (watch_) watch_->set_events(0);
  if (deferred_drop_.empty()) reactor_->post(&Connection::deferred_drop_cb, this);
  deferred_drop_ = why;
}

void Connection::deferred_drop_cb(void* ctx) noexcept {
  auto* c = static_cast<Connection*>(ctx);
  c->drop(c->deferred_drop_);
}

void Connection::update_interest() {
  if (!watch_ || !deferred_drop_.empty()) return;
  uint32_t ev = 0;
  if (tx_.size() <= kTxHighWater && phase_ != Phase::waiting_reinstatement)
    ev |= FdEvents::readable;
  if (write_blocked_) ev |= FdEvents::writable;
  watch_->set_events(ev);
  if (ev & FdEvents::readable) maybe_resume();
}

void Connection::drop(const std::string& why) {
  if (dropping_) return;
  dropping_ = true;
  bool graceful = nexus_closed_ || (!nexus_ && phase_ != Phase::full_feature);
  logf(graceful ? LogLevel::debug : LogLevel::info, "dropping connection: %s", why.c_str());
  if (watch_) watch_->release();
  watch_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (keepalive_timer_) keepalive_timer_->cancel();
  if (logout_timer_) logout_timer_->cancel();
  tx_.clear();
  rx_task_ = nullptr;
  if (nexus_ && !nexus_close_called_) {
    nexus_close_called_ = true;
    nexus_->close(true);  // SAM-5 I_T nexus loss
  }
  release_all_tasks();
  maybe_destroy();
}

void Connection::maybe_destroy() {
  if (!dropping_ || destroy_posted_) return;
  if (nexus_ && !nexus_closed_) return;  // wait for closed()
  destroy_posted_ = true;
  reactor_->post(&Connection::destroy_cb, this);
}

void Connection::destroy_cb(void* ctx) noexcept { delete static_cast<Connection*>(ctx); }

void Connection::on_keepalive_timer(void* ctx) noexcept {
  static_cast<Connection*>(ctx)->keepalive_fired();
}

void Connection::arm_keepalive() {
  if (!keepalive_timer_) return;
  keepalive_timer_->cancel();
  if (cfg_.nop_interval_s) keepalive_timer_->arm(uint64_t(cfg_.nop_interval_s) * 1000);
}

void Connection::keepalive_fired() {
  if (dropping_) return;
  if (phase_ == Phase::login || phase_ == Phase::waiting_reinstatement)
    return drop("login timeout");
  if (phase_ != Phase::full_feature || !cfg_.nop_interval_s) return;
  if (rx_activity_) {  // the initiator is alive: ping only idle connections
    rx_activity_ = false;
    return arm_keepalive();
  }
  if (ping_ttt_ != kReservedTag) return drop("no answer to NOP-In ping");
  // Target-initiated ping (§11.19): TTT set, ITT reserved, StatSN not advanced.
  ping_ttt_ = next_ttt();
  TxPdu p;
  NopIn n;
  n.itt = kReservedTag;
  n.ttt = ping_ttt_;
  n.stat_sn = stat_sn_;
  n.exp_cmd_sn = exp_cmd_sn_;
  n.max_cmd_sn = max_cmd_sn();
  n.encode(p.header);
  queue(std::move(p));
  if (!dropping_ && keepalive_timer_)
    keepalive_timer_->arm(uint64_t(cfg_.nop_timeout_s ? cfg_.nop_timeout_s : cfg_.nop_interval_s) *
                          1000);
}

void Connection::on_logout_timer(void* ctx) noexcept {
  static_cast<Connection*>(ctx)->drop("initiator did not log out in time");
}

void Connection::on_message(IscsiTransport::Op op, uint64_t arg, uint32_t arg2) {
  switch (op) {
    case IscsiTransport::Op::reinstate:
      reinstate_waiter_ = arg;
      reinstate_waiter_reactor_ = arg2;
      return drop("session reinstated by a new login");
    case IscsiTransport::Op::resume_login:
      if (phase_ == Phase::waiting_reinstatement && !dropping_) complete_full_feature();
      return;
    case IscsiTransport::Op::request_logout:
      if (phase_ == Phase::full_feature && !discovery_ && !dropping_) {
        send_async_logout(uint16_t(arg));
      } else {
        drop("target shutting down");
      }
      return;
    case IscsiTransport::Op::force_drop:
      return drop("shutdown grace period over");
  }
}

void Connection::send_async_logout(uint16_t seconds) {
  TxPdu p;
  AsyncMessage a;
  a.event = kAsyncLogoutRequest;
  a.param3 = seconds;  // §11.9.1: time to log out
  a.stat_sn = stat_sn_++;
  a.exp_cmd_sn = exp_cmd_sn_;
  a.max_cmd_sn = max_cmd_sn();
  a.encode(p.header);
  queue(std::move(p));
  if (!logout_timer_) logout_timer_ = reactor_->create_timer(&Connection::on_logout_timer, this);
  if (logout_timer_) logout_timer_->arm(uint64_t(seconds + 2) * 1000);
}

void Connection::shutdown_request() noexcept {
  if (phase_ == Phase::full_feature && !dropping_) {
    send_async_logout(uint16_t(std::max<uint32_t>(transport_->shutdown_grace_s(), 1)));
  } else {
    drop("core requested the nexus to close");
  }
}

void Connection::closed() noexcept {
  nexus_ = nullptr;
  nexus_closed_ = true;
  if (logout_response_due_ && !dropping_) return send_logout_response();
  if (!dropping_) return drop("nexus closed by the core");
  maybe_destroy();
}

}  // namespace nexus::iscsi
