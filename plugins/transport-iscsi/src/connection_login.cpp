// Connection: login phase, reinstatement, text (SendTargets), NOP-Out and
// logout handling.
#include <cinttypes>
#include <cstdio>

#include "connection.h"
#include "discovery.h"
#include "nexus/bytes.hpp"

namespace nexus::iscsi {
namespace {

std::string isid_hex(uint64_t isid) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%012" PRIx64, uint64_t(isid & 0xffffffffffffull));
  return buf;
}

// SPC-4 7.6.4.6: iSCSI TransportID, format 01b (initiator port with ISID).
std::vector<uint8_t> transport_id(const std::string& port_name) {
  size_t len = 4 + port_name.size() + 1;
  len = (len + 3) & ~size_t(3);
  if (len < 24) len = 24;
  std::vector<uint8_t> id(len, 0);
  id[0] = 0x40 | 0x05;  // format code 01b, protocol identifier 5 (iSCSI)
  put_be16(id.data() + 2, uint16_t(len - 4));
  std::copy(port_name.begin(), port_name.end(), id.begin() + 4);
  return id;
}

}  // namespace

void Connection::send_login_reply(LoginReply& rep) {
  TxPdu p;
  rep.header.stat_sn = stat_sn_++;
  rep.header.exp_cmd_sn = exp_cmd_sn_;
  rep.header.max_cmd_sn = max_cmd_sn();
  rep.header.data_length = uint32_t(rep.data.size());
  rep.header.encode(p.header);
  p.owned = rep.data;
  p.close_after = rep.action == LoginAction::fail;
  queue(std::move(p));
}

void Connection::handle_login() {
  LoginReply rep = login_->on_request(cur_, rx_buf_.data(), rx_buf_.size());
  exp_cmd_sn_ = login_->initial_cmd_sn();  // login does not advance CmdSN (§11.12.6)
  if (!login_->initiator_name().empty()) initiator_ = login_->initiator_name();
  switch (rep.action) {
    case LoginAction::fail:
      logf(LogLevel::warn, "login failed with status 0x%02x%02x: %s", rep.header.status_class,
           rep.header.status_detail, login_->failure_reason().c_str());
      return send_login_reply(rep);
    case LoginAction::respond:
      return send_login_reply(rep);
    case LoginAction::complete:
      pending_login_reply_ = std::move(rep);
      return finish_login();
  }
}

void Connection::finish_login() {
  initiator_ = login_->initiator_name();
  target_ = login_->target_name();
  isid_ = login_->isid();
  discovery_ = login_->discovery();
  params_ = login_->params();
  if (!discovery_) {
    pending_key_ = initiator_ + '\n' + isid_hex(isid_) + '\n' + target_;
    uint64_t old_id = 0;
    uint32_t old_reactor = 0;
    if (transport_->find_session(pending_key_, &old_id, &old_reactor)) {
      // §6.3.5 session reinstatement: close the old session (its tasks are
      // aborted) before the new one starts.
      logf(LogLevel::info, "reinstating session ISID %s", isid_hex(isid_).c_str());
      phase_ = Phase::waiting_reinstatement;
      update_interest();
      transport_->send_to(old_reactor, old_id, IscsiTransport::Op::reinstate, id_,
                          reactor_->index());
      return;
    }
  }
  complete_full_feature();
}

void Connection::complete_full_feature() {
  if (!discovery_) {
    std::string port_id = initiator_ + ",i,0x" + isid_hex(isid_);
    std::vector<uint8_t> tid = transport_id(port_id);
    SessionDesc d{};
    d.struct_size = sizeof d;
    d.reactor = reactor_->index();
    d.initiator_name = to_str(initiator_);
    d.initiator_port_id = to_str(port_id);
    d.target_name = to_str(target_);
    d.relative_port = login_->portal_group_tag();
    d.transport_id = ConstByteSpan{tid.data(), tid.size()};
    INexus* nexus = nullptr;
    Status st = transport_->host()->open_nexus(&d, this, &nexus);
    if (st != Status::ok || !nexus) {
      logf(LogLevel::error, "cannot open the I_T nexus (status %d)", int(st));
      phase_ = Phase::login;
      LoginReply f = login_->failure(login_status::target_error);
      return send_login_reply(f);
    }
    nexus_ = nexus;
    session_key_ = std::move(pending_key_);
  }
  tsih_ = transport_->register_session(session_key_, id_);
  pending_login_reply_.header.tsih = tsih_;
  send_login_reply(pending_login_reply_);
  pending_login_reply_ = LoginReply{};
  phase_ = Phase::full_feature;
  // Digests apply from the first Full Feature Phase PDU on (§13.1).
  header_digest_ = params_.header_digest == Digest::crc32c;
  data_digest_ = params_.data_digest == Digest::crc32c;
  arm_keepalive();
  update_interest();
  logf(LogLevel::info, "%s session to %s logged in (TSIH %u, digests %s/%s, MRDSL %u/%u)",
       discovery_ ? "discovery" : "normal", discovery_ ? "-" : target_.c_str(), tsih_,
       header_digest_ ? "CRC32C" : "None", data_digest_ ? "CRC32C" : "None",
       params_.target_max_recv, params_.initiator_max_recv);
}

void Connection::handle_nop_out() {
  NopOut r;
  if (!NopOut::decode(cur_, &r)) return send_reject(RejectReason::invalid_pdu_field);
  if (!check_cmd_sn(r.immediate, r.cmd_sn)) return;
  if (r.ttt != kReservedTag) {  // answer to our ping
    if (r.ttt == ping_ttt_) {
      ping_ttt_ = kReservedTag;
      arm_keepalive();
    }
    return;
  }
  if (r.itt == kReservedTag) return;  // one-way keep-alive (§11.18)
  TxPdu p;
  NopIn n;
  n.itt = r.itt;
  n.ttt = kReservedTag;
  n.lun = r.lun;
  n.stat_sn = stat_sn_++;
  n.exp_cmd_sn = exp_cmd_sn_;
  n.max_cmd_sn = max_cmd_sn();
  size_t echo = std::min<size_t>(rx_buf_.size(), params_.initiator_max_recv);  // ping data (§11.19)
  p.owned.assign(reinterpret_cast<const char*>(rx_buf_.data()), echo);
  n.data_length = uint32_t(echo);
  n.encode(p.header);
  queue(std::move(p));
}

void Connection::send_text_chunk(uint32_t itt) {
  bool more = false;
  std::string_view chunk = text_out_.next(params_.initiator_max_recv, &more);
  TxPdu p;
  TextResponse t;
  t.final = !more;
  t.cont = more;
  t.itt = itt;
  // §11.11.4: a TTT other than 0xffffffff asks the initiator to continue.
  t.ttt = more ? (text_ttt_ = next_ttt()) : kReservedTag;
  if (!more) text_ttt_ = kReservedTag;
  t.stat_sn = stat_sn_++;
  t.exp_cmd_sn = exp_cmd_sn_;
  t.max_cmd_sn = max_cmd_sn();
  t.data_length = uint32_t(chunk.size());
  t.encode(p.header);
  p.owned.assign(chunk);
  queue(std::move(p));
}

void Connection::handle_text() {
  TextRequest r;
  if (!TextRequest::decode(cur_, &r)) return send_reject(RejectReason::invalid_pdu_field);
  if (!check_cmd_sn(r.immediate, r.cmd_sn)) return;
  if (r.ttt != kReservedTag && text_in_.empty()) {
    // The initiator asks for the next piece of our long response.
    if (r.ttt != text_ttt_ || !text_out_.pending() || !rx_buf_.empty())
      return send_reject(RejectReason::invalid_pdu_field);
    return send_text_chunk(r.itt);
  }
  text_out_.clear();
  if (!text_in_.append(rx_buf_.data(), rx_buf_.size())) {
    text_in_.clear();
    return send_reject(RejectReason::protocol_error);
  }
  if (r.cont) {
    // More request text follows: acknowledge with an empty response (§11.10.2).
    text_out_.set(std::string());
    TxPdu p;
    TextResponse t;
    t.final = false;
    t.itt = r.itt;
    t.ttt = text_ttt_ = next_ttt();
    t.stat_sn = stat_sn_++;
    t.exp_cmd_sn = exp_cmd_sn_;
    t.max_cmd_sn = max_cmd_sn();
    t.encode(p.header);
    return queue(std::move(p));
  }
  KeyValues kvs;
  TextError err = parse_text(text_in_.text(), &kvs);
  text_in_.clear();
  if (err != TextError::ok) {
    logf(LogLevel::warn, "bad text request: %s", to_string(err));
    return send_reject(RejectReason::protocol_error);
  }
  std::string out;
  ITransportHost* host = transport_->host();
  std::string initiator = initiator_;
  for (const auto& kv : kvs) {
    if (kv.key == "SendTargets") {
      out += send_targets_reply(
          kv.value, discovery_, target_, transport_->targets(),
          [&](std::string_view t) { return host->target_visible(to_str(initiator), to_str(t)); },
          local_addr_);
    } else if (OperationalNegotiator::handles(kv.key) && kv.key.rfind("X-", 0) != 0 &&
               kv.key.rfind("X#", 0) != 0) {
      append_pair(&out, kv.key, "Reject");  // no renegotiation in Full Feature Phase
    } else {
      append_pair(&out, kv.key, "NotUnderstood");
    }
  }
  text_out_.set(std::move(out));
  send_text_chunk(r.itt);
}

void Connection::handle_logout() {
  LogoutRequest r;
  if (!LogoutRequest::decode(cur_, &r)) return send_reject(RejectReason::invalid_pdu_field);
  if (!check_cmd_sn(r.immediate, r.cmd_sn)) return;
  auto answer = [&](uint8_t code) {
    TxPdu p;
    LogoutResponse l;
    l.response = code;
    l.itt = r.itt;
    l.stat_sn = stat_sn_++;
    l.exp_cmd_sn = exp_cmd_sn_;
    l.max_cmd_sn = max_cmd_sn();
    l.encode(p.header);
    queue(std::move(p));
  };
  if (r.reason == 2) return answer(2);  // connection recovery needs ERL 2
  if (r.reason > 2) return send_reject(RejectReason::invalid_pdu_field);
  if (r.reason == 1 && r.cid != login_->cid()) return answer(1);  // CID not found
  logout_itt_ = r.itt;
  logout_response_due_ = true;
  phase_ = Phase::logging_out;
  if (nexus_ && !nexus_close_called_) {
    nexus_close_called_ = true;
    nexus_->close(false);  // closed() sends the Logout Response
    release_all_tasks();
    return;
  }
  if (!nexus_) send_logout_response();
}

void Connection::send_logout_response() {
  logout_response_due_ = false;
  TxPdu p;
  LogoutResponse l;
  l.response = 0;
  l.itt = logout_itt_;
  l.stat_sn = stat_sn_++;
  l.exp_cmd_sn = exp_cmd_sn_;
  l.max_cmd_sn = max_cmd_sn();
  l.encode(p.header);
  p.close_after = true;
  logf(LogLevel::info, "logged out");
  queue(std::move(p));
}

}  // namespace nexus::iscsi
