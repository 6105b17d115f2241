// The core's event loops. nexusd runs one reactor thread per core; every I_T
// nexus lives on one reactor and its commands run to completion there when
// the backend allows. Plugins do their I/O through these loops (fd readiness,
// posted callbacks, timers) instead of owning threads, so there is no thread
// hop on the fast path.
#pragma once

#include "nexus/abi.h"

namespace nexus {

using Callback = void (*)(void* ctx) noexcept;

struct FdEvents {
  static constexpr uint32_t readable = 1u << 0;
  static constexpr uint32_t writable = 1u << 1;
  static constexpr uint32_t error = 1u << 2;  // reported only, never requested
};
using FdCallback = void (*)(void* ctx, uint32_t events) noexcept;

// A registration of one fd on one reactor. Owned by the plugin: call
// release() exactly once (on the reactor's thread) to stop watching; the fd
// itself stays open and the plugin closes it afterwards.
class IFdWatch {
 public:
  // Level-style interest: while an event in `events` is ready the callback
  // keeps being invoked (once per loop iteration), so set only what you need.
  virtual void set_events(uint32_t events) noexcept = 0;
  virtual void release() noexcept = 0;

 protected:
  ~IFdWatch() = default;
};

// A one-shot or periodic timer. Owned by the plugin; release() once.
class ITimer {
 public:
  // (Re)arms the timer to fire once after `ms` milliseconds.
  virtual void arm(uint64_t ms) noexcept = 0;
  virtual void cancel() noexcept = 0;
  virtual void release() noexcept = 0;

 protected:
  ~ITimer() = default;
};

class IReactor {
 public:
  virtual uint32_t index() const noexcept = 0;
  // True when called on this reactor's own thread.
  virtual bool on_this_thread() const noexcept = 0;
  // Runs cb(ctx) on this reactor's thread soon. Safe from any thread.
  virtual void post(Callback cb, void* ctx) noexcept = 0;
  // Call on this reactor's thread.
  virtual IFdWatch* watch_fd(int fd, uint32_t events, FdCallback cb, void* ctx) noexcept = 0;
  virtual ITimer* create_timer(Callback cb, void* ctx) noexcept = 0;

 protected:
  ~IReactor() = default;
};

}  // namespace nexus
