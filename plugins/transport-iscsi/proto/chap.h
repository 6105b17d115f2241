// CHAP authentication, target side (RFC 7143 §12.1.3, RFC 1994).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text_keys.h"

namespace nexus::iscsi {

// CHAP_A algorithm identifiers (IANA "PPP Authentication Algorithms").
enum class ChapAlgorithm : uint8_t { md5 = 5, sha1 = 6, sha256 = 7 };
size_t chap_digest_length(ChapAlgorithm a) noexcept;

// response = H(id || secret || challenge); false if the digest is unavailable.
bool chap_compute(ChapAlgorithm a, uint8_t id, std::string_view secret, const uint8_t* challenge,
                  size_t challenge_len, std::vector<uint8_t>* out);

struct ChapCredentials {
  std::string user, secret;                // the initiator must prove it knows these
  bool mutual = false;                     // mutual CHAP is required
  std::string mutual_user, mutual_secret;  // what the target answers with (if set)
};

// Secrets shorter than this are accepted but weak (RFC 7143 §12.1.3 wants
// at least 96 bits).
constexpr size_t kRecommendedSecretLength = 12;

class ChapAuthenticator {
 public:
  enum class Result : uint8_t { in_progress, success, failure };

  explicit ChapAuthenticator(ChapCredentials creds);
  // Test hook: use this identifier and challenge instead of random ones.
  void set_challenge(uint8_t id, std::vector<uint8_t> challenge);

  // Feeds the CHAP_* keys of one login request; appends our keys to reply.
  Result on_keys(const KeyValues& in, std::string* reply);
  const std::string& error() const { return error_; }
  bool weak_secret() const;

 private:
  Result fail(std::string why);
  enum class State : uint8_t { want_algorithm, want_response, done, failed };
  ChapCredentials creds_;
  State state_ = State::want_algorithm;
  ChapAlgorithm alg_ = ChapAlgorithm::md5;
  uint8_t id_ = 0;
  std::vector<uint8_t> challenge_;
  bool fixed_challenge_ = false;
  std::string error_;
};

}  // namespace nexus::iscsi
