// Test doubles for the cdrom handler: a host that records Unit Attentions,
// a config node, a command, scratch images and helpers that run commands.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cdrom_device.h"
#include "cdrom_factory.h"
#include "cdrom_opcodes.h"
#include "nexus/bytes.hpp"

namespace nexus::cdrom::test {

struct RaisedUa {
  UaScope scope;
  uint8_t asc, ascq;
};

class FakeHost final : public IDeviceHost {
 public:
  Str name() const noexcept override { return to_str(name_); }
  Str state_dir() const noexcept override { return to_str("/tmp"); }
  bool check_only() const noexcept override { return check_only_; }
  void log(LogLevel, Str m) noexcept override { logs.emplace_back(to_sv(m)); }
  void raise_ua(UaScope scope, uint64_t, uint8_t asc, uint8_t ascq) noexcept override {
    uas.push_back({scope, asc, ascq});
  }
  IReactor* current_reactor() noexcept override { return nullptr; }
  uint32_t reactor_count() const noexcept override { return 0; }
  IReactor* reactor(uint32_t) noexcept override { return nullptr; }

  std::string name_ = "cd0";
  bool check_only_ = false;
  std::vector<std::string> logs;
  std::vector<RaisedUa> uas;
};

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

// A command whose Data-In buffer is split into `segments` pieces.
class FakeCommand final : public IDeviceCommand {
 public:
  FakeCommand(std::vector<uint8_t> cdb, uint32_t data_len, uint64_t nexus, int segments)
      : cdb_(std::move(cdb)), buf_(data_len, 0xEE), nexus_(nexus) {
    uint32_t per = segments > 1 ? (data_len / segments + 1) : data_len;
    for (uint32_t off = 0; off < data_len; off += per)
      iov_.push_back(IoVec{buf_.data() + off, std::min(per, data_len - off)});
    transfer_ = data_len;
  }
  ConstByteSpan cdb() const noexcept override { return {cdb_.data(), cdb_.size()}; }
  uint64_t lun() const noexcept override { return 0; }
  TaskAttr task_attr() const noexcept override { return TaskAttr::simple; }
  uint64_t nexus_id() const noexcept override { return nexus_; }
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
    if (on_complete) on_complete();
  }
  bool aborted() const noexcept override { return false; }

  // The Data-In bytes actually produced.
  std::vector<uint8_t> data() const {
    return std::vector<uint8_t>(buf_.begin(),
                                buf_.begin() + std::min<size_t>(transfer_, buf_.size()));
  }
  ScsiStatus status() const { return status_; }
  const SenseInfo& sense() const { return sense_; }
  uint32_t transfer() const { return transfer_; }

  int completions = 0;
  // Runs inside complete(), like a core that starts the next queued command
  // of the LU inline.
  std::function<void()> on_complete;

 private:
  std::vector<uint8_t> cdb_;
  std::vector<uint8_t> buf_;
  std::vector<IoVec> iov_;
  uint64_t nexus_;
  uint32_t transfer_ = 0;
  ScsiStatus status_ = ScsiStatus::good;
  SenseInfo sense_{};
};

struct DeviceDeleter {
  void operator()(IDevice* d) const { d->destroy(); }
};
using DevicePtr = std::unique_ptr<IDevice, DeviceDeleter>;

// A scratch directory removed with its files at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/nexus-cdrom-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Byte i of a test image.
inline uint8_t pattern(uint64_t i, uint8_t seed) { return uint8_t(seed + i * 7 + (i >> 11)); }

// Writes an image of `bytes` bytes filled with pattern(seed).
inline std::string make_image(const TempDir& dir, const std::string& name, uint64_t bytes,
                              uint8_t seed = 1) {
  std::string path = dir.file(name);
  std::vector<uint8_t> v(bytes);
  for (uint64_t i = 0; i < bytes; ++i) v[i] = pattern(i, seed);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(v.data()), bytes);
  return path;
}

// A sparse image of `bytes` bytes (for large DVD-sized discs).
inline std::string make_sparse_image(const TempDir& dir, const std::string& name, uint64_t bytes) {
  std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary).put('\0');
  EXPECT_EQ(::truncate(path.c_str(), off_t(bytes)), 0);
  return path;
}

// A device made by the factory, with its host and options.
struct Drive {
  FakeHost host;
  std::unique_ptr<FakeOptions> options;
  DevicePtr dev;
  Status status = Status::error;
  CdromDevice* cd() const { return static_cast<CdromDevice*>(dev.get()); }
  IRemovableMedium* medium() const { return dev->removable_medium(); }
};

inline std::unique_ptr<Drive> make_drive(const std::map<std::string, std::string>& o,
                                         bool check_only = false) {
  auto d = std::make_unique<Drive>();
  d->host.check_only_ = check_only;
  d->options = std::make_unique<FakeOptions>(o);
  IDevice* dev = nullptr;
  d->status = create_cdrom_device(&d->host, d->options.get(), &dev);
  d->dev.reset(dev);
  return d;
}

// Runs a command (the handler completes inline) from `nexus`.
inline std::unique_ptr<FakeCommand> exec(IDevice* dev, std::vector<uint8_t> cdb, uint32_t len,
                                         uint64_t nexus = 1, int segments = 2) {
  auto c = std::make_unique<FakeCommand>(std::move(cdb), len, nexus, segments);
  dev->execute(c.get());
  EXPECT_EQ(c->completions, 1);
  return c;
}

#define EXPECT_GOOD(c)                                                                        \
  EXPECT_EQ((c)->status(), ScsiStatus::good)                                                  \
      << "sense " << int((c)->sense().key) << "/" << std::hex << int((c)->sense().asc) << "/" \
      << int((c)->sense().ascq)

inline void expect_sense(const FakeCommand& c, SenseKey key, uint8_t asc, uint8_t ascq) {
  EXPECT_EQ(c.status(), ScsiStatus::check_condition);
  EXPECT_EQ(int(c.sense().key), int(key));
  EXPECT_EQ(c.sense().asc, asc) << std::hex << int(c.sense().asc);
  EXPECT_EQ(c.sense().ascq, ascq) << std::hex << int(c.sense().ascq);
}

// CDB builders (MMC-6 layouts).
inline std::vector<uint8_t> cdb10(uint8_t op, uint8_t b1 = 0, uint32_t b2_5 = 0, uint8_t b6 = 0,
                                  uint16_t b7_8 = 0, uint8_t b9 = 0) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op;
  c[1] = b1;
  put_be32(&c[2], b2_5);
  c[6] = b6;
  put_be16(&c[7], b7_8);
  c[9] = b9;
  return c;
}
inline std::vector<uint8_t> read10(uint32_t lba, uint16_t n) {
  return cdb10(op::kRead10, 0, lba, 0, n);
}
inline std::vector<uint8_t> read12(uint32_t lba, uint32_t n) {
  std::vector<uint8_t> c(12, 0);
  c[0] = op::kRead12;
  put_be32(&c[2], lba);
  put_be32(&c[6], n);
  return c;
}
inline std::vector<uint8_t> read_cd(uint32_t lba, uint32_t n, uint8_t b9 = 0x10, uint8_t b1 = 0) {
  std::vector<uint8_t> c(12, 0);
  c[0] = op::kReadCd;
  c[1] = b1;
  put_be32(&c[2], lba);
  put_be24(&c[6], n);
  c[9] = b9;
  return c;
}
inline std::vector<uint8_t> cdb6(uint8_t op, uint8_t b4, uint8_t b1 = 0) {
  return {op, b1, 0, 0, b4, 0};
}
inline std::vector<uint8_t> start_stop(bool loej, bool start) {
  return cdb6(op::kStartStopUnit, uint8_t((loej ? 2 : 0) | (start ? 1 : 0)));
}
inline std::vector<uint8_t> prevent(uint8_t field) { return cdb6(op::kPreventAllow, field); }
inline std::vector<uint8_t> gesn(uint8_t classes, uint16_t alloc = 8, bool polled = true) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op::kGetEventStatus;
  c[1] = polled ? 1 : 0;
  c[4] = classes;
  put_be16(&c[7], alloc);
  return c;
}
inline std::vector<uint8_t> get_config(uint8_t rt, uint16_t sfn, uint16_t alloc = 512) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op::kGetConfiguration;
  c[1] = rt;
  put_be16(&c[2], sfn);
  put_be16(&c[7], alloc);
  return c;
}
inline std::vector<uint8_t> read_toc(uint8_t format, bool msf, uint8_t track = 0,
                                     uint16_t alloc = 1024, uint8_t control = 0) {
  return cdb10(op::kReadToc, msf ? 0x02 : 0, uint32_t(format) << 24, track, alloc, control);
}

inline std::vector<uint8_t> bytes(std::initializer_list<int> v) {
  std::vector<uint8_t> r;
  for (int b : v) r.push_back(uint8_t(b));
  return r;
}

}  // namespace nexus::cdrom::test
