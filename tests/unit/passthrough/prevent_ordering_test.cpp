// PREVENT ALLOW MEDIUM REMOVAL per I_T nexus over one device, under races:
// a nexus loss, a refused PREVENT and an LU reset must never leave the
// device unlocked while an initiator was told its PREVENT holds.
#include <condition_variable>

#include "pt_fakes.h"

namespace nexus::passthrough::test {
namespace {

const Bytes kPrevent = {0x1E, 0, 0, 0, 1, 0};
const Bytes kAllow = {0x1E, 0, 0, 0, 0, 0};
const Bytes kRewind = {0x01, 0, 0, 0, 0, 0};

// Holds commands starting with `hold` (and LU resets, when asked) until
// released, and logs what reached the device in order.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  Bytes hold;
  bool held = false;        // a command is waiting at the gate
  bool hold_reset = false;  // reset_device() waits while set
  bool reset_waiting = false;
  std::vector<std::string> log;

  void release() {
    std::lock_guard l(mu);
    hold.clear();
    hold_reset = false;
    cv.notify_all();
  }
  bool wait_held() {
    std::unique_lock l(mu);
    return cv.wait_for(l, std::chrono::seconds(5), [&] { return held; });
  }
  std::vector<std::string> events() {
    std::lock_guard l(mu);
    return log;
  }
};

class GatedBackend final : public ScsiBackend {
 public:
  GatedBackend(std::shared_ptr<FakeDevice> d, std::shared_ptr<Gate> g)
      : inner_(std::move(d)), g_(std::move(g)) {}
  bool open(const std::string& p, bool e, std::string* err) override {
    return inner_.open(p, e, err);
  }
  void close() override { inner_.close(); }
  BackendResult execute(const BackendRequest& req) override {
    Bytes cdb(req.cdb.begin(), req.cdb.end());
    {
      std::unique_lock l(g_->mu);
      if (!g_->hold.empty() && starts_with(cdb, g_->hold)) {
        g_->held = true;
        g_->cv.notify_all();
        g_->cv.wait(l, [&] { return g_->hold.empty(); });
      }
    }
    BackendResult r = inner_.execute(req);
    if (cdb[0] == 0x1E) {
      std::lock_guard l(g_->mu);
      g_->log.push_back((cdb[4] & 1 ? "PREVENT" : "ALLOW") +
                        std::string(r.status == 0 ? "" : " refused"));
    }
    return r;
  }
  bool reset_device(std::string* e) override {
    {
      std::unique_lock l(g_->mu);
      g_->reset_waiting = true;
      g_->cv.notify_all();
      g_->cv.wait(l, [&] { return !g_->hold_reset; });
      g_->log.push_back("RESET");
    }
    return inner_.reset_device(e);
  }
  uint32_t max_transfer_bytes() override { return inner_.max_transfer_bytes(); }

 private:
  FakeBackend inner_;
  std::shared_ptr<Gate> g_;
};

std::unique_ptr<Harness> make_gated(bool tape, const std::shared_ptr<Gate>& g) {
  auto h = std::make_unique<Harness>();
  if (tape) {
    script_tape(*h->fake, "1013000123", 0x5000E11156D70001ull, 0);
    h->options->set("path", "/dev/sg3");
  } else {
    h->host.name_ = "disk0";
    script_disk(*h->fake);
    h->options->set("path", "/dev/sg1");
  }
  IDevice* raw = nullptr;
  auto f = h->fake;
  h->status = create_passthrough_device(
      &h->host, h->options.get(), [f, g] { return std::make_unique<GatedBackend>(f, g); },
      identity_resolver, &raw);
  h->dev.reset(raw);
  h->fake->on({0x1E}, Reply{});
  h->fake->on({0x01}, Reply{});
  return h;
}

TEST(PreventOrdering, NexusLossIsDecidedInOrderWithAQueuedPrevent) {
  auto g = std::make_shared<Gate>();
  auto h = make_gated(true, g);  // tape: one worker, strictly in order
  ASSERT_EQ(h->status, Status::ok);
  EXPECT_EQ(h->exec(kPrevent, 0, 1)->status(), ScsiStatus::good);
  {
    std::lock_guard l(g->mu);
    g->hold = kRewind;
  }
  FakeCommand rewind(kRewind, 0, 3);
  h->dev->execute(&rewind);  // occupies the worker
  ASSERT_TRUE(g->wait_held());
  FakeCommand p2(kPrevent, 0, 2);
  h->dev->execute(&p2);   // queued behind the REWIND
  h->dev->nexus_lost(1);  // nexus 1's prevention ends, nexus 2's is queued
  g->release();
  ASSERT_TRUE(rewind.wait());
  ASSERT_TRUE(p2.wait());
  EXPECT_EQ(p2.status(), ScsiStatus::good);
  // One more command through the single worker: the loss job has run.
  EXPECT_EQ(h->exec(kRewind, 0, 3)->status(), ScsiStatus::good);
  EXPECT_EQ(g->events(), (std::vector<std::string>{"PREVENT"})) << "the device was unlocked";
  EXPECT_EQ(h->exec(kAllow, 0, 2)->status(), ScsiStatus::good);
  EXPECT_EQ(g->events(), (std::vector<std::string>{"PREVENT", "ALLOW"}));
}

TEST(PreventOrdering, APreventRefusedByTheDeviceIsNotHeldForOthers) {
  auto g = std::make_shared<Gate>();
  auto h = make_gated(false, g);  // disk: four workers
  ASSERT_EQ(h->status, Status::ok);
  h->fake->on_once({0x1E}, check(fixed_sense(0x6, 0x29, 0x00)));  // the first one: a UA
  {
    std::lock_guard l(g->mu);
    g->hold = kPrevent;
  }
  FakeCommand p1(kPrevent, 0, 1);
  h->dev->execute(&p1);
  ASSERT_TRUE(g->wait_held());  // nexus 1's PREVENT is at the device
  FakeCommand p2(kPrevent, 0, 2);
  h->dev->execute(&p2);  // must wait for the device's answer, not be GOOD at once
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(p2.completions(), 0) << "GOOD for a prevention the device may refuse";
  g->release();
  ASSERT_TRUE(p1.wait());
  ASSERT_TRUE(p2.wait());
  EXPECT_EQ(p1.status(), ScsiStatus::check_condition);
  EXPECT_EQ(p2.status(), ScsiStatus::good);
  // Nexus 2's GOOD is backed by a PREVENT the device accepted.
  EXPECT_EQ(g->events(), (std::vector<std::string>{"PREVENT refused", "PREVENT"}));
}

TEST(PreventOrdering, APreventAfterAnLuResetOutlivesTheDeviceReset) {
  auto g = std::make_shared<Gate>();
  auto h = make_gated(true, g);
  ASSERT_EQ(h->status, Status::ok);
  EXPECT_EQ(h->exec(kPrevent, 0, 1)->status(), ScsiStatus::good);
  {
    std::lock_guard l(g->mu);
    g->hold_reset = true;
  }
  h->dev->reset(ResetKind::lun_reset);  // the TMF completes; the device reset comes later
  {
    std::unique_lock l(g->mu);
    ASSERT_TRUE(g->cv.wait_for(l, std::chrono::seconds(5), [&] { return g->reset_waiting; }));
  }
  EXPECT_EQ(h->exec(kPrevent, 0, 2)->status(), ScsiStatus::good);  // after the reset TMF
  g->release();
  // After the device reset, the device is locked again for nexus 2 alone.
  EXPECT_TRUE(eventually([&] {
    auto e = g->events();
    return !e.empty() && e.back() == "PREVENT" && std::find(e.begin(), e.end(), "RESET") != e.end();
  })) << ::testing::PrintToString(g->events());
  auto e = g->events();
  auto reset_at = std::find(e.begin(), e.end(), "RESET");
  EXPECT_NE(std::find(reset_at, e.end(), "PREVENT"), e.end()) << "no PREVENT after the reset";
  // Nexus 1's prevention ended with the reset: nexus 2's ALLOW unlocks.
  EXPECT_EQ(h->exec(kAllow, 0, 2)->status(), ScsiStatus::good);
  EXPECT_EQ(g->events().back(), "ALLOW");
}

}  // namespace
}  // namespace nexus::passthrough::test
