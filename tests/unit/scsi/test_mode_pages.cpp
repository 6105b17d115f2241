#include <gtest/gtest.h>

#include "fake_device.h"
#include "scsi/mode_pages.h"

namespace nexus::scsi::test {
namespace {

class ModeSenseTest : public ::testing::Test {
 protected:
  std::vector<uint8_t> sense6(uint8_t byte1, uint8_t pc_page, uint8_t sub, uint8_t alloc = 255) {
    last_ = mode_sense(lu_.ctx, bytes({0x1A, byte1, pc_page, sub, alloc, 0}), lu_.buf);
    return {lu_.buf.begin(), lu_.buf.begin() + last_.data_in_length};
  }
  std::vector<uint8_t> sense10(uint8_t byte1, uint8_t pc_page, uint8_t sub, uint16_t alloc = 4096) {
    last_ = mode_sense(
        lu_.ctx, bytes({0x5A, byte1, pc_page, sub, 0, 0, 0, alloc >> 8, alloc & 0xFF, 0}), lu_.buf);
    return {lu_.buf.begin(), lu_.buf.begin() + last_.data_in_length};
  }
  void expect_invalid_cdb(uint16_t byte, int bit) {
    EXPECT_EQ(last_.status, ScsiStatus::check_condition);
    EXPECT_EQ(last_.sense.asc, 0x24);
    EXPECT_EQ(last_.sense.field_pointer, byte);
    EXPECT_EQ(last_.sense.field_bit, bit);
  }
  Lu lu_;
  Result last_;
};

const std::vector<uint8_t> kBd = {0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, 0x00};
const std::vector<uint8_t> kControl = {0x0A, 0x0A, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0};

std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST_F(ModeSenseTest, ControlPageWithBlockDescriptor) {
  EXPECT_EQ(sense6(0x00, 0x0A, 0x00), cat({{23, 0x00, 0x10, 0x08}, kBd, kControl}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
}

TEST_F(ModeSenseTest, DbdAndWriteProtect) {
  EXPECT_EQ(sense6(0x08, 0x0A, 0x00), cat({{15, 0x00, 0x10, 0x00}, kControl}));
  lu_.ctx.read_only = true;
  EXPECT_EQ(sense6(0x08, 0x0A, 0x00)[2], 0x90);
  lu_.ctx.read_only = false;
  lu_.info.flags |= DeviceInfoFlags::write_protected;
  EXPECT_EQ(sense6(0x08, 0x0A, 0x00)[2], 0x90);
  lu_.info.flags &= ~DeviceInfoFlags::write_protected;
  lu_.control.swp = true;
  EXPECT_EQ(sense6(0x08, 0x0A, 0x00)[2], 0x90);
  lu_.info.type = PeripheralType::cdrom;  // no DPOFUA outside SBC
  EXPECT_EQ(sense6(0x08, 0x0A, 0x00)[2], 0x80);
}

TEST_F(ModeSenseTest, PageControl) {
  auto ch = sense6(0x08, 0x40 | 0x0A, 0x00);
  EXPECT_EQ(std::vector<uint8_t>(ch.begin() + 4, ch.end()),
            bytes({0x0A, 0x0A, 0x04, 0x06, 0x08, 0x40, 0, 0, 0, 0, 0, 0}));
  lu_.control.d_sense = true;
  lu_.control.tas = true;
  auto cur = sense6(0x08, 0x0A, 0x00);
  EXPECT_EQ(cur[4 + 2], 0x06);
  EXPECT_EQ(cur[4 + 5], 0x40);
  auto def = sense6(0x08, 0x80 | 0x0A, 0x00);
  EXPECT_EQ(std::vector<uint8_t>(def.begin() + 4, def.end()), kControl);
  auto ie = sense6(0x08, 0x40 | 0x1C, 0x00);
  EXPECT_EQ(std::vector<uint8_t>(ie.begin() + 4, ie.end()),
            bytes({0x1C, 0x0A, 0x08, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
  auto dev = sense6(0x08, 0x40 | 0x08, 0x00);
  EXPECT_EQ(dev[4 + 2], 0x04);  // the device's changeable mask: WCE
  sense6(0x08, 0xC0 | 0x0A, 0x00);
  EXPECT_EQ(last_.status, ScsiStatus::check_condition);
  EXPECT_EQ(last_.sense.asc, 0x39);  // SAVING PARAMETERS NOT SUPPORTED
}

TEST_F(ModeSenseTest, AllPages) {
  auto d = sense6(0x00, 0x3F, 0x00);
  ASSERT_EQ(d.size(), 4u + 8 + 20 + 12 + 12);
  EXPECT_EQ(d[0], d.size() - 1);
  EXPECT_EQ(d[12], 0x08);  // ascending page codes, page_0 pages only
  EXPECT_EQ(d[32], 0x0A);
  EXPECT_EQ(d[44], 0x1C);
  EXPECT_FALSE(lu_.dev.shadow_asked);
  d = sense6(0x00, 0x3F, 0xFF);
  ASSERT_EQ(d.size(), 4u + 8 + 20 + 12 + 12 + 16);
  EXPECT_EQ(d[56], 0x5C);  // SPF=1, 1Ch
  EXPECT_EQ(d[57], 0x02);
  d = sense6(0x08, 0x1C, 0xFF);  // all subpages of 1Ch
  ASSERT_EQ(d.size(), 4u + 12 + 16);
  EXPECT_EQ(d[4], 0x1C);
  EXPECT_EQ(d[16], 0x5C);
  d = sense10(0x08, 0x1C, 0x02);
  ASSERT_EQ(d.size(), 8u + 16);
  EXPECT_EQ(d[1], 22);
}

TEST_F(ModeSenseTest, PsBitClearedOnDevicePages) {
  lu_.dev.caching_[0] = 0x88;  // device claims PS=1
  auto d = sense6(0x08, 0x08, 0x00);
  EXPECT_EQ(d[4], 0x08);
}

TEST_F(ModeSenseTest, InvalidPageRequests) {
  sense6(0x00, 0x19, 0x00);
  expect_invalid_cdb(2, 5);
  sense6(0x00, 0x0A, 0x05);
  expect_invalid_cdb(3, 7);
  sense6(0x00, 0x3F, 0x05);
  expect_invalid_cdb(3, 7);
}

TEST_F(ModeSenseTest, ModeSense10LongLba) {
  auto d = sense10(0x10, 0x0A, 0x00);
  EXPECT_EQ(d, cat({{0x00, 34, 0x00, 0x10, 0x01, 0x00, 0x00, 16},
                    {0, 0, 0, 0, 0, 0, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0x02, 0x00},
                    kControl}));
  d = sense10(0x00, 0x0A, 0x00);
  EXPECT_EQ(d, cat({{0x00, 26, 0x00, 0x10, 0x00, 0x00, 0x00, 8}, kBd, kControl}));
  lu_.dev.has_bd = false;
  d = sense10(0x00, 0x0A, 0x00);
  EXPECT_EQ(d, cat({{0x00, 18, 0x00, 0x10, 0x00, 0x00, 0x00, 0}, kControl}));
}

TEST_F(ModeSenseTest, ShortDescriptorCapsLargeCapacity) {
  lu_.dev.bd_.num_blocks = 0x123456789ull;
  auto d = sense6(0x00, 0x0A, 0x00);
  EXPECT_EQ(bytes({d[4], d[5], d[6], d[7]}), bytes({0xFF, 0xFF, 0xFF, 0xFF}));
  lu_.info.type = PeripheralType::tape;  // general format: density + 3-byte count
  lu_.dev.bd_.density = 0x42;
  d = sense6(0x00, 0x0A, 0x00);
  EXPECT_EQ(bytes({d[4], d[5], d[6], d[7]}), bytes({0x42, 0xFF, 0xFF, 0xFF}));
}

TEST_F(ModeSenseTest, AllocationLengthTruncates) {
  auto d = sense6(0x00, 0x3F, 0x00, 4);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0], 55);  // the full MODE DATA LENGTH
  EXPECT_EQ(lu_.buf[4], 0xAA);
}

class ModeSelectTest : public ModeSenseTest {
 protected:
  Result select6(std::vector<uint8_t> params, uint8_t byte1 = 0x10) {
    last_ = mode_select(lu_.ctx, bytes({0x15, byte1, 0, 0, int(params.size()), 0}), params);
    return last_;
  }
  Result select10(std::vector<uint8_t> params, uint8_t byte1 = 0x10) {
    const size_t n = params.size();
    last_ = mode_select(lu_.ctx, bytes({0x55, byte1, 0, 0, 0, 0, 0, int(n >> 8), int(n & 0xFF), 0}),
                        params);
    return last_;
  }
  void expect_invalid_param(uint16_t byte, int bit) {
    EXPECT_EQ(last_.status, ScsiStatus::check_condition);
    EXPECT_EQ(last_.sense.asc, 0x26);
    EXPECT_FALSE(last_.sense.flags & SenseFlags::field_in_cdb);
    EXPECT_EQ(last_.sense.field_pointer, byte);
    if (bit >= 0) {
      EXPECT_EQ(last_.sense.field_bit, bit);
    }
  }
  void expect_length_error() {
    EXPECT_EQ(last_.status, ScsiStatus::check_condition);
    EXPECT_EQ(last_.sense.asc, 0x1A);
  }
  static std::vector<uint8_t> control(uint8_t b2, uint8_t b3 = 0, uint8_t b4 = 0, uint8_t b5 = 0) {
    return {0x0A, 0x0A, b2, b3, b4, b5, 0, 0, 0, 0, 0, 0};
  }
  const std::vector<uint8_t> hdr6_ = {0, 0, 0, 0};
};

TEST_F(ModeSelectTest, ChangesControlPage) {
  select6(cat({hdr6_, control(0x06, 0x02, 0x08, 0x40)}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_TRUE(last_.mode_parameters_changed);
  EXPECT_TRUE(lu_.control.d_sense);
  EXPECT_EQ(lu_.control.qerr, 1);
  EXPECT_TRUE(lu_.control.swp);
  EXPECT_TRUE(lu_.control.tas);
  // Sending the same values again changes nothing.
  select6(cat({hdr6_, control(0x06, 0x02, 0x08, 0x40)}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_FALSE(last_.mode_parameters_changed);
  // Echoing MODE SENSE data (mode data length, PS bit, DPOFUA) is accepted.
  auto sensed = sense6(0x00, 0x0A, 0x00);
  select6(sensed);
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_FALSE(last_.mode_parameters_changed);
}

TEST_F(ModeSelectTest, RejectsNonChangeableBits) {
  select6(cat({hdr6_, control(0x22)}));  // TST=001b
  expect_invalid_param(6, 5);
  select6(cat({hdr6_, control(0x00)}));  // GLTSD cleared
  expect_invalid_param(6, 1);
  select6(cat({hdr6_, control(0x02, 0x06)}));  // QErr=11b: changeable bits, bad value
  expect_invalid_param(7, 2);
  EXPECT_EQ(lu_.control.qerr, 0);
  select6(cat({hdr6_, control(0x02, 0x00, 0x30)}));  // UA_INTLCK_CTRL
  expect_invalid_param(8, 5);
}

TEST_F(ModeSelectTest, ValidatesEverythingBeforeApplying) {
  // A good Control page followed by a bad one: nothing applied.
  select6(cat({hdr6_, control(0x06), control(0x22)}));
  expect_invalid_param(18, 5);
  EXPECT_FALSE(lu_.control.d_sense);
}

TEST_F(ModeSelectTest, CdbErrors) {
  select6(cat({hdr6_, control(0x06)}), 0x00);  // PF=0
  EXPECT_EQ(last_.sense.asc, 0x24);
  EXPECT_EQ(last_.sense.field_pointer, 1);
  EXPECT_EQ(last_.sense.field_bit, 4);
  select6(cat({hdr6_, control(0x06)}), 0x11);  // SP=1
  EXPECT_EQ(last_.sense.asc, 0x24);
  EXPECT_EQ(last_.sense.field_bit, 0);
  EXPECT_FALSE(lu_.control.d_sense);
  select6({});  // zero-length parameter list
  EXPECT_EQ(last_.status, ScsiStatus::good);
}

TEST_F(ModeSelectTest, ParameterListErrors) {
  select6({0, 0, 0});
  expect_length_error();
  auto truncated = cat({hdr6_, control(0x06)});
  truncated.resize(14);
  select6(truncated);
  expect_length_error();
  select6(cat({hdr6_, {0x0A}}));
  expect_length_error();
  select6(cat({{0, 0, 0, 8}, {0, 0, 0, 0}}));  // descriptor length beyond the list
  expect_length_error();
  select6(cat({hdr6_, {0x19, 0x02, 0, 0}}));  // unknown page
  expect_invalid_param(4, 5);
  select6(cat({hdr6_, {0x0A, 0x08, 0, 0, 0, 0, 0, 0, 0, 0}}));  // wrong page length
  expect_invalid_param(5, 7);
  select6(cat({{0, 0x05, 0, 0}, control(0x02)}));  // medium type
  expect_invalid_param(1, 7);
  select6(cat({{0, 0, 0, 4}, {0, 0, 0, 0}}));  // block descriptor length
  expect_invalid_param(3, 7);
  // A transport that delivered fewer bytes than PARAMETER LIST LENGTH.
  last_ = mode_select(lu_.ctx, bytes({0x15, 0x10, 0, 0, 16, 0}), hdr6_);
  expect_length_error();
}

TEST_F(ModeSelectTest, DevicePages) {
  std::vector<uint8_t> caching(lu_.dev.caching_.begin(), lu_.dev.caching_.end());
  caching[2] &= ~0x04;  // WCE off
  select6(cat({hdr6_, caching}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_TRUE(last_.mode_parameters_changed);
  EXPECT_EQ(lu_.dev.select_calls, 1);
  EXPECT_EQ(lu_.dev.caching_[2] & 0x04, 0x00);
  caching[3] = 0x01;  // not changeable
  select6(cat({hdr6_, caching}));
  expect_invalid_param(7, 0);
  // The device refuses a page: its parameter pointer is shifted by the page offset.
  caching[3] = 0;
  caching[2] |= 0x04;
  lu_.dev.fail_select = true;
  select6(cat({hdr6_, caching}));
  expect_invalid_param(6, 2);
  // Subpage format page, unchanged.
  std::vector<uint8_t> lbp(lu_.dev.lbp_.begin(), lu_.dev.lbp_.end());
  lu_.dev.fail_select = false;
  select10(cat({{0, 0, 0, 0, 0, 0, 0, 0}, lbp}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_FALSE(last_.mode_parameters_changed);
  lbp[3] = 0x08;  // subpage length field wrong
  lbp.resize(12);
  select10(cat({{0, 0, 0, 0, 0, 0, 0, 0}, lbp}));
  expect_invalid_param(10, 7);
}

TEST_F(ModeSelectTest, BlockDescriptor) {
  // Same values as reported: no change.
  select6(cat({{0, 0, 0, 8}, kBd}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_FALSE(last_.mode_parameters_changed);
  EXPECT_EQ(lu_.dev.set_bd_calls, 0);
  // New block length, NUMBER OF LOGICAL BLOCKS 0 keeps the capacity.
  select6(cat({{0, 0, 0, 8}, {0, 0, 0, 0, 0, 0, 0x10, 0x00}}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_TRUE(last_.mode_parameters_changed);
  EXPECT_TRUE(last_.block_descriptor_changed);
  EXPECT_EQ(lu_.dev.bd_.block_length, 4096u);
  EXPECT_EQ(lu_.dev.bd_.num_blocks, 2048u);
  // The device refuses: pointer shifted past the header.
  select6(cat({{0, 0, 0, 8}, {0, 0, 0, 0, 0, 0, 0x03, 0x00}}));
  expect_invalid_param(9, 7);
  // Long LBA descriptor through MODE SELECT(10).
  select10(cat({{0, 0, 0, 0, 0x01, 0, 0, 16},
                {0, 0, 0, 0, 0, 0, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0x02, 0x00}}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_EQ(lu_.dev.bd_.block_length, 512u);
  // A device without block descriptors accepts only an all-zero one.
  lu_.dev.has_bd = false;
  select6(cat({{0, 0, 0, 8}, {0, 0, 0, 0, 0, 0, 0, 0}}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  select6(cat({{0, 0, 0, 8}, kBd}));
  expect_invalid_param(4, -1);
}

TEST_F(ModeSelectTest, SwpShowsAsWriteProtect) {
  select6(cat({hdr6_, control(0x02, 0, 0x08)}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_EQ(sense6(0x08, 0x0A, 0x00)[2], 0x90);
}

TEST_F(ModeSelectTest, InformationalExceptionsPage) {
  select6(cat({hdr6_, {0x1C, 0x0A, 0x00, 0x04, 0, 0, 0, 10, 0, 0, 0, 1}}));
  EXPECT_EQ(last_.status, ScsiStatus::good);
  EXPECT_FALSE(lu_.control.ie_dexcpt);
  EXPECT_EQ(lu_.control.ie_mrie, 4);
  EXPECT_EQ(lu_.control.ie_interval_timer, 10u);
  select6(cat({hdr6_, {0x1C, 0x0A, 0x00, 0x09, 0, 0, 0, 10, 0, 0, 0, 1}}));
  expect_invalid_param(7, 3);
}

}  // namespace
}  // namespace nexus::scsi::test
