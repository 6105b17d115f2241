// Decoding the real device's sense data into SenseInfo.
#include "sense_decode.h"
#include "pt_fakes.h"

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

TEST(SenseDecode, DeferredErrorsStayDeferred) {
  // A buffered tape write failing later: 71h (fixed) / 73h (descriptor).
  Bytes f = fixed_sense(0x3, 0x0C, 0x00);
  f[0] = 0x71;
  auto d = decode_sense(f);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->flags2 & SenseFlags2::deferred);
  EXPECT_EQ(d->asc, 0x0C);
  Bytes desc = {0x73, 0x03, 0x0C, 0x00, 0, 0, 0, 0};
  d = decode_sense(desc);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->flags2 & SenseFlags2::deferred);
  d = decode_sense(fixed_sense(0x3, 0x0C, 0x00));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->flags2 & SenseFlags2::deferred);
}

TEST(SenseDecode, ProgressIndicationIsKeptRaw) {
  // NOT READY, 04h/04h FORMAT IN PROGRESS, 25% (SPC-4 4.5.2.4.4).
  Bytes s = fixed_sense(0x2, 0x04, 0x04);
  s[15] = 0x80;
  s[16] = 0x40;
  s[17] = 0x00;
  auto d = decode_sense(s);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->flags & SenseFlags::field_valid);
  EXPECT_TRUE(d->flags2 & SenseFlags2::sks_raw);
  EXPECT_EQ(d->field_bit, 0);
  EXPECT_EQ(d->field_pointer, 0x4000);
  // MEDIUM ERROR with an actual retry count (4.5.2.4.3) in a descriptor.
  Bytes r = {0x72, 0x03, 0x11, 0x00, 0, 0, 0, 8, 0x02, 0x06, 0, 0, 0x80, 0x00, 0x07, 0};
  d = decode_sense(r);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->flags2 & SenseFlags2::sks_raw);
  EXPECT_EQ(d->field_pointer, 7);
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
  Bytes s = {0x72, 0x05, 0x24, 0x00, 0,    0,    0,    0,
             0x02, 0x06, 0,    0,    0xC0, 0x00, 0x02, 0,  // sense key specific: CDB byte 2
             0x05, 0x02, 0x00, 0x20};                      // block commands: ILI
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
