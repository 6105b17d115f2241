// iSCSI TransportID parsing and encoding (SPC-4 7.6.4.6).
#include <gtest/gtest.h>

#include <cstring>

#include "pr_test_util.h"

namespace nexus::server::resv::test {
namespace {

std::vector<uint8_t> raw_tid(uint8_t b0, const std::string& text, uint16_t add_len) {
  std::vector<uint8_t> t(4 + add_len, 0);
  t[0] = b0;
  put_be16(t.data() + 2, add_len);
  std::memcpy(t.data() + 4, text.data(), std::min<size_t>(text.size(), add_len));
  return t;
}

TEST(TransportId, EncodeNameOnlyFormat00) {
  auto t = encode_transport_id("iqn.a:b", "");
  ASSERT_EQ(t.size(), 24u);  // minimum ADDITIONAL LENGTH 20
  EXPECT_EQ(t[0], 0x05);
  EXPECT_EQ(get_be16(t.data() + 2), 20);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(t.data() + 4)), "iqn.a:b");
}

TEST(TransportId, EncodeWithIsidFormat01PaddedTo4) {
  auto t = encode_transport_id(kNameA, "400001370000");
  // 30 + ",i,0x" + 12 + NUL = 48
  ASSERT_EQ(t.size(), 52u);
  EXPECT_EQ(t[0], 0x45);
  EXPECT_EQ(get_be16(t.data() + 2), 48);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(t.data() + 4)), kNameA + ",i,0x400001370000");
  auto t2 = encode_transport_id("iqn.x:yy", "400001370000");  // 8+17+1 = 26 -> 28
  EXPECT_EQ(get_be16(t2.data() + 2), 28);
  EXPECT_EQ(t2.back(), 0);
}

TEST(TransportId, ParseRoundTripAndLowercasesIsid) {
  auto a = encode_transport_id(kNameA, "");
  auto b = encode_transport_id(kNameB, "4000013700AB");
  std::vector<uint8_t> both = a;
  both.insert(both.end(), b.begin(), b.end());
  auto r = parse_transport_ids(both, 100, 10);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.ids.size(), 2u);
  EXPECT_EQ(r.ids[0].id.name, kNameA);
  EXPECT_EQ(r.ids[0].id.isid, "");
  EXPECT_EQ(r.ids[0].offset, 100u);
  EXPECT_EQ(r.ids[1].id.name, kNameB);
  EXPECT_EQ(r.ids[1].id.isid, "4000013700ab");
  EXPECT_EQ(r.ids[1].offset, 100u + a.size());
}

void expect_bad(const std::vector<uint8_t>& t, uint16_t byte, int bit = -1) {
  auto r = parse_transport_ids(t, 28, 10);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.sense.key, SenseKey::illegal_request);
  EXPECT_EQ(r.sense.asc, 0x26);
  EXPECT_EQ(r.sense.ascq, 0x00);
  EXPECT_TRUE(r.sense.flags & SenseFlags::field_valid);
  EXPECT_FALSE(r.sense.flags & SenseFlags::field_in_cdb);
  EXPECT_EQ(r.sense.field_pointer, byte);
  if (bit >= 0) {
    EXPECT_EQ(r.sense.field_bit, bit);
  }
}

TEST(TransportId, Rejects) {
  expect_bad(raw_tid(0x01, "iqn.a:b", 20), 28, 3);                     // FC protocol id
  expect_bad(raw_tid(0x85, "iqn.a:b", 20), 28, 7);                     // format 10b
  expect_bad(raw_tid(0x15, "iqn.a:b", 20), 28, 5);                     // reserved bits
  expect_bad(raw_tid(0x05, "iqn.a:b", 16), 30);                        // ADDITIONAL LENGTH < 20
  expect_bad(raw_tid(0x05, "iqn.a:b", 22), 30);                        // not a multiple of 4
  expect_bad(raw_tid(0x05, std::string(20, 'a'), 20), 32);             // no NUL terminator
  expect_bad(raw_tid(0x05, "", 20), 32);                               // empty name
  expect_bad(raw_tid(0x05, "iqn.a b", 20), 32);                        // bad character
  expect_bad(raw_tid(0x45, "iqn.a:b", 20), 32);                        // 01b without separator
  expect_bad(raw_tid(0x45, "iqn.a:b,i,0x4000", 20), 32 + 12);          // short ISID
  expect_bad(raw_tid(0x45, "iqn.a:b,i,0x40000137000g", 28), 32 + 12);  // not hex
  // Truncated: header only partly there, or body longer than the data.
  expect_bad({0x05, 0x00}, 28);
  auto t = raw_tid(0x05, "iqn.a:b", 20);
  t.resize(20);
  expect_bad(t, 30);
  // Too many.
  auto one = encode_transport_id("iqn.a:b", "");
  std::vector<uint8_t> two = one;
  two.insert(two.end(), one.begin(), one.end());
  auto r = parse_transport_ids(two, 0, 1);
  EXPECT_FALSE(r.ok);
}

TEST(TransportId, NameCharacters) {
  EXPECT_TRUE(valid_iscsi_name("iqn.1993-08.org.debian:01:abc"));
  EXPECT_TRUE(valid_iscsi_name("eui.02004567A425678D"));
  EXPECT_FALSE(valid_iscsi_name(""));
  EXPECT_FALSE(valid_iscsi_name("iqn.a,b"));
  EXPECT_FALSE(valid_iscsi_name(std::string(224, 'a')));
}

}  // namespace
}  // namespace nexus::server::resv::test
