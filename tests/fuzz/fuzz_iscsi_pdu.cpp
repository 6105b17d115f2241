// libFuzzer target for the iSCSI protocol library: BHS decoders, text
// key=value parsing, operational negotiation, CHAP, the login state machine
// and Data-Out bookkeeping. Any crash, sanitizer report or violated
// invariant (abort) is a bug.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "chap.h"
#include "crc32c.h"
#include "login_negotiation.h"
#include "login_state_machine.h"
#include "pdu.h"
#include "r2t.h"
#include "text_keys.h"

namespace {

using namespace nexus::iscsi;

class FuzzHost final : public LoginHost {
 public:
  explicit FuzzHost(uint8_t mode) : mode_(mode) {}
  Access authorize(std::string_view, std::string_view target, LoginPolicy* out) override {
    if (target.empty()) return Access::not_found;
    fill(out);
    return Access(mode_ % 4);
  }
  Access discovery_auth(std::string_view, LoginPolicy* out) override {
    fill(out);
    return Access::ok;
  }
  bool target_info(std::string_view, uint16_t* tpgt, std::string* alias) override {
    *tpgt = 1;
    *alias = "fuzz";
    return true;
  }
  bool session_exists(uint16_t tsih) override { return tsih & 1; }
  void warn(std::string_view) override {}

 private:
  void fill(LoginPolicy* out) {
    out->chap_required = mode_ & 0x10;
    out->mutual_required = mode_ & 0x20;
    if (mode_ & 0x30) {
      out->chap_user = "user";
      out->chap_secret = "secretsecret";
      out->mutual_user = "target";
      out->mutual_secret = "targetsecret";
    }
  }
  uint8_t mode_;
};

void decode_all(const uint8_t* b) {
  BhsCommon c = decode_common(b);
  (void)c;
  ScsiCommand sc;
  ScsiResponse sr;
  DataOut dout;
  DataIn din;
  R2T r2t;
  TaskMgmtRequest tq;
  TaskMgmtResponse tr;
  LoginRequest lq;
  LoginResponse lr;
  TextRequest xq;
  TextResponse xr;
  LogoutRequest oq;
  LogoutResponse orr;
  NopOut no;
  NopIn ni;
  Reject rj;
  AsyncMessage am;
  uint8_t again[kBhsLen];
  // Whatever decodes must re-encode without trouble.
  if (ScsiCommand::decode(b, &sc)) sc.encode(again);
  if (ScsiResponse::decode(b, &sr)) sr.encode(again);
  if (DataOut::decode(b, &dout)) dout.encode(again);
  if (DataIn::decode(b, &din)) din.encode(again);
  if (R2T::decode(b, &r2t)) r2t.encode(again);
  if (TaskMgmtRequest::decode(b, &tq)) tq.encode(again);
  if (TaskMgmtResponse::decode(b, &tr)) tr.encode(again);
  if (LoginRequest::decode(b, &lq)) lq.encode(again);
  if (LoginResponse::decode(b, &lr)) lr.encode(again);
  if (TextRequest::decode(b, &xq)) xq.encode(again);
  if (TextResponse::decode(b, &xr)) xr.encode(again);
  if (LogoutRequest::decode(b, &oq)) oq.encode(again);
  if (LogoutResponse::decode(b, &orr)) orr.encode(again);
  if (NopOut::decode(b, &no)) no.encode(again);
  if (NopIn::decode(b, &ni)) ni.encode(again);
  if (Reject::decode(b, &rj)) rj.encode(again);
  if (AsyncMessage::decode(b, &am)) am.encode(again);
}

void text_and_negotiation(std::string_view text, uint8_t mode) {
  KeyValues kvs;
  if (parse_text(text, &kvs) != TextError::ok) return;
  for (const auto& kv : kvs) {
    uint64_t n;
    std::vector<uint8_t> bin;
    parse_number(kv.value, &n);
    parse_binary(kv.value, &bin);
  }
  TargetOffer offer;
  offer.initial_r2t = mode & 1;
  offer.immediate_data = mode & 2;
  OperationalNegotiator neg(offer, mode & 4);
  std::string reply;
  neg.negotiate(kvs, &reply);
  neg.declare(&reply);
  KeyValues back;
  if (parse_text(reply, &back) != TextError::ok) abort();  // our own output must parse
  const SessionParams& p = neg.params();
  if (p.first_burst > p.max_burst && p.max_burst != 262144) abort();
  if (p.max_connections != 1 || p.error_recovery_level != 0) abort();

  ChapAuthenticator chap({"user", "secretsecret", bool(mode & 8), "target", "targetsecret"});
  std::string out;
  chap.on_keys(kvs, &out);
  chap.on_keys(kvs, &out);
}

void login(const uint8_t* data, size_t size, uint8_t mode) {
  FuzzHost host(mode);
  LoginStateMachine sm(&host, TargetOffer{});
  // A sequence of Login Request PDUs: 48-byte BHS, then its data segment.
  while (size >= kBhsLen) {
    uint8_t bhs[kBhsLen];
    std::memcpy(bhs, data, kBhsLen);
    bhs[0] = (bhs[0] & 0xc0) | uint8_t(Opcode::login_request);
    data += kBhsLen;
    size -= kBhsLen;
    size_t len = std::min<size_t>(bhs[5] << 16 | bhs[6] << 8 | bhs[7], size);
    LoginReply r = sm.on_request(bhs, data, len);
    data += len;
    size -= len;
    if (r.data.size() > kLoginMaxSegment) abort();  // longer replies go in pieces
    if (r.action != LoginAction::respond) break;
  }
}

void data_out(const uint8_t* d, size_t size) {
  if (size < 16) return;
  auto u32 = [&](size_t i) {
    return uint32_t(d[i]) << 24 | d[i + 1] << 16 | d[i + 2] << 8 | d[i + 3];
  };
  DataOutTracker t;
  uint32_t expected = u32(0) & 0xffffff;
  t.init(expected, u32(4) & 0xffff, d[8] & 1, (u32(8) & 0xffff) + 512);
  t.request(u32(12) & 0xffffff);
  std::string why;
  for (size_t i = 16; i + 8 <= size; i += 8) {
    R2TPlan p;
    if (t.next_r2t(512 + (d[i] << 4), 1 + (d[i + 1] & 3), uint32_t(i), &p) &&
        p.offset + p.length > expected)
      abort();
    t.accept(d[i + 2] & 1 ? kReservedTag : uint32_t(i - 8), (d[i + 3] >> 1) & 3, t.received(),
             u32(i + 4) & 0xffff, d[i + 3] & 1, &why);
    if (t.received() > expected) abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t mode = data[0];
  ++data;
  --size;
  if (size >= kBhsLen) decode_all(data);
  if (crc32c(data, size) != crc32c_final(crc32c_update_portable(crc32c_init(), data, size)))
    abort();
  switch (mode >> 6) {
    case 0:
      text_and_negotiation(std::string_view(reinterpret_cast<const char*>(data), size), mode);
      break;
    case 1:
      login(data, size, mode);
      break;
    case 2:
      data_out(data, size);
      break;
    default:
      text_and_negotiation(std::string_view(reinterpret_cast<const char*>(data), size), mode);
      login(data, size, mode);
  }
  return 0;
}
