// The passthrough handler against a fake sg device: identity, forwarding,
// sense, Unit Attention fan-out, tape block length, detach/re-attach, reset
// and timeouts.
#include "pt_fakes.h"

namespace nexus::passthrough::test {
namespace {

Bytes read10(uint32_t lba, uint16_t blocks) {
  Bytes c(10, 0);
  c[0] = 0x28;
  put_be32(&c[2], lba);
  put_be16(&c[7], blocks);
  return c;
}
Bytes read6n(uint32_t n, bool fixed) {
  Bytes c = {0x08, uint8_t(fixed ? 1 : 0), 0, 0, 0, 0};
  put_be24(&c[2], n);
  return c;
}
const Bytes kTur = {0x00, 0, 0, 0, 0, 0};
const Bytes kRewind = {0x01, 0, 0, 0, 0, 0};

uint32_t device_length(IDevice* dev, const Bytes& cdb, SenseInfo* s) {
  uint32_t n = 0;
  EXPECT_TRUE(dev->data_length({cdb.data(), cdb.size()}, &n, s));
  return n;
}

TEST(PassthroughIdentity, DeviceInfoComesFromInquiryAndVpd) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok) << h->options->all_errors();
  DeviceInfo d{};
  d.struct_size = sizeof d;
  ASSERT_EQ(h->dev->info(&d), Status::ok);
  EXPECT_EQ(d.type, PeripheralType::tape);
  EXPECT_STREQ(d.vendor, "IBM");
  EXPECT_STREQ(d.product, "ULT3580-TD5");
  EXPECT_STREQ(d.revision, "B170");
  EXPECT_STREQ(d.serial, "1013000123");
  EXPECT_EQ(d.naa_id, 0x5000E11156D70001ull);  // the LU designator, not the port's
  EXPECT_EQ(d.scsi_version, 0x06);             // device said 07h: capped at SPC-4
  const uint32_t want = DeviceInfoFlags::medium_present | DeviceInfoFlags::ready |
                        DeviceInfoFlags::passthrough | DeviceInfoFlags::removable;
  EXPECT_EQ(d.flags, want);
  EXPECT_TRUE(h->host.logged("tape0: /dev/sg3 IBM ULT3580-TD5")) << h->host.all_logs();
  EXPECT_EQ(h->fake->opened_path, "/dev/sg3");
  EXPECT_TRUE(h->fake->opened_exclusive);
}

TEST(PassthroughIdentity, OtherVpdPagesAreCachedAndServedWithoutTheDevice) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok);
  int inquiries = h->fake->count({0x12});
  uint8_t buf[64] = {};
  uint32_t len = 0;
  ASSERT_EQ(h->dev->vpd_page(0xC0, {buf, sizeof buf}, &len), Status::ok);
  EXPECT_EQ(len, 7u);
  EXPECT_EQ(buf[1], 0xC0);
  EXPECT_EQ(buf[4], 'F');
  // The core owns 80h/83h/86h; pages the device does not list are unsupported.
  EXPECT_EQ(h->dev->vpd_page(0x86, {buf, sizeof buf}, &len), Status::unsupported);
  EXPECT_EQ(h->dev->vpd_page(0x80, {buf, sizeof buf}, &len), Status::unsupported);
  EXPECT_EQ(h->dev->vpd_page(0xB2, {buf, sizeof buf}, &len), Status::unsupported);
  EXPECT_EQ(h->fake->count({0x12}), inquiries);  // served from the cache
}

TEST(PassthroughIdentity, UnitAttentionsPendingAtOpenAreConsumedQuietly) {
  auto h = std::make_unique<Harness>();
  script_tape(*h->fake);
  h->fake->on_once({}, check(fixed_sense(0x6, 0x29, 0x00)));
  h->options->set("path", "/dev/sg3");
  ASSERT_EQ(h->create(), Status::ok);
  EXPECT_TRUE(h->host.uas().empty());  // the core announces its own power on
  EXPECT_EQ(h->exec(kTur)->status(), ScsiStatus::good);
}

TEST(PassthroughIdentity, NoLogicalUnitIsAnErrorOnPath) {
  auto h = std::make_unique<Harness>();
  script_tape(*h->fake);
  Bytes inq = std_inquiry(0x01, true, 6, "IBM", "X", "1");
  inq[0] = 0x7F;  // peripheral qualifier 011b: no LU
  h->fake->on({0x12, 0x00}, Reply{inq});
  h->options->set("path", "/dev/sg3");
  EXPECT_NE(h->create(), Status::ok);
  EXPECT_NE(h->options->all_errors().find("path: /dev/sg3: no logical unit"), std::string::npos)
      << h->options->all_errors();
}

TEST(PassthroughForward, ReadReturnsDataAndResidual) {
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok) << h->options->all_errors();
  DeviceInfo d{};
  d.struct_size = sizeof d;
  h->dev->info(&d);
  EXPECT_EQ(d.block_size, 4096u);
  EXPECT_EQ(d.num_blocks, 1000u);
  Bytes data(4096 + 100);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
  h->fake->on({0x28}, Reply{data});  // the device stops 3996 bytes short
  auto c = h->exec(read10(5, 2), 8192);
  EXPECT_EQ(c->status(), ScsiStatus::good);
  EXPECT_EQ(c->transfer(), 4196u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), c->data().begin()));
  EXPECT_EQ(h->fake->count(read10(5, 2)), 1);
}

TEST(PassthroughForward, WriteSendsTheCommandsDataOut) {
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  h->fake->on({0x2A}, Reply{});
  Bytes cdb = read10(1, 1);
  cdb[0] = 0x2A;  // WRITE(10)
  Bytes out(4096);
  for (size_t i = 0; i < out.size(); ++i) out[i] = uint8_t(i ^ 0x5A);
  auto c = h->exec(cdb, 4096, 1, &out);
  EXPECT_EQ(c->status(), ScsiStatus::good);
  EXPECT_EQ(h->fake->last_data_out, out);
}

TEST(PassthroughForward, TransferBeyondTheHostLimitIsRejectedBeforeTheDevice) {
  auto h = std::make_unique<Harness>();
  script_disk(*h->fake);
  h->fake->max_transfer = 64 << 10;
  h->options->set("path", "/dev/sg1");
  ASSERT_EQ(h->create(), Status::ok);
  EXPECT_EQ(h->pt()->max_transfer(), 64u << 10);
  DeviceInfo d{};
  d.struct_size = sizeof d;
  h->dev->info(&d);
  EXPECT_EQ(d.max_transfer_blocks, 16u);
  auto c = h->exec(read10(0, 32), 32 * 4096);
  expect_sense(*c, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_TRUE(c->sense().flags & SenseFlags::field_in_cdb);
  EXPECT_EQ(c->sense().field_pointer, 7);  // TRANSFER LENGTH of READ(10)
  EXPECT_EQ(h->fake->count({0x28}), 0);
  // The device's Block Limits page promises no more than the path carries.
  uint8_t b0[64] = {};
  uint32_t len = 0;
  ASSERT_EQ(h->dev->vpd_page(0xB0, {b0, sizeof b0}, &len), Status::ok);
  EXPECT_EQ(get_be32(&b0[8]), 16u);
}

TEST(PassthroughForward, AnAllocationLengthBeyondTheHostLimitIsLoweredNotFailed) {
  // SPC-4 4.2.5.6: asking the device for less is always allowed; sending the
  // initiator's 64 KiB through a 32 KiB path would fail in SG_IO (EINVAL).
  auto h = std::make_unique<Harness>();
  script_disk(*h->fake);
  h->fake->max_transfer = 32 << 10;
  h->options->set("path", "/dev/sg1");
  ASSERT_EQ(h->create(), Status::ok);
  h->fake->on({0x4D}, Reply{Bytes(100, 0x33)});  // LOG SENSE
  Bytes cdb = {0x4D, 0, 0x40, 0, 0, 0, 0, 0xFF, 0xFF, 0};
  auto c = h->exec(cdb, 0xFFFF);
  EXPECT_EQ(c->status(), ScsiStatus::good);
  EXPECT_EQ(c->transfer(), 100u);
  ASSERT_EQ(h->fake->count({0x4D}), 1);
  Bytes sent;
  for (const Bytes& b : h->fake->cdbs)
    if (b[0] == 0x4D) sent = b;
  EXPECT_EQ(get_be16(&sent[7]), 32u << 10) << "ALLOCATION LENGTH lowered to the path's limit";
}

TEST(PassthroughForward, StatusesOtherThanCheckConditionPassThrough) {
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  Reply conflict;
  conflict.status = uint8_t(ScsiStatus::reservation_conflict);
  h->fake->on_once({0x28}, conflict);
  EXPECT_EQ(h->exec(read10(0, 1), 4096)->status(), ScsiStatus::reservation_conflict);
  Reply full;
  full.status = uint8_t(ScsiStatus::task_set_full);
  h->fake->on_once({0x28}, full);
  EXPECT_EQ(h->exec(read10(0, 1), 4096)->status(), ScsiStatus::task_set_full);
}

TEST(PassthroughForward, TransportFailuresBecomeSenseNotCrashes) {
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  Reply timeout;
  timeout.transport = Transport::timeout;
  h->fake->on_once({0x28}, timeout);
  expect_sense(*h->exec(read10(0, 1), 4096), SenseKey::aborted_command, 0x08, 0x01);
  Reply host;
  host.transport = Transport::error;
  h->fake->on_once({0x28}, host);
  expect_sense(*h->exec(read10(0, 1), 4096), SenseKey::aborted_command, 0x08, 0x00);
  Reply busy;
  busy.transport = Transport::busy;
  busy.os_err = ENOMEM;
  h->fake->on_once({0x28}, busy);
  EXPECT_EQ(h->exec(read10(0, 1), 4096)->status(), ScsiStatus::busy);
  Reply nosense;
  nosense.status = uint8_t(ScsiStatus::check_condition);
  h->fake->on_once({0x28}, nosense);
  expect_sense(*h->exec(read10(0, 1), 4096), SenseKey::hardware_error, 0x44, 0x00);
  EXPECT_FALSE(h->pt()->detached());
}

TEST(PassthroughForward, AbortedWhileQueuedNeverReachesTheDevice) {
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  auto c = h->exec(read10(0, 1), 4096, 1, nullptr, /*aborted=*/true);
  EXPECT_EQ(c->status(), ScsiStatus::task_aborted);
  EXPECT_EQ(h->fake->count({0x28}), 0);
}

TEST(PassthroughSense, FixedFormatKeepsFilemarkInformationAndResidual) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok);
  // Variable-block READ(6) of 1000 bytes hits a filemark after 0 bytes.
  Reply fm = check(fixed_sense(0x0, 0x00, 0x01, 0x80, true, 1000));
  h->fake->on_once({0x08}, fm);
  auto c = h->exec(read6n(1000, false), 1000);
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x01);
  EXPECT_TRUE(c->sense().flags & SenseFlags::filemark);
  EXPECT_TRUE(c->sense().flags & SenseFlags::info_valid);
  EXPECT_EQ(c->sense().information, 1000u);
  EXPECT_EQ(c->transfer(), 0u);
}

TEST(PassthroughSense, DescriptorFormatKeepsIliAnd64BitInformation) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok);
  Bytes s = {0x72, 0x00, 0x00, 0x00, 0, 0, 0, 16,
             // information descriptor: VALID, 0x1234567890
             0x00, 0x0A, 0x80, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x90,
             // stream commands descriptor: ILI
             0x04, 0x02, 0x00, 0x20};
  s[7] = uint8_t(s.size() - 8);
  Reply ili = check(s);
  ili.data = Bytes(300, 0xAB);  // a 300-byte block for a 512-byte request
  h->fake->on_once({0x08}, ili);
  auto c = h->exec(read6n(512, false), 512);
  expect_sense(*c, SenseKey::no_sense, 0x00, 0x00);
  EXPECT_TRUE(c->sense().flags & SenseFlags::ili);
  EXPECT_FALSE(c->sense().flags & SenseFlags::filemark);
  EXPECT_EQ(c->sense().information, 0x1234567890ull);
  EXPECT_EQ(c->transfer(), 300u);
  EXPECT_EQ(c->data()[299], 0xAB);
}

TEST(PassthroughUnitAttention, DeviceUaGoesToEveryOtherNexusAndTheIssuer) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok);
  int mode_senses = h->fake->count({0x1A});
  h->fake->on_once({0x00}, check(fixed_sense(0x6, 0x28, 0x00)));
  auto c = h->exec(kTur, 0, /*nexus=*/7);
  expect_sense(*c, SenseKey::unit_attention, 0x28, 0x00);
  EXPECT_TRUE(h->host.has_ua({UaScope::all_but, 7, 0x28, 0x00}));
  EXPECT_EQ(h->host.uas().size(), 1u);
  // A new medium may have another block length: re-read.
  EXPECT_GT(h->fake->count({0x1A}), mode_senses);
}

TEST(PassthroughUnitAttention, ModeSelectSuccessTellsTheOthers) {
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  h->fake->on({0x15}, Reply{});
  Bytes ms = {0x15, 0x10, 0, 0, 12, 0};
  Bytes params(12, 0);
  EXPECT_EQ(h->exec(ms, 12, 3, &params)->status(), ScsiStatus::good);
  EXPECT_TRUE(h->host.has_ua({UaScope::all_but, 3, 0x2A, 0x01}));
  // A failed one tells nobody.
  h->fake->on_once({0x15}, check(fixed_sense(0x5, 0x26, 0x00)));
  size_t before = h->host.uas().size();
  expect_sense(*h->exec(ms, 12, 3, &params), SenseKey::illegal_request, 0x26, 0x00);
  EXPECT_EQ(h->host.uas().size(), before);
}

TEST(PassthroughUnitAttention, DeviceEchoOfOurModeSelectIsNotSentBackToTheIssuer) {
  // scsi_debug reports MODE PARAMETERS CHANGED to its one nexus (us) after a
  // MODE SELECT; the capacity re-read that follows sees it. The issuer must
  // not get it (SPC-4 7.5.1: only the other I_T nexuses are told).
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  h->fake->on({0x15}, Reply{});
  h->fake->on_once({0x25}, check(fixed_sense(0x6, 0x2A, 0x01)));
  Bytes ms = {0x15, 0x10, 0, 0, 12, 0};
  Bytes params(12, 0);
  EXPECT_EQ(h->exec(ms, 12, 3, &params)->status(), ScsiStatus::good);
  EXPECT_TRUE(h->host.has_ua({UaScope::all_but, 3, 0x2A, 0x01}));
  EXPECT_FALSE(h->host.has_ua({UaScope::all_nexuses, 0, 0x2A, 0x01}));
}

TEST(PassthroughSense, DeviceDSenseIsReportedToTheCore) {
  // SPC-4 7.5.8: once an initiator sets D_SENSE through a forwarded MODE
  // SELECT, sense for the LU is descriptor format; the core must know.
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  DeviceInfo info{};
  info.struct_size = sizeof info;
  ASSERT_EQ(h->dev->info(&info), Status::ok);
  EXPECT_FALSE(info.flags & DeviceInfoFlags::descriptor_sense);
  h->fake->on({0x15}, Reply{});
  Reply control;
  control.data = {0x0F, 0x00, 0x00, 0x00, 0x0A, 0x0A, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  h->fake->on({0x1A, 0x08, 0x0A}, control);
  Bytes ms = {0x15, 0x10, 0, 0, 16, 0};
  Bytes params(16, 0);
  EXPECT_EQ(h->exec(ms, 16, 2, &params)->status(), ScsiStatus::good);
  ASSERT_EQ(h->dev->info(&info), Status::ok);
  EXPECT_TRUE(info.flags & DeviceInfoFlags::descriptor_sense);
  EXPECT_TRUE(info.flags & DeviceInfoFlags::passthrough);
}

TEST(PassthroughUnitAttention, LogSelectSuccessRaisesLogParametersChanged) {
  auto h = make_disk();
  ASSERT_EQ(h->status, Status::ok);
  h->fake->on({0x4C}, Reply{});
  Bytes ls = {0x4C, 0x02, 0x40, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(h->exec(ls)->status(), ScsiStatus::good);
  EXPECT_TRUE(h->host.has_ua({UaScope::all_but, 1, 0x2A, 0x02}));
}

TEST(PassthroughTape, BlockLengthIsReReadAfterModeSelect) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok);
  EXPECT_EQ(h->pt()->tape_block_length(), 0u);
  SenseInfo s{};
  uint32_t n = 0;
  Bytes fixed4 = read6n(4, true);
  // Variable-block mode: FIXED=1 is an invalid field (byte 1 bit 0).
  EXPECT_FALSE(h->dev->data_length({fixed4.data(), fixed4.size()}, &n, &s));
  EXPECT_EQ(s.asc, 0x24);
  EXPECT_EQ(s.field_pointer, 1);
  EXPECT_EQ(device_length(h->dev.get(), read6n(700, false), &s), 700u);

  // An initiator selects 1024-byte blocks; the drive now reports that.
  Bytes sense_1024 = {11, 0, 0x10, 8, 0x58, 0, 0, 0, 0, 0, 0x04, 0x00};
  h->fake->on({0x1A}, Reply{sense_1024});
  h->fake->on({0x15}, Reply{});
  Bytes msel = {0x15, 0x10, 0, 0, 12, 0};
  EXPECT_EQ(device_length(h->dev.get(), read6n(700, false), &s), 700u);
  EXPECT_EQ(h->exec(msel, 12, 2, &sense_1024)->status(), ScsiStatus::good);
  EXPECT_EQ(h->pt()->tape_block_length(), 1024u);
  EXPECT_EQ(device_length(h->dev.get(), fixed4, &s), 4096u);
  EXPECT_EQ(device_length(h->dev.get(), read6n(700, false), &s), 700u);
  EXPECT_TRUE(h->host.has_ua({UaScope::all_but, 2, 0x2A, 0x01}));
}

TEST(PassthroughTape, FixedModeAtOpenIsRead) {
  auto h = make_tape({}, 512);
  ASSERT_EQ(h->status, Status::ok);
  EXPECT_EQ(h->pt()->tape_block_length(), 512u);
  SenseInfo s{};
  Bytes w = {0x0A, 0x01, 0, 0, 8, 0};  // WRITE(6) FIXED, 8 blocks
  EXPECT_EQ(device_length(h->dev.get(), w, &s), 4096u);
  // VERIFY(6) moves data only with BYTCMP.
  Bytes v = {0x13, 0x01, 0, 0, 8, 0};
  EXPECT_EQ(device_length(h->dev.get(), v, &s), 0u);
  v[1] = 0x03;
  EXPECT_EQ(device_length(h->dev.get(), v, &s), 4096u);
}

TEST(PassthroughTape, OneWorkerForSequentialDevicesFourForDisks) {
  auto t = make_tape();
  auto d = make_disk();
  ASSERT_EQ(t->status, Status::ok);
  ASSERT_EQ(d->status, Status::ok);
  EXPECT_EQ(t->pt()->workers(), 1u);
  EXPECT_EQ(d->pt()->workers(), 4u);
  auto t2 = make_tape({{"workers", "2"}});
  EXPECT_EQ(t2->pt()->workers(), 2u);
}

TEST(PassthroughTimeouts, LongRunningCommandsGetTheLongTimeout) {
  auto h = make_tape({{"timeout", "30s"}, {"long_timeout", "2h"}});
  ASSERT_EQ(h->status, Status::ok) << h->options->all_errors();
  h->fake->on({0x01}, Reply{});
  h->fake->on({0x08}, Reply{Bytes(10, 1)});
  EXPECT_EQ(h->exec(kRewind)->status(), ScsiStatus::good);
  EXPECT_EQ(h->fake->last_timeout(), 7200u);
  h->exec(read6n(10, false), 10);
  EXPECT_EQ(h->fake->last_timeout(), 30u);
}

TEST(PassthroughVanish, GoneDeviceIsNotReadyAndComesBackWithPowerOnUa) {
  auto h = make_tape({{"reattach_interval", "1h"}});  // attempts made by the test
  ASSERT_EQ(h->status, Status::ok);
  h->fake->set_present(false);
  auto c = h->exec(kTur);
  expect_sense(*c, SenseKey::not_ready, 0x04, 0x00);
  EXPECT_TRUE(h->pt()->detached());
  EXPECT_TRUE(h->host.logged("went away")) << h->host.all_logs();
  int sent = h->fake->count({});
  expect_sense(*h->exec(kTur), SenseKey::not_ready, 0x04, 0x00);
  EXPECT_EQ(h->fake->count({}), sent);  // no longer sent anywhere
  EXPECT_FALSE(h->pt()->try_reattach());
  EXPECT_TRUE(h->host.uas().empty());

  h->fake->set_present(true);
  EXPECT_TRUE(h->pt()->try_reattach());
  EXPECT_FALSE(h->pt()->detached());
  EXPECT_TRUE(h->host.has_ua({UaScope::all_nexuses, 0, 0x29, 0x00}));
  EXPECT_TRUE(h->host.logged("re-attached")) << h->host.all_logs();
  EXPECT_EQ(h->exec(kTur)->status(), ScsiStatus::good);
}

TEST(PassthroughVanish, AnotherDeviceAtThePathIsRefused) {
  auto h = make_tape({{"reattach_interval", "1h"}});
  ASSERT_EQ(h->status, Status::ok);
  h->fake->set_present(false);
  expect_sense(*h->exec(kTur), SenseKey::not_ready, 0x04, 0x00);
  script_tape(*h->fake, "9999999999", 0x5000E11156D70002ull);
  h->fake->set_present(true);
  EXPECT_FALSE(h->pt()->try_reattach());
  EXPECT_TRUE(h->pt()->detached());
  EXPECT_TRUE(h->host.logged("staying detached")) << h->host.all_logs();
  EXPECT_TRUE(h->host.uas().empty());
  expect_sense(*h->exec(kTur), SenseKey::not_ready, 0x04, 0x00);
}

TEST(PassthroughVanish, ControlThreadReattachesOnItsOwn) {
  auto h = make_tape({{"reattach_interval", "20ms"}});
  ASSERT_EQ(h->status, Status::ok) << h->options->all_errors();
  h->fake->set_present(false);
  expect_sense(*h->exec(kTur), SenseKey::not_ready, 0x04, 0x00);
  h->fake->set_present(true);
  EXPECT_TRUE(eventually([&] { return !h->pt()->detached(); }));
  EXPECT_TRUE(h->host.has_ua({UaScope::all_nexuses, 0, 0x29, 0x00}));
}

TEST(PassthroughPrevent, DeviceIsLockedWhileAnyNexusPreventsRemoval) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok);
  h->fake->on({0x1E}, Reply{});
  const Bytes prevent = {0x1E, 0, 0, 0, 1, 0};
  const Bytes allow = {0x1E, 0, 0, 0, 0, 0};
  EXPECT_EQ(h->exec(prevent, 0, 1)->status(), ScsiStatus::good);
  EXPECT_EQ(h->exec(prevent, 0, 2)->status(), ScsiStatus::good);
  EXPECT_EQ(h->fake->count(prevent), 1) << "the device is locked once";
  // One initiator's ALLOW must not unlock what another still prevents.
  EXPECT_EQ(h->exec(allow, 0, 1)->status(), ScsiStatus::good);
  EXPECT_EQ(h->fake->count(allow), 0);
  // The last holder vanishing unlocks the device (SPC-4 6.13).
  h->dev->nexus_lost(2);
  EXPECT_TRUE(eventually([&] { return h->fake->count(allow) == 1; }));
  // A refused PREVENT leaves nobody holding the lock.
  h->fake->on_once({0x1E, 0, 0, 0, 1}, check(fixed_sense(0x5, 0x24, 0x00)));
  expect_sense(*h->exec(prevent, 0, 3), SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(h->exec(prevent, 0, 4)->status(), ScsiStatus::good);
  EXPECT_EQ(h->fake->count(prevent), 3);
}

TEST(PassthroughReset, LuResetIsSentToTheDevice) {
  auto h = make_tape();
  ASSERT_EQ(h->status, Status::ok);
  h->dev->reset(ResetKind::lun_reset);
  EXPECT_TRUE(eventually([&] {
    std::lock_guard l(h->fake->mu);
    return h->fake->resets == 1;
  }));
  EXPECT_TRUE(eventually([&] { return h->host.logged("LU reset sent"); }));
}

}  // namespace
}  // namespace nexus::passthrough::test
