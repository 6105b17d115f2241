// Protocol edge cases driven with hand-built PDUs over a raw TCP socket
// against the plugin in the fake core.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "crc32c.h"
#include "fake_core.h"
#include "nexus/bytes.hpp"
#include "pdu.h"

namespace nexus::test {
namespace {

using namespace nexus::iscsi;
using namespace std::string_literals;

struct Pdu {
  uint8_t bhs[kBhsLen];
  std::string data;
  Opcode op() const { return Opcode(bhs[0] & 0x3f); }
};

class Raw {
 public:
  explicit Raw(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~Raw() { close(fd_); }
  bool ok() const { return ok_; }
  bool hd = false, dd = false;
  uint32_t cmd_sn = 1, itt = 1, stat_sn = 0;

  void send_raw(const void* p, size_t n) { ASSERT_EQ(::send(fd_, p, n, MSG_NOSIGNAL), ssize_t(n)); }
  void send(const uint8_t* bhs, const std::string& data = {}, bool corrupt_hd = false,
            bool corrupt_dd = false) {
    std::string out(reinterpret_cast<const char*>(bhs), kBhsLen);
    if (hd) {
      uint8_t d[4];
      put_digest(d, crc32c(bhs, kBhsLen) ^ (corrupt_hd ? 1 : 0));
      out.append(reinterpret_cast<char*>(d), 4);
    }
    if (!data.empty()) {
      std::string padded_data =
          data + std::string(padded(uint32_t(data.size())) - data.size(), '\0');
      out += padded_data;
      if (dd) {
        uint8_t d[4];
        put_digest(d, crc32c(padded_data.data(), padded_data.size()) ^ (corrupt_dd ? 1 : 0));
        out.append(reinterpret_cast<char*>(d), 4);
      }
    }
    send_raw(out.data(), out.size());
  }
  // Reads exactly n bytes; false on EOF or timeout.
  bool read_n(void* p, size_t n, int timeout_ms) {
    auto* b = static_cast<uint8_t*>(p);
    while (n) {
      pollfd pf{fd_, POLLIN, 0};
      if (poll(&pf, 1, timeout_ms) <= 0) return false;
      ssize_t r = ::recv(fd_, b, n, 0);
      if (r <= 0) return false;
      b += r;
      n -= size_t(r);
    }
    return true;
  }
  bool recv(Pdu* p, int timeout_ms = 2000) {
    if (!read_n(p->bhs, kBhsLen, timeout_ms)) return false;
    if (hd) {
      uint8_t d[4];
      if (!read_n(d, 4, timeout_ms)) return false;
      EXPECT_EQ(get_digest(d), crc32c(p->bhs, kBhsLen));
    }
    uint32_t len = get_be24(p->bhs + 5);
    p->data.assign(padded(len), '\0');
    if (len && !read_n(p->data.data(), p->data.size(), timeout_ms)) return false;
    if (len && dd) {
      uint8_t d[4];
      if (!read_n(d, 4, timeout_ms)) return false;
      EXPECT_EQ(get_digest(d), crc32c(p->data.data(), p->data.size()));
    }
    p->data.resize(len);
    return true;
  }
  // True when the target closes the connection within timeout_ms.
  bool closed(int timeout_ms = 2000) {
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    char buf[4096];
    while (std::chrono::steady_clock::now() < end) {
      pollfd pf{fd_, POLLIN, 0};
      if (poll(&pf, 1, 50) <= 0) continue;
      ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
      if (r <= 0) return true;
    }
    return false;
  }
  // Single-PDU login straight to Full Feature Phase.
  LoginResponse login(const std::string& initiator, uint64_t isid = 0x400000000001ull,
                      const std::string& extra = "", const std::string& target = kTarget,
                      uint8_t version = 0) {
    std::string keys = "InitiatorName=" + initiator + "\0TargetName="s + target +
                       "\0SessionType=Normal\0MaxRecvDataSegmentLength=65536\0"s + extra;
    LoginRequest r;
    r.transit = true;
    r.csg = 1;
    r.nsg = 3;
    r.isid = isid;
    r.itt = itt++;
    r.cmd_sn = cmd_sn;
    r.version_min = r.version_max = version;
    r.data_length = uint32_t(keys.size());
    uint8_t b[kBhsLen];
    r.encode(b);
    send(b, keys);
    Pdu p;
    LoginResponse resp{};
    if (!recv(&p)) return resp;
    EXPECT_TRUE(LoginResponse::decode(p.bhs, &resp));
    stat_sn = resp.stat_sn + 1;
    hd = keys.find("HeaderDigest=CRC32C") != std::string::npos;
    dd = keys.find("DataDigest=CRC32C") != std::string::npos;
    return resp;
  }
  void nop(uint32_t tag, const std::string& data = {}, bool immediate = true, uint32_t sn = 0,
           bool corrupt_hd = false, bool corrupt_dd = false) {
    NopOut n;
    n.immediate = immediate;
    n.itt = tag;
    n.cmd_sn = immediate ? cmd_sn : sn;
    n.data_length = uint32_t(data.size());
    uint8_t b[kBhsLen];
    n.encode(b);
    send(b, data, corrupt_hd, corrupt_dd);
  }

 private:
  int fd_;
  bool ok_ = false;
};

constexpr const char* kInit = "iqn.2026-11.io.nexus.test:raw";

TEST(IscsiRaw, GarbageBeforeLoginDropsConnection) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_TRUE(r.ok());
  std::string junk(48, '\xff');
  r.send_raw(junk.data(), junk.size());
  EXPECT_TRUE(r.closed());
}

TEST(IscsiRaw, LoginFailureStatuses) {
  FakeCore core;
  {
    Raw r(core.port());
    LoginResponse l = r.login(kInit, 1, "", "iqn.2026-11.io.nexus:nope");
    EXPECT_EQ(l.status_class, 2);
    EXPECT_EQ(l.status_detail, 3);  // not found
    EXPECT_TRUE(r.closed());
  }
  {
    Raw r(core.port());
    LoginResponse l = r.login(kInit, 1, "", kTarget, 1);
    EXPECT_EQ(l.status_class, 2);
    EXPECT_EQ(l.status_detail, 5);  // unsupported version
  }
}

TEST(IscsiRaw, RejectsUnknownAndTargetOpcodes) {
  FakeCore core;
  Raw r(core.port());
  LoginResponse l = r.login(kInit);
  ASSERT_EQ(l.status_class, 0);
  ASSERT_TRUE(l.transit);
  EXPECT_NE(l.tsih, 0);
  uint8_t b[kBhsLen] = {0x1c};
  put_be32(b + 16, 77);
  r.send(b);
  Pdu p;
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::reject);
  EXPECT_EQ(p.bhs[2], 0x05);
  ASSERT_EQ(p.data.size(), kBhsLen);
  EXPECT_EQ(std::memcmp(p.data.data(), b, kBhsLen), 0);
  uint8_t t[kBhsLen] = {0x21};  // SCSI Response sent by an initiator
  r.send(t);
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::reject);
  EXPECT_EQ(p.bhs[2], 0x04);
  r.nop(5, "ping");  // still alive
  ASSERT_TRUE(r.recv(&p));
  EXPECT_EQ(p.op(), Opcode::nop_in);
}

TEST(IscsiRaw, OversizedDataSegmentDropsConnection) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit).status_class, 0);
  NopOut n;
  n.immediate = true;
  n.itt = 3;
  n.data_length = 300000;  // above our MaxRecvDataSegmentLength (262144)
  uint8_t b[kBhsLen];
  n.encode(b);
  r.send_raw(b, kBhsLen);
  EXPECT_TRUE(r.closed());
  EXPECT_TRUE(core.wait_for([&] { return core.nexus_lost == 1; }, 2000));
}

TEST(IscsiRaw, NopEchoWithDigests) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit, 1, "HeaderDigest=CRC32C\0DataDigest=CRC32C\0"s).status_class, 0);
  ASSERT_TRUE(r.hd && r.dd);
  r.nop(9, "hello, target");
  Pdu p;
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::nop_in);
  NopIn in;
  ASSERT_TRUE(NopIn::decode(p.bhs, &in));
  EXPECT_EQ(in.itt, 9u);
  EXPECT_EQ(in.ttt, kReservedTag);
  EXPECT_EQ(p.data, "hello, target");
  // A bad data digest on a NOP-Out: Reject, the connection survives.
  r.nop(10, "abc", true, 0, false, true);
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::reject);
  EXPECT_EQ(p.bhs[2], 0x02);
  r.nop(11);
  ASSERT_TRUE(r.recv(&p));
  EXPECT_EQ(p.op(), Opcode::nop_in);
  // A bad header digest: the connection is dropped.
  r.nop(12, "", true, 0, true);
  EXPECT_TRUE(r.closed());
}

TEST(IscsiRaw, CmdSnOutsideWindowIsIgnored) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit).status_class, 0);
  r.nop(20, "", false, r.cmd_sn + 1000);
  Pdu p;
  EXPECT_FALSE(r.recv(&p, 300));
  r.nop(21, "", false, r.cmd_sn - 1);  // old CmdSN: duplicate
  EXPECT_FALSE(r.recv(&p, 300));
  r.nop(22, "", false, r.cmd_sn);
  ASSERT_TRUE(r.recv(&p));
  NopIn in;
  ASSERT_TRUE(NopIn::decode(p.bhs, &in));
  EXPECT_EQ(in.itt, 22u);
  EXPECT_EQ(in.exp_cmd_sn, r.cmd_sn + 1);
  EXPECT_EQ(in.max_cmd_sn, r.cmd_sn + 128);
}

TEST(IscsiRaw, AbortTaskDropsCommandSilently) {
  FakeCore core;
  core.park_commands = true;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit).status_class, 0);
  ScsiCommand c;
  c.read = true;
  c.itt = 100;
  c.cmd_sn = r.cmd_sn++;
  c.expected_length = 4096;
  c.cdb[0] = 0x28;
  c.cdb[8] = 8;
  uint8_t b[kBhsLen];
  c.encode(b);
  r.send(b);
  ASSERT_TRUE(core.wait_for([&] { return core.live_commands == 1; }, 2000));
  TaskMgmtRequest t;
  t.immediate = true;
  t.function = 1;
  t.itt = 101;
  t.referenced_tag = 100;
  t.cmd_sn = r.cmd_sn;
  t.encode(b);
  r.send(b);
  Pdu p;
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::tmf_response);
  EXPECT_EQ(p.bhs[2], 0);  // function complete
  EXPECT_EQ(get_be32(p.bhs + 16), 101u);
  EXPECT_EQ(core.aborted, 1);
  EXPECT_EQ(core.live_commands, 0);
  // ABORT TASK of a task that completed (RefCmdSN below the window):
  // "task does not exist" (RFC 7143 §11.6.1).
  t.itt = 102;
  t.referenced_tag = 999;
  t.ref_cmd_sn = r.cmd_sn - 1;
  t.encode(b);
  r.send(b);
  ASSERT_TRUE(r.recv(&p));
  EXPECT_EQ(p.bhs[2], 1);
  EXPECT_EQ(get_be32(p.bhs + 16), 102u);
  // RefCmdSN inside the window, before the TMF's own CmdSN: the command is
  // considered received, the abort complete.
  t.immediate = false;
  t.itt = 105;
  t.referenced_tag = 998;
  t.ref_cmd_sn = r.cmd_sn;
  t.cmd_sn = r.cmd_sn + 1;
  t.encode(b);
  r.send(b);
  ASSERT_TRUE(r.recv(&p));
  EXPECT_EQ(p.bhs[2], 0);
  t.immediate = true;
  t.cmd_sn = r.cmd_sn + 2;
  // TASK REASSIGN needs ERL 2; unknown functions are not supported.
  t.itt = 103;
  t.function = 8;
  t.encode(b);
  r.send(b);
  ASSERT_TRUE(r.recv(&p));
  EXPECT_EQ(p.bhs[2], 4);
  t.itt = 104;
  t.function = 50;
  t.encode(b);
  r.send(b);
  ASSERT_TRUE(r.recv(&p));
  EXPECT_EQ(p.bhs[2], 5);
}

TEST(IscsiRaw, WriteWithImmediateUnsolicitedAndSolicitedData) {
  FakeCore core({{"first_burst_length", "8192"}, {"max_burst_length", "16384"}});
  Raw r(core.port());
  ASSERT_EQ(
      r.login(kInit, 1,
              "ImmediateData=Yes\0InitialR2T=No\0FirstBurstLength=8192\0MaxBurstLength=16384\0"s)
          .status_class,
      0);
  const uint32_t total = 40960;
  std::string data(total, '\0');
  for (uint32_t i = 0; i < total; ++i) data[i] = char(i * 13 + 1);
  ScsiCommand c;
  c.write = true;
  c.final = false;
  c.itt = 7;
  c.cmd_sn = r.cmd_sn++;
  c.expected_length = total;
  c.cdb[0] = 0x2a;
  put_be32(c.cdb + 2, 4);
  put_be16(c.cdb + 7, uint16_t(total / 512));
  c.data_length = 4096;  // immediate
  uint8_t b[kBhsLen];
  c.encode(b);
  r.send(b, data.substr(0, 4096));
  DataOut d;
  d.itt = 7;
  d.final = true;  // unsolicited up to FirstBurstLength
  d.buffer_offset = 4096;
  d.data_length = 4096;
  d.encode(b);
  r.send(b, data.substr(4096, 4096));
  uint32_t got = 8192;
  Pdu p;
  while (got < total) {
    ASSERT_TRUE(r.recv(&p));
    ASSERT_EQ(p.op(), Opcode::r2t);
    R2T t;
    ASSERT_TRUE(R2T::decode(p.bhs, &t));
    EXPECT_EQ(t.buffer_offset, got);
    EXPECT_LE(t.desired_length, 16384u);
    for (uint32_t off = 0; off < t.desired_length; off += 8192) {
      DataOut o;
      o.itt = 7;
      o.ttt = t.ttt;
      o.buffer_offset = t.buffer_offset + off;
      o.data_length = std::min<uint32_t>(8192, t.desired_length - off);
      o.final = off + o.data_length == t.desired_length;
      o.data_sn = off / 8192;
      o.encode(b);
      r.send(b, data.substr(o.buffer_offset, o.data_length));
    }
    got += t.desired_length;
  }
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::scsi_response);
  EXPECT_EQ(p.bhs[3], 0);
  EXPECT_EQ(std::memcmp(core.disk().data() + 4 * 512, data.data(), total), 0);
}

TEST(IscsiRaw, ReadSplitIntoDataInWithDigestsAndCollapsedStatus) {
  FakeCore core({{"max_burst_length", "8192"}, {"first_burst_length", "8192"}});
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit, 1, "HeaderDigest=CRC32C\0DataDigest=CRC32C\0MaxBurstLength=8192\0"s)
                .status_class,
            0);
  for (size_t i = 0; i < 20480; ++i) core.disk()[i] = uint8_t(i * 3);
  ScsiCommand c;
  c.read = true;
  c.itt = 50;
  c.cmd_sn = r.cmd_sn++;
  c.expected_length = 24576;  // 4 KiB more than the CDB asks: underflow
  c.cdb[0] = 0x28;
  put_be16(c.cdb + 7, 40);
  uint8_t b[kBhsLen];
  c.encode(b);
  r.send(b);
  std::string got;
  Pdu p;
  for (uint32_t sn = 0;; ++sn) {
    ASSERT_TRUE(r.recv(&p));
    ASSERT_EQ(p.op(), Opcode::data_in);
    DataIn d;
    ASSERT_TRUE(DataIn::decode(p.bhs, &d));
    EXPECT_EQ(d.data_sn, sn);
    EXPECT_EQ(d.buffer_offset, got.size());
    EXPECT_LE(p.data.size(), 8192u);
    got += p.data;
    // F ends every MaxBurstLength sequence (§11.7.1).
    EXPECT_EQ(d.final, got.size() % 8192 == 0 || got.size() == 20480);
    if (d.has_status) {
      EXPECT_EQ(d.status, 0);
      EXPECT_TRUE(d.underflow);
      EXPECT_EQ(d.residual, 4096u);
      break;
    }
  }
  ASSERT_EQ(got.size(), 20480u);
  EXPECT_EQ(std::memcmp(got.data(), core.disk().data(), got.size()), 0);
}

TEST(IscsiRaw, ResponseWaitsForUnsolicitedData) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit, 1, "InitialR2T=No\0"s).status_class, 0);
  ScsiCommand c;
  c.write = true;
  c.final = false;  // unsolicited Data-Out follows
  c.itt = 60;
  c.cmd_sn = r.cmd_sn++;
  c.expected_length = 8192;
  c.cdb[0] = 0xff;  // the fake core fails it at once
  uint8_t b[kBhsLen];
  c.encode(b);
  r.send(b);
  Pdu p;
  EXPECT_FALSE(r.recv(&p, 200));  // §11.4: no status while data is still due
  DataOut d;
  d.itt = 60;
  d.final = true;
  d.data_length = 8192;
  d.encode(b);
  r.send(b, std::string(8192, 'z'));
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::scsi_response);
  EXPECT_EQ(p.bhs[3], 0x02);  // CHECK CONDITION
  ASSERT_EQ(p.data.size(), 20u);
  EXPECT_EQ(get_be16(reinterpret_cast<const uint8_t*>(p.data.data())), 18);  // SenseLength
  EXPECT_EQ(uint8_t(p.data[2]), 0x70);
  EXPECT_EQ(uint8_t(p.data[14]), 0x20);  // INVALID COMMAND OPERATION CODE
  EXPECT_TRUE(core.wait_for([&] { return core.live_commands == 0; }, 1000));
}

TEST(IscsiRaw, DataOutOutOfOrderDropsConnection) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit, 1, "InitialR2T=No\0"s).status_class, 0);
  ScsiCommand c;
  c.write = true;
  c.final = false;
  c.itt = 8;
  c.cmd_sn = r.cmd_sn++;
  c.expected_length = 8192;
  c.cdb[0] = 0x2a;
  put_be16(c.cdb + 7, 16);
  uint8_t b[kBhsLen];
  c.encode(b);
  r.send(b);
  DataOut d;
  d.itt = 8;
  d.buffer_offset = 4096;  // should be 0
  d.data_length = 512;
  d.encode(b);
  r.send(b, std::string(512, 'x'));
  EXPECT_TRUE(r.closed());
}

TEST(IscsiRaw, SendTargetsInNormalSessionAndLogout) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit).status_class, 0);
  TextRequest t;
  t.itt = 30;
  t.cmd_sn = r.cmd_sn++;
  std::string keys = "SendTargets=\0X-foo=bar\0"s;
  t.data_length = uint32_t(keys.size());
  uint8_t b[kBhsLen];
  t.encode(b);
  r.send(b, keys);
  Pdu p;
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::text_response);
  EXPECT_EQ(p.data, "TargetName="s + kTarget + "\0TargetAddress="s + core.portal() +
                        ",1\0TargetAddress="s + core.portal6() + ",1\0X-foo=NotUnderstood\0"s);
  LogoutRequest lo;
  lo.immediate = true;
  lo.reason = 0;
  lo.itt = 31;
  lo.cmd_sn = r.cmd_sn;
  lo.encode(b);
  r.send(b);
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::logout_response);
  EXPECT_EQ(p.bhs[2], 0);
  EXPECT_EQ(get_be32(p.bhs + 16), 31u);
  EXPECT_TRUE(r.closed());
  EXPECT_TRUE(core.wait_for([&] { return core.nexus_logged_out == 1; }, 2000));
}

TEST(IscsiRaw, SessionReinstatement) {
  FakeCore core;
  Raw a(core.port());
  ASSERT_EQ(a.login(kInit, 0x400000000042ull).status_class, 0);
  Raw b(core.port());
  LoginResponse l = b.login(kInit, 0x400000000042ull);
  EXPECT_EQ(l.status_class, 0);
  EXPECT_TRUE(a.closed());
  EXPECT_TRUE(core.wait_for([&] { return core.nexus_lost == 1 && core.open_nexuses == 1; }, 2000));
  b.nop(1);
  Pdu p;
  ASSERT_TRUE(b.recv(&p));
  EXPECT_EQ(p.op(), Opcode::nop_in);
  // A different ISID is a separate session.
  Raw c(core.port());
  EXPECT_EQ(c.login(kInit, 0x400000000043ull).status_class, 0);
  EXPECT_FALSE(b.closed(200));
}

TEST(IscsiRaw, KeepaliveDropsSilentInitiator) {
  FakeCore core({{"nop_interval", "1"}, {"nop_timeout", "1"}});
  Raw quiet(core.port());
  Raw live(core.port());
  ASSERT_EQ(quiet.login(kInit, 1).status_class, 0);
  ASSERT_EQ(live.login("iqn.2026-11.io.nexus.test:live", 2).status_class, 0);
  Pdu p;
  for (int i = 0; i < 3; ++i) {  // answer three pings
    ASSERT_TRUE(live.recv(&p, 3000));
    ASSERT_EQ(p.op(), Opcode::nop_in);
    NopIn in;
    ASSERT_TRUE(NopIn::decode(p.bhs, &in));
    EXPECT_EQ(in.itt, kReservedTag);
    ASSERT_NE(in.ttt, kReservedTag);
    NopOut o;
    o.immediate = true;
    o.itt = kReservedTag;
    o.ttt = in.ttt;
    uint8_t b[kBhsLen];
    o.encode(b);
    live.send(b);
  }
  EXPECT_TRUE(quiet.closed(100));
  EXPECT_FALSE(live.closed(200));
}

TEST(IscsiRaw, ShutdownAsksForLogout) {
  FakeCore core;
  Raw r(core.port());
  ASSERT_EQ(r.login(kInit).status_class, 0);
  std::thread t([&] { EXPECT_TRUE(core.shutdown(3000, 5000)); });
  Pdu p;
  ASSERT_TRUE(r.recv(&p));
  ASSERT_EQ(p.op(), Opcode::async_message);
  EXPECT_EQ(p.bhs[36], 1);  // logout requested
  LogoutRequest lo;
  lo.immediate = true;
  lo.itt = 40;
  lo.cmd_sn = r.cmd_sn;
  uint8_t b[kBhsLen];
  lo.encode(b);
  r.send(b);
  ASSERT_TRUE(r.recv(&p));
  EXPECT_EQ(p.op(), Opcode::logout_response);
  t.join();
  EXPECT_EQ(core.nexus_logged_out, 1);
  EXPECT_EQ(core.nexus_lost, 0);
}

}  // namespace
}  // namespace nexus::test
