// One event loop thread per core (Boost.Asio io_context), exposed to plugins
// as nexus::IReactor. A nexus lives on one reactor; its commands run to
// completion there when the backend allows.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "nexus/reactor.h"

namespace nexus::server {

// An fd watch or timer handed to a plugin. A plugin that never calls
// release() (e.g. for a per-thread resource that lives until exit) must not
// leak it: the reactor releases what is left when it is destroyed.
class ReactorObject {
 public:
  virtual ~ReactorObject() = default;
  virtual void force_release() noexcept = 0;
};

class Reactor final : public IReactor {
 public:
  explicit Reactor(uint32_t index);
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  uint32_t index() const noexcept override { return index_; }
  bool on_this_thread() const noexcept override;
  void post(Callback cb, void* ctx) noexcept override;
  IFdWatch* watch_fd(int fd, uint32_t events, FdCallback cb, void* ctx) noexcept override;
  ITimer* create_timer(Callback cb, void* ctx) noexcept override;

  boost::asio::io_context& io() noexcept { return io_; }
  // Core-internal: posts any callable (captures keep objects alive).
  template <typename F>
  void post_fn(F&& f) {
    boost::asio::post(io_, std::forward<F>(f));
  }
  // The reactor whose thread is calling (null elsewhere).
  static Reactor* current() noexcept;

  void start();
  void stop();
  void join();
  // Its thread is started and has not been told to stop.
  bool running() const noexcept { return thread_.joinable() && !stopping_.load(); }

 private:
  void run();
  void track(std::weak_ptr<ReactorObject> obj);

  uint32_t index_;
  boost::asio::io_context io_{1};
  std::mutex objects_mu_;
  std::vector<std::weak_ptr<ReactorObject>> objects_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

// All reactors of the process.
class ReactorPool {
 public:
  explicit ReactorPool(uint32_t count);
  ~ReactorPool();
  uint32_t size() const noexcept { return uint32_t(reactors_.size()); }
  Reactor& at(uint32_t i) noexcept { return *reactors_[i]; }
  void start();
  void stop_and_join();
  // Waits until every running reactor has run what was posted to it before
  // this call, `rounds` times over so that handlers which post once more are
  // covered too. A plugin may leave posts behind that point at itself; the
  // host drains before destroying it. False if a reactor did not answer in
  // `timeout_ms` (a handler stuck in a syscall); the caller logs it.
  bool drain(uint32_t rounds, uint32_t timeout_ms);

 private:
  std::vector<std::unique_ptr<Reactor>> reactors_;
};

}  // namespace nexus::server
