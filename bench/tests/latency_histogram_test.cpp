#include "latency_histogram.h"

#include <gtest/gtest.h>

#include <cstdint>

using nexus::bench::LatencyHistogram;

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.quantile(0.5), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_DOUBLE_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogram, ExactBelowLinearLimit) {
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.quantile(0.5), 50u);
  EXPECT_EQ(h.quantile(0.99), 99u);
  EXPECT_EQ(h.quantile(1.0), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogram, BucketsTileTheRangeWithBoundedError) {
  // Every bucket starts right after the previous one ends, and its width is
  // at most 1/64 of its lower bound above the linear region.
  for (int b = 1; b < LatencyHistogram::kBuckets; ++b) {
    ASSERT_EQ(LatencyHistogram::bucket_low(b), LatencyHistogram::bucket_high(b - 1) + 1) << b;
    const uint64_t lo = LatencyHistogram::bucket_low(b);
    if (lo >= LatencyHistogram::kLinearLimit && b + 1 < LatencyHistogram::kBuckets) {
      ASSERT_LE(LatencyHistogram::bucket_high(b) - lo + 1, lo / 64) << b;
    }
  }
  for (uint64_t v : {0ull, 127ull, 128ull, 129ull, 1000ull, 123456789ull, 1ull << 40, ~0ull}) {
    const int b = LatencyHistogram::bucket_of(v);
    ASSERT_GE(b, 0);
    ASSERT_LT(b, LatencyHistogram::kBuckets);
    EXPECT_LE(LatencyHistogram::bucket_low(b), v);
    EXPECT_GE(LatencyHistogram::bucket_high(b), v);
  }
}

TEST(LatencyHistogram, QuantilesOfAKnownMixtureWithinOnePointSixPercent) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.record(20'000);  // 20 us
  for (int i = 0; i < 9; ++i) h.record(500'000);   // 500 us
  h.record(3'000'000);                             // 3 ms
  EXPECT_NEAR(static_cast<double>(h.quantile(0.5)), 20'000, 20'000 / 64.0);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.99)), 20'000, 20'000 / 64.0);
  EXPECT_NEAR(static_cast<double>(h.quantile(0.995)), 500'000, 500'000 / 64.0);
  EXPECT_EQ(h.quantile(1.0), 3'000'000u);  // clamped to the exact max
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsExtremes) {
  LatencyHistogram a, b;
  a.record(1000);
  b.record(10);
  b.record(5'000'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min(), 10u);
  EXPECT_EQ(a.max(), 5'000'000u);
}
