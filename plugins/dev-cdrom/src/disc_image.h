// An ISO image (or a block device) opened read-only as the disc in the
// drive: 2048-byte logical blocks, read with preadv straight into the
// command's buffer segments.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "nexus/abi.h"

namespace nexus::cdrom {

class DiscImage {
 public:
  static constexpr uint32_t kBlockSize = 2048;

  // Opens `path`; null with *error set when it is missing, unreadable, not a
  // regular file or block device, or empty.
  static std::shared_ptr<const DiscImage> open(const std::string& path, std::string* error);
  // Validates `path` the same way without keeping it open (check-config).
  static bool check(const std::string& path, std::string* error);

  ~DiscImage();
  DiscImage(const DiscImage&) = delete;
  DiscImage& operator=(const DiscImage&) = delete;

  const std::string& path() const noexcept { return path_; }
  uint64_t size_bytes() const noexcept { return size_; }
  // Logical blocks; a partial last block counts and reads zero-padded.
  uint64_t blocks() const noexcept { return (size_ + kBlockSize - 1) / kBlockSize; }

  // Reads `len` bytes at byte `offset` into the segments (filled in order).
  // Bytes past the end of the file read as zeros. Returns 0 or -errno.
  int read(uint64_t offset, uint64_t len, const IoVec* iov, uint32_t iovcnt) const noexcept;

 private:
  DiscImage(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}

  int fd_;
  uint64_t size_;
  std::string path_;
};

}  // namespace nexus::cdrom
