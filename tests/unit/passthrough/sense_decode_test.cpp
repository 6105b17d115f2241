// Decoding the real device's sense data into SenseInfo.
#include "pt_fakes.h"
#include "sense_decode.h"

namespace nexus::passthrough::test {
namespace {

TEST(SenseDecode, FixedIllegalRequestKeepsTheFieldPointer) {
  Bytes s = fixed_sense(0x5, 0x24, 0x00);
  s[15] = 0x80 | 0x40 | 0x08 | 0x03;  // SKSV, C/D=CDB, BPV, bit 3
  s[16] = 0x00;
  s[17] = 0x04;
  auto d = decode_sense(s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->key, SenseKey::illegal_request);
  EXPECT_EQ(d->asc, 0x24);
  EXPECT_TRUE(d->flags & SenseFlags::field_valid);
  EXPECT_TRUE(d->flags & SenseFlags::field_in_cdb);
  EXPECT_TRUE(d->flags & SenseFlags::field_bit_valid);
  EXPECT_EQ(d->field_bit, 3);
  EXPECT_EQ(d->field_pointer, 4);
}

TEST(SenseDecode, FixedEomAndCommandSpecific) {
  Bytes s = fixed_sense(0xD, 0x00, 0x02, 0x40, true, 77);
  put_be32(&s[8], 0xCAFE);
  auto d = decode_sense(s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->key, SenseKey::volume_overflow);
  EXPECT_TRUE(d->flags & SenseFlags::eom);
  EXPECT_FALSE(d->flags & SenseFlags::filemark);
  EXPECT_EQ(d->information, 77u);
  EXPECT_TRUE(d->flags & SenseFlags::cmd_specific_valid);
  EXPECT_EQ(d->command_specific, 0xCAFEu);
}

TEST(SenseDecode, FixedWithoutValidHasNoInformation) {
  auto d = decode_sense(fixed_sense(0x3, 0x11, 0x00, 0, false, 1234));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->flags & SenseFlags::info_valid);
  EXPECT_EQ(d->asc, 0x11);
}

TEST(SenseDecode, DescriptorBlockCommandsIliAndSks) {
  Bytes s = {0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0,
             0x02, 0x06, 0, 0, 0xC0, 0x00, 0x02, 0,   // sense key specific: CDB byte 2
             0x05, 0x02, 0x00, 0x20};                 // block commands: ILI
  s[7] = uint8_t(s.size() - 8);
  auto d = decode_sense(s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->key, SenseKey::illegal_request);
  EXPECT_TRUE(d->flags & SenseFlags::ili);
  EXPECT_TRUE(d->flags & SenseFlags::field_in_cdb);
  EXPECT_EQ(d->field_pointer, 2);
}

TEST(SenseDecode, TruncatedDescriptorsAreIgnoredSafely) {
  Bytes s = {0x72, 0x03, 0x11, 0x00, 0, 0, 0, 30, 0x00, 0x0A, 0x80, 0};  // claims more
  auto d = decode_sense(s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->key, SenseKey::medium_error);
  EXPECT_FALSE(d->flags & SenseFlags::info_valid);
}

TEST(SenseDecode, GarbageIsRejected) {
  EXPECT_FALSE(decode_sense(Bytes{}));
  EXPECT_FALSE(decode_sense(Bytes{0x7F, 0x00, 0x05}));
  EXPECT_FALSE(decode_sense(Bytes{0x00, 0x00, 0x00, 0x00}));
}

}  // namespace
}  // namespace nexus::passthrough::test
