#include "login_state_machine.h"

namespace nexus::iscsi {
namespace {

bool is_security_key(std::string_view k) { return k == "AuthMethod" || k.substr(0, 5) == "CHAP_"; }

}  // namespace

LoginStateMachine::LoginStateMachine(LoginHost* host, const TargetOffer& offer)
    : host_(host), negotiator_(offer, false) {}

LoginReply LoginStateMachine::reply(bool transit, uint8_t nsg, LoginAction action) {
  LoginReply r;
  r.header.transit = transit;
  r.header.csg = req_.csg;
  r.header.nsg = transit ? nsg : 0;
  r.header.version_max = 0;
  r.header.version_active = 0;
  r.header.isid = isid_;
  r.header.tsih = tsih_;
  r.header.itt = req_.itt;
  r.action = action;
  return r;
}

LoginReply LoginStateMachine::failure(uint16_t status) const {
  LoginReply r;
  r.header.csg = req_.csg;
  r.header.isid = isid_;
  r.header.tsih = tsih_;
  r.header.itt = req_.itt;
  r.header.status_class = uint8_t(status >> 8);
  r.header.status_detail = uint8_t(status);
  r.action = LoginAction::fail;
  return r;
}

LoginReply LoginStateMachine::fail(uint16_t status, std::string why) {
  why_ = std::move(why);
  return failure(status);
}

LoginReply LoginStateMachine::on_request(const uint8_t* bhs, const uint8_t* data, size_t len) {
  LoginRequest r;
  bool valid = LoginRequest::decode(bhs, &r);
  if (first_) {
    isid_ = r.isid;
    tsih_ = r.tsih;
    cid_ = r.cid;
    cmd_sn_ = r.cmd_sn;
  }
  req_ = r;
  if (!valid) return fail(login_status::initiator_error, "malformed Login Request (T and C set)");
  if (++exchanges_ > kMaxLoginExchanges)
    return fail(login_status::initiator_error, "too many login exchanges");
  if (first_) {
    // We speak version 0x00 only (§11.12.4).
    if (r.version_min > 0 || r.version_max < r.version_min)
      return fail(login_status::unsupported_version, "unsupported iSCSI version");
    if (r.csg != uint8_t(Stage::security) && r.csg != uint8_t(Stage::operational))
      return fail(login_status::initiator_error, "login must start in a negotiation stage");
    stage_ = Stage(r.csg);
  } else if (r.isid != isid_ || r.tsih != tsih_ || r.cid != cid_) {
    return fail(login_status::initiator_error, "ISID/TSIH/CID changed during login");
  }
  if (r.csg != uint8_t(stage_)) return fail(login_status::initiator_error, "unexpected CSG");
  if (r.transit && (r.nsg <= r.csg || r.nsg == 2))
    return fail(login_status::initiator_error, "invalid NSG");
  if (len > kLoginMaxSegment)
    return fail(login_status::initiator_error, "login data segment too long");

  // The rest of a long reply of ours: the initiator acknowledges each piece
  // with an empty request (§6.3).
  if (out_text_.pending()) {
    if (len || r.cont)
      return fail(login_status::initiator_error, "expected an empty Login Request");
    bool more = false;
    std::string_view chunk = out_text_.next(kLoginMaxSegment, &more);
    LoginReply rep = more ? reply(false, 0, LoginAction::respond)
                          : reply(pending_transit_, pending_nsg_, pending_action_);
    rep.header.cont = more;
    rep.data.assign(chunk);
    return rep;
  }

  if (!in_text_.append(data, len))
    return fail(login_status::initiator_error, "login text too long");
  if (r.cont) return reply(false, 0, LoginAction::respond);  // more text follows

  KeyValues kvs;
  TextError te = parse_text(in_text_.text(), &kvs);
  in_text_.clear();
  if (te != TextError::ok) return fail(login_status::initiator_error, to_string(te));

  std::string out;
  if (first_) {
    first_ = false;
    if (uint16_t st = identify(kvs, &out)) return fail(st, why_);
    // Skipping the security stage is only fine when no CHAP is required.
    if (stage_ != Stage::security && policy_.chap_required)
      return fail(login_status::authentication_failure, "authentication required");
  }
  if (stage_ == Stage::security) {
    if (uint16_t st = authenticate(kvs, &out)) return fail(st, why_);
  } else {
    for (const auto& kv : kvs)
      if (is_security_key(kv.key))
        return fail(login_status::initiator_error, "security key outside the security stage");
  }
  negotiator_.negotiate(kvs, &out);
  if (stage_ == Stage::operational) negotiator_.declare(&out);

  bool transit = false;
  if (r.transit) {
    if (stage_ == Stage::security) {
      if (auth_ == Auth::undecided) {
        // No AuthMethod offered means AuthMethod=None (§12.1).
        if (policy_.chap_required)
          return fail(login_status::authentication_failure, "authentication required");
        auth_ = Auth::done;
      }
      if (auth_ == Auth::none) auth_ = Auth::done;
      transit = auth_ == Auth::done;  // else CHAP continues: answer T=0
    } else {
      transit = true;
    }
  }
  LoginAction action = LoginAction::respond;
  if (transit) {
    stage_ = Stage(r.nsg);
    if (stage_ == Stage::full_feature) action = LoginAction::complete;
  }
  if (out.size() > kLoginMaxSegment) {
    // Send in pieces; the transition happens with the last one.
    out_text_.set(std::move(out));
    pending_transit_ = transit;
    pending_nsg_ = r.nsg;
    pending_action_ = action;
    bool more = false;
    std::string_view chunk = out_text_.next(kLoginMaxSegment, &more);
    LoginReply rep = reply(false, 0, LoginAction::respond);
    rep.header.cont = true;
    rep.data.assign(chunk);
    return rep;
  }
  LoginReply rep = reply(transit, r.nsg, action);
  rep.data = std::move(out);
  return rep;
}

uint16_t LoginStateMachine::identify(const KeyValues& kvs, std::string* out) {
  const KeyValue* in = find_key(kvs, "InitiatorName");
  const KeyValue* st = find_key(kvs, "SessionType");
  const KeyValue* tn = find_key(kvs, "TargetName");
  if (!in || in->value.empty())
    return why_ = "InitiatorName missing", login_status::missing_parameter;
  if (in->value.size() > 223) return why_ = "InitiatorName too long", login_status::initiator_error;
  initiator_ = in->value;
  if (st && st->value == "Discovery") {
    discovery_ = true;
  } else if (st && st->value != "Normal") {
    return why_ = "unsupported SessionType " + st->value, login_status::session_type_not_supported;
  }
  negotiator_.set_discovery(discovery_);
  if (tsih_ != 0) {
    // Adding a connection to an existing session: we allow one connection
    // per session (MaxConnections=1).
    why_ = "login with TSIH " + std::to_string(tsih_);
    return host_->session_exists(tsih_) ? login_status::too_many_connections
                                        : login_status::session_does_not_exist;
  }
  Access access;
  if (discovery_) {
    access = host_->discovery_auth(initiator_, &policy_);
  } else {
    if (!tn || tn->value.empty())
      return why_ = "TargetName missing", login_status::missing_parameter;
    target_ = tn->value;
    access = host_->authorize(initiator_, target_, &policy_);
  }
  switch (access) {
    case Access::ok:
      break;
    case Access::not_found:
      return why_ = "no target " + target_, login_status::not_found;
    case Access::denied:
      return why_ = "access denied", login_status::authorization_failure;
    case Access::error:
      return why_ = "authorization error", login_status::target_error;
  }
  if (!discovery_) {
    std::string alias;
    if (!host_->target_info(target_, &tpgt_, &alias))
      return why_ = "no target " + target_, login_status::not_found;
    // §13.9: the target returns its portal group tag in the first response.
    append_pair(out, "TargetPortalGroupTag", std::to_string(tpgt_));
    if (!alias.empty()) append_pair(out, "TargetAlias", alias);
  }
  return login_status::success;
}

uint16_t LoginStateMachine::authenticate(const KeyValues& kvs, std::string* out) {
  if (const KeyValue* am = find_key(kvs, "AuthMethod")) {
    if (auth_ != Auth::undecided)
      return why_ = "AuthMethod renegotiated", login_status::initiator_error;
    bool can_chap = !policy_.chap_secret.empty();
    std::string_view list = am->value, chosen;
    size_t pos = 0;
    while (pos <= list.size() && chosen.empty()) {
      size_t comma = list.find(',', pos);
      if (comma == std::string_view::npos) comma = list.size();
      std::string_view v = list.substr(pos, comma - pos);
      if ((v == "CHAP" && can_chap) || (v == "None" && !policy_.chap_required)) chosen = v;
      pos = comma + 1;
    }
    if (chosen.empty()) {
      append_pair(out, "AuthMethod", "Reject");
      return why_ = "no acceptable AuthMethod in '" + am->value + "'",
             login_status::authentication_failure;
    }
    append_pair(out, "AuthMethod", chosen);
    if (chosen == "None") {
      auth_ = Auth::none;
    } else {
      auth_ = Auth::chap;
      chap_ = std::make_unique<ChapAuthenticator>(
          ChapCredentials{policy_.chap_user, policy_.chap_secret, policy_.mutual_required,
                          policy_.mutual_user, policy_.mutual_secret});
      if (chap_->weak_secret())
        host_->warn("CHAP secret shorter than 12 bytes for initiator " + initiator_);
    }
  }
  bool chap_keys = false;
  for (const auto& kv : kvs) chap_keys |= kv.key.substr(0, 5) == "CHAP_";
  if (!chap_keys) return login_status::success;
  if (auth_ != Auth::chap)
    return why_ = "CHAP keys without AuthMethod=CHAP", login_status::initiator_error;
  switch (chap_->on_keys(kvs, out)) {
    case ChapAuthenticator::Result::in_progress:
      return login_status::success;
    case ChapAuthenticator::Result::success:
      auth_ = Auth::done;
      return login_status::success;
    case ChapAuthenticator::Result::failure:
      break;
  }
  why_ = chap_->error();
  return login_status::authentication_failure;
}

}  // namespace nexus::iscsi
