// Test doubles for the disk handler: a host, a command, a config node, a
// reactor, and helpers that build CDBs and run commands to completion.
#pragma once

#include <poll.h>
#include <stdlib.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "disk_device.h"
#include "device_test_fakes.h"
#include "disk_factory.h"
#include "nexus/bytes.hpp"
#include "uring_engine.h"

namespace nexus::disk::test {

using nexus::test::DevicePtr;
using nexus::test::expect_sense;
using nexus::test::FakeCommand;
using nexus::test::FakeOptions;
using nexus::test::TempDir;


class FakeReactor final : public IReactor {
 public:
  struct Watch final : IFdWatch {
    FakeReactor* r;
    int fd;
    uint32_t events;
    FdCallback cb;
    void* ctx;
    bool released = false;
    void set_events(uint32_t e) noexcept override { events = e; }
    void release() noexcept override { released = true; }
  };
  uint32_t index() const noexcept override { return 0; }
  bool on_this_thread() const noexcept override { return true; }
  void post(Callback cb, void* ctx) noexcept override { posted.push_back({cb, ctx}); }
  IFdWatch* watch_fd(int fd, uint32_t events, FdCallback cb, void* ctx) noexcept override {
    watches.push_back(std::make_unique<Watch>());
    Watch* w = watches.back().get();
    w->r = this;
    w->fd = fd;
    w->events = events;
    w->cb = cb;
    w->ctx = ctx;
    return w;
  }
  ITimer* create_timer(Callback, void*) noexcept override { return nullptr; }

  // One loop iteration: posted callbacks, then ready fds (waits up to ms).
  void run_once(int ms) {
    auto p = std::move(posted);
    posted.clear();
    for (auto& [cb, ctx] : p) cb(ctx);
    std::vector<pollfd> fds;
    for (auto& w : watches)
      if (!w->released) fds.push_back(pollfd{w->fd, POLLIN, 0});
    if (fds.empty()) return;
    if (::poll(fds.data(), fds.size(), ms) <= 0) return;
    size_t i = 0;
    for (auto& w : watches) {
      if (w->released) continue;
      if (fds[i++].revents & POLLIN) w->cb(w->ctx, FdEvents::readable);
    }
  }

  std::vector<std::pair<Callback, void*>> posted;
  std::vector<std::unique_ptr<Watch>> watches;
};

class FakeHost final : public IDeviceHost {
 public:
  Str name() const noexcept override { return to_str(name_); }
  Str state_dir() const noexcept override { return to_str("/tmp"); }
  bool check_only() const noexcept override { return check_only_; }
  void log(LogLevel, Str m) noexcept override { logs.emplace_back(to_sv(m)); }
  void raise_ua(UaScope, uint64_t, uint8_t, uint8_t) noexcept override {}
  IReactor* current_reactor() noexcept override { return reactor_; }
  uint32_t reactor_count() const noexcept override { return reactor_ ? 1 : 0; }
  IReactor* reactor(uint32_t) noexcept override { return reactor_; }

  std::string name_ = "disk0";
  bool check_only_ = false;
  IReactor* reactor_ = nullptr;
  std::vector<std::string> logs;
};

// Runs a command; drives io_uring completions (no reactor) until it is done.
inline void run(IDevice* dev, FakeCommand& cmd, FakeReactor* reactor = nullptr) {
  dev->execute(&cmd);
  for (int i = 0; i < 1000 && !cmd.done(); ++i) {
    if (reactor)
      reactor->run_once(100);
    else
      UringEngine::poll_current_thread(true);
  }
}

// CDB builders (SBC-3 layouts).
inline std::vector<uint8_t> cdb10(uint8_t op, uint64_t lba, uint32_t n, uint8_t b1 = 0) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op;
  c[1] = b1;
  put_be32(&c[2], uint32_t(lba));
  put_be16(&c[7], uint16_t(n));
  return c;
}
inline std::vector<uint8_t> cdb12(uint8_t op, uint64_t lba, uint32_t n, uint8_t b1 = 0) {
  std::vector<uint8_t> c(12, 0);
  c[0] = op;
  c[1] = b1;
  put_be32(&c[2], uint32_t(lba));
  put_be32(&c[6], n);
  return c;
}
inline std::vector<uint8_t> cdb16(uint8_t op, uint64_t lba, uint32_t n, uint8_t b1 = 0) {
  std::vector<uint8_t> c(16, 0);
  c[0] = op;
  c[1] = b1;
  put_be64(&c[2], lba);
  put_be32(&c[10], n);
  return c;
}
inline std::vector<uint8_t> cdb6(uint8_t op, uint32_t lba, uint8_t n) {
  std::vector<uint8_t> c(6, 0);
  c[0] = op;
  put_be24(&c[1], lba & 0x1FFFFF);
  c[4] = n;
  return c;
}

inline void fill_pattern(std::vector<uint8_t>& v, uint8_t seed) {
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(seed + i * 7 + (i >> 9));
}

}  // namespace nexus::disk::test

namespace nexus::disk::test {

// A device built by the factory, with its host and options.
struct Disk {
  FakeHost host;
  std::unique_ptr<FakeOptions> options;
  DevicePtr dev;
  Status status = Status::error;
  DiskDevice* disk() const { return static_cast<DiskDevice*>(dev.get()); }
};

inline std::unique_ptr<Disk> make_disk(const std::map<std::string, std::string>& o,
                                       bool check_only = false) {
  auto d = std::make_unique<Disk>();
  d->host.check_only_ = check_only;
  d->options = std::make_unique<FakeOptions>(o);
  IDevice* dev = nullptr;
  d->status = create_disk_device(&d->host, d->options.get(), &dev);
  d->dev.reset(dev);
  return d;
}

}  // namespace nexus::disk::test
