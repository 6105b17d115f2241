// Operational key negotiation (RFC 7143 §6.2, §13): the target answers the
// initiator's offers and declares its own MaxRecvDataSegmentLength.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "text_keys.h"

namespace nexus::iscsi {

enum class Digest : uint8_t { none = 0, crc32c = 1 };

// Values in force for a session/connection. Defaults are the RFC defaults.
struct SessionParams {
  Digest header_digest = Digest::none;
  Digest data_digest = Digest::none;
  uint32_t max_connections = 1;
  bool initial_r2t = true;
  bool immediate_data = true;
  uint32_t target_max_recv = 8192;     // we receive at most this per PDU (declared by us)
  uint32_t initiator_max_recv = 8192;  // we send at most this per PDU (declared by initiator)
  uint32_t max_burst = 262144;
  uint32_t first_burst = 65536;
  uint32_t time2wait = 2;
  uint32_t time2retain = 20;
  uint32_t max_outstanding_r2t = 1;
  bool data_pdu_in_order = true;
  bool data_sequence_in_order = true;
  uint32_t error_recovery_level = 0;
};

// What the target offers / declares (from the plugin options).
struct TargetOffer {
  uint32_t max_recv_data_segment_length = 262144;
  uint32_t max_burst_length = 1u << 20;
  uint32_t first_burst_length = 65536;
  bool immediate_data = true;
  bool initial_r2t = false;
  uint32_t max_outstanding_r2t = 16;
  uint32_t time2wait = 2;
  uint32_t time2retain = 0;  // ERL 0: nothing to retain
  bool allow_header_digest = true;
  bool allow_data_digest = true;
};

// Valid range of the length keys (§13.12-§13.14).
constexpr uint32_t kMinSegmentLength = 512;
constexpr uint32_t kMaxSegmentLength = (1u << 24) - 1;

class OperationalNegotiator {
 public:
  OperationalNegotiator(const TargetOffer& offer, bool discovery);
  void set_discovery(bool d) { discovery_ = d; }

  // True for keys this class answers (operational keys and unknown ones);
  // false for login identity and security keys the caller handles.
  static bool handles(std::string_view key);
  // Appends the answer to every key of `in` this class handles.
  void negotiate(const KeyValues& in, std::string* reply);
  // Appends our MaxRecvDataSegmentLength declaration once (§13.12).
  void declare(std::string* reply);
  const SessionParams& params() const { return params_; }

 private:
  void answer(const KeyValue& kv, std::string* reply);
  TargetOffer offer_;
  bool discovery_;
  bool declared_ = false;
  SessionParams params_;
};

}  // namespace nexus::iscsi
