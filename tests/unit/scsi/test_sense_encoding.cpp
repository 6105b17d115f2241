#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "fake_device.h"
#include "nexus/sense.hpp"
#include "scsi/sense_encoding.h"

namespace nexus::scsi::test {
namespace {

std::vector<uint8_t> enc(const SenseInfo& s, SenseFormat f) {
  std::vector<uint8_t> out(kMaxSenseLength + 8, 0xEE);
  size_t n = encode_sense(s, f, out);
  out.resize(n);
  return out;
}

TEST(SenseEncoding, FixedWithFieldPointer) {
  // SPC-4 Table 45 + Table 31 (field pointer: SKSV, C/D, BPV, bit pointer).
  auto got = enc(sense::invalid_field_in_cdb(2, 5), SenseFormat::fixed);
  EXPECT_EQ(got,
            bytes({0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x24, 0x00, 0, 0xCD, 0x00, 0x02}));
}

TEST(SenseEncoding, FixedParamPointerWithoutBit) {
  auto got = enc(sense::invalid_field_in_param(0x1234), SenseFormat::fixed);
  EXPECT_EQ(got[15], 0x80);  // SKSV, C/D=0, BPV=0
  EXPECT_EQ(got[16], 0x12);
  EXPECT_EQ(got[17], 0x34);
  EXPECT_EQ(got[12], 0x26);
}

TEST(SenseEncoding, FixedInformationValid) {
  auto got = enc(sense::miscompare(0x01020304), SenseFormat::fixed);
  EXPECT_EQ(got, bytes({0xF0, 0, 0x0E, 0x01, 0x02, 0x03, 0x04, 0x0A, 0, 0, 0, 0, 0x1D, 0x00, 0, 0,
                        0, 0}));
}

TEST(SenseEncoding, FixedInformationTooWideClearsValid) {
  auto got = enc(sense::miscompare(0x100000000ull), SenseFormat::fixed);
  EXPECT_EQ(got[0], 0x70);
  EXPECT_EQ(got[3] | got[4] | got[5] | got[6], 0);
}

TEST(SenseEncoding, FixedStreamBitsAndCommandSpecific) {
  SenseInfo s = sense::make(SenseKey::no_sense, 0x00, 0x01);
  s.flags |= SenseFlags::filemark | SenseFlags::eom | SenseFlags::ili | SenseFlags::info_valid |
             SenseFlags::cmd_specific_valid;
  s.information = 7;
  s.command_specific = 0xAABBCCDD;
  auto got = enc(s, SenseFormat::fixed);
  EXPECT_EQ(got[0], 0xF0);
  EXPECT_EQ(got[2], 0xE0);
  EXPECT_EQ(got[6], 7);
  EXPECT_EQ(got[8], 0xAA);
  EXPECT_EQ(got[11], 0xDD);
  EXPECT_EQ(got[13], 0x01);
}

TEST(SenseEncoding, DescriptorWithFieldPointer) {
  // SPC-4 Table 26 header + sense key specific descriptor (Table 30).
  auto got = enc(sense::invalid_field_in_cdb(2, 5), SenseFormat::descriptor);
  EXPECT_EQ(got, bytes({0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0x08, 0x02, 0x06, 0, 0, 0xCD, 0x00, 0x02,
                        0x00}));
}

TEST(SenseEncoding, DescriptorAllDescriptorsInOrder) {
  SenseInfo s = sense::invalid_field_in_param(9, 1);
  s.flags |= SenseFlags::info_valid | SenseFlags::cmd_specific_valid | SenseFlags::ili;
  s.information = 0x0102030405060708ull;
  s.command_specific = 0x1112131415161718ull;
  auto got = enc(s, SenseFormat::descriptor);
  ASSERT_EQ(got.size(), 44u);
  EXPECT_EQ(got[7], 36);
  // Information descriptor 00h with VALID.
  EXPECT_EQ(bytes({got[8], got[9], got[10], got[11], got[12], got[19]}),
            bytes({0x00, 0x0A, 0x80, 0x00, 0x01, 0x08}));
  // Command-specific 01h.
  EXPECT_EQ(bytes({got[20], got[21], got[24], got[31]}), bytes({0x01, 0x0A, 0x11, 0x18}));
  // Sense key specific 02h: SKSV, C/D=0, BPV, bit 1, pointer 9.
  EXPECT_EQ(bytes({got[32], got[33], got[36], got[37], got[38]}),
            bytes({0x02, 0x06, 0x89, 0x00, 0x09}));
  // Stream commands 04h with ILI.
  EXPECT_EQ(bytes({got[40], got[41], got[42], got[43]}), bytes({0x04, 0x02, 0x00, 0x20}));
}

TEST(SenseEncoding, DescriptorMinimal) {
  auto got = enc(sense::make(SenseKey::unit_attention, 0x29, 0x00), SenseFormat::descriptor);
  EXPECT_EQ(got, bytes({0x72, 0x06, 0x29, 0x00, 0, 0, 0, 0}));
}

TEST(SenseEncoding, TruncatesButReportsFullLength) {
  std::array<uint8_t, 8> small{};
  EXPECT_EQ(encode_sense(sense::invalid_opcode(), SenseFormat::fixed, small), 18u);
  EXPECT_EQ(small[0], 0x70);
  EXPECT_EQ(small[2], 0x05);
  EXPECT_EQ(small[7], 0x0A);
}

TEST(SenseEncoding, RoundTripsBothFormats) {
  SenseInfo s = sense::invalid_field_in_cdb(513, 6);
  s.flags |= SenseFlags::info_valid | SenseFlags::eom;
  s.information = 42;
  for (auto f : {SenseFormat::fixed, SenseFormat::descriptor}) {
    auto bytes_ = enc(s, f);
    auto d = decode_sense(bytes_);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->key, SenseKey::illegal_request);
    EXPECT_EQ(d->asc, 0x24);
    EXPECT_EQ(d->information, 42u);
    EXPECT_EQ(d->field_pointer, 513);
    EXPECT_EQ(d->field_bit, 6);
    EXPECT_EQ(d->flags, s.flags);
  }
}

TEST(SenseEncoding, DeferredErrorUsesResponseCode71hAnd73h) {
  // SPC-4 4.5.1: a deferred error is reported with 71h (fixed) / 73h (descriptor).
  SenseInfo s = sense::write_error();
  s.flags2 |= SenseFlags2::deferred;
  EXPECT_EQ(enc(s, SenseFormat::fixed)[0], 0x71);
  EXPECT_EQ(enc(s, SenseFormat::descriptor)[0], 0x73);
  s.flags |= SenseFlags::info_valid;
  s.information = 5;
  EXPECT_EQ(enc(s, SenseFormat::fixed)[0], 0xF1);  // VALID stays bit 7
  for (auto f : {SenseFormat::fixed, SenseFormat::descriptor}) {
    auto d = decode_sense(enc(s, f));
    ASSERT_TRUE(d.has_value());
    EXPECT_TRUE(d->flags2 & SenseFlags2::deferred);
    EXPECT_EQ(d->key, SenseKey::medium_error);
  }
  EXPECT_EQ(enc(sense::write_error(), SenseFormat::fixed)[0], 0x70);
}

TEST(SenseEncoding, ProgressIndicationIsRawSenseKeySpecific) {
  // SPC-4 4.5.2.4.4: NOT READY, FORMAT IN PROGRESS, half done.
  SenseInfo s = sense::in_progress(SenseKey::not_ready, 0x04, 0x04, 0x8000);
  auto fixed = enc(s, SenseFormat::fixed);
  EXPECT_EQ(bytes({fixed[15], fixed[16], fixed[17]}), bytes({0x80, 0x80, 0x00}));
  auto desc = enc(s, SenseFormat::descriptor);
  EXPECT_EQ(desc, bytes({0x72, 0x02, 0x04, 0x04, 0, 0, 0, 0x08, 0x02, 0x06, 0, 0, 0x80, 0x80, 0x00,
                         0x00}));
  auto d = decode_sense(fixed);
  ASSERT_TRUE(d.has_value());
  EXPECT_TRUE(d->flags2 & SenseFlags2::sks_raw);
  EXPECT_FALSE(d->flags & SenseFlags::field_valid);
  EXPECT_EQ(d->field_pointer, 0x8000);
}

TEST(SenseEncoding, DecodeRejectsGarbage) {
  EXPECT_FALSE(decode_sense(bytes({0x70, 0, 5})).has_value());
  EXPECT_FALSE(decode_sense(bytes({0x00, 0, 0, 0, 0, 0, 0, 0})).has_value());
  // Descriptor whose length runs past the data.
  EXPECT_FALSE(decode_sense(bytes({0x72, 5, 0x24, 0, 0, 0, 0, 4, 0x02, 0x06, 0, 0})).has_value());
}

}  // namespace
}  // namespace nexus::scsi::test
