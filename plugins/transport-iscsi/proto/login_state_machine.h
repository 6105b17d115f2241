// The target side of the login phase (RFC 7143 §6.3, §11.12, §11.13):
// stages Security -> Operational -> Full Feature, T/C/CSG/NSG handling,
// identity keys, authentication (None or CHAP) and operational negotiation.
// Pure protocol logic: the plugin feeds Login Request PDUs and sends replies.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chap.h"
#include "login_negotiation.h"
#include "login_status.h"
#include "pdu.h"
#include "text_keys.h"

namespace nexus::iscsi {

struct LoginPolicy {
  bool chap_required = false;
  bool mutual_required = false;
  std::string chap_user, chap_secret, mutual_user, mutual_secret;
};

enum class Access : uint8_t { ok, not_found, denied, error };

// What the login needs from the target configuration.
class LoginHost {
 public:
  virtual Access authorize(std::string_view initiator, std::string_view target,
                           LoginPolicy* out) = 0;
  virtual Access discovery_auth(std::string_view initiator, LoginPolicy* out) = 0;
  virtual bool target_info(std::string_view target, uint16_t* tpgt, std::string* alias) = 0;
  // Does a session with this TSIH exist (login adding a connection to it)?
  virtual bool session_exists(uint16_t tsih) = 0;
  virtual void warn(std::string_view message) = 0;

 protected:
  ~LoginHost() = default;
};

enum class LoginAction : uint8_t {
  respond,   // send the reply, wait for the next Login Request
  fail,      // send the reply (non-zero status) and close the connection
  complete,  // reply is the final one (T=1, NSG=FullFeature): start the session
};

struct LoginReply {
  LoginResponse header;  // StatSN/ExpCmdSN/MaxCmdSN/TSIH are filled by the caller
  std::string data;
  LoginAction action = LoginAction::respond;
};

constexpr uint32_t kLoginMaxSegment = 8192;  // data size limit during login (§13.12)
constexpr int kMaxLoginExchanges = 64;

class LoginStateMachine {
 public:
  LoginStateMachine(LoginHost* host, const TargetOffer& offer);

  // One Login Request (48-byte BHS + data segment).
  LoginReply on_request(const uint8_t* bhs, const uint8_t* data, size_t len);
  // A failure reply for the current login (e.g. when the session cannot open).
  LoginReply failure(uint16_t status) const;

  bool discovery() const { return discovery_; }
  const std::string& initiator_name() const { return initiator_; }
  const std::string& target_name() const { return target_; }
  uint64_t isid() const { return isid_; }
  uint16_t tsih() const { return tsih_; }
  uint16_t cid() const { return cid_; }
  uint32_t initial_cmd_sn() const { return cmd_sn_; }
  uint16_t portal_group_tag() const { return tpgt_; }
  const SessionParams& params() const { return negotiator_.params(); }
  const std::string& failure_reason() const { return why_; }

 private:
  LoginReply fail(uint16_t status, std::string why);
  LoginReply reply(bool transit, uint8_t nsg, LoginAction action);
  uint16_t identify(const KeyValues& kvs, std::string* out);
  uint16_t authenticate(const KeyValues& kvs, std::string* out);

  LoginHost* host_;
  OperationalNegotiator negotiator_;
  bool first_ = true;
  bool discovery_ = false;
  Stage stage_ = Stage::security;
  LoginRequest req_{};
  std::string initiator_, target_;
  uint64_t isid_ = 0;
  uint16_t tsih_ = 0, cid_ = 0, tpgt_ = 1;
  uint32_t cmd_sn_ = 0;
  int exchanges_ = 0;
  LoginPolicy policy_;
  enum class Auth : uint8_t { undecided, none, chap, done } auth_ = Auth::undecided;
  std::unique_ptr<ChapAuthenticator> chap_;
  TextAccumulator in_text_;
  TextSender out_text_;
  // Deferred outcome while a long reply is sent in C=1 pieces.
  bool pending_transit_ = false;
  uint8_t pending_nsg_ = 0;
  LoginAction pending_action_ = LoginAction::respond;
  std::string why_;
};

}  // namespace nexus::iscsi
