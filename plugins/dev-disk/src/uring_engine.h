// One io_uring per thread (thread_local). On a reactor thread the ring's
// eventfd is watched by that reactor, completions are reaped there and the
// commands complete on the thread that submitted them: no thread hop.
// Without a reactor (unit tests, tools) completions are reaped inline before
// submit() returns, or, with set_inline_completion(false), by poll().
#pragma once

#include <liburing.h>

#include <cstdint>

#include "backend.h"
#include "nexus/device.h"
#include "nexus/reactor.h"

namespace nexus::disk {

// Receives the completions of the requests a backend submitted.
class UringSink {
 public:
  virtual void on_cqe(IoRequest* req, int32_t res) noexcept = 0;

 protected:
  ~UringSink() = default;
};

class UringEngine {
 public:
  // The calling thread's engine, created on first use; its eventfd gets
  // watched on `reactor` once one is known. Null when io_uring is unusable
  // (e.g. seccomp): the caller then does synchronous I/O. That fallback is
  // logged once per process through `host`.
  static UringEngine* for_current_thread(IReactor* reactor, IDeviceHost* host) noexcept;

  // Test hooks: behave as if io_uring_queue_init failed; reap completions
  // only in poll_current_thread() instead of inline (no-reactor threads).
  static void set_disabled(bool disabled) noexcept;
  static void set_inline_completion(bool on) noexcept;
  // Reaps the calling thread's completions; with `wait`, blocks for one
  // when none is ready and requests are in flight. Returns how many ran.
  static int poll_current_thread(bool wait) noexcept;
  // Requests in flight on the calling thread's ring.
  static uint32_t in_flight_current_thread() noexcept;

  // Queues req on fd (rw_flags e.g. RWF_DSYNC for writes). False when no
  // submission slot could be had: the caller completes it synchronously.
  bool submit(int fd, IoRequest* req, int rw_flags, UringSink* sink) noexcept;

  UringEngine(const UringEngine&) = delete;
  UringEngine& operator=(const UringEngine&) = delete;
  ~UringEngine();

 private:
  UringEngine() = default;
  bool init() noexcept;
  void attach(IReactor* reactor) noexcept;
  int reap(bool wait) noexcept;
  static void on_eventfd(void* ctx, uint32_t events) noexcept;

  io_uring ring_{};
  bool ring_ok_ = false;
  int event_fd_ = -1;
  IFdWatch* watch_ = nullptr;
  uint32_t in_flight_ = 0;
  uint32_t depth_ = 0;  // > 0 while completions run (no nested inline wait)
};

}  // namespace nexus::disk
