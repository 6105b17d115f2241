#include "login_negotiation.h"

#include <algorithm>

namespace nexus::iscsi {
namespace {

bool parse_bool(std::string_view v, bool* out) {
  if (v == "Yes") return *out = true, true;
  if (v == "No") return *out = false, true;
  return false;
}
const char* yes_no(bool b) { return b ? "Yes" : "No"; }

bool in_range(std::string_view v, uint64_t lo, uint64_t hi, uint32_t* out) {
  uint64_t n;
  if (!parse_number(v, &n) || n < lo || n > hi) return false;
  *out = uint32_t(n);
  return true;
}

// Picks the first value of the initiator's list we support (§6.2.1).
bool pick_digest(std::string_view list, bool allow_crc, Digest* out, std::string* chosen) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view v = list.substr(pos, comma - pos);
    if (v == "None") {
      *out = Digest::none;
      *chosen = "None";
      return true;
    }
    if (v == "CRC32C" && allow_crc) {
      *out = Digest::crc32c;
      *chosen = "CRC32C";
      return true;
    }
    pos = comma + 1;
  }
  return false;
}

// Keys the session type Discovery makes irrelevant (§13.10-§13.20).
bool irrelevant_in_discovery(std::string_view k) {
  return k == "InitialR2T" || k == "ImmediateData" || k == "MaxBurstLength" ||
         k == "FirstBurstLength" || k == "MaxOutstandingR2T" || k == "DataPDUInOrder" ||
         k == "DataSequenceInOrder";
}

}  // namespace

OperationalNegotiator::OperationalNegotiator(const TargetOffer& offer, bool discovery)
    : offer_(offer), discovery_(discovery) {}

bool OperationalNegotiator::handles(std::string_view key) {
  static constexpr std::string_view kNotHere[] = {"InitiatorName", "TargetName", "SessionType",
                                                  "AuthMethod", "InitiatorAlias"};
  for (auto k : kNotHere)
    if (key == k) return false;
  return key.substr(0, 5) != "CHAP_";
}

void OperationalNegotiator::declare(std::string* reply) {
  if (declared_) return;
  declared_ = true;
  params_.target_max_recv = offer_.max_recv_data_segment_length;
  append_pair(reply, "MaxRecvDataSegmentLength", std::to_string(params_.target_max_recv));
}

void OperationalNegotiator::negotiate(const KeyValues& in, std::string* reply) {
  // MaxBurstLength first so FirstBurstLength can be capped by its result;
  // FirstBurstLength last because its relevance depends on InitialR2T and
  // ImmediateData (§13.14).
  auto rank = [](const std::string& k) {
    return k == "MaxBurstLength" ? 0 : k == "FirstBurstLength" ? 2 : 1;
  };
  std::vector<const KeyValue*> order;
  for (const auto& kv : in)
    if (handles(kv.key)) order.push_back(&kv);
  std::stable_sort(order.begin(), order.end(), [&](const KeyValue* a, const KeyValue* b) {
    return rank(a->key) < rank(b->key);
  });
  for (const KeyValue* kv : order) answer(*kv, reply);
}

void OperationalNegotiator::answer(const KeyValue& kv, std::string* reply) {
  const std::string& k = kv.key;
  const std::string& v = kv.value;
  auto put = [&](std::string_view val) { append_pair(reply, k, val); };
  auto reject = [&] { put("Reject"); };
  uint32_t n = 0;
  bool b = false;

  // Answers of the peer to our own offers never occur (we only declare), but
  // an initiator may echo special values: nothing to answer then (§6.2).
  if (v == "NotUnderstood" || v == "Irrelevant" || v == "Reject") return;
  if (discovery_ && irrelevant_in_discovery(k)) return put("Irrelevant");

  if (k == "HeaderDigest" || k == "DataDigest") {
    bool hdr = k == "HeaderDigest";
    Digest d;
    std::string chosen;
    if (!pick_digest(v, hdr ? offer_.allow_header_digest : offer_.allow_data_digest, &d, &chosen))
      return reject();
    (hdr ? params_.header_digest : params_.data_digest) = d;
    return put(chosen);
  }
  if (k == "MaxConnections") {
    if (!in_range(v, 1, 65535, &n)) return reject();
    params_.max_connections = 1;  // we support one connection per session
    return put("1");
  }
  if (k == "InitialR2T") {  // Boolean OR
    if (!parse_bool(v, &b)) return reject();
    params_.initial_r2t = b || offer_.initial_r2t;
    return put(yes_no(params_.initial_r2t));
  }
  if (k == "ImmediateData") {  // Boolean AND
    if (!parse_bool(v, &b)) return reject();
    params_.immediate_data = b && offer_.immediate_data;
    return put(yes_no(params_.immediate_data));
  }
  if (k == "MaxRecvDataSegmentLength") {  // declarative: the initiator's receive limit
    // A bad value leaves the default (8192) in force. No "Reject": the key
    // is declarative and our own declaration uses the same name.
    if (in_range(v, kMinSegmentLength, kMaxSegmentLength, &n)) params_.initiator_max_recv = n;
    return declare(reply);
  }
  if (k == "MaxBurstLength") {  // numerical minimum
    if (!in_range(v, kMinSegmentLength, kMaxSegmentLength, &n)) return reject();
    params_.max_burst = std::min(n, offer_.max_burst_length);
    params_.first_burst = std::min(params_.first_burst, params_.max_burst);
    return put(std::to_string(params_.max_burst));
  }
  if (k == "FirstBurstLength") {  // numerical minimum, <= MaxBurstLength
    if (!in_range(v, kMinSegmentLength, kMaxSegmentLength, &n)) return reject();
    if (params_.initial_r2t && !params_.immediate_data) return put("Irrelevant");
    params_.first_burst = std::min({n, offer_.first_burst_length, params_.max_burst});
    return put(std::to_string(params_.first_burst));
  }
  if (k == "DefaultTime2Wait") {  // numerical maximum
    if (!in_range(v, 0, 3600, &n)) return reject();
    params_.time2wait = std::max(n, offer_.time2wait);
    return put(std::to_string(params_.time2wait));
  }
  if (k == "DefaultTime2Retain") {  // numerical minimum
    if (!in_range(v, 0, 3600, &n)) return reject();
    params_.time2retain = std::min(n, offer_.time2retain);
    return put(std::to_string(params_.time2retain));
  }
  if (k == "MaxOutstandingR2T") {  // numerical minimum
    if (!in_range(v, 1, 65535, &n)) return reject();
    params_.max_outstanding_r2t = std::min(n, offer_.max_outstanding_r2t);
    return put(std::to_string(params_.max_outstanding_r2t));
  }
  if (k == "DataPDUInOrder" || k == "DataSequenceInOrder") {  // Boolean OR; we want Yes
    if (!parse_bool(v, &b)) return reject();
    return put("Yes");
  }
  if (k == "ErrorRecoveryLevel") {  // numerical minimum; we implement level 0
    if (!in_range(v, 0, 2, &n)) return reject();
    params_.error_recovery_level = 0;
    return put("0");
  }
  if (k == "OFMarker" || k == "IFMarker") {  // Boolean AND; markers are not supported
    if (!parse_bool(v, &b)) return reject();
    return put("No");
  }
  if (k == "OFMarkInt" || k == "IFMarkInt") return put("Irrelevant");  // markers are off
  if (k == "TaskReporting") {  // RFC 7144 §13.23: list, we only do RFC3720 semantics
    if (v.find("RFC3720") == std::string::npos) return reject();
    return put("RFC3720");
  }
  if (k == "iSCSIProtocolLevel") {  // RFC 7144 §13.24: numerical minimum
    if (!in_range(v, 0, 31, &n)) return reject();
    return put(std::to_string(std::min<uint32_t>(n, 1)));
  }
  // Keys only a target sends, or only in Full Feature Phase.
  if (k == "TargetAlias" || k == "TargetAddress" || k == "TargetPortalGroupTag" ||
      k == "SendTargets")
    return reject();
  put("NotUnderstood");  // unknown keys, X- and X# extensions (§6.2)
}

}  // namespace nexus::iscsi
