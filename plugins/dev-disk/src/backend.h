// The storage behind a disk LU: a small interface with one implementation
// per backend (file, ram, null). Data I/O is asynchronous (the file backend
// goes through the calling thread's io_uring); provisioning operations are
// rare and synchronous.
#pragma once

#include <sys/uio.h>

#include <cstdint>

namespace nexus::disk {

// Receives the result of one IoRequest: bytes transferred or -errno.
class IoCallback {
 public:
  virtual void io_done(int64_t result) noexcept = 0;

 protected:
  ~IoCallback() = default;
};

enum class IoKind : uint8_t { read, write, flush };

// One data operation. Owned by the caller and untouched by it until
// cb->io_done() ran; iov must stay valid as long.
struct IoRequest {
  IoKind kind = IoKind::read;
  bool sync = false;  // write-through: durable when done (FUA, WCE=0)
  int iovcnt = 0;
  const iovec* iov = nullptr;
  uint64_t offset = 0;  // bytes
  uint64_t length = 0;  // sum of iov lengths
  IoCallback* cb = nullptr;
  void* backend_ctx = nullptr;  // the backend's bookkeeping
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* kind() const noexcept = 0;
  // Usable capacity in bytes.
  virtual uint64_t size() const noexcept = 0;
  // Preferred physical block size in bytes (>= the logical block size).
  virtual uint32_t physical_block_size() const noexcept = 0;
  // Can deallocate ranges (thin provisioning).
  virtual bool can_deallocate() const noexcept = 0;
  // Deallocated ranges read back as zeros (LBPRZ).
  virtual bool deallocated_reads_zero() const noexcept = 0;

  // Starts a read, write or flush; the result arrives through req->cb,
  // possibly before submit() returns. A read or write succeeds only in full:
  // the backend finishes short transfers itself.
  virtual void submit(IoRequest* req) noexcept = 0;

  // Synchronous slow-path operations: 0 or -errno.
  virtual int deallocate(uint64_t offset, uint64_t length) noexcept = 0;
  virtual int flush_now() noexcept = 0;
  // Provisioning status of the bytes from `offset`: whether they are mapped
  // and where that status ends (<= limit).
  virtual int extent_status(uint64_t offset, uint64_t limit, bool* mapped,
                            uint64_t* end) noexcept = 0;
  // Hint that a range will be read soon (PRE-FETCH).
  virtual void prefetch(uint64_t /*offset*/, uint64_t /*length*/) noexcept {}
};

}  // namespace nexus::disk
