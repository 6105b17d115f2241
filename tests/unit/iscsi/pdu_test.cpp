#include "pdu.h"

#include <gtest/gtest.h>

#include <cstring>

namespace nexus::iscsi {
namespace {

// Encodes, decodes and re-encodes: the bytes must be identical.
template <typename T>
T round_trip(const T& in, uint8_t* bhs) {
  in.encode(bhs);
  T out;
  EXPECT_TRUE(T::decode(bhs, &out));
  uint8_t again[kBhsLen];
  out.encode(again);
  EXPECT_EQ(std::memcmp(bhs, again, kBhsLen), 0);
  return out;
}

TEST(Pdu, ScsiCommand) {
  ScsiCommand c;
  c.immediate = true;
  c.final = false;
  c.write = true;
  c.attr = 2;
  c.data_length = 4096;
  c.lun = 0x0001000000000000ull;
  c.itt = 0x11223344;
  c.expected_length = 65536;
  c.cmd_sn = 7;
  c.exp_stat_sn = 9;
  c.cdb[0] = 0x2a;
  c.cdb[15] = 0x55;
  uint8_t b[kBhsLen];
  ScsiCommand o = round_trip(c, b);
  EXPECT_EQ(b[0], 0x41);
  EXPECT_EQ(b[1], 0x22);
  EXPECT_EQ(o.data_length, 4096u);
  EXPECT_EQ(o.lun, c.lun);
  EXPECT_EQ(o.itt, c.itt);
  EXPECT_EQ(o.expected_length, 65536u);
  EXPECT_EQ(o.cdb[0], 0x2a);
  EXPECT_EQ(o.cdb[15], 0x55);
  BhsCommon common = decode_common(b);
  EXPECT_EQ(common.opcode, Opcode::scsi_command);
  EXPECT_TRUE(common.immediate);
  EXPECT_EQ(common.data_length, 4096u);
  EXPECT_EQ(common.itt, 0x11223344u);
}

TEST(Pdu, ScsiCommandMalformed) {
  ScsiCommand c;
  c.final = false;  // unsolicited data announced for a read
  c.read = true;
  uint8_t b[kBhsLen];
  c.encode(b);
  ScsiCommand o;
  EXPECT_FALSE(ScsiCommand::decode(b, &o));
  c.final = true;
  c.data_length = 512;  // immediate data without W
  c.encode(b);
  EXPECT_FALSE(ScsiCommand::decode(b, &o));
  b[0] = uint8_t(Opcode::nop_out);
  EXPECT_FALSE(ScsiCommand::decode(b, &o));
}

TEST(Pdu, ScsiResponse) {
  ScsiResponse r;
  r.underflow = true;
  r.status = 2;
  r.data_length = 20;
  r.itt = 5;
  r.stat_sn = 100;
  r.exp_cmd_sn = 8;
  r.max_cmd_sn = 40;
  r.exp_data_sn = 3;
  r.residual = 512;
  uint8_t b[kBhsLen];
  ScsiResponse o = round_trip(r, b);
  EXPECT_EQ(b[1], 0x82);
  EXPECT_TRUE(o.underflow);
  EXPECT_FALSE(o.overflow);
  EXPECT_EQ(o.residual, 512u);
  EXPECT_EQ(o.stat_sn, 100u);
  b[1] |= 0x04;  // O and U together
  EXPECT_FALSE(ScsiResponse::decode(b, &o));
}

TEST(Pdu, DataOutAndIn) {
  DataOut d;
  d.final = true;
  d.data_length = 8192;
  d.lun = 3ull << 48;
  d.itt = 1;
  d.ttt = 77;
  d.data_sn = 4;
  d.buffer_offset = 32768;
  uint8_t b[kBhsLen];
  DataOut od = round_trip(d, b);
  EXPECT_EQ(od.ttt, 77u);
  EXPECT_EQ(od.buffer_offset, 32768u);

  DataIn i;
  i.final = true;
  i.has_status = true;
  i.underflow = true;
  i.status = 0;
  i.data_length = 512;
  i.itt = 9;
  i.stat_sn = 11;
  i.data_sn = 2;
  i.buffer_offset = 1024;
  i.residual = 100;
  DataIn oi = round_trip(i, b);
  EXPECT_EQ(b[1], 0x83);
  EXPECT_TRUE(oi.has_status);
  EXPECT_EQ(oi.stat_sn, 11u);
  EXPECT_EQ(oi.residual, 100u);
  b[1] = 0x01;  // S without F
  EXPECT_FALSE(DataIn::decode(b, &oi));
}

TEST(Pdu, R2T) {
  R2T r;
  r.lun = 1ull << 48;
  r.itt = 3;
  r.ttt = 4;
  r.stat_sn = 5;
  r.r2t_sn = 6;
  r.buffer_offset = 65536;
  r.desired_length = 262144;
  uint8_t b[kBhsLen];
  R2T o = round_trip(r, b);
  EXPECT_EQ(o.desired_length, 262144u);
  EXPECT_EQ(o.r2t_sn, 6u);
}

TEST(Pdu, TaskManagement) {
  TaskMgmtRequest t;
  t.immediate = true;
  t.function = 1;
  t.lun = 2ull << 48;
  t.itt = 10;
  t.referenced_tag = 9;
  t.cmd_sn = 20;
  t.ref_cmd_sn = 19;
  uint8_t b[kBhsLen];
  TaskMgmtRequest o = round_trip(t, b);
  EXPECT_EQ(b[1], 0x81);
  EXPECT_EQ(o.referenced_tag, 9u);
  EXPECT_EQ(o.ref_cmd_sn, 19u);
  b[1] = 0x01;  // F must be set
  EXPECT_FALSE(TaskMgmtRequest::decode(b, &o));

  TaskMgmtResponse r;
  r.response = 255;
  r.itt = 10;
  r.stat_sn = 1;
  TaskMgmtResponse orr = round_trip(r, b);
  EXPECT_EQ(orr.response, 255);
}

TEST(Pdu, Login) {
  LoginRequest l;
  l.transit = true;
  l.csg = 1;
  l.nsg = 3;
  l.isid = 0x23d000000001ull;
  l.tsih = 0;
  l.itt = 1;
  l.cid = 2;
  l.cmd_sn = 3;
  l.data_length = 100;
  uint8_t b[kBhsLen];
  LoginRequest o = round_trip(l, b);
  EXPECT_EQ(b[0], 0x43);  // login requests are always immediate
  EXPECT_EQ(b[1], 0x87);
  EXPECT_EQ(o.isid, 0x23d000000001ull);
  EXPECT_EQ(o.cid, 2);
  b[1] |= 0x40;  // T and C together
  EXPECT_FALSE(LoginRequest::decode(b, &o));

  LoginResponse r;
  r.transit = true;
  r.csg = 1;
  r.nsg = 3;
  r.isid = l.isid;
  r.tsih = 0x1234;
  r.status_class = 2;
  r.status_detail = 1;
  LoginResponse orr = round_trip(r, b);
  EXPECT_EQ(orr.tsih, 0x1234);
  EXPECT_EQ(b[36], 2);
  EXPECT_EQ(b[37], 1);
}

TEST(Pdu, TextAndLogout) {
  TextRequest t;
  t.final = true;
  t.itt = 4;
  t.data_length = 16;
  uint8_t b[kBhsLen];
  round_trip(t, b);
  b[1] = 0xc0;  // F and C together
  TextRequest o;
  EXPECT_FALSE(TextRequest::decode(b, &o));

  TextResponse tr;
  tr.final = false;
  tr.cont = true;
  tr.ttt = 5;
  TextResponse otr = round_trip(tr, b);
  EXPECT_TRUE(otr.cont);

  LogoutRequest lo;
  lo.reason = 1;
  lo.cid = 7;
  LogoutRequest olo = round_trip(lo, b);
  EXPECT_EQ(olo.reason, 1);
  EXPECT_EQ(olo.cid, 7);

  LogoutResponse lr;
  lr.time2wait = 2;
  lr.time2retain = 20;
  LogoutResponse olr = round_trip(lr, b);
  EXPECT_EQ(olr.time2retain, 20);
}

TEST(Pdu, NopRejectAsync) {
  NopOut n;
  n.itt = 1;
  n.data_length = 10;
  uint8_t b[kBhsLen];
  round_trip(n, b);
  n.ttt = 2;  // both tags valid is malformed
  n.encode(b);
  NopOut on;
  EXPECT_FALSE(NopOut::decode(b, &on));

  NopIn ni;
  ni.ttt = 3;
  NopIn oni = round_trip(ni, b);
  EXPECT_EQ(oni.itt, kReservedTag);

  Reject r;
  r.reason = uint8_t(RejectReason::invalid_pdu_field);
  r.data_length = 48;
  Reject orj = round_trip(r, b);
  EXPECT_EQ(orj.reason, 0x09);
  EXPECT_EQ(decode_common(b).itt, kReservedTag);

  AsyncMessage a;
  a.event = kAsyncLogoutRequest;
  a.param3 = 5;
  AsyncMessage oa = round_trip(a, b);
  EXPECT_EQ(oa.event, 1);
  EXPECT_EQ(oa.param3, 5);
}

TEST(Pdu, OpcodeClassification) {
  EXPECT_TRUE(is_initiator_opcode(0x01));
  EXPECT_TRUE(is_initiator_opcode(0x10));
  EXPECT_FALSE(is_initiator_opcode(0x21));
  EXPECT_FALSE(is_initiator_opcode(0x1c));
  EXPECT_EQ(padded(0), 0u);
  EXPECT_EQ(padded(1), 4u);
  EXPECT_EQ(padded(4), 4u);
  EXPECT_EQ(padded(5), 8u);
}

TEST(Pdu, DecodersNeverReadPastTheHeader) {
  // Every decoder on random headers: no crash, opcode mismatch refused.
  uint8_t b[kBhsLen];
  uint32_t seed = 1;
  for (int i = 0; i < 2000; ++i) {
    for (auto& x : b) x = uint8_t((seed = seed * 1103515245 + 12345) >> 16);
    ScsiCommand c;
    DataOut d;
    LoginRequest l;
    TextRequest t;
    NopOut n;
    TaskMgmtRequest m;
    LogoutRequest lo;
    bool any = ScsiCommand::decode(b, &c) | DataOut::decode(b, &d) | LoginRequest::decode(b, &l) |
               TextRequest::decode(b, &t) | NopOut::decode(b, &n) | TaskMgmtRequest::decode(b, &m) |
               LogoutRequest::decode(b, &lo);
    if (!is_initiator_opcode(b[0] & 0x3f)) {
      EXPECT_FALSE(any);
    }
  }
}

}  // namespace
}  // namespace nexus::iscsi
