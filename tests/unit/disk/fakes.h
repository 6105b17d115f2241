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
#include "disk_factory.h"
#include "nexus/bytes.hpp"
#include "uring_engine.h"

namespace nexus::disk::test {

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

// A node of kind missing (absent key).
class MissingNode final : public IConfigNode {
 public:
  explicit MissingNode(std::vector<std::string>* errors) : errors_(errors) {}
  NodeKind kind() const noexcept override { return NodeKind::missing; }
  Str scalar() const noexcept override { return Str{"", 0}; }
  uint32_t size() const noexcept override { return 0; }
  const IConfigNode* at(uint32_t) const noexcept override { return this; }
  Str key_at(uint32_t) const noexcept override { return Str{"", 0}; }
  const IConfigNode* get(Str) const noexcept override { return this; }
  void error(Str m) const noexcept override { errors_->push_back(std::string(to_sv(m))); }

 private:
  std::vector<std::string>* errors_;
};

// A scalar value; errors are prefixed with the value.
class ScalarNode final : public IConfigNode {
 public:
  ScalarNode(std::string v, std::vector<std::string>* errors)
      : v_(std::move(v)), errors_(errors), missing_(errors) {}
  NodeKind kind() const noexcept override { return NodeKind::scalar; }
  Str scalar() const noexcept override { return to_str(v_); }
  uint32_t size() const noexcept override { return 0; }
  const IConfigNode* at(uint32_t) const noexcept override { return &missing_; }
  Str key_at(uint32_t) const noexcept override { return Str{"", 0}; }
  const IConfigNode* get(Str) const noexcept override { return &missing_; }
  void error(Str m) const noexcept override {
    errors_->push_back(v_ + ": " + std::string(to_sv(m)));
  }

 private:
  std::string v_;
  std::vector<std::string>* errors_;
  MissingNode missing_;
};

// The options map of a device: key -> scalar.
class FakeOptions final : public IConfigNode {
 public:
  explicit FakeOptions(const std::map<std::string, std::string>& m) : missing_(&errors) {
    for (auto& [k, v] : m) {
      keys_.push_back(k);
      values_.push_back(std::make_unique<ScalarNode>(v, &errors));
    }
  }
  NodeKind kind() const noexcept override { return NodeKind::map; }
  Str scalar() const noexcept override { return Str{"", 0}; }
  uint32_t size() const noexcept override { return uint32_t(keys_.size()); }
  const IConfigNode* at(uint32_t i) const noexcept override {
    return i < values_.size() ? values_[i].get() : static_cast<const IConfigNode*>(&missing_);
  }
  Str key_at(uint32_t i) const noexcept override {
    return i < keys_.size() ? to_str(keys_[i]) : Str{"", 0};
  }
  const IConfigNode* get(Str key) const noexcept override {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == to_sv(key)) return values_[i].get();
    return &missing_;
  }
  void error(Str m) const noexcept override { errors.push_back(std::string(to_sv(m))); }
  std::string all_errors() const {
    std::string s;
    for (auto& e : errors) s += e + "\n";
    return s;
  }

  mutable std::vector<std::string> errors;

 private:
  std::vector<std::string> keys_;
  std::vector<std::unique_ptr<ScalarNode>> values_;
  MissingNode missing_;
};

// A command with its Data-In/Data-Out buffer split into `segments` pieces.
class FakeCommand final : public IDeviceCommand {
 public:
  FakeCommand(std::vector<uint8_t> cdb, uint32_t data_len, int segments = 1)
      : cdb_(std::move(cdb)), buf_(data_len, 0xEE) {
    uint32_t per = segments > 1 ? (data_len / segments + 1) : data_len;
    for (uint32_t off = 0; off < data_len; off += per) {
      uint32_t k = std::min(per, data_len - off);
      iov_.push_back(IoVec{buf_.data() + off, k});
    }
    transfer_ = data_len;
  }
  ConstByteSpan cdb() const noexcept override { return {cdb_.data(), cdb_.size()}; }
  uint64_t lun() const noexcept override { return 0; }
  TaskAttr task_attr() const noexcept override { return TaskAttr::simple; }
  uint64_t nexus_id() const noexcept override { return 1; }
  uint32_t data_length() const noexcept override { return uint32_t(buf_.size()); }
  uint32_t iov(const IoVec** out) const noexcept override {
    *out = iov_.data();
    return uint32_t(iov_.size());
  }
  void set_transfer_length(uint32_t bytes) noexcept override { transfer_ = bytes; }
  void complete(ScsiStatus status, const SenseInfo* sense) noexcept override {
    ++completions;
    status_ = status;
    if (sense) sense_ = *sense;
  }
  bool aborted() const noexcept override { return false; }

  std::vector<uint8_t>& data() { return buf_; }
  bool done() const { return completions > 0; }
  ScsiStatus status() const { return status_; }
  const SenseInfo& sense() const { return sense_; }
  uint32_t transfer() const { return transfer_; }

  int completions = 0;

 private:
  std::vector<uint8_t> cdb_;
  std::vector<uint8_t> buf_;
  std::vector<IoVec> iov_;
  uint32_t transfer_ = 0;
  ScsiStatus status_ = ScsiStatus::good;
  SenseInfo sense_{};
};

// Owns a device made by the factory and destroys it with destroy().
struct DeviceDeleter {
  void operator()(IDevice* d) const { d->destroy(); }
};
using DevicePtr = std::unique_ptr<IDevice, DeviceDeleter>;

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

// A scratch directory removed with its files at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/nexus-disk-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace nexus::disk::test
