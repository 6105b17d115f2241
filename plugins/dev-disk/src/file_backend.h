// Backend on a regular file or a block device. Data I/O goes through the
// calling thread's io_uring (uring_engine.h), or synchronous
// preadv2/pwritev2 when io_uring is unavailable. Thin provisioning by
// fallocate(PUNCH_HOLE) on files and BLKDISCARD on block devices; mapping
// status from SEEK_DATA/SEEK_HOLE.
#pragma once

#include <memory>
#include <string>

#include "backend.h"
#include "nexus/device.h"
#include "uring_engine.h"

namespace nexus::disk {

struct FileBackendConfig {
  std::string path;
  uint64_t size = 0;  // 0 = the file's / device's size
  bool create = false;
  bool read_only = false;
  bool direct = false;
  bool thin = true;
  uint32_t block_size = 512;
  bool use_uring = true;  // false: always synchronous I/O
};

class FileBackend final : public Backend, private UringSink {
 public:
  // Opens (creating a sparse file of cfg.size when cfg.create and missing).
  // On failure returns null and a message naming the path in *error.
  static std::unique_ptr<FileBackend> open(const FileBackendConfig& cfg, IDeviceHost* host,
                                           std::string* error);
  // `--check-config`: checks that the file exists (or can be created),
  // without opening anything for writing. Fills *size when known.
  static bool check(const FileBackendConfig& cfg, uint64_t* size, std::string* error);
  ~FileBackend() override;

  const char* kind() const noexcept override { return "file"; }
  uint64_t size() const noexcept override { return size_; }
  uint32_t physical_block_size() const noexcept override { return physical_; }
  bool can_deallocate() const noexcept override { return can_deallocate_; }
  bool deallocated_reads_zero() const noexcept override { return !block_device_; }
  void submit(IoRequest* req) noexcept override;
  int deallocate(uint64_t offset, uint64_t length) noexcept override;
  int flush_now() noexcept override;
  int extent_status(uint64_t offset, uint64_t limit, bool* mapped, uint64_t* end) noexcept override;
  void prefetch(uint64_t offset, uint64_t length) noexcept override;

  bool is_block_device() const noexcept { return block_device_; }
  bool direct_enabled() const noexcept { return direct_fd_ >= 0; }

 private:
  FileBackend() = default;
  void on_cqe(IoRequest* req, int32_t res) noexcept override;
  int pick_fd(const IoRequest* req) const noexcept;
  // Finishes req synchronously from byte `done` on, then completes it.
  void finish_sync(IoRequest* req, uint64_t done) noexcept;

  IDeviceHost* host_ = nullptr;
  int fd_ = -1;
  int direct_fd_ = -1;
  bool block_device_ = false;
  bool can_deallocate_ = false;
  bool use_uring_ = true;
  uint64_t size_ = 0;
  uint32_t physical_ = 512;
  uint32_t direct_align_ = 4096;
};

}  // namespace nexus::disk
