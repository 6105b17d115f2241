#include "uring_engine.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include "nexus/log.hpp"

namespace nexus::disk {
namespace {

constexpr unsigned kRingEntries = 256;

std::atomic<bool> g_disabled{false};
std::atomic<bool> g_inline{true};
std::atomic<bool> g_warned{false};

thread_local std::unique_ptr<UringEngine> t_engine;
thread_local bool t_failed = false;

}  // namespace

void UringEngine::set_disabled(bool disabled) noexcept { g_disabled = disabled; }
void UringEngine::set_inline_completion(bool on) noexcept { g_inline = on; }

UringEngine* UringEngine::for_current_thread(IReactor* reactor, IDeviceHost* host) noexcept {
  if (g_disabled || t_failed) {
    if (!g_warned.exchange(true) && host)
      logf(host, LogLevel::warn, "io_uring unavailable; using synchronous preadv/pwritev");
    return nullptr;
  }
  if (!t_engine) {
    std::unique_ptr<UringEngine> e(new (std::nothrow) UringEngine());
    if (!e || !e->init()) {
      t_failed = true;
      if (!g_warned.exchange(true) && host)
        logf(host, LogLevel::warn, "io_uring setup failed (%s); using synchronous preadv/pwritev",
             std::strerror(errno));
      return nullptr;
    }
    t_engine = std::move(e);
  }
  if (reactor && !t_engine->watch_) t_engine->attach(reactor);
  return t_engine.get();
}

bool UringEngine::init() noexcept {
  io_uring_params p{};
  // Only this thread submits. (No COOP_TASKRUN: a reactor sleeping in
  // epoll_wait must be woken by the completion's eventfd, not by its next
  // system call.)
  p.flags = IORING_SETUP_SINGLE_ISSUER;
  int r = io_uring_queue_init_params(kRingEntries, &ring_, &p);
  if (r < 0) {
    std::memset(&p, 0, sizeof p);
    r = io_uring_queue_init_params(kRingEntries, &ring_, &p);
  }
  if (r < 0) {
    errno = -r;
    return false;
  }
  ring_ok_ = true;
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (event_fd_ < 0) return false;
  r = io_uring_register_eventfd(&ring_, event_fd_);
  if (r < 0) {
    errno = -r;
    return false;
  }
  return true;
}

void UringEngine::attach(IReactor* reactor) noexcept {
  watch_ = reactor->watch_fd(event_fd_, FdEvents::readable, &UringEngine::on_eventfd, this);
}

UringEngine::~UringEngine() {
  if (ring_ok_) io_uring_queue_exit(&ring_);
  // With a watch, the eventfd is left open on purpose: this runs at thread
  // exit when the reactor may already be gone, so the watch can't be
  // released safely and the reactor might still reference the fd.
  if (event_fd_ >= 0 && !watch_) ::close(event_fd_);
}

void UringEngine::on_eventfd(void* ctx, uint32_t /*events*/) noexcept {
  auto* self = static_cast<UringEngine*>(ctx);
  uint64_t v;
  while (::read(self->event_fd_, &v, sizeof v) > 0) {
  }
  self->reap(false);
}

bool UringEngine::submit(int fd, IoRequest* req, int rw_flags, UringSink* sink) noexcept {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (!sqe) {
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
    if (!sqe) return false;
  }
  switch (req->kind) {
    case IoKind::read:
      io_uring_prep_readv(sqe, fd, req->iov, unsigned(req->iovcnt), req->offset);
      break;
    case IoKind::write:
      io_uring_prep_writev(sqe, fd, req->iov, unsigned(req->iovcnt), req->offset);
      sqe->rw_flags = rw_flags;
      break;
    case IoKind::flush:
      io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
      break;
  }
  req->backend_ctx = sink;
  io_uring_sqe_set_data(sqe, req);
  // A transient failure (EAGAIN/EBUSY/EINTR) leaves the SQE in the ring;
  // retry so it can't sit there unsubmitted with nothing to wake us.
  int r = io_uring_submit(&ring_);
  for (int tries = 0; r < 0 && tries < 100; ++tries) {
    if (r == -EBUSY) reap(false);
    r = io_uring_submit(&ring_);
  }
  ++in_flight_;
  if (!watch_ && g_inline && depth_ == 0) {
    while (in_flight_ > 0)
      if (reap(true) < 0) break;
  }
  return true;
}

int UringEngine::reap(bool wait) noexcept {
  int n = 0;
  for (;;) {
    io_uring_cqe* cqe = nullptr;
    int r = io_uring_peek_cqe(&ring_, &cqe);
    if (r == -EAGAIN) {
      if (!wait || n > 0 || in_flight_ == 0) break;
      io_uring_submit(&ring_);
      r = io_uring_wait_cqe(&ring_, &cqe);
      if (r == -EINTR) continue;
      if (r < 0) return r;
    } else if (r < 0) {
      return r;
    }
    auto* req = static_cast<IoRequest*>(io_uring_cqe_get_data(cqe));
    int32_t res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    --in_flight_;
    ++n;
    ++depth_;
    static_cast<UringSink*>(req->backend_ctx)->on_cqe(req, res);
    --depth_;
  }
  return n;
}

int UringEngine::poll_current_thread(bool wait) noexcept {
  return t_engine ? t_engine->reap(wait) : 0;
}

uint32_t UringEngine::in_flight_current_thread() noexcept {
  return t_engine ? t_engine->in_flight_ : 0;
}

}  // namespace nexus::disk
