#include "chap.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace nexus::iscsi {
namespace {

const EVP_MD* digest_of(ChapAlgorithm a) {
  switch (a) {
    case ChapAlgorithm::md5:
      return EVP_md5();
    case ChapAlgorithm::sha1:
      return EVP_sha1();
    case ChapAlgorithm::sha256:
      return EVP_sha256();
  }
  return nullptr;
}

// Our preference when the initiator lists several algorithms is its order
// (§6.2.1: the responder picks the first acceptable value).
bool pick_algorithm(std::string_view list, ChapAlgorithm* out) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    uint64_t n;
    if (parse_number(list.substr(pos, comma - pos), &n) && (n == 5 || n == 6 || n == 7)) {
      *out = ChapAlgorithm(n);
      return true;
    }
    pos = comma + 1;
  }
  return false;
}

}  // namespace

size_t chap_digest_length(ChapAlgorithm a) noexcept {
  switch (a) {
    case ChapAlgorithm::md5:
      return 16;
    case ChapAlgorithm::sha1:
      return 20;
    case ChapAlgorithm::sha256:
      return 32;
  }
  return 0;
}

bool chap_compute(ChapAlgorithm a, uint8_t id, std::string_view secret, const uint8_t* challenge,
                  size_t challenge_len, std::vector<uint8_t>* out) {
  const EVP_MD* md = digest_of(a);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!md || !ctx) {
    EVP_MD_CTX_free(ctx);
    return false;
  }
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = EVP_DigestInit_ex(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, &id, 1) == 1 &&
            EVP_DigestUpdate(ctx, secret.data(), secret.size()) == 1 &&
            EVP_DigestUpdate(ctx, challenge, challenge_len) == 1 &&
            EVP_DigestFinal_ex(ctx, buf, &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (ok) out->assign(buf, buf + len);
  return ok;
}

ChapAuthenticator::ChapAuthenticator(ChapCredentials creds) : creds_(std::move(creds)) {}

void ChapAuthenticator::set_challenge(uint8_t id, std::vector<uint8_t> challenge) {
  id_ = id;
  challenge_ = std::move(challenge);
  fixed_challenge_ = true;
}

bool ChapAuthenticator::weak_secret() const {
  return creds_.secret.size() < kRecommendedSecretLength ||
         (creds_.mutual && creds_.mutual_secret.size() < kRecommendedSecretLength);
}

ChapAuthenticator::Result ChapAuthenticator::fail(std::string why) {
  state_ = State::failed;
  error_ = std::move(why);
  return Result::failure;
}

ChapAuthenticator::Result ChapAuthenticator::on_keys(const KeyValues& in, std::string* reply) {
  const KeyValue* a = find_key(in, "CHAP_A");
  const KeyValue* n = find_key(in, "CHAP_N");
  const KeyValue* r = find_key(in, "CHAP_R");
  const KeyValue* i = find_key(in, "CHAP_I");
  const KeyValue* c = find_key(in, "CHAP_C");
  switch (state_) {
    case State::want_algorithm: {
      if (!a) return n || r ? fail("CHAP_R before CHAP_A") : Result::in_progress;
      if (!pick_algorithm(a->value, &alg_)) {
        append_pair(reply, "CHAP_A", "Reject");
        return fail("no supported CHAP_A in '" + a->value + "'");
      }
      if (!fixed_challenge_) {
        challenge_.resize(chap_digest_length(alg_));
        if (RAND_bytes(&id_, 1) != 1 || RAND_bytes(challenge_.data(), int(challenge_.size())) != 1)
          return fail("no random bytes for the CHAP challenge");
      }
      append_pair(reply, "CHAP_A", std::to_string(int(alg_)));
      append_pair(reply, "CHAP_I", std::to_string(int(id_)));
      append_pair(reply, "CHAP_C", to_hex_value(challenge_.data(), challenge_.size()));
      state_ = State::want_response;
      return Result::in_progress;
    }
    case State::want_response: {
      if (!n || !r) return fail("CHAP_N and CHAP_R expected");
      std::vector<uint8_t> got, want;
      if (!parse_binary(r->value, &got)) return fail("CHAP_R is not a binary value");
      if (!chap_compute(alg_, id_, creds_.secret, challenge_.data(), challenge_.size(), &want))
        return fail("CHAP digest unavailable");
      // Compare the name and the response; both must match.
      bool name_ok = n->value == creds_.user;
      bool resp_ok =
          got.size() == want.size() && CRYPTO_memcmp(got.data(), want.data(), got.size()) == 0;
      if (!name_ok || !resp_ok) return fail("CHAP response mismatch for user '" + n->value + "'");
      if (!i != !c) return fail("CHAP_I and CHAP_C must come together");
      if (!c) {
        if (creds_.mutual) return fail("mutual CHAP required but the initiator sent no challenge");
        state_ = State::done;
        return Result::success;
      }
      if (creds_.mutual_secret.empty())
        return fail("initiator asked for mutual CHAP but none is configured");
      uint64_t peer_id;
      std::vector<uint8_t> peer_challenge, answer;
      if (!parse_number(i->value, &peer_id) || peer_id > 255) return fail("bad CHAP_I");
      if (!parse_binary(c->value, &peer_challenge) || peer_challenge.empty() ||
          peer_challenge.size() > 1024)
        return fail("bad CHAP_C");
      // A reflected challenge lets an attacker make us compute the answer to
      // our own challenge (§12.1.3): refuse it.
      if (peer_challenge == challenge_) return fail("reflected CHAP challenge");
      if (!chap_compute(alg_, uint8_t(peer_id), creds_.mutual_secret, peer_challenge.data(),
                        peer_challenge.size(), &answer))
        return fail("CHAP digest unavailable");
      append_pair(reply, "CHAP_N", creds_.mutual_user);
      append_pair(reply, "CHAP_R", to_hex_value(answer.data(), answer.size()));
      state_ = State::done;
      return Result::success;
    }
    case State::done:
      return Result::success;
    case State::failed:
      return Result::failure;
  }
  return Result::failure;
}

}  // namespace nexus::iscsi
