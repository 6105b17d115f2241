#include "ram_backend.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nexus::disk {

std::unique_ptr<RamBackend> RamBackend::create(uint64_t size, std::string* error) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) {
    *error = "cannot reserve " + std::to_string(size) + " bytes of memory: " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<RamBackend> b(new RamBackend());
  b->mem_ = static_cast<uint8_t*>(p);
  b->size_ = size;
  return b;
}

RamBackend::~RamBackend() {
  if (mem_) munmap(mem_, size_);
}

void RamBackend::submit(IoRequest* req) noexcept {
  if (req->kind == IoKind::flush) return req->cb->io_done(0);
  if (req->offset > size_ || req->length > size_ - req->offset) return req->cb->io_done(-EINVAL);
  uint64_t off = req->offset;
  for (int i = 0; i < req->iovcnt; ++i) {
    const iovec& v = req->iov[i];
    if (req->kind == IoKind::read)
      std::memcpy(v.iov_base, mem_ + off, v.iov_len);
    else
      std::memcpy(mem_ + off, v.iov_base, v.iov_len);
    off += v.iov_len;
  }
  req->cb->io_done(int64_t(req->length));
}

int RamBackend::deallocate(uint64_t offset, uint64_t length) noexcept {
  if (offset > size_ || length > size_ - offset) return -EINVAL;
  // Whole pages go back to the kernel (and read as zeros); the edges are zeroed.
  const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
  uint64_t first = (offset + page - 1) / page * page;
  uint64_t last = (offset + length) / page * page;
  if (first < last) {
    std::memset(mem_ + offset, 0, first - offset);
    madvise(mem_ + first, last - first, MADV_DONTNEED);
    std::memset(mem_ + last, 0, offset + length - last);
  } else {
    std::memset(mem_ + offset, 0, length);
  }
  return 0;
}

int RamBackend::extent_status(uint64_t /*offset*/, uint64_t limit, bool* mapped,
                              uint64_t* end) noexcept {
  // Memory pages are not tracked: every block is reported mapped, which
  // SBC-3 allows after an UNMAP (an LBA "may remain mapped").
  *mapped = true;
  *end = limit;
  return 0;
}

}  // namespace nexus::disk
