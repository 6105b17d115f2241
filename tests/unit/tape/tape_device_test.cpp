// Drive-level behaviour: identity, no medium, write protection, PREVENT
// ALLOW MEDIUM REMOVAL, LOAD UNLOAD, IRemovableMedium with its Unit
// Attention, mode pages, REPORT DENSITY SUPPORT, options.
#include "tape_fakes.h"

namespace nexus::tape::test {
namespace {

DeviceInfo info_of(IDevice* dev) {
  DeviceInfo i{};
  i.struct_size = sizeof i;
  EXPECT_EQ(dev->info(&i), Status::ok);
  return i;
}

std::unique_ptr<Drive> empty_drive(std::map<std::string, std::string> o = {}) {
  auto d = std::make_unique<Drive>();
  for (auto& [k, v] : o) d->options->set(k, v);
  IDevice* dev = nullptr;
  d->status = create_tape_device(&d->host, d->options.get(), &dev);
  d->dev.reset(dev);
  return d;
}

std::string make_cartridge(TempDir& dir, const std::string& name, bool wp) {
  std::string err, path = dir.file(name);
  MediaCreateParams p{name, 1 << 20, wp};
  EXPECT_TRUE(TapeMedia::create(path, p, &err)) << err;
  return path;
}

TEST(TapeDevice, IdentityAndDefaults) {
  auto d = make_drive();
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  DeviceInfo i = info_of(d->dev.get());
  EXPECT_EQ(i.type, PeripheralType::tape);
  EXPECT_TRUE(i.flags & DeviceInfoFlags::removable);
  EXPECT_TRUE(i.flags & DeviceInfoFlags::medium_present);
  EXPECT_FALSE(i.flags & DeviceInfoFlags::write_protected);
  EXPECT_STREQ(i.vendor, "NEXUS");
  EXPECT_STREQ(i.product, "VTAPE-LTO");
  EXPECT_EQ(std::string(i.serial).size(), 16u);
  EXPECT_EQ(d->dev->removable_medium()->state(), MediumState::loaded);
  EXPECT_EQ(to_sv(d->dev->removable_medium()->medium_path()), d->medium);
  EXPECT_TRUE(d->host.uas.empty());  // start-up load: the power-on UA covers it
}

TEST(TapeDevice, ConfigurableIdentity) {
  auto d = empty_drive({{"vendor", "IBM"},
                        {"product", "ULT3580-TD8"},
                        {"revision", "Q3F2"},
                        {"serial", "1013000123"}});
  ASSERT_EQ(d->status, Status::ok) << d->options->all_errors();
  DeviceInfo i = info_of(d->dev.get());
  EXPECT_STREQ(i.vendor, "IBM");
  EXPECT_STREQ(i.product, "ULT3580-TD8");
  EXPECT_STREQ(i.revision, "Q3F2");
  EXPECT_STREQ(i.serial, "1013000123");
}

TEST(TapeDevice, BadOptionsAreReported) {
  auto d = empty_drive({{"vendor", "MUCH-TOO-LONG"}, {"block_size", "x"}});
  EXPECT_EQ(d->status, Status::invalid_argument);
  EXPECT_GE(d->options->errors().size(), 2u);
  auto e = empty_drive({{"medium", "/nonexistent/tape"}});
  EXPECT_EQ(e->status, Status::invalid_argument);
  EXPECT_NE(e->options->all_errors().find("create_medium"), std::string::npos);
  auto f = empty_drive({{"density_code", "0x58"}});
  EXPECT_EQ(f->status, Status::ok) << f->options->all_errors();
  BlockDescriptor bd{};
  f->dev->block_descriptor(&bd);
  EXPECT_EQ(bd.density, 0x58);
}

TEST(TapeDevice, CheckOnlyCreatesNothing) {
  auto d = std::make_unique<Drive>();
  d->host.check_only_ = true;
  d->medium = d->dir.file("new.tape");
  d->options->set("medium", d->medium);
  d->options->child("create_medium").set("barcode", "B1").set("capacity", "1M");
  IDevice* dev = nullptr;
  ASSERT_EQ(create_tape_device(&d->host, d->options.get(), &dev), Status::ok)
      << d->options->all_errors();
  d->dev.reset(dev);
  EXPECT_NE(::access(d->medium.c_str(), F_OK), 0);
}

TEST(TapeDevice, NoMediumIsNotReady) {
  auto d = empty_drive();
  ASSERT_EQ(d->status, Status::ok);
  DeviceInfo i = info_of(d->dev.get());
  EXPECT_FALSE(i.flags & DeviceInfoFlags::medium_present);
  expect_sense(*d->exec(rewind_cdb()), SenseKey::not_ready, 0x3A, 0x00);
  expect_sense(*d->exec(load_unload(0x01)), SenseKey::not_ready, 0x3A, 0x00);
  // Rows marked ok_on_no_medium still answer.
  EXPECT_GOOD(d->exec(cdb6(op::kReadBlockLimits, 0, 0)));
  std::vector<uint8_t> rds(10, 0);
  rds[0] = op::kReportDensity;
  rds[8] = 255;
  EXPECT_GOOD(d->exec(rds, nullptr, 1, 255));
  rds[1] = 0x01;  // MEDIA: needs the cartridge
  expect_sense(*d->exec(rds, nullptr, 1, 255), SenseKey::not_ready, 0x3A, 0x00);
  // The rows say which commands run without a medium.
  const OpcodeInfo* rows = nullptr;
  uint32_t n = d->dev->opcodes(&rows);
  for (uint32_t k = 0; k < n; ++k) {
    bool any = rows[k].flags & OpcodeFlags::ok_on_no_medium;
    bool expect = rows[k].opcode == op::kReadBlockLimits || rows[k].opcode == op::kReportDensity ||
                  rows[k].opcode == op::kLoadUnload || rows[k].opcode == op::kPreventAllow;
    EXPECT_EQ(any, expect) << rows[k].name;
  }
}

TEST(TapeDevice, WriteProtectedMedium) {
  TempDir dir;
  auto d = empty_drive();
  std::string path = make_cartridge(dir, "WP0001", true);
  ASSERT_EQ(d->tape()->load(to_str(path), false), Status::ok);
  EXPECT_TRUE(info_of(d->dev.get()).flags & DeviceInfoFlags::write_protected);
  auto blk = pattern(100, 1);
  expect_sense(*d->exec(write6(100, false), &blk), SenseKey::data_protect, 0x27, 0x00);
  expect_sense(*d->exec(wfm(1)), SenseKey::data_protect, 0x27, 0x00);
  expect_sense(*d->exec(cdb6(op::kErase6, 1, 0)), SenseKey::data_protect, 0x27, 0x00);
  expect_sense(*d->exec(read6(100, false)), SenseKey::blank_check, 0x00, 0x05);
  // The load(write_protect=true) flag protects an ordinary cartridge too.
  ASSERT_EQ(d->tape()->unload(true), Status::ok);
  std::string rw = make_cartridge(dir, "RW0001", false);
  ASSERT_EQ(d->tape()->load(to_str(rw), true), Status::ok);
  expect_sense(*d->exec(write6(100, false), &blk), SenseKey::data_protect, 0x27, 0x00);
  // Writes-medium rows let the core refuse them before the data phase.
  const OpcodeInfo* rows = nullptr;
  uint32_t n = d->dev->opcodes(&rows);
  for (uint32_t k = 0; k < n; ++k) {
    bool writes = rows[k].opcode == op::kWrite6 || rows[k].opcode == op::kWriteFilemarks6 ||
                  rows[k].opcode == op::kErase6;
    EXPECT_EQ(bool(rows[k].flags & OpcodeFlags::writes_medium), writes) << rows[k].name;
  }
}

TEST(TapeDevice, PreventBlocksUnloadUntilEveryNexusAllows) {
  auto d = make_drive();
  EXPECT_GOOD(d->exec(prevent(true), nullptr, 1));
  EXPECT_GOOD(d->exec(prevent(true), nullptr, 2));
  IRemovableMedium* rm = d->dev->removable_medium();
  EXPECT_TRUE(rm->removal_prevented());
  expect_sense(*d->exec(load_unload(0x00)), SenseKey::illegal_request, 0x53, 0x02);
  EXPECT_EQ(rm->unload(false), Status::busy);
  EXPECT_GOOD(d->exec(prevent(false), nullptr, 1));
  EXPECT_TRUE(rm->removal_prevented());
  EXPECT_GOOD(d->exec(prevent(false), nullptr, 2));
  EXPECT_FALSE(rm->removal_prevented());
  EXPECT_GOOD(d->exec(load_unload(0x00)));
  EXPECT_EQ(rm->state(), MediumState::unloaded);
  // A reset drops prevention too.
  EXPECT_GOOD(d->exec(load_unload(0x01)));
  EXPECT_GOOD(d->exec(prevent(true), nullptr, 3));
  d->dev->reset(ResetKind::lun_reset);
  EXPECT_FALSE(rm->removal_prevented());
  // So does the loss of the preventing nexus, and only of that one.
  EXPECT_GOOD(d->exec(prevent(true), nullptr, 4));
  EXPECT_GOOD(d->exec(prevent(true), nullptr, 5));
  d->dev->nexus_lost(4);
  EXPECT_TRUE(rm->removal_prevented());
  d->dev->nexus_lost(5);
  EXPECT_FALSE(rm->removal_prevented());
  auto bad = prevent(false);
  bad[4] = 0x02;  // obsolete PREVENT value
  expect_sense(*d->exec(bad), SenseKey::illegal_request, 0x24, 0x00);
}

TEST(TapeDevice, LoadUnloadAndChangerInterface) {
  TempDir dir;
  auto d = make_drive();
  IRemovableMedium* rm = d->dev->removable_medium();
  auto blk = pattern(10, 1);
  EXPECT_GOOD(d->exec(write6(10, false), &blk));
  // A changer may not pull a threaded cartridge.
  EXPECT_EQ(rm->unload(false), Status::busy);
  std::string other = make_cartridge(dir, "B00002L8", false);
  EXPECT_EQ(rm->load(to_str(other), false), Status::busy);
  // LOAD UNLOAD(LOAD=0): unloaded, NOT READY until loaded again.
  EXPECT_GOOD(d->exec(load_unload(0x00)));
  EXPECT_EQ(rm->state(), MediumState::unloaded);
  EXPECT_FALSE(info_of(d->dev.get()).flags & DeviceInfoFlags::medium_present);
  expect_sense(*d->exec(read6(10, false)), SenseKey::not_ready, 0x3A, 0x00);
  EXPECT_GOOD(d->exec(load_unload(0x01)));  // re-thread: at BOP
  EXPECT_EQ(position(*d), 0u);
  EXPECT_GOOD(d->exec(load_unload(0x00)));
  EXPECT_EQ(rm->unload(false), Status::ok);
  EXPECT_EQ(rm->state(), MediumState::empty);
  EXPECT_EQ(to_sv(rm->medium_path()), "");
  EXPECT_TRUE(d->host.uas.empty());
  // Loading another cartridge raises 28h/00h for every nexus.
  ASSERT_EQ(rm->load(to_str(other), false), Status::ok);
  ASSERT_EQ(d->host.uas.size(), 1u);
  EXPECT_EQ(d->host.uas[0].scope, UaScope::all_nexuses);
  EXPECT_EQ(d->host.uas[0].asc, 0x28);
  EXPECT_EQ(d->host.uas[0].ascq, 0x00);
  EXPECT_EQ(rm->state(), MediumState::loaded);
  expect_sense(*d->exec(read6(10, false)), SenseKey::blank_check, 0x00, 0x05);
  // Loading a broken file fails cleanly and leaves the drive empty.
  ASSERT_EQ(rm->unload(true), Status::ok);
  EXPECT_EQ(rm->load(to_str(dir.file("nope")), false), Status::io_error);
  EXPECT_EQ(rm->state(), MediumState::empty);
  EXPECT_EQ(d->host.uas.size(), 1u);
  // EOT with LOAD is invalid.
  ASSERT_EQ(rm->load(to_str(other), false), Status::ok);
  expect_sense(*d->exec(load_unload(0x05)), SenseKey::illegal_request, 0x24, 0x00);
}

TEST(TapeDevice, ModePagesAndBlockDescriptor) {
  auto d = make_drive();
  const ModePageId* ids = nullptr;
  uint32_t n = d->dev->mode_pages(&ids);
  ASSERT_EQ(n, 4u);
  uint8_t p[64];
  uint32_t len = 0;
  // Data Compression: DCC set, DCE changeable, off by default.
  ASSERT_EQ(d->dev->mode_page({0x0F, 0}, ModePageControl::current, {p, sizeof p}, &len),
            Status::ok);
  EXPECT_EQ(len, 16u);
  EXPECT_EQ(p[2], 0x40);
  ASSERT_EQ(d->dev->mode_page({0x0F, 0}, ModePageControl::changeable, {p, sizeof p}, &len),
            Status::ok);
  EXPECT_EQ(p[2], 0x80);
  uint8_t sel[16] = {0x0F, 0x0E, 0xC0, 0x80};
  SenseInfo s{};
  ASSERT_EQ(d->dev->mode_select_page({0x0F, 0}, {sel, 16}, &s), Status::ok);
  d->dev->mode_page({0x0F, 0}, ModePageControl::current, {p, sizeof p}, &len);
  EXPECT_EQ(p[2], 0xC0);
  d->dev->mode_page({0x10, 0}, ModePageControl::current, {p, sizeof p}, &len);
  EXPECT_EQ(len, 16u);
  EXPECT_EQ(p[14], 0x01);  // SELECT DATA COMPRESSION ALGORITHM follows DCE
  EXPECT_EQ(p[8] & 0x40, 0x40);  // LOIS
  // Medium Partition: one partition of 8 MiB = 8 MB (PSUM 10b).
  d->dev->mode_page({0x11, 0}, ModePageControl::current, {p, sizeof p}, &len);
  EXPECT_EQ(len, 10u);
  EXPECT_EQ(p[3], 0);
  EXPECT_EQ(p[4] & 0x18, 0x10);
  EXPECT_EQ(get_be16(p + 8), 8u);
  // Block descriptor: density, 0 blocks, block length (0 = variable).
  BlockDescriptor bd{};
  bd.struct_size = sizeof bd;
  ASSERT_EQ(d->dev->block_descriptor(&bd), Status::ok);
  EXPECT_EQ(bd.density, 0x5E);
  EXPECT_EQ(bd.num_blocks, 0u);
  EXPECT_EQ(bd.block_length, 0u);
  bd.block_length = 65536;
  ASSERT_EQ(d->dev->set_block_descriptor(&bd, &s), Status::ok);
  uint32_t bytes = 0;
  auto c = read6(4, true);
  ASSERT_TRUE(d->dev->data_length({c.data(), c.size()}, &bytes, &s));
  EXPECT_EQ(bytes, 4u * 65536);
  bd.block_length = 1u << 24;
  EXPECT_EQ(d->dev->set_block_descriptor(&bd, &s), Status::invalid_argument);
  bd.block_length = 512;
  bd.density = 0x42;
  EXPECT_EQ(d->dev->set_block_descriptor(&bd, &s), Status::invalid_argument);
  bd.density = 0x7F;  // no change
  EXPECT_EQ(d->dev->set_block_descriptor(&bd, &s), Status::ok);
  // Reset returns to the configured defaults.
  d->dev->reset(ResetKind::lun_reset);
  d->dev->block_descriptor(&bd);
  EXPECT_EQ(bd.block_length, 0u);
}

TEST(TapeDevice, ReportDensitySupportMatchesBlockDescriptor) {
  auto d = make_drive();
  std::vector<uint8_t> cdb(10, 0);
  cdb[0] = op::kReportDensity;
  cdb[1] = 0x01;
  cdb[8] = 255;
  auto c = d->exec(cdb, nullptr, 1, 255);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->transfer(), 56u);
  const uint8_t* p = c->data().data();
  EXPECT_EQ(get_be16(p), 54u);
  EXPECT_EQ(p[4], 0x5E);
  EXPECT_EQ(p[6] & 0xA1, 0xA1);  // WRTOK, DEFLT, DLV
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(p + 4 + 24), 8), "NX-VTAPE");
  // Truncated to the allocation length.
  auto t = d->exec(cdb, nullptr, 1, 8);
  EXPECT_EQ(t->transfer(), 8u);
}

}  // namespace
}  // namespace nexus::tape::test
