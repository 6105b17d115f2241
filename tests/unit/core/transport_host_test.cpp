// TransportHost's shutdown: a transport that reports done is destroyed; one
// that does not within the grace period is abandoned, and a late "done" from
// it still lands on live memory.
#include <gtest/gtest.h>

#include <atomic>

#include "config/config_loader.h"
#include "core/core.h"
#include "core/transport_host.h"
#include "plugin/plugin_registry.h"

namespace nexus::server::test {
namespace {

class ScriptedTransport final : public ITransport {
 public:
  bool answers = true;  // reports done from shutdown() itself
  Callback done = nullptr;
  void* done_ctx = nullptr;
  std::atomic<int> destroyed{0};

  Status start() noexcept override { return Status::ok; }
  void shutdown(uint32_t, Callback d, void* ctx) noexcept override {
    if (answers) {
      d(ctx);
    } else {
      done = d;
      done_ctx = ctx;
    }
  }
  void destroy() noexcept override { ++destroyed; }
};

ScriptedTransport* g_transport = nullptr;

Status create_scripted(ITransportHost*, const IConfigNode*, ITransport** out) noexcept {
  *out = g_transport;
  return Status::ok;
}

class TransportHostShutdown : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = load_config_string("server:\n  reactors: 1\n");
    ASSERT_TRUE(loaded_.ok()) << loaded_.diagnostics.format();
    core_ = std::make_unique<Core>(loaded_.config, registry_, false);
    descriptor_ = PluginDescriptor{sizeof(PluginDescriptor),
                                   NEXUS_ABI_MAJOR,
                                   NEXUS_ABI_MINOR,
                                   PluginKind::transport,
                                   0,
                                   "scripted",
                                   "1",
                                   "test transport",
                                   &create_scripted,
                                   nullptr};
    plugin_.descriptor = &descriptor_;
    plugin_.kind = PluginKind::transport;
    plugin_.name = "scripted";
    cfg_.plugin = "scripted";
    g_transport = &transport_;
  }
  void TearDown() override { g_transport = nullptr; }

  std::unique_ptr<TransportHost> make_host() {
    auto host = std::make_unique<TransportHost>(*core_, cfg_, plugin_);
    Diagnostics diag;
    EXPECT_TRUE(host->create(diag)) << diag.format();
    return host;
  }

  PluginRegistry registry_;
  LoadResult loaded_;
  std::unique_ptr<Core> core_;
  PluginDescriptor descriptor_{};
  LoadedPlugin plugin_{};
  TransportCfg cfg_;
  ScriptedTransport transport_;
};

TEST_F(TransportHostShutdown, ATransportThatReportsDoneIsDestroyed) {
  auto host = make_host();
  EXPECT_TRUE(host->shutdown(100));
  host.reset();
  EXPECT_EQ(transport_.destroyed.load(), 1);
}

TEST_F(TransportHostShutdown, ATransportThatNeverReportsDoneIsAbandonedNotDestroyed) {
  transport_.answers = false;
  auto host = make_host();
  EXPECT_FALSE(host->shutdown(0));  // waits the fixed 3 s margin
  host.reset();
  EXPECT_EQ(transport_.destroyed.load(), 0) << "its sessions may still run on the reactors";
  // It reports done after all: the host's wait state must still be alive
  // (it used to live on the stack of the returned shutdown()).
  ASSERT_NE(transport_.done, nullptr);
  transport_.done(transport_.done_ctx);
}

}  // namespace
}  // namespace nexus::server::test
