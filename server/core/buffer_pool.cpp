#include "core/buffer_pool.h"

#include <bit>
#include <cstdlib>

namespace nexus::server {

BufferPool::BufferPool(uint64_t watermark, uint64_t cache_limit)
    : watermark_(watermark), cache_limit_(cache_limit) {}

BufferPool::~BufferPool() {
  for (auto& list : free_)
    for (uint8_t* p : list) std::free(p);
}

uint32_t BufferPool::class_of(uint32_t bytes) noexcept {
  if (bytes <= (1u << kMinShift)) return 0;
  uint32_t shift = 32 - uint32_t(std::countl_zero(bytes - 1));
  return shift - kMinShift;
}

uint8_t* BufferPool::take(uint32_t cls) noexcept {
  {
    std::lock_guard lock(mu_);
    auto& list = free_[cls];
    if (!list.empty()) {
      uint8_t* p = list.back();
      list.pop_back();
      cached_bytes_ -= (1ull << (cls + kMinShift));
      return p;
    }
  }
  system_allocs_.fetch_add(1, std::memory_order_relaxed);
  // Page aligned so O_DIRECT backends can use the buffers as they are.
  return static_cast<uint8_t*>(std::aligned_alloc(4096, size_t(1) << (cls + kMinShift)));
}

void BufferPool::give(uint32_t cls, uint8_t* p) noexcept {
  uint64_t size = 1ull << (cls + kMinShift);
  {
    std::lock_guard lock(mu_);
    if (cached_bytes_ + size <= cache_limit_) {
      try {
        free_[cls].push_back(p);
        cached_bytes_ += size;
        return;
      } catch (...) {
      }
    }
  }
  std::free(p);
}

bool BufferPool::allocate(uint32_t length, Buffer& out) noexcept {
  out.count = 0;
  out.length = length;
  out.reserved = 0;
  if (length == 0) return true;
  constexpr uint32_t seg = 1u << kMaxShift;
  uint32_t nseg = (length + seg - 1) / seg;
  if (nseg > kMaxSegments) return false;
  uint64_t reserve = nseg == 1 ? (1ull << (class_of(length) + kMinShift)) : uint64_t(nseg) * seg;
  uint64_t cur = in_use_.load(std::memory_order_relaxed);
  do {
    if (cur + reserve > watermark_) return false;
  } while (!in_use_.compare_exchange_weak(cur, cur + reserve, std::memory_order_relaxed));
  out.reserved = reserve;
  uint32_t left = length;
  for (uint32_t i = 0; i < nseg; ++i) {
    uint32_t n = left < seg ? left : seg;
    uint32_t cls = class_of(n);
    uint8_t* p = take(cls);
    if (!p) {
      release(out);
      return false;
    }
    out.iov[i] = IoVec{p, n};
    out.count = i + 1;
    left -= n;
  }
  return true;
}

void BufferPool::release(Buffer& buf) noexcept {
  for (uint32_t i = 0; i < buf.count; ++i)
    give(class_of(uint32_t(buf.iov[i].len)), buf.iov[i].base);
  in_use_.fetch_sub(buf.reserved, std::memory_order_relaxed);
  buf.count = 0;
  buf.length = 0;
  buf.reserved = 0;
}

uint64_t BufferPool::cached() const noexcept {
  std::lock_guard lock(mu_);
  return cached_bytes_;
}

}  // namespace nexus::server
