// ReactorPool::drain: the host's guarantee that what a plugin posted has run
// before the plugin is destroyed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/reactor.h"

namespace nexus::server {
namespace {

TEST(ReactorPool, DrainRunsWhatWasPostedBefore) {
  ReactorPool pool(2);
  pool.start();
  std::atomic<int> ran{0};
  for (uint32_t r = 0; r < pool.size(); ++r)
    pool.at(r).post_fn([&ran] {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      ran.fetch_add(1);
    });
  EXPECT_TRUE(pool.drain(1, 2000));
  EXPECT_EQ(ran.load(), 2);
  pool.stop_and_join();
}

TEST(ReactorPool, DrainRoundsCoverAHandlerThatPostsOnward) {
  ReactorPool pool(2);
  pool.start();
  std::atomic<bool> second{false};
  pool.at(0).post_fn([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pool.at(1).post_fn([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      second.store(true);
    });
  });
  EXPECT_TRUE(pool.drain(2, 2000));
  EXPECT_TRUE(second.load());
  pool.stop_and_join();
}

TEST(ReactorPool, DrainReportsAStuckReactor) {
  ReactorPool pool(1);
  pool.start();
  std::atomic<bool> release{false};
  pool.at(0).post_fn([&] {
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  });
  EXPECT_FALSE(pool.drain(1, 50));
  release.store(true);
  EXPECT_TRUE(pool.drain(1, 2000));
  pool.stop_and_join();
}

TEST(ReactorPool, DrainIgnoresStoppedReactors) {
  ReactorPool pool(2);  // never started: nothing can answer, nothing to wait for
  EXPECT_TRUE(pool.drain(3, 50));
}

}  // namespace
}  // namespace nexus::server
