#include "text_keys.h"

#include <gtest/gtest.h>

namespace nexus::iscsi {
namespace {

using namespace std::string_literals;

TEST(TextKeys, ParsesPairs) {
  KeyValues kv;
  ASSERT_EQ(parse_text("A=1\0B=two\0C=\0"s, &kv), TextError::ok);
  ASSERT_EQ(kv.size(), 3u);
  EXPECT_EQ(kv[0], (KeyValue{"A", "1"}));
  EXPECT_EQ(kv[1], (KeyValue{"B", "two"}));
  EXPECT_EQ(kv[2], (KeyValue{"C", ""}));
}

TEST(TextKeys, ValueMayContainEquals) {
  KeyValues kv;
  ASSERT_EQ(parse_text("TargetAddress=a=b\0"s, &kv), TextError::ok);
  EXPECT_EQ(kv[0].value, "a=b");
}

TEST(TextKeys, ToleratesMissingFinalNulAndPadding) {
  KeyValues kv;
  ASSERT_EQ(parse_text("A=1\0\0\0B=2"s, &kv), TextError::ok);
  EXPECT_EQ(kv.size(), 2u);
}

TEST(TextKeys, Errors) {
  KeyValues kv;
  EXPECT_EQ(parse_text("novalue\0"s, &kv), TextError::missing_equals);
  EXPECT_EQ(parse_text("=x\0"s, &kv), TextError::empty_key);
  EXPECT_EQ(parse_text(std::string(64, 'k') + "=1"s, &kv), TextError::key_too_long);
  EXPECT_EQ(parse_text("a b=1\0"s, &kv), TextError::bad_key_char);
  EXPECT_EQ(parse_text("A=" + std::string(kMaxValueLength + 1, 'v'), &kv),
            TextError::value_too_long);
  EXPECT_EQ(parse_text("A=1\0A=2\0"s, &kv), TextError::duplicate_key);
  EXPECT_EQ(parse_text(std::string(kMaxTextLength + 1, 'a'), &kv), TextError::too_much_data);
  EXPECT_EQ(parse_text(std::string(63, 'k') + "=1"s, &kv), TextError::ok);
}

TEST(TextKeys, AccumulatesContinuation) {
  TextAccumulator acc;
  std::string a = "InitiatorNa", b = "me=iqn.x\0Sess"s, c = "ionType=Normal\0"s;
  for (auto* s : {&a, &b, &c})
    ASSERT_TRUE(acc.append(reinterpret_cast<const uint8_t*>(s->data()), s->size()));
  KeyValues kv;
  ASSERT_EQ(parse_text(acc.text(), &kv), TextError::ok);
  ASSERT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv[0].value, "iqn.x");
  EXPECT_EQ(kv[1].value, "Normal");
  EXPECT_FALSE(acc.append(reinterpret_cast<const uint8_t*>(a.data()), 100, 50));
}

TEST(TextKeys, SerializeRoundTrip) {
  KeyValues in{{"HeaderDigest", "None"}, {"MaxBurstLength", "262144"}};
  KeyValues out;
  ASSERT_EQ(parse_text(serialize(in), &out), TextError::ok);
  EXPECT_EQ(in, out);
  EXPECT_EQ(serialize(in), "HeaderDigest=None\0MaxBurstLength=262144\0"s);
}

TEST(TextKeys, SenderSplitsIntoChunks) {
  TextSender s;
  s.set(std::string(10, 'x'));
  bool more = false;
  EXPECT_EQ(s.next(4, &more).size(), 4u);
  EXPECT_TRUE(more);
  EXPECT_EQ(s.next(4, &more).size(), 4u);
  EXPECT_EQ(s.next(4, &more).size(), 2u);
  EXPECT_FALSE(more);
  EXPECT_FALSE(s.pending());
}

TEST(TextKeys, Numbers) {
  uint64_t n;
  EXPECT_TRUE(parse_number("8192", &n));
  EXPECT_EQ(n, 8192u);
  EXPECT_TRUE(parse_number("0x2000", &n));
  EXPECT_EQ(n, 8192u);
  EXPECT_FALSE(parse_number("", &n));
  EXPECT_FALSE(parse_number("12a", &n));
  EXPECT_FALSE(parse_number("-1", &n));
  EXPECT_FALSE(parse_number("0xg", &n));
  EXPECT_FALSE(parse_number("99999999999999999999999", &n));
}

TEST(TextKeys, Binary) {
  std::vector<uint8_t> b;
  EXPECT_TRUE(parse_binary("0x0102ff", &b));
  EXPECT_EQ(b, (std::vector<uint8_t>{1, 2, 0xff}));
  EXPECT_TRUE(parse_binary("0xabc", &b));
  EXPECT_EQ(b, (std::vector<uint8_t>{0x0a, 0xbc}));
  EXPECT_TRUE(parse_binary("0bAQL/", &b));
  EXPECT_EQ(b, (std::vector<uint8_t>{1, 2, 0xff}));
  EXPECT_FALSE(parse_binary("0x", &b));
  EXPECT_FALSE(parse_binary("0xzz", &b));
  EXPECT_FALSE(parse_binary("1234", &b));
  EXPECT_FALSE(parse_binary("0b!!", &b));
  EXPECT_EQ(to_hex_value(b.data(), 0), "0x");
  uint8_t v[] = {0xde, 0xad};
  EXPECT_EQ(to_hex_value(v, 2), "0xdead");
}

}  // namespace
}  // namespace nexus::iscsi
