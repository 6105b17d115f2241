#include <gtest/gtest.h>

#include "scsi/lun_encoding.h"

namespace nexus::scsi {
namespace {

TEST(LunEncoding, PeripheralFlatAndWellKnown) {
  EXPECT_EQ(encode_lun(0), 0x0000000000000000ull);
  EXPECT_EQ(encode_lun(5), 0x0005000000000000ull);
  EXPECT_EQ(encode_lun(255), 0x00FF000000000000ull);
  EXPECT_EQ(encode_lun(256), 0x4100000000000000ull);
  EXPECT_EQ(encode_lun(16383), 0x7FFF000000000000ull);
  EXPECT_EQ(encode_lun(kReportLunsWlun), 0xC101000000000000ull);
  EXPECT_FALSE(encode_lun(16384).has_value());
  EXPECT_FALSE(encode_lun(0x10000).has_value());
  auto b = encode_lun_bytes(300);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ((*b)[0], 0x41);
  EXPECT_EQ((*b)[1], 0x2C);
}

TEST(LunEncoding, Decode) {
  EXPECT_EQ(decode_lun(0x0005000000000000ull), 5u);
  EXPECT_EQ(decode_lun(0x4005000000000000ull), 5u);  // flat space for a small LUN
  EXPECT_EQ(decode_lun(0x7FFF000000000000ull), 16383u);
  EXPECT_EQ(decode_lun(0xC101000000000000ull), kReportLunsWlun);
  EXPECT_FALSE(decode_lun(0x0105000000000000ull).has_value());  // bus 1
  EXPECT_FALSE(decode_lun(0x0005000100000000ull).has_value());  // second level
  EXPECT_FALSE(decode_lun(0x8005000000000000ull).has_value());  // logical unit addressing
  EXPECT_FALSE(decode_lun(0xD201000000000000ull).has_value());  // other extended format
  for (uint32_t lun : {0u, 1u, 255u, 256u, 4000u, 16383u, 0xC101u})
    EXPECT_EQ(decode_lun(*encode_lun(lun)), lun);
  const uint8_t raw[8] = {0x40, 0x07, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(decode_lun_bytes(std::span<const uint8_t, 8>(raw, 8)), 7u);
}

}  // namespace
}  // namespace nexus::scsi
