// Reservations through the command runtime: conflicts are decided before the
// device sees a command, and PREEMPT AND ABORT reaches the other nexus.
#include <gtest/gtest.h>

#include "core_test_fixture.h"

using namespace nexus;
using namespace nexus::server;
using namespace nexus::server::test;

namespace {

std::vector<uint8_t> prout(uint8_t sa, uint8_t type) {
  return {0x5F, sa, type, 0, 0, 0, 0, 0, 24, 0};
}
std::vector<uint8_t> prout_params(uint64_t key, uint64_t sa_key) {
  std::vector<uint8_t> p(24, 0);
  put_be64(p.data(), key);
  put_be64(p.data() + 8, sa_key);
  return p;
}
constexpr uint8_t kRegister = 0x00, kReserve = 0x01, kPreemptAbort = 0x05;
constexpr uint8_t kWriteExclusive = 0x01;

class ReservationFlow : public CommandFlow {
 protected:
  void SetUp() override {
    CommandFlow::SetUp();
    SessionDesc d{};
    d.struct_size = sizeof d;
    d.initiator_name = to_str("iqn.2026-11.test:other");
    d.initiator_port_id = to_str("iqn.2026-11.test:other,i,0x2");
    d.target_name = to_str("iqn.2026-11.test:tgt");
    d.relative_port = 1;
    other_ = open_nexus(d, &other_events_);
  }
  void TearDown() override {
    dev_.hold = false;
    while (true) {
      {
        std::lock_guard lock(dev_.mu);
        if (dev_.held.empty()) break;
      }
      dev_.complete_one();
    }
    on_reactor([&] { other_->close(false); });
    other_.reset();
    CommandFlow::TearDown();
  }
  ScsiStatus status_of(RecordingEvents& ev, uint64_t tag) {
    settle();
    std::lock_guard lock(ev.mu);
    EXPECT_TRUE(ev.responses.count(tag)) << "no response for tag " << tag;
    return ev.responses[tag].status;
  }
  RecordingEvents other_events_;
  std::shared_ptr<Nexus> other_;
};

}  // namespace

TEST_F(ReservationFlow, WriteExclusiveBlocksOtherWritersBeforeTheDevice) {
  dev_.hold = false;
  submit_with_data(*other_, 1, prout(kRegister, 0), prout_params(0, 0xB));
  ASSERT_EQ(status_of(other_events_, 1), ScsiStatus::good);
  submit_with_data(*other_, 2, prout(kReserve, kWriteExclusive), prout_params(0xB, 0));
  ASSERT_EQ(status_of(other_events_, 2), ScsiStatus::good);

  submit(10, rw10(0x2A, 0, 1), DataDir::write, 512);
  EXPECT_EQ(status_of(events_, 10), ScsiStatus::reservation_conflict);
  EXPECT_TRUE(events_.data_requests.empty()) << "data was pulled for a conflicting command";
  submit(11, rw10(0x28, 0, 1), DataDir::read, 512);
  EXPECT_EQ(status_of(events_, 11), ScsiStatus::good) << "Write Exclusive lets others read";
  EXPECT_EQ(dev_.executed(), std::vector<uint8_t>{0x28});
}

TEST_F(ReservationFlow, PreemptAndAbortAbortsTheOtherNexusTasksAndTellsIt) {
  dev_.hold = false;
  submit_with_data(*nexus_, 1, prout(kRegister, 0), prout_params(0, 0xA));
  ASSERT_EQ(status_of(events_, 1), ScsiStatus::good);
  submit_with_data(*other_, 1, prout(kRegister, 0), prout_params(0, 0xB));
  ASSERT_EQ(status_of(other_events_, 1), ScsiStatus::good);
  submit_with_data(*other_, 2, prout(kReserve, kWriteExclusive), prout_params(0xB, 0));
  ASSERT_EQ(status_of(other_events_, 2), ScsiStatus::good);

  dev_.hold = true;
  submit_on(*other_, 3, rw10(0x28, 100, 1), DataDir::read, 512);
  settle();
  ASSERT_EQ(dev_.executed().back(), 0x28);

  submit_with_data(*nexus_, 2, prout(kPreemptAbort, kWriteExclusive), prout_params(0xA, 0xB));
  EXPECT_EQ(status_of(events_, 2), ScsiStatus::good);
  settle();
  EXPECT_EQ(dev_.aborts, 1) << "the preempted nexus's task was not aborted";
  dev_.complete_one();
  settle();
  {
    std::lock_guard lock(other_events_.mu);
    EXPECT_EQ(other_events_.responses.count(3), 0u) << "TAS=0: aborted silently";
    EXPECT_EQ(other_events_.aborted, std::vector<uint64_t>{3});
  }
  // The preempted initiator learns why with REGISTRATIONS PREEMPTED.
  dev_.hold = false;
  submit_on(*other_, 4, rw10(0x28, 0, 1), DataDir::read, 512);
  settle();
  std::lock_guard lock(other_events_.mu);
  const Response& r = other_events_.responses[4];
  EXPECT_EQ(r.status, ScsiStatus::check_condition);
  ASSERT_GE(r.sense.size(), 14u);
  EXPECT_EQ(r.sense[2] & 0x0F, 0x06);
  EXPECT_EQ(r.sense[12], 0x2A);
  EXPECT_EQ(r.sense[13], 0x05);
}
