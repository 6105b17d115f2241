#include "latency_histogram.h"

#include <bit>
#include <cmath>

namespace nexus::bench {

int LatencyHistogram::bucket_of(uint64_t ns) {
  if (ns < kLinearLimit) return static_cast<int>(ns);
  const int msb = 63 - std::countl_zero(ns);  // >= kSubBits + 1
  const int shift = msb - kSubBits;
  const uint64_t top = ns >> shift;  // in [64, 128)
  return static_cast<int>(kLinearLimit) + (msb - (kSubBits + 1)) * (1 << kSubBits) +
         static_cast<int>(top - (uint64_t{1} << kSubBits));
}

uint64_t LatencyHistogram::bucket_low(int bucket) {
  if (bucket < static_cast<int>(kLinearLimit)) return static_cast<uint64_t>(bucket);
  const int rel = bucket - static_cast<int>(kLinearLimit);
  const int msb = rel / (1 << kSubBits) + kSubBits + 1;
  const uint64_t top = (uint64_t{1} << kSubBits) + static_cast<uint64_t>(rel % (1 << kSubBits));
  return top << (msb - kSubBits);
}

uint64_t LatencyHistogram::bucket_high(int bucket) {
  if (bucket + 1 >= kBuckets) return UINT64_MAX;
  return bucket_low(bucket + 1) - 1;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  if (other.total_ && other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
}

uint64_t LatencyHistogram::quantile(double q) const {
  if (total_ == 0) return 0;
  if (q <= 0) return min();
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
  if (rank < 1) rank = 1;
  if (rank >= total_) return max_;  // the largest value is known exactly
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint64_t lo = bucket_low(i), hi = bucket_high(i);
      uint64_t mid = lo + (hi - lo) / 2;
      if (mid < min_) mid = min_;
      if (mid > max_) mid = max_;
      return mid;
    }
  }
  return max_;
}

}  // namespace nexus::bench
