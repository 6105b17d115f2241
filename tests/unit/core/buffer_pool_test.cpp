#include "core/buffer_pool.h"

#include <gtest/gtest.h>

#include <cstring>

using nexus::server::BufferPool;

TEST(BufferPool, SmallRequestsUseOneSegmentOfTheirClass) {
  BufferPool pool(64 << 20, 16 << 20);
  BufferPool::Buffer b;
  ASSERT_TRUE(pool.allocate(512, b));
  EXPECT_EQ(b.count, 1u);
  EXPECT_EQ(b.iov[0].len, 512u);
  EXPECT_EQ(b.length, 512u);
  EXPECT_EQ(pool.in_use(), 4096u);  // 4 KiB is the smallest class
  std::memset(b.iov[0].base, 0xAB, 512);
  pool.release(b);
  EXPECT_EQ(pool.in_use(), 0u);
  EXPECT_EQ(b.count, 0u);
}

TEST(BufferPool, SteadyStateReusesBuffersWithoutSystemAllocation) {
  BufferPool pool(64 << 20, 16 << 20);
  BufferPool::Buffer a, b;
  ASSERT_TRUE(pool.allocate(4096, a));
  ASSERT_TRUE(pool.allocate(128 << 10, b));
  uint64_t allocs = pool.system_allocations();
  pool.release(a);
  pool.release(b);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(pool.allocate(4096, a));
    ASSERT_TRUE(pool.allocate(100 << 10, b));  // same 128 KiB class
    pool.release(a);
    pool.release(b);
  }
  EXPECT_EQ(pool.system_allocations(), allocs);
}

TEST(BufferPool, LargeRequestsAreSplitIntoMegabyteSegments) {
  BufferPool pool(64 << 20, 16 << 20);
  BufferPool::Buffer b;
  ASSERT_TRUE(pool.allocate((2 << 20) + 100, b));
  ASSERT_EQ(b.count, 3u);
  EXPECT_EQ(b.iov[0].len, 1u << 20);
  EXPECT_EQ(b.iov[1].len, 1u << 20);
  EXPECT_EQ(b.iov[2].len, 100u);
  pool.release(b);
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(BufferPool, WatermarkRefusesInsteadOfGrowing) {
  BufferPool pool(1 << 20, 1 << 20);
  BufferPool::Buffer a, b;
  ASSERT_TRUE(pool.allocate(512 << 10, a));
  ASSERT_TRUE(pool.allocate(512 << 10, b));
  BufferPool::Buffer c;
  EXPECT_FALSE(pool.allocate(4096, c));
  EXPECT_EQ(c.count, 0u);
  pool.release(a);
  EXPECT_TRUE(pool.allocate(4096, c));
  pool.release(b);
  pool.release(c);
  EXPECT_EQ(pool.in_use(), 0u);
}

TEST(BufferPool, CacheLimitReturnsMemoryToTheSystem) {
  BufferPool pool(64 << 20, 1 << 20);
  BufferPool::Buffer a, b;
  ASSERT_TRUE(pool.allocate(1 << 20, a));
  ASSERT_TRUE(pool.allocate(1 << 20, b));
  pool.release(a);
  pool.release(b);
  EXPECT_LE(pool.cached(), 1u << 20);
}

TEST(BufferPool, ZeroLengthNeedsNoMemory) {
  BufferPool pool(4096, 4096);
  BufferPool::Buffer b;
  ASSERT_TRUE(pool.allocate(0, b));
  EXPECT_EQ(b.count, 0u);
  EXPECT_EQ(pool.in_use(), 0u);
}
