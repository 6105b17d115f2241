// READ ELEMENT STATUS byte layouts (SMC-3 6.11).
#include <gtest/gtest.h>

#include "library_fixture.h"

namespace nexus::changer::test {
namespace {

class ReadElementStatus : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lib.start(), Status::ok); }
  std::vector<uint8_t> res(uint8_t type, bool voltag, uint16_t start = 0, uint16_t count = 0xFFFF,
                           uint32_t alloc = 65535, bool dvcid = false) {
    auto c = lib.exec(res_cdb(type, voltag, start, count, alloc, dvcid), alloc);
    EXPECT_GOOD(c);
    return c->data();
  }
  Library lib;
};

std::string text(const std::vector<uint8_t>& d, size_t off, size_t n) {
  return std::string(d.begin() + off, d.begin() + off + n);
}

TEST_F(ReadElementStatus, AllTypesWithoutVolumeTags) {
  auto d = res(0, false);
  ASSERT_EQ(d.size(), 8u + 4 * 8 + 15 * 16);
  // Element status header.
  EXPECT_EQ(get_be16(&d[0]), 0x0000);        // FIRST ELEMENT ADDRESS REPORTED
  EXPECT_EQ(get_be16(&d[2]), 15);            // NUMBER OF ELEMENTS AVAILABLE
  EXPECT_EQ(get_be24(&d[5]), d.size() - 8);  // BYTE COUNT OF REPORT AVAILABLE
  // Page 1: medium transport.
  size_t p = 8;
  EXPECT_EQ(d[p], 1);
  EXPECT_EQ(d[p + 1], 0x00);  // no PVOLTAG/AVOLTAG
  EXPECT_EQ(get_be16(&d[p + 2]), 16);
  EXPECT_EQ(get_be24(&d[p + 5]), 16u);
  EXPECT_EQ(get_be16(&d[p + 8]), 0x0000);
  EXPECT_EQ(d[p + 8 + 2], 0x00);  // never full
  // Page 2: import/export, 0x10 empty, 0x11 imported B00001L8.
  p += 8 + 16;
  EXPECT_EQ(d[p], 3);
  EXPECT_EQ(get_be24(&d[p + 5]), 32u);
  EXPECT_EQ(get_be16(&d[p + 8]), 0x0010);
  EXPECT_EQ(d[p + 8 + 2], 0x38);  // INENAB EXENAB ACCESS
  EXPECT_EQ(get_be16(&d[p + 24]), 0x0011);
  EXPECT_EQ(d[p + 24 + 2], 0x3B);  // + IMPEXP FULL
  EXPECT_EQ(d[p + 24 + 9], 0x01);  // data medium, SVALID 0
  // Page 3: data transfer elements, empty and accessible.
  p += 8 + 32;
  EXPECT_EQ(d[p], 4);
  EXPECT_EQ(get_be16(&d[p + 8]), 0x0100);
  EXPECT_EQ(d[p + 8 + 2], 0x08);
  EXPECT_EQ(get_be16(&d[p + 24]), 0x0101);
  EXPECT_EQ(d[p + 24 + 15], 0);  // IDENTIFIER LENGTH 0 without DVCID
  // Page 4: storage.
  p += 8 + 32;
  EXPECT_EQ(d[p], 2);
  EXPECT_EQ(get_be24(&d[p + 5]), 160u);
  size_t s1 = p + 8, s4 = p + 8 + 3 * 16, s10 = p + 8 + 9 * 16;
  EXPECT_EQ(get_be16(&d[s1]), 0x1000);
  EXPECT_EQ(d[s1 + 2], 0x09);  // ACCESS FULL
  EXPECT_EQ(d[s1 + 9], 0x01);
  EXPECT_EQ(d[s4 + 2], 0x08);  // empty
  EXPECT_EQ(d[s4 + 9], 0x00);
  EXPECT_EQ(get_be16(&d[s10]), 0x1009);
  EXPECT_EQ(d[s10 + 9], 0x02);  // CLN...: cleaning medium
}

TEST_F(ReadElementStatus, StorageWithPrimaryVolumeTags) {
  auto d = res(2, true);
  ASSERT_EQ(d.size(), 8u + 8 + 10 * 52);
  EXPECT_EQ(get_be16(&d[0]), 0x1000);
  EXPECT_EQ(get_be16(&d[2]), 10);
  EXPECT_EQ(d[8], 2);
  EXPECT_EQ(d[9], 0x80);  // PVOLTAG, no AVOLTAG
  EXPECT_EQ(get_be16(&d[10]), 52);
  EXPECT_EQ(get_be24(&d[13]), 520u);
  size_t s1 = 16;
  EXPECT_EQ(text(d, s1 + 12, 32), "A00001L8                        ");
  EXPECT_EQ(get_be16(&d[s1 + 44 + 2]), 0);  // VOLUME SEQUENCE NUMBER
  EXPECT_EQ(d[s1 + 48 + 3], 0);             // IDENTIFIER LENGTH
  size_t s4 = 16 + 3 * 52;
  EXPECT_EQ(std::vector<uint8_t>(d.begin() + s4 + 12, d.begin() + s4 + 44),
            std::vector<uint8_t>(32, 0));  // empty: no tag
}

TEST_F(ReadElementStatus, EachTypeAlone) {
  auto t = res(1, true);
  EXPECT_EQ(t.size(), 8u + 8 + 52);
  EXPECT_EQ(t[8], 1);
  auto ie = res(3, true);
  EXPECT_EQ(ie.size(), 8u + 8 + 2 * 52);
  EXPECT_EQ(text(ie, 16 + 52 + 12, 8), "B00001L8");
  auto dt = res(4, false);
  EXPECT_EQ(dt.size(), 8u + 8 + 2 * 16);
  EXPECT_EQ(get_be16(&dt[0]), 0x0100);
}

TEST_F(ReadElementStatus, DeviceIdentifiersOfTheDrives) {
  auto d = res(4, false, 0, 0xFFFF, 65535, true);
  const std::string id0 = "IBM     ULT3580-TD8     SN0000000";
  const size_t dlen = 16 + id0.size();
  ASSERT_EQ(d.size(), 8u + 8 + 2 * dlen);
  EXPECT_EQ(get_be16(&d[10]), dlen);
  size_t e = 16;
  EXPECT_EQ(d[e + 12], 2);  // CODE SET: ASCII
  EXPECT_EQ(d[e + 13], 1);  // IDENTIFIER TYPE: T10 vendor ID based
  EXPECT_EQ(d[e + 15], id0.size());
  EXPECT_EQ(text(d, e + 16, id0.size()), id0);
  EXPECT_EQ(text(d, e + dlen + 16, id0.size()), "IBM     ULT3580-TD8     SN1111111");
  // With VOLTAG the identifier follows the 36-byte volume tag.
  auto v = res(4, true, 0, 0xFFFF, 65535, true);
  EXPECT_EQ(get_be16(&v[10]), 12 + 36 + 4 + id0.size());
  EXPECT_EQ(text(v, 16 + 48 + 4, id0.size()), id0);
  // Other element types carry no identifier.
  auto s = res(2, false, 0, 1, 65535, true);
  EXPECT_EQ(get_be16(&s[10]), 16);
}

TEST_F(ReadElementStatus, UnresolvableDriveIsAnException) {
  lib.host.peers.erase("tape1");
  ASSERT_EQ(lib.start(), Status::ok);
  auto d = res(4, false, 0, 0xFFFF, 65535, true);
  size_t dlen = get_be16(&d[10]);
  size_t e1 = 16 + dlen;
  EXPECT_EQ(d[e1 + 2], 0x04);  // EXCEPT, no ACCESS
  EXPECT_EQ(d[e1 + 4], 0x25);
  EXPECT_EQ(d[e1 + 15], 0);  // no identifier
  EXPECT_TRUE(lib.host.logged("W changer: drive 1 'tape1' is not a configured device"));
}

TEST_F(ReadElementStatus, StartingAddressAndNumberOfElements) {
  auto d = res(0, false, 0x0100, 3);
  EXPECT_EQ(get_be16(&d[0]), 0x0100);
  EXPECT_EQ(get_be16(&d[2]), 3);
  ASSERT_EQ(d.size(), 8u + 8 + 2 * 16 + 8 + 16);
  EXPECT_EQ(d[8], 4);
  EXPECT_EQ(d[8 + 8 + 32], 2);
  EXPECT_EQ(get_be16(&d[8 + 8 + 32 + 8]), 0x1000);
  // An address between elements starts at the next one.
  auto s = res(2, false, 0x0500, 2);
  EXPECT_EQ(get_be16(&s[0]), 0x1000);
  // NUMBER OF ELEMENTS 0: nothing is reported.
  auto z = res(0, false, 0, 0);
  ASSERT_EQ(z.size(), 8u);
  EXPECT_EQ(get_be16(&z[2]), 0);
}

TEST_F(ReadElementStatus, NoElementAtOrAboveTheStartIsAnInvalidAddress) {
  auto c = lib.exec(res_cdb(4, false, 0x0102, 10, 1024), 1024);
  expect_sense(*c, SenseKey::illegal_request, 0x21, 0x01);
  c = lib.exec(res_cdb(0, false, 0x100A, 10, 1024), 1024);
  expect_sense(*c, SenseKey::illegal_request, 0x21, 0x01);
}

TEST_F(ReadElementStatus, InvalidElementTypeCode) {
  auto c = lib.exec(res_cdb(5, false, 0, 10, 1024), 1024);
  expect_sense(*c, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(c->sense().field_pointer, 1);
}

TEST_F(ReadElementStatus, AllocationLengthReturnsWholeDescriptorsWithFullCounts) {
  auto full = res(0, true);
  // Header + MT page header + half the MT descriptor.
  auto c = lib.exec(res_cdb(0, true, 0, 0xFFFF, 8 + 8 + 30), 8 + 8 + 30);
  EXPECT_GOOD(c);
  auto d = c->data();
  ASSERT_EQ(d.size(), 16u);
  EXPECT_EQ(get_be16(&d[2]), 15);
  EXPECT_EQ(get_be24(&d[5]), full.size() - 8);
  EXPECT_EQ(std::vector<uint8_t>(full.begin(), full.begin() + 16), d);
  // Up to the third descriptor and the next page header, not into the
  // fourth descriptor.
  uint32_t cut = 8 + 8 + 52 + 8 + 2 * 52 + 8;
  c = lib.exec(res_cdb(0, true, 0, 0xFFFF, cut + 51), cut + 51);
  EXPECT_EQ(c->transfer(), cut);
  // Less than a header: that much of it.
  c = lib.exec(res_cdb(0, true, 0, 0xFFFF, 5), 5);
  EXPECT_EQ(c->data(), std::vector<uint8_t>(full.begin(), full.begin() + 5));
}

TEST_F(ReadElementStatus, MovedMediaReportTheirSourceAndDriveAccess) {
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1, kDrive0)));
  auto d = res(4, true);
  size_t e0 = 16;
  EXPECT_EQ(d[e0 + 2], 0x01);  // FULL, no ACCESS: loaded in the drive
  EXPECT_EQ(d[e0 + 9], 0x81);  // SVALID, data medium
  EXPECT_EQ(get_be16(&d[e0 + 10]), kSlot1);
  EXPECT_EQ(text(d, e0 + 12, 8), "A00001L8");
  lib.tape0.eject();
  d = res(4, true);
  EXPECT_EQ(d[e0 + 2], 0x09);  // unloaded: ACCESS again
  // An I/E element filled by the changer is exported (IMPEXP 0).
  EXPECT_GOOD(lib.exec(move_cdb(kSlot1 + 1, kIe1)));
  auto ie = res(3, false);
  EXPECT_EQ(ie[16 + 2], 0x39);
  EXPECT_EQ(get_be16(&ie[16 + 10]), kSlot1 + 1);
}

}  // namespace
}  // namespace nexus::changer::test
