// No-disc behaviour, eject/load with Unit Attentions, PREVENT ALLOW MEDIUM
// REMOVAL and the IRemovableMedium contract.
#include "cdrom_fakes.h"

namespace nexus::cdrom::test {
namespace {

bool present(IDevice* dev) {
  DeviceInfo info{};
  info.struct_size = sizeof info;
  dev->info(&info);
  return info.flags & DeviceInfoFlags::medium_present;
}

TEST(CdromMedium, NoDiscIsNotReadyButPollingWorks) {
  auto d = make_drive({});
  IDevice* dev = d->dev.get();
  for (auto cdb : {read10(0, 1), cdb10(op::kReadCapacity10), read_toc(0, false),
                   cdb10(op::kReadDiscInfo, 0, 0, 0, 34)})
    expect_sense(*exec(dev, cdb, 64), SenseKey::not_ready, 0x3A, 0x00);
  EXPECT_GOOD(exec(dev, get_config(0, 0), 256));
  EXPECT_GOOD(exec(dev, gesn(0x10), 8));
  EXPECT_GOOD(exec(dev, prevent(0), 0));
  // Closing a tray without a disc is fine; opening it makes "tray open".
  EXPECT_GOOD(exec(dev, start_stop(true, true), 0));
  EXPECT_GOOD(exec(dev, start_stop(true, false), 0));
  expect_sense(*exec(dev, read10(0, 1), 2048), SenseKey::not_ready, 0x3A, 0x02);
  EXPECT_TRUE(d->host.uas.empty());
}

TEST(CdromMedium, EjectThenReadIsTrayOpenThenLoadRaisesUa) {
  TempDir dir;
  std::string img = make_image(dir, "a.iso", 4 * 2048, 5);
  auto d = make_drive({{"image", img}});
  IDevice* dev = d->dev.get();
  EXPECT_GOOD(exec(dev, read10(0, 1), 2048));
  EXPECT_GOOD(exec(dev, start_stop(true, false), 0));
  EXPECT_FALSE(present(dev));
  expect_sense(*exec(dev, read10(0, 1), 2048), SenseKey::not_ready, 0x3A, 0x02);
  expect_sense(*exec(dev, cdb10(op::kReadCapacity10), 8), SenseKey::not_ready, 0x3A, 0x02);
  EXPECT_GOOD(exec(dev, start_stop(true, false), 0));  // already open: no-op
  // The file may be replaced while the tray is open: closing re-reads it.
  make_image(dir, "a.iso", 6 * 2048, 8);
  EXPECT_GOOD(exec(dev, start_stop(true, true), 0));
  EXPECT_TRUE(present(dev));
  ASSERT_EQ(d->host.uas.size(), 1u);
  EXPECT_EQ(d->host.uas[0].asc, 0x28);
  auto cap = exec(dev, cdb10(op::kReadCapacity10), 8);
  EXPECT_EQ(cap->data()[3], 5);
  auto r = exec(dev, read10(0, 1), 2048);
  EXPECT_EQ(r->data()[0], pattern(0, 8));
  // Closing a closed tray does nothing (no second UA).
  EXPECT_GOOD(exec(dev, start_stop(true, true), 0));
  EXPECT_EQ(d->host.uas.size(), 1u);
}

TEST(CdromMedium, StartStopWithoutLoejAndPowerConditions) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  EXPECT_GOOD(exec(d->dev.get(), start_stop(false, false), 0));
  EXPECT_TRUE(present(d->dev.get()));  // stopping the spindle keeps the disc
  EXPECT_GOOD(exec(d->dev.get(), cdb6(op::kStartStopUnit, 0x22), 0));  // IDLE: LoEj ignored
  EXPECT_TRUE(present(d->dev.get()));
  expect_sense(*exec(d->dev.get(), cdb6(op::kStartStopUnit, 0x40), 0), SenseKey::illegal_request,
               0x24, 0x00);
}

TEST(CdromMedium, PreventBlocksEjectUntilEveryNexusAllows) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  IDevice* dev = d->dev.get();
  EXPECT_GOOD(exec(dev, prevent(1), 0, 1));
  EXPECT_GOOD(exec(dev, prevent(1), 0, 2));
  EXPECT_TRUE(d->medium()->removal_prevented());
  expect_sense(*exec(dev, start_stop(true, false), 0, 1), SenseKey::illegal_request, 0x53, 0x02);
  EXPECT_TRUE(present(dev));
  EXPECT_EQ(d->medium()->unload(false), Status::busy);
  EXPECT_GOOD(exec(dev, prevent(0), 0, 1));
  EXPECT_TRUE(d->medium()->removal_prevented());  // nexus 2 still holds it
  expect_sense(*exec(dev, start_stop(true, false), 0, 1), SenseKey::illegal_request, 0x53, 0x02);
  EXPECT_GOOD(exec(dev, prevent(0), 0, 2));
  EXPECT_FALSE(d->medium()->removal_prevented());
  EXPECT_GOOD(exec(dev, start_stop(true, false), 0, 1));
  EXPECT_FALSE(present(dev));
}

TEST(CdromMedium, ResetEndsPrevention) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  EXPECT_GOOD(exec(d->dev.get(), prevent(1), 0, 1));
  EXPECT_GOOD(exec(d->dev.get(), prevent(3), 0, 1));
  d->dev->reset(ResetKind::lun_reset);
  EXPECT_FALSE(d->medium()->removal_prevented());
  EXPECT_GOOD(exec(d->dev.get(), start_stop(true, false), 0, 1));
}

TEST(CdromMedium, NexusLossEndsItsPrevention) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  EXPECT_GOOD(exec(d->dev.get(), prevent(1), 0, 1));
  EXPECT_GOOD(exec(d->dev.get(), prevent(1), 0, 2));
  d->dev->nexus_lost(1);
  EXPECT_TRUE(d->medium()->removal_prevented());
  d->dev->nexus_lost(2);
  EXPECT_FALSE(d->medium()->removal_prevented());
}

TEST(CdromMedium, PersistentPreventOnlyGuardsTheButton) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  EXPECT_GOOD(exec(d->dev.get(), prevent(3), 0));
  EXPECT_TRUE(d->medium()->removal_prevented());
  EXPECT_EQ(d->medium()->unload(false), Status::busy);
  EXPECT_GOOD(exec(d->dev.get(), prevent(2), 0));
  EXPECT_FALSE(d->medium()->removal_prevented());
  EXPECT_GOOD(exec(d->dev.get(), prevent(3), 0));
  EXPECT_GOOD(exec(d->dev.get(), start_stop(true, false), 0));  // the host may still eject
}

TEST(CdromMedium, RemovableMediumContract) {
  TempDir dir;
  std::string a = make_image(dir, "a.iso", 2 * 2048, 1);
  std::string b = make_image(dir, "b.iso", 3 * 2048, 2);
  auto d = make_drive({{"image", a}});
  IRemovableMedium* m = d->medium();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->load(to_str(b), true), Status::busy);  // a disc is loaded
  EXPECT_EQ(m->unload(true), Status::ok);
  EXPECT_EQ(m->state(), MediumState::empty);
  EXPECT_TRUE(to_sv(m->medium_path()).empty());
  EXPECT_EQ(m->unload(false), Status::ok);  // nothing to remove
  expect_sense(*exec(d->dev.get(), read10(0, 1), 2048), SenseKey::not_ready, 0x3A, 0x00);
  EXPECT_EQ(m->load(to_str(dir.file("missing.iso")), true), Status::not_found);
  EXPECT_EQ(m->state(), MediumState::empty);
  EXPECT_TRUE(d->host.uas.empty());
  EXPECT_EQ(m->load(to_str(b), false), Status::ok);
  EXPECT_EQ(m->state(), MediumState::loaded);
  EXPECT_EQ(to_sv(m->medium_path()), b);
  ASSERT_EQ(d->host.uas.size(), 1u);
  EXPECT_EQ(d->host.uas[0].scope, UaScope::all_nexuses);
  EXPECT_EQ(d->host.uas[0].asc, 0x28);
  auto cap = exec(d->dev.get(), cdb10(op::kReadCapacity10), 8);
  EXPECT_EQ(cap->data()[3], 2);
  EXPECT_EQ(exec(d->dev.get(), read10(0, 1), 2048)->data()[0], pattern(0, 2));
  // Ejected by the host: "unloaded", the changer may take it without force.
  EXPECT_GOOD(exec(d->dev.get(), start_stop(true, false), 0));
  EXPECT_EQ(m->state(), MediumState::unloaded);
  EXPECT_EQ(to_sv(m->medium_path()), b);
  EXPECT_EQ(m->unload(false), Status::ok);
  EXPECT_EQ(m->state(), MediumState::empty);
  // A disc put on the open tray loads (tray closes).
  EXPECT_EQ(m->load(to_str(a), true), Status::ok);
  EXPECT_EQ(m->state(), MediumState::loaded);
  EXPECT_EQ(d->host.uas.size(), 2u);
}

TEST(CdromMedium, CompletionMayRunTheNextCommandInline) {
  TempDir dir;
  auto d = make_drive({{"image", make_image(dir, "a.iso", 2048)}});
  IDevice* dev = d->dev.get();
  // Each completion re-enters the device; a lock held across complete()
  // would deadlock here.
  for (auto first : {start_stop(true, false), start_stop(true, true), prevent(1), prevent(0),
                     gesn(0x10), get_config(0, 0), read10(0, 1)}) {
    FakeCommand c(first, 2048, 1, 1);
    std::unique_ptr<FakeCommand> inner;
    c.on_complete = [&] { inner = exec(dev, gesn(0x10), 8); };
    dev->execute(&c);
    ASSERT_EQ(c.completions(), 1);
    ASSERT_TRUE(inner);
    EXPECT_GOOD(inner);
  }
}

TEST(CdromMedium, SetCdSpeedIsAccepted) {
  auto d = make_drive({});
  std::vector<uint8_t> cdb(12, 0);
  cdb[0] = op::kSetCdSpeed;
  cdb[2] = cdb[3] = 0xFF;
  EXPECT_GOOD(exec(d->dev.get(), cdb, 0));
}

}  // namespace
}  // namespace nexus::cdrom::test
