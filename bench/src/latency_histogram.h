// LatencyHistogram: a fixed-size log-linear histogram of nanosecond values
// (HDR-histogram style: exact below 128 ns, then 64 linear sub-buckets per
// power of two, so any recorded value is reported within 1/64 = 1.6 %).
// Recording is one clz and one increment: cheap enough for every command.
#pragma once

#include <array>
#include <cstdint>

namespace nexus::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 6;                        // 64 sub-buckets per octave
  static constexpr uint64_t kLinearLimit = 2u << kSubBits;  // 128: exact below this
  static constexpr int kOctaves = 64 - (kSubBits + 1);
  static constexpr int kBuckets = kLinearLimit + kOctaves * (1 << kSubBits);

  void record(uint64_t ns) {
    ++counts_[bucket_of(ns)];
    ++total_;
    sum_ += ns;
    if (ns < min_) min_ = ns;
    if (ns > max_) max_ = ns;
  }
  void merge(const LatencyHistogram& other);
  void reset() { *this = LatencyHistogram{}; }

  uint64_t count() const { return total_; }
  uint64_t min() const { return total_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return total_ ? static_cast<double>(sum_) / total_ : 0.0; }
  // Value at quantile q (0..1]: the midpoint of the bucket holding the
  // ceil(q * count)-th smallest value, clamped to [min, max]. 0 when empty.
  uint64_t quantile(double q) const;

  static int bucket_of(uint64_t ns);
  static uint64_t bucket_low(int bucket);
  static uint64_t bucket_high(int bucket);  // inclusive

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace nexus::bench
