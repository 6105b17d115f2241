#include "login_state_machine.h"

#include <gtest/gtest.h>

namespace nexus::iscsi {
namespace {

using namespace std::string_literals;

class FakeHost final : public LoginHost {
 public:
  LoginPolicy policy;
  LoginPolicy discovery_policy;
  Access access = Access::ok;
  int warnings = 0;
  Access authorize(std::string_view, std::string_view target, LoginPolicy* out) override {
    if (target != "iqn.2026-11.io.nexus:t1") return Access::not_found;
    *out = policy;
    return access;
  }
  Access discovery_auth(std::string_view, LoginPolicy* out) override {
    *out = discovery_policy;
    return Access::ok;
  }
  bool target_info(std::string_view, uint16_t* tpgt, std::string* alias) override {
    *tpgt = 3;
    *alias = "disk";
    return true;
  }
  bool session_exists(uint16_t tsih) override { return tsih == 77; }
  void warn(std::string_view) override { ++warnings; }
};

struct Login {
  FakeHost host;
  LoginStateMachine sm{&host, TargetOffer{}};
  LoginReply last;
  KeyValues keys;

  LoginReply send(uint8_t csg, uint8_t nsg, bool transit, const std::string& text,
                  bool cont = false, uint16_t tsih = 0, uint8_t vmin = 0) {
    LoginRequest r;
    r.transit = transit;
    r.cont = cont;
    r.csg = csg;
    r.nsg = nsg;
    r.isid = 0x400001370000ull;
    r.tsih = tsih;
    r.itt = 1;
    r.cmd_sn = 5;
    r.version_min = vmin;
    r.version_max = vmin;
    r.data_length = uint32_t(text.size());
    uint8_t bhs[kBhsLen];
    r.encode(bhs);
    last = sm.on_request(bhs, reinterpret_cast<const uint8_t*>(text.data()), text.size());
    keys.clear();
    EXPECT_EQ(parse_text(last.data, &keys), TextError::ok);
    return last;
  }
  std::string key(const std::string& k) const {
    const KeyValue* p = find_key(keys, k);
    return p ? p->value : "<absent>";
  }
  uint16_t status() const {
    return uint16_t(last.header.status_class << 8 | last.header.status_detail);
  }
};

const std::string kIdentity =
    "InitiatorName=iqn.1993-08.org.debian:01:abc\0SessionType=Normal\0TargetName=iqn.2026-11.io.nexus:t1\0"s;

TEST(LoginStateMachine, NoAuthThroughOperationalToFullFeature) {
  Login l;
  l.send(0, 1, true, kIdentity + "AuthMethod=None\0"s);
  EXPECT_EQ(l.last.action, LoginAction::respond);
  EXPECT_TRUE(l.last.header.transit);
  EXPECT_EQ(l.last.header.nsg, 1);
  EXPECT_EQ(l.key("AuthMethod"), "None");
  EXPECT_EQ(l.key("TargetPortalGroupTag"), "3");
  EXPECT_EQ(l.key("TargetAlias"), "disk");
  l.send(1, 3, true, "HeaderDigest=CRC32C,None\0MaxRecvDataSegmentLength=65536\0"s);
  EXPECT_EQ(l.last.action, LoginAction::complete);
  EXPECT_TRUE(l.last.header.transit);
  EXPECT_EQ(l.last.header.csg, 1);
  EXPECT_EQ(l.last.header.nsg, 3);
  EXPECT_EQ(l.key("HeaderDigest"), "CRC32C");
  EXPECT_EQ(l.key("MaxRecvDataSegmentLength"), "262144");
  EXPECT_EQ(l.sm.params().header_digest, Digest::crc32c);
  EXPECT_EQ(l.sm.params().initiator_max_recv, 65536u);
  EXPECT_EQ(l.sm.initiator_name(), "iqn.1993-08.org.debian:01:abc");
  EXPECT_EQ(l.sm.target_name(), "iqn.2026-11.io.nexus:t1");
  EXPECT_EQ(l.sm.initial_cmd_sn(), 5u);
  EXPECT_FALSE(l.sm.discovery());
}

TEST(LoginStateMachine, StartInOperationalStage) {
  Login l;
  l.send(1, 3, true, kIdentity);
  EXPECT_EQ(l.last.action, LoginAction::complete);
  EXPECT_EQ(l.key("TargetPortalGroupTag"), "3");
}

TEST(LoginStateMachine, SecurityDirectlyToFullFeature) {
  Login l;
  l.send(0, 3, true, kIdentity);
  EXPECT_EQ(l.last.action, LoginAction::complete);
  EXPECT_EQ(l.sm.params().target_max_recv, 8192u);  // never declared: default applies
}

TEST(LoginStateMachine, MissingParameters) {
  Login a;
  a.send(0, 1, true, "SessionType=Normal\0TargetName=iqn.2026-11.io.nexus:t1\0"s);
  EXPECT_EQ(a.last.action, LoginAction::fail);
  EXPECT_EQ(a.status(), login_status::missing_parameter);
  Login b;
  b.send(0, 1, true, "InitiatorName=iqn.x\0"s);
  EXPECT_EQ(b.status(), login_status::missing_parameter);
}

TEST(LoginStateMachine, TargetNotFoundAndDenied) {
  Login a;
  a.send(0, 1, true, "InitiatorName=iqn.x\0TargetName=iqn.nope\0"s);
  EXPECT_EQ(a.status(), login_status::not_found);
  Login b;
  b.host.access = Access::denied;
  b.send(0, 1, true, kIdentity);
  EXPECT_EQ(b.status(), login_status::authorization_failure);
  Login c;
  c.host.access = Access::error;
  c.send(0, 1, true, kIdentity);
  EXPECT_EQ(c.status(), login_status::target_error);
}

TEST(LoginStateMachine, VersionAndSessionType) {
  Login a;
  a.send(0, 1, true, kIdentity, false, 0, 1);
  EXPECT_EQ(a.status(), login_status::unsupported_version);
  Login b;
  b.send(0, 1, true, "InitiatorName=iqn.x\0SessionType=Bogus\0"s);
  EXPECT_EQ(b.status(), login_status::session_type_not_supported);
}

TEST(LoginStateMachine, TsihOfUnknownOrExistingSession) {
  Login a;
  a.send(0, 1, true, kIdentity, false, 5);
  EXPECT_EQ(a.status(), login_status::session_does_not_exist);
  Login b;
  b.send(0, 1, true, kIdentity, false, 77);
  EXPECT_EQ(b.status(), login_status::too_many_connections);
}

TEST(LoginStateMachine, StageErrors) {
  Login a;
  a.send(0, 2, true, kIdentity);  // NSG 2 is reserved
  EXPECT_EQ(a.status(), login_status::initiator_error);
  Login b;
  b.send(3, 3, true, kIdentity);  // cannot start in Full Feature
  EXPECT_EQ(b.status(), login_status::initiator_error);
  Login c;
  c.send(0, 1, false, kIdentity);
  c.send(1, 3, true, "");  // CSG jumps ahead without a transit
  EXPECT_EQ(c.status(), login_status::initiator_error);
  Login d;
  d.send(0, 1, true, "garbage-without-equals\0"s);
  EXPECT_EQ(d.status(), login_status::initiator_error);
}

TEST(LoginStateMachine, ChapRequiredButNotOffered) {
  Login a;
  a.host.policy.chap_required = true;
  a.host.policy.chap_user = "u";
  a.host.policy.chap_secret = "secretsecret12";
  a.send(0, 1, true, kIdentity + "AuthMethod=None\0"s);
  EXPECT_EQ(a.status(), login_status::authentication_failure);
  Login b;
  b.host.policy = a.host.policy;
  b.send(0, 1, true, kIdentity);  // no AuthMethod at all
  EXPECT_EQ(b.status(), login_status::authentication_failure);
}

TEST(LoginStateMachine, ChapLogin) {
  Login l;
  l.host.policy.chap_required = true;
  l.host.policy.chap_user = "u";
  l.host.policy.chap_secret = "short";
  l.send(0, 1, true, kIdentity + "AuthMethod=CHAP,None\0"s);
  EXPECT_EQ(l.key("AuthMethod"), "CHAP");
  EXPECT_FALSE(l.last.header.transit);  // authentication not done yet
  EXPECT_EQ(l.host.warnings, 1);        // short secret
  l.send(0, 1, false, "CHAP_A=5\0"s);
  std::vector<uint8_t> challenge, resp;
  uint64_t id;
  ASSERT_TRUE(parse_binary(l.key("CHAP_C"), &challenge));
  ASSERT_TRUE(parse_number(l.key("CHAP_I"), &id));
  ASSERT_TRUE(chap_compute(ChapAlgorithm::md5, uint8_t(id), "short", challenge.data(),
                           challenge.size(), &resp));
  l.send(0, 1, true, "CHAP_N=u\0CHAP_R="s + to_hex_value(resp.data(), resp.size()) + "\0"s);
  EXPECT_EQ(l.last.action, LoginAction::respond);
  EXPECT_TRUE(l.last.header.transit);
  l.send(1, 3, true, "");
  EXPECT_EQ(l.last.action, LoginAction::complete);
}

TEST(LoginStateMachine, ChapWrongResponse) {
  Login l;
  l.host.policy.chap_user = "u";
  l.host.policy.chap_secret = "secretsecret12";
  l.send(0, 1, false, kIdentity + "AuthMethod=CHAP\0"s);
  l.send(0, 1, false, "CHAP_A=5\0"s);
  l.send(0, 1, true, "CHAP_N=u\0CHAP_R=0x00112233445566778899aabbccddeeff\0"s);
  EXPECT_EQ(l.status(), login_status::authentication_failure);
}

TEST(LoginStateMachine, ChapKeysWithoutChapOrOutsideSecurity) {
  Login a;
  a.send(0, 1, false, kIdentity + "AuthMethod=None\0"s);
  a.send(0, 1, false, "CHAP_A=5\0"s);
  EXPECT_EQ(a.status(), login_status::initiator_error);
  Login b;
  b.send(1, 3, false, kIdentity);
  b.send(1, 3, true, "AuthMethod=None\0"s);
  EXPECT_EQ(b.status(), login_status::initiator_error);
}

TEST(LoginStateMachine, ContinuationAcrossRequests) {
  Login l;
  std::string text = kIdentity + "AuthMethod=None\0"s;
  l.send(0, 1, false, text.substr(0, 20), true);
  EXPECT_EQ(l.last.action, LoginAction::respond);
  EXPECT_TRUE(l.last.data.empty());
  l.send(0, 1, true, text.substr(20));
  EXPECT_EQ(l.key("AuthMethod"), "None");
  EXPECT_TRUE(l.last.header.transit);
}

TEST(LoginStateMachine, DiscoverySession) {
  Login l;
  l.send(0, 1, true, "InitiatorName=iqn.x\0SessionType=Discovery\0AuthMethod=None\0"s);
  EXPECT_EQ(l.key("TargetPortalGroupTag"), "<absent>");
  l.send(1, 3, true, "MaxBurstLength=8192\0HeaderDigest=None\0"s);
  EXPECT_EQ(l.last.action, LoginAction::complete);
  EXPECT_EQ(l.key("MaxBurstLength"), "Irrelevant");
  EXPECT_TRUE(l.sm.discovery());
}

TEST(LoginStateMachine, DiscoveryChap) {
  Login l;
  l.host.discovery_policy.chap_required = true;
  l.host.discovery_policy.chap_user = "d";
  l.host.discovery_policy.chap_secret = "discoverysecret";
  l.send(0, 1, true, "InitiatorName=iqn.x\0SessionType=Discovery\0AuthMethod=None\0"s);
  EXPECT_EQ(l.status(), login_status::authentication_failure);
}

TEST(LoginStateMachine, TooManyExchanges) {
  Login l;
  l.send(0, 1, false, kIdentity);
  for (int i = 0; i < kMaxLoginExchanges + 1 && l.last.action != LoginAction::fail; ++i)
    l.send(0, 1, false, "");
  EXPECT_EQ(l.last.action, LoginAction::fail);
}

TEST(LoginStateMachine, IsidChangeIsAnError) {
  Login l;
  l.send(0, 1, false, kIdentity);
  LoginRequest r;
  r.csg = 0;
  r.isid = 1;
  uint8_t bhs[kBhsLen];
  r.encode(bhs);
  LoginReply rep = l.sm.on_request(bhs, nullptr, 0);
  EXPECT_EQ(rep.action, LoginAction::fail);
}

}  // namespace
}  // namespace nexus::iscsi

namespace nexus::iscsi {
namespace {
TEST(LoginStateMachine, SkippingSecurityStageWhenChapRequired) {
  Login l;
  l.host.policy.chap_required = true;
  l.host.policy.chap_secret = "secretsecret12";
  l.send(1, 3, true, kIdentity);
  EXPECT_EQ(l.status(), login_status::authentication_failure);
}
}  // namespace
}  // namespace nexus::iscsi
