// Backend for benchmarks: reads return zeros, writes are discarded.
#pragma once

#include <cstring>

#include "backend.h"

namespace nexus::disk {

class NullBackend final : public Backend {
 public:
  explicit NullBackend(uint64_t size) noexcept : size_(size) {}
  const char* kind() const noexcept override { return "null"; }
  uint64_t size() const noexcept override { return size_; }
  uint32_t physical_block_size() const noexcept override { return 4096; }
  bool can_deallocate() const noexcept override { return true; }
  bool deallocated_reads_zero() const noexcept override { return true; }
  void submit(IoRequest* req) noexcept override;
  int deallocate(uint64_t, uint64_t) noexcept override { return 0; }
  int flush_now() noexcept override { return 0; }
  int extent_status(uint64_t, uint64_t limit, bool* mapped, uint64_t* end) noexcept override {
    *mapped = true;
    *end = limit;
    return 0;
  }

 private:
  uint64_t size_;
};

}  // namespace nexus::disk
