#include "core/reactor.h"

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>

namespace nexus::server {
namespace {

thread_local Reactor* t_current = nullptr;

// An fd watched for readiness. Asio's stream_descriptor owns nothing here:
// the fd is released (not closed) before destruction. Interest is level-like:
// after each callback the wait is re-armed while the event is still wanted,
// and a still-ready fd completes again on the next loop turn.
class FdWatch final : public IFdWatch,
                      public ReactorObject,
                      public std::enable_shared_from_this<FdWatch> {
 public:
  FdWatch(boost::asio::io_context& io, int fd, FdCallback cb, void* ctx)
      : sd_(io, fd), cb_(cb), ctx_(ctx) {}
  ~FdWatch() override {
    if (sd_.is_open()) sd_.release();
  }

  void init(uint32_t events) {
    self_ = shared_from_this();
    set_events(events);
  }

  void set_events(uint32_t events) noexcept override {
    events_ = events & (FdEvents::readable | FdEvents::writable);
    arm();
  }

  void force_release() noexcept override { release(); }

  void release() noexcept override {
    released_ = true;
    events_ = 0;
    // Deregisters from epoll now (the plugin closes the fd right after);
    // queued waits complete with operation_aborted.
    if (sd_.is_open()) sd_.release();
    self_.reset();  // pending handlers hold the last references
  }

 private:
  void arm() {
    if (released_) return;
    if ((events_ & FdEvents::readable) && !read_pending_) {
      read_pending_ = true;
      sd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->read_pending_ = false;
                       self->fire(FdEvents::readable, ec);
                     });
    }
    if ((events_ & FdEvents::writable) && !write_pending_) {
      write_pending_ = true;
      sd_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->write_pending_ = false;
                       self->fire(FdEvents::writable, ec);
                     });
    }
  }

  void fire(uint32_t ev, const boost::system::error_code& ec) {
    if (released_ || ec == boost::asio::error::operation_aborted) return;
    if (!(events_ & ev)) return;  // interest dropped while the wait was queued
    if (ec) ev |= FdEvents::error;
    auto keep = shared_from_this();
    cb_(ctx_, ev);
    arm();
  }

  boost::asio::posix::stream_descriptor sd_;
  FdCallback cb_;
  void* ctx_;
  uint32_t events_ = 0;
  bool read_pending_ = false;
  bool write_pending_ = false;
  bool released_ = false;
  std::shared_ptr<FdWatch> self_;
};

class Timer final : public ITimer,
                    public ReactorObject,
                    public std::enable_shared_from_this<Timer> {
 public:
  Timer(boost::asio::io_context& io, Callback cb, void* ctx) : timer_(io), cb_(cb), ctx_(ctx) {}
  void init() { self_ = shared_from_this(); }
  void arm(uint64_t ms) noexcept override {
    if (released_) return;
    ++generation_;
    timer_.expires_after(std::chrono::milliseconds(ms));
    timer_.async_wait(
        [self = shared_from_this(), gen = generation_](const boost::system::error_code& ec) {
          if (ec || self->released_ || gen != self->generation_) return;
          self->cb_(self->ctx_);
        });
  }
  void cancel() noexcept override {
    ++generation_;
    timer_.cancel();
  }
  void force_release() noexcept override { release(); }

  void release() noexcept override {
    released_ = true;
    cancel();
    self_.reset();
  }

 private:
  boost::asio::steady_timer timer_;
  Callback cb_;
  void* ctx_;
  uint64_t generation_ = 0;
  bool released_ = false;
  std::shared_ptr<Timer> self_;
};

}  // namespace

Reactor::Reactor(uint32_t index) : index_(index) {}

Reactor::~Reactor() {
  stop();
  join();
  // Release what plugins left registered, then let the aborted waits run so
  // their handlers drop the last references while the io_context lives.
  std::vector<std::shared_ptr<ReactorObject>> left;
  {
    std::lock_guard lock(objects_mu_);
    for (auto& w : objects_)
      if (auto o = w.lock()) left.push_back(std::move(o));
    objects_.clear();
  }
  for (auto& o : left) o->force_release();
  left.clear();
  io_.restart();
  io_.poll();
}

void Reactor::track(std::weak_ptr<ReactorObject> obj) {
  std::lock_guard lock(objects_mu_);
  // Drop entries of objects already gone so the list stays small.
  if (objects_.size() >= 64 && objects_.size() % 64 == 0)
    std::erase_if(objects_, [](const auto& w) { return w.expired(); });
  objects_.push_back(std::move(obj));
}

bool Reactor::on_this_thread() const noexcept { return t_current == this; }

Reactor* Reactor::current() noexcept { return t_current; }

void Reactor::post(Callback cb, void* ctx) noexcept {
  boost::asio::post(io_, [cb, ctx] { cb(ctx); });
}

IFdWatch* Reactor::watch_fd(int fd, uint32_t events, FdCallback cb, void* ctx) noexcept {
  try {
    auto w = std::make_shared<FdWatch>(io_, fd, cb, ctx);
    w->init(events);
    track(w);
    return w.get();
  } catch (const std::exception& e) {
    spdlog::error("reactor {}: cannot watch fd {}: {}", index_, fd, e.what());
    return nullptr;
  }
}

ITimer* Reactor::create_timer(Callback cb, void* ctx) noexcept {
  try {
    auto t = std::make_shared<Timer>(io_, cb, ctx);
    t->init();
    track(t);
    return t.get();
  } catch (const std::exception& e) {
    spdlog::error("reactor {}: cannot create timer: {}", index_, e.what());
    return nullptr;
  }
}

void Reactor::start() {
  thread_ = std::thread([this] { run(); });
}

void Reactor::run() {
  t_current = this;
  auto guard = boost::asio::make_work_guard(io_);
  while (!stopping_.load()) {
    try {
      io_.run();
      break;
    } catch (const std::exception& e) {
      // A handler must never throw; log and keep the loop alive.
      spdlog::critical("reactor {}: handler threw: {}", index_, e.what());
    }
  }
  t_current = nullptr;
}

void Reactor::stop() {
  stopping_.store(true);
  io_.stop();
}

void Reactor::join() {
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

ReactorPool::ReactorPool(uint32_t count) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  for (uint32_t i = 0; i < count; ++i) reactors_.push_back(std::make_unique<Reactor>(i));
}

ReactorPool::~ReactorPool() { stop_and_join(); }

void ReactorPool::start() {
  for (auto& r : reactors_) r->start();
}

bool ReactorPool::drain(uint32_t rounds, uint32_t timeout_ms) {
  struct Barrier {
    std::mutex mu;
    std::condition_variable cv;
    uint32_t left = 0;
  };
  for (uint32_t round = 0; round < rounds; ++round) {
    // Shared so that a reactor answering after the timeout touches live memory.
    auto b = std::make_shared<Barrier>();
    uint32_t posted = 0;
    for (auto& r : reactors_) {
      if (!r->running() || r->on_this_thread()) continue;
      ++posted;
      r->post_fn([b] {
        std::lock_guard lock(b->mu);
        if (--b->left == 0) b->cv.notify_all();
      });
    }
    std::unique_lock lock(b->mu);
    b->left += posted;
    if (!b->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return b->left == 0; }))
      return false;
  }
  return true;
}

void ReactorPool::stop_and_join() {
  for (auto& r : reactors_) r->stop();
  for (auto& r : reactors_) r->join();
}

}  // namespace nexus::server
