// Test doubles shared by the device-handler unit tests: a command over a
// segmented buffer, an owner for factory-made devices, a flat options map and
// a scratch directory. Handler-specific fakes (hosts, richer config trees)
// stay in each test folder.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "nexus/bytes.hpp"
#include "nexus/device.h"

namespace nexus::test {

// A command whose buffer is split into `segments` pieces to exercise
// scatter-gather copies. Completion may come from a worker thread: wait()
// blocks for it.
class FakeCommand : public IDeviceCommand {
 public:
  // Virtual: tests hold commands as unique_ptr<FakeCommand>, and a derived
  // one (DataInCommand) must be deleted whole.
  virtual ~FakeCommand() = default;
  FakeCommand(std::vector<uint8_t> cdb, uint32_t len, uint64_t nexus = 1, int segments = 2)
      : cdb_(std::move(cdb)), buf_(len, 0xEE), nexus_(nexus) {
    uint32_t per = segments > 1 ? len / segments + 1 : len;
    for (uint32_t off = 0; off < len; off += per)
      iov_.push_back(IoVec{buf_.data() + off, std::min(per, len - off)});
    transfer_ = len;
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
    // Before the lock: the hook may run further commands inline. Then mark
    // and notify under the lock and touch nothing after it: a waiter may
    // destroy this command as soon as it sees the completion.
    if (on_complete) on_complete();
    std::lock_guard l(mu_);
    ++completions_;
    status_ = status;
    if (sense) sense_ = *sense;
    cv_.notify_all();
  }
  bool aborted() const noexcept override { return aborted_; }

  // Waits up to `timeout` for the first completion.
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, timeout, [this] { return completions_ > 0; });
  }
  int completions() const {
    std::lock_guard l(mu_);
    return completions_;
  }
  bool done() const { return completions() > 0; }

  // The whole buffer (Data-Out to fill before execute, Data-In after).
  std::vector<uint8_t>& data() { return buf_; }
  // The Data-In bytes actually produced (up to the transfer length).
  std::vector<uint8_t> data_in() const {
    return std::vector<uint8_t>(buf_.begin(),
                                buf_.begin() + std::min<size_t>(transfer_, buf_.size()));
  }
  ScsiStatus status() const {
    std::lock_guard l(mu_);
    return status_;
  }
  SenseInfo sense() const {
    std::lock_guard l(mu_);
    return sense_;
  }
  uint32_t transfer() const { return transfer_; }

  bool aborted_ = false;
  // Runs inside complete(), like a core that starts the next queued command
  // of the LU inline.
  std::function<void()> on_complete;

 private:
  std::vector<uint8_t> cdb_, buf_;
  std::vector<IoVec> iov_;
  uint64_t nexus_;
  uint32_t transfer_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int completions_ = 0;
  ScsiStatus status_ = ScsiStatus::good;
  SenseInfo sense_{};
};

// The same command for tests that compare only the Data-In produced: data()
// is the buffer cut to the transfer length.
class DataInCommand final : public FakeCommand {
 public:
  using FakeCommand::FakeCommand;
  std::vector<uint8_t> data() const { return data_in(); }
};

// Owns a device made by a factory and destroys it with destroy().
struct DeviceDeleter {
  void operator()(IDevice* d) const { d->destroy(); }
};
using DevicePtr = std::unique_ptr<IDevice, DeviceDeleter>;

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

// The flat options map of a device: key -> scalar.
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

// A scratch directory removed with its files at the end of the test.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/nexus-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }
  // Creates (or truncates) a file holding `content`.
  void touch(const std::string& name, const std::string& content = "") const {
    std::ofstream(file(name)) << content;
  }

 private:
  std::string path_;
};

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

}  // namespace nexus::test
