#include <gtest/gtest.h>

#include <string>

#include "fake_device.h"
#include "scsi/inquiry.h"

namespace nexus::scsi::test {
namespace {

class InquiryTest : public ::testing::Test {
 protected:
  Result run(std::vector<uint8_t> cdb) { return inquiry(lu_.ctx, cdb, lu_.buf); }
  std::vector<uint8_t> out(const Result& r) {
    return {lu_.buf.begin(), lu_.buf.begin() + r.data_in_length};
  }
  static void expect_invalid_cdb(const Result& r, uint16_t byte) {
    EXPECT_EQ(r.status, ScsiStatus::check_condition);
    EXPECT_EQ(r.sense.asc, 0x24);
    EXPECT_EQ(r.sense.field_pointer, byte);
  }
  Lu lu_;
};

TEST_F(InquiryTest, StandardData) {
  auto r = run({0x12, 0, 0, 0, 0xFF, 0});
  ASSERT_EQ(r.status, ScsiStatus::good);
  ASSERT_EQ(r.data_in_length, 96u);
  auto d = out(r);
  // PQ 000b/disk, RMB 0, VERSION 06h, NormACA 0 HiSup 1 RDF 2, ADDITIONAL
  // LENGTH 91, TPGS 01b (RTPG in the table), MULTIP 0, CmdQue 1.
  EXPECT_EQ(std::vector<uint8_t>(d.begin(), d.begin() + 8),
            bytes({0x00, 0x00, 0x06, 0x12, 0x5B, 0x10, 0x00, 0x02}));
  EXPECT_EQ(std::string(d.begin() + 8, d.begin() + 36), "NEXUS   DISK            0001");
  // SAM-5, SPC-4, iSCSI, SBC-3; the remaining descriptors zero.
  EXPECT_EQ(std::vector<uint8_t>(d.begin() + 58, d.begin() + 74),
            bytes({0x00, 0xA0, 0x04, 0x60, 0x09, 0x60, 0x04, 0xC0, 0, 0, 0, 0, 0, 0, 0, 0}));
  for (size_t i = 74; i < 96; ++i) EXPECT_EQ(d[i], 0) << i;
}

TEST_F(InquiryTest, StandardDataVariants) {
  lu_.info.flags |= DeviceInfoFlags::removable;
  lu_.info.type = PeripheralType::tape;
  lu_.ctx.multiport = true;
  lu_.ctx.transport_version_descriptor = 0;
  OpcodeTable no_alua(core_rows_without_alua(PeripheralType::tape), {});
  lu_.ctx.opcodes = &no_alua;
  auto d = out(run({0x12, 0, 0, 0, 0xFF, 0}));
  EXPECT_EQ(d[0], 0x01);
  EXPECT_EQ(d[1], 0x80);
  EXPECT_EQ(d[5], 0x00);  // no RTPG: TPGS 00b
  EXPECT_EQ(d[6], 0x10);
  EXPECT_EQ(bytes({d[58], d[59], d[60], d[61], d[62], d[63], d[64]}),
            bytes({0x00, 0xA0, 0x04, 0x60, 0x04, 0x00, 0x00}));
}

TEST_F(InquiryTest, AllocationLengthTruncates) {
  auto r = run({0x12, 0, 0, 0, 36, 0});
  ASSERT_EQ(r.data_in_length, 36u);
  EXPECT_EQ(lu_.buf[4], 0x5B);   // ADDITIONAL LENGTH still the full length
  EXPECT_EQ(lu_.buf[36], 0xAA);  // nothing written past the allocation length
  r = run({0x12, 0, 0, 0, 0, 0});
  EXPECT_EQ(r.status, ScsiStatus::good);
  EXPECT_EQ(r.data_in_length, 0u);
  // A buffer shorter than the allocation length (transport's expected length).
  r = inquiry(lu_.ctx, bytes({0x12, 0, 0, 0, 0xFF, 0}), std::span<uint8_t>(lu_.buf).first(5));
  EXPECT_EQ(r.data_in_length, 5u);
}

TEST_F(InquiryTest, UnmappedLunAndWellKnownLun) {
  lu_.ctx.device = nullptr;
  lu_.ctx.lun = 7;
  auto d = out(run({0x12, 0, 0, 0, 0xFF, 0}));
  ASSERT_EQ(d.size(), 96u);
  EXPECT_EQ(d[0], 0x7F);  // PQ 011b, type 1Fh
  auto r = run({0x12, 1, 0x00, 0, 0xFF, 0});
  EXPECT_EQ(r.status, ScsiStatus::check_condition);
  EXPECT_EQ(r.sense.asc, 0x25);
  lu_.ctx.lun = 0xC101;
  d = out(run({0x12, 0, 0, 0, 0xFF, 0}));
  EXPECT_EQ(d[0], 0x1E);
  d = out(run({0x12, 1, 0x00, 0, 0xFF, 0}));
  EXPECT_EQ(d, bytes({0x1E, 0x00, 0x00, 0x04, 0x00, 0x80, 0x83, 0x86}));
}

TEST_F(InquiryTest, InvalidPageCodes) {
  expect_invalid_cdb(run({0x12, 0, 0x80, 0, 0xFF, 0}), 2);  // page code with EVPD=0
  expect_invalid_cdb(run({0x12, 1, 0x99, 0, 0xFF, 0}), 2);
  expect_invalid_cdb(run({0x12, 1, 0xB1, 0, 0xFF, 0}), 2);
}

TEST_F(InquiryTest, SupportedPages) {
  auto d = out(run({0x12, 1, 0x00, 0, 0xFF, 0}));
  EXPECT_EQ(d, bytes({0x00, 0x00, 0x00, 0x05, 0x00, 0x80, 0x83, 0x86, 0xB0}));
}

TEST_F(InquiryTest, UnitSerialNumber) {
  auto d = out(run({0x12, 1, 0x80, 0, 0xFF, 0}));
  EXPECT_EQ(d, bytes({0x00, 0x80, 0x00, 0x05, 'S', 'N', '1', '2', '3'}));
  lu_.info.serial[0] = 0;
  d = out(run({0x12, 1, 0x80, 0, 0xFF, 0}));
  ASSERT_EQ(d.size(), 20u);
  char expect[17];
  std::snprintf(expect, sizeof(expect), "%016llX",
                (unsigned long long)(naa_designator(lu_.ctx) & 0x0FFFFFFFFFFFFFFFull));
  EXPECT_EQ(std::string(d.begin() + 4, d.end()), expect);
}

TEST_F(InquiryTest, DeviceIdentification) {
  auto d = out(run({0x12, 1, 0x83, 0x02, 0x00, 0}));
  ASSERT_GE(d.size(), 4u);
  EXPECT_EQ(d[1], 0x83);
  ASSERT_EQ(size_t((d[2] << 8) | d[3]) + 4, d.size());
  size_t off = 4;
  auto next = [&](std::vector<uint8_t> head) {
    EXPECT_EQ(bytes({d[off], d[off + 1], d[off + 2]}), head) << "descriptor at " << off;
    std::vector<uint8_t> body(d.begin() + off + 4, d.begin() + off + 4 + d[off + 3]);
    off += 4 + d[off + 3];
    return body;
  };
  // NAA, locally assigned (3h), derived from the device name.
  auto naa = next({0x01, 0x03, 0x00});
  ASSERT_EQ(naa.size(), 8u);
  EXPECT_EQ(naa[0] >> 4, 0x3);
  EXPECT_EQ(get_be64(naa.data()), naa_designator(lu_.ctx));
  // T10 vendor ID: ASCII, LU association.
  auto t10 = next({0x02, 0x01, 0x00});
  EXPECT_EQ(std::string(t10.begin(), t10.end()), "NEXUS   SN123");
  // Target port name: iSCSI, UTF-8, PIV, port association, SCSI name string.
  auto port = next({0x53, 0x98, 0x00});
  EXPECT_EQ(port.size() % 4, 0u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(port.data())),
            "iqn.2026-11.io.nexus:t1,t,0x0001");
  // Relative target port 1, target port group 1.
  EXPECT_EQ(next({0x51, 0x94, 0x00}), bytes({0, 0, 0, 1}));
  EXPECT_EQ(next({0x51, 0x95, 0x00}), bytes({0, 0, 0, 1}));
  // Target device name, target device association.
  auto target = next({0x53, 0xA8, 0x00});
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(target.data())), "iqn.2026-11.io.nexus:t1");
  EXPECT_EQ(off, d.size());
}

TEST_F(InquiryTest, DeviceIdentificationUsesDeviceNaaAndPortName) {
  lu_.info.naa_id = 0x6001405123456789ull;
  lu_.ctx.target_port_name = "naa.5000000000000001";
  auto d = out(run({0x12, 1, 0x83, 0x02, 0x00, 0}));
  EXPECT_EQ(get_be64(&d[8]), 0x6001405123456789ull);
  // Second descriptor T10 (4 + 13), then the port name as given.
  size_t port = 4 + 12 + 4 + 13;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&d[port + 4])), "naa.5000000000000001");
}

TEST_F(InquiryTest, NaaIsStableAndNameDependent) {
  uint64_t a = naa_designator(lu_.ctx);
  EXPECT_EQ(a, naa_designator(lu_.ctx));
  lu_.ctx.device_name = "disk1";
  EXPECT_NE(a, naa_designator(lu_.ctx));
}

TEST_F(InquiryTest, ExtendedInquiry) {
  lu_.ctx.volatile_cache = true;
  auto d = out(run({0x12, 1, 0x86, 0, 0xFF, 0}));
  ASSERT_EQ(d.size(), 64u);
  EXPECT_EQ(bytes({d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]}),
            bytes({0x00, 0x86, 0x00, 0x3C, 0x00, 0x07, 0x01, 0x01}));
  lu_.ctx.volatile_cache = false;
  lu_.ctx.nonvolatile_cache = true;
  d = out(run({0x12, 1, 0x86, 0, 0xFF, 0}));
  EXPECT_EQ(d[6], 0x02);
}

TEST_F(InquiryTest, DevicePageTruncated) {
  auto r = run({0x12, 1, 0xB0, 0, 0xFF, 0});
  ASSERT_EQ(r.data_in_length, 64u);
  EXPECT_EQ(lu_.buf[1], 0xB0);
  std::fill(lu_.buf.begin(), lu_.buf.end(), 0xAA);
  r = run({0x12, 1, 0xB0, 0, 10, 0});
  EXPECT_EQ(r.data_in_length, 10u);
  EXPECT_EQ(lu_.buf[10], 0xAA);
}

}  // namespace
}  // namespace nexus::scsi::test
