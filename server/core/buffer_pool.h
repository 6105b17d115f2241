// Data buffers for commands, by size class, reused across commands (DESIGN.md
// lesson 5): no malloc per command in steady state. A global watermark bounds
// the memory all in-flight commands may hold, so an initiator flood gets
// BUSY / TASK SET FULL instead of eating all memory.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "nexus/abi.h"

namespace nexus::server {

class BufferPool {
 public:
  static constexpr uint32_t kMinShift = 12;  // 4 KiB
  static constexpr uint32_t kMaxShift = 20;  // 1 MiB segments
  static constexpr uint32_t kClasses = kMaxShift - kMinShift + 1;
  static constexpr uint32_t kMaxSegments = 64;  // 64 MiB per command at most

  // watermark: bytes all outstanding buffers may total; cache_limit: bytes of
  // free buffers kept for reuse (the rest goes back to the system).
  BufferPool(uint64_t watermark, uint64_t cache_limit);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // A buffer: up to kMaxSegments segments. Filled by allocate().
  struct Buffer {
    std::array<IoVec, kMaxSegments> iov{};
    uint32_t count = 0;
    uint32_t length = 0;    // bytes asked for
    uint64_t reserved = 0;  // bytes accounted against the watermark
  };

  // False (buffer left empty) when the watermark would be exceeded or the
  // request is larger than kMaxSegments segments.
  bool allocate(uint32_t length, Buffer& out) noexcept;
  void release(Buffer& buf) noexcept;

  uint64_t in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }
  uint64_t cached() const noexcept;
  uint64_t system_allocations() const noexcept {
    return system_allocs_.load(std::memory_order_relaxed);
  }
  uint64_t watermark() const noexcept { return watermark_; }

 private:
  static uint32_t class_of(uint32_t bytes) noexcept;
  uint8_t* take(uint32_t cls) noexcept;
  void give(uint32_t cls, uint8_t* p) noexcept;

  const uint64_t watermark_;
  const uint64_t cache_limit_;
  std::atomic<uint64_t> in_use_{0};
  std::atomic<uint64_t> system_allocs_{0};
  mutable std::mutex mu_;
  std::array<std::vector<uint8_t*>, kClasses> free_;
  uint64_t cached_bytes_ = 0;
};

}  // namespace nexus::server
