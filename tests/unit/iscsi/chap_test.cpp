#include "chap.h"

#include <gtest/gtest.h>

namespace nexus::iscsi {
namespace {

std::vector<uint8_t> bytes(const std::string& hex) {
  std::vector<uint8_t> v;
  EXPECT_TRUE(parse_binary(hex, &v));
  return v;
}

TEST(Chap, Md5Vector) {
  // MD5(0x01 || "secret" || 0x00112233)
  std::vector<uint8_t> c = {0x00, 0x11, 0x22, 0x33}, out;
  ASSERT_TRUE(chap_compute(ChapAlgorithm::md5, 1, "secret", c.data(), c.size(), &out));
  EXPECT_EQ(to_hex_value(out.data(), out.size()), "0x98ce819c9fdb98a42d8bbc93ef2af654");
  // Same input with SHA-256: digest length matches the algorithm.
  ASSERT_TRUE(chap_compute(ChapAlgorithm::sha256, 1, "secret", c.data(), c.size(), &out));
  EXPECT_EQ(out.size(), 32u);
}

struct Exchange {
  ChapAuthenticator auth;
  std::string reply;
  explicit Exchange(ChapCredentials c) : auth(std::move(c)) {
    auth.set_challenge(7, {1, 2, 3, 4, 5, 6, 7, 8});
  }
  ChapAuthenticator::Result send(const KeyValues& kv) {
    reply.clear();
    return auth.on_keys(kv, &reply);
  }
  KeyValues answer() {
    KeyValues kv;
    EXPECT_EQ(parse_text(reply, &kv), TextError::ok);
    return kv;
  }
};

std::string response(ChapAlgorithm a, uint8_t id, const std::string& secret,
                     const std::vector<uint8_t>& challenge) {
  std::vector<uint8_t> r;
  EXPECT_TRUE(chap_compute(a, id, secret, challenge.data(), challenge.size(), &r));
  return to_hex_value(r.data(), r.size());
}

TEST(Chap, OneWaySuccess) {
  Exchange x({"user", "secretsecret12", false, "", ""});
  ASSERT_EQ(x.send({{"CHAP_A", "5"}}), ChapAuthenticator::Result::in_progress);
  KeyValues a = x.answer();
  EXPECT_EQ(find_key(a, "CHAP_A")->value, "5");
  EXPECT_EQ(find_key(a, "CHAP_I")->value, "7");
  EXPECT_EQ(find_key(a, "CHAP_C")->value, "0x0102030405060708");
  std::string r = response(ChapAlgorithm::md5, 7, "secretsecret12", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(x.send({{"CHAP_N", "user"}, {"CHAP_R", r}}), ChapAuthenticator::Result::success);
  EXPECT_TRUE(x.reply.empty());
  EXPECT_FALSE(x.auth.weak_secret());
}

TEST(Chap, PicksFirstSupportedAlgorithm) {
  Exchange x({"u", "s", false, "", ""});
  ASSERT_EQ(x.send({{"CHAP_A", "99,7,5"}}), ChapAuthenticator::Result::in_progress);
  EXPECT_EQ(find_key(x.answer(), "CHAP_A")->value, "7");
  EXPECT_TRUE(x.auth.weak_secret());
  Exchange y({"u", "s", false, "", ""});
  EXPECT_EQ(y.send({{"CHAP_A", "1,2"}}), ChapAuthenticator::Result::failure);
  EXPECT_EQ(find_key(y.answer(), "CHAP_A")->value, "Reject");
}

TEST(Chap, WrongSecretOrNameFails) {
  Exchange x({"user", "right-secret", false, "", ""});
  x.send({{"CHAP_A", "5"}});
  std::string bad = response(ChapAlgorithm::md5, 7, "wrong-secret", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(x.send({{"CHAP_N", "user"}, {"CHAP_R", bad}}), ChapAuthenticator::Result::failure);

  Exchange y({"user", "right-secret", false, "", ""});
  y.send({{"CHAP_A", "5"}});
  std::string good = response(ChapAlgorithm::md5, 7, "right-secret", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(y.send({{"CHAP_N", "other"}, {"CHAP_R", good}}), ChapAuthenticator::Result::failure);

  Exchange z({"user", "right-secret", false, "", ""});
  z.send({{"CHAP_A", "5"}});
  EXPECT_EQ(z.send({{"CHAP_N", "user"}, {"CHAP_R", "garbage"}}),
            ChapAuthenticator::Result::failure);
}

TEST(Chap, MutualSuccess) {
  Exchange x({"user", "initiator-secret", true, "target", "target-secret1"});
  x.send({{"CHAP_A", "5"}});
  std::string r = response(ChapAlgorithm::md5, 7, "initiator-secret", {1, 2, 3, 4, 5, 6, 7, 8});
  ASSERT_EQ(
      x.send({{"CHAP_N", "user"}, {"CHAP_R", r}, {"CHAP_I", "200"}, {"CHAP_C", "0xaabbccdd"}}),
      ChapAuthenticator::Result::success);
  KeyValues a = x.answer();
  EXPECT_EQ(find_key(a, "CHAP_N")->value, "target");
  EXPECT_EQ(find_key(a, "CHAP_R")->value,
            response(ChapAlgorithm::md5, 200, "target-secret1", bytes("0xaabbccdd")));
}

TEST(Chap, MutualRequiredButNotRequested) {
  Exchange x({"user", "initiator-secret", true, "target", "target-secret1"});
  x.send({{"CHAP_A", "5"}});
  std::string r = response(ChapAlgorithm::md5, 7, "initiator-secret", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(x.send({{"CHAP_N", "user"}, {"CHAP_R", r}}), ChapAuthenticator::Result::failure);
}

TEST(Chap, ReflectedChallengeRejected) {
  Exchange x({"user", "initiator-secret", false, "target", "target-secret1"});
  x.send({{"CHAP_A", "5"}});
  std::string r = response(ChapAlgorithm::md5, 7, "initiator-secret", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(
      x.send(
          {{"CHAP_N", "user"}, {"CHAP_R", r}, {"CHAP_I", "7"}, {"CHAP_C", "0x0102030405060708"}}),
      ChapAuthenticator::Result::failure);
  EXPECT_NE(x.auth.error().find("reflected"), std::string::npos);
}

TEST(Chap, MutualRequestedButNotConfigured) {
  Exchange x({"user", "initiator-secret", false, "", ""});
  x.send({{"CHAP_A", "5"}});
  std::string r = response(ChapAlgorithm::md5, 7, "initiator-secret", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(x.send({{"CHAP_N", "user"}, {"CHAP_R", r}, {"CHAP_I", "1"}, {"CHAP_C", "0x55"}}),
            ChapAuthenticator::Result::failure);
}

TEST(Chap, RandomChallengeByDefault) {
  ChapAuthenticator a({"u", "secretsecret12", false, "", ""}),
      b({"u", "secretsecret12", false, "", ""});
  std::string ra, rb;
  a.on_keys({{"CHAP_A", "5"}}, &ra);
  b.on_keys({{"CHAP_A", "5"}}, &rb);
  EXPECT_NE(ra, rb);
}

}  // namespace
}  // namespace nexus::iscsi
