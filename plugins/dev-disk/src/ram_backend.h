// Backend in anonymous memory (MAP_NORESERVE: pages are only committed when
// written). Deallocation gives pages back to the kernel; they read as zeros.
#pragma once

#include <memory>
#include <string>

#include "backend.h"

namespace nexus::disk {

class RamBackend final : public Backend {
 public:
  static std::unique_ptr<RamBackend> create(uint64_t size, std::string* error);
  ~RamBackend() override;

  const char* kind() const noexcept override { return "ram"; }
  uint64_t size() const noexcept override { return size_; }
  uint32_t physical_block_size() const noexcept override { return 4096; }
  bool can_deallocate() const noexcept override { return true; }
  bool deallocated_reads_zero() const noexcept override { return true; }
  void submit(IoRequest* req) noexcept override;
  int deallocate(uint64_t offset, uint64_t length) noexcept override;
  int flush_now() noexcept override { return 0; }
  int extent_status(uint64_t offset, uint64_t limit, bool* mapped, uint64_t* end) noexcept override;

 private:
  RamBackend() = default;
  uint8_t* mem_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace nexus::disk
