// GET EVENT STATUS NOTIFICATION (polled, media class) through eject, load
// and swap sequences, per I_T nexus; MECHANISM STATUS.
#include "cdrom_fakes.h"

namespace nexus::cdrom::test {
namespace {

constexpr uint8_t kMediaClass = 0x10;

// The 8-byte media class answer.
std::vector<uint8_t> media(uint8_t event, bool present, bool tray_open) {
  return bytes({0x00, 0x06, 0x04, 0x52, event, (present ? 2 : 0) | (tray_open ? 1 : 0), 0, 0});
}

class CdromEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = make_image(dir_, "a.iso", 8 * 2048);
    d_ = make_drive({{"image", path_}});
    ASSERT_EQ(d_->status, Status::ok);
  }
  std::vector<uint8_t> poll(uint64_t nexus, uint8_t classes = kMediaClass) {
    auto c = exec(d_->dev.get(), gesn(classes), 8, nexus);
    EXPECT_GOOD(c);
    return c->data();
  }
  TempDir dir_;
  std::string path_;
  std::unique_ptr<Drive> d_;
};

TEST_F(CdromEvents, EjectAndLoadSequence) {
  EXPECT_EQ(poll(1), media(0, true, false));
  EXPECT_EQ(poll(2), media(0, true, false));
  EXPECT_GOOD(exec(d_->dev.get(), start_stop(true, false), 0, 1));
  EXPECT_EQ(d_->medium()->state(), MediumState::unloaded);
  EXPECT_EQ(poll(1), media(3, false, true));  // MediaRemoval
  EXPECT_EQ(poll(1), media(0, false, true));
  EXPECT_EQ(poll(2), media(3, false, true));  // every nexus sees it
  EXPECT_TRUE(d_->host.uas.empty());
  EXPECT_GOOD(exec(d_->dev.get(), start_stop(true, true), 0, 2));
  EXPECT_EQ(d_->medium()->state(), MediumState::loaded);
  ASSERT_EQ(d_->host.uas.size(), 1u);
  EXPECT_EQ(d_->host.uas[0].scope, UaScope::all_nexuses);
  EXPECT_EQ(d_->host.uas[0].asc, 0x28);
  EXPECT_EQ(d_->host.uas[0].ascq, 0x00);
  EXPECT_EQ(poll(1), media(2, true, false));  // NewMedia
  EXPECT_EQ(poll(1), media(0, true, false));
  EXPECT_EQ(poll(2), media(2, true, false));
}

TEST_F(CdromEvents, ManagementSwapSequence) {
  poll(1);
  EXPECT_EQ(d_->medium()->unload(false), Status::busy);  // loaded: asks the host
  EXPECT_EQ(poll(1), media(1, true, false));             // EjectRequest
  EXPECT_EQ(d_->medium()->unload(true), Status::ok);
  EXPECT_EQ(poll(1), media(3, false, false));
  std::string other = make_image(dir_, "b.iso", 4 * 2048, 7);
  EXPECT_EQ(d_->medium()->load(to_str(other), true), Status::ok);
  EXPECT_EQ(poll(1), media(2, true, false));
  ASSERT_EQ(d_->host.uas.size(), 1u);
  EXPECT_EQ(d_->host.uas[0].asc, 0x28);
}

TEST_F(CdromEvents, NewNexusDoesNotReplayOldEvents) {
  poll(1);
  EXPECT_GOOD(exec(d_->dev.get(), start_stop(true, false), 0, 1));
  EXPECT_EQ(poll(7), media(0, false, true));
}

TEST_F(CdromEvents, ClassSelection) {
  // Nothing supported requested (power management only): NEA, header only.
  auto nea = exec(d_->dev.get(), gesn(0x04), 8);
  EXPECT_GOOD(nea);
  EXPECT_EQ(nea->data(), bytes({0x00, 0x02, 0x80, 0x52}));
  // Operational change class alone: "no change", available.
  EXPECT_EQ(poll(1, 0x02), bytes({0x00, 0x06, 0x01, 0x52, 0, 0, 0, 0}));
  // Device busy class alone: "no change", not busy.
  EXPECT_EQ(poll(1, 0x40), bytes({0x00, 0x06, 0x06, 0x52, 0, 0, 0, 0}));
  // Several classes: a pending media event wins, else the lowest class.
  EXPECT_GOOD(exec(d_->dev.get(), start_stop(true, false), 0, 1));
  EXPECT_EQ(poll(1, 0x52), media(3, false, true));
  EXPECT_EQ(poll(1, 0x52)[2], 0x01);
  // Asynchronous mode is not offered.
  auto async = exec(d_->dev.get(), gesn(kMediaClass, 8, false), 8);
  expect_sense(*async, SenseKey::illegal_request, 0x24, 0x00);
  EXPECT_EQ(async->sense().field_pointer, 1);
}

TEST_F(CdromEvents, AllocationLengthTruncates) {
  auto c = exec(d_->dev.get(), gesn(kMediaClass, 4), 4);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->data(), bytes({0x00, 0x06, 0x04, 0x52}));
}

TEST_F(CdromEvents, MechanismStatus) {
  std::vector<uint8_t> cdb(12, 0);
  cdb[0] = op::kMechanismStatus;
  put_be16(&cdb[8], 8);
  EXPECT_EQ(exec(d_->dev.get(), cdb, 8)->data(), bytes({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_GOOD(exec(d_->dev.get(), start_stop(true, false), 0));
  EXPECT_EQ(exec(d_->dev.get(), cdb, 8)->data(), bytes({0, 0x10, 0, 0, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace nexus::cdrom::test
