// Test doubles for the tape handler: a host that records Unit Attentions, a
// YAML-like option tree, a command, and CDB builders.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "device_test_fakes.h"
#include "nexus/bytes.hpp"
#include "tape_device.h"
#include "tape_factory.h"
#include "tape_opcodes.h"

namespace nexus::tape::test {

using nexus::test::DevicePtr;
using nexus::test::expect_sense;
using nexus::test::FakeCommand;
using nexus::test::TempDir;

struct RaisedUa {
  UaScope scope;
  uint64_t nexus;
  uint8_t asc, ascq;
};

class FakeHost final : public IDeviceHost {
 public:
  Str name() const noexcept override { return to_str(name_); }
  Str state_dir() const noexcept override { return to_str("/tmp"); }
  bool check_only() const noexcept override { return check_only_; }
  void log(LogLevel, Str m) noexcept override { logs.emplace_back(to_sv(m)); }
  void raise_ua(UaScope s, uint64_t n, uint8_t asc, uint8_t ascq) noexcept override {
    uas.push_back({s, n, asc, ascq});
  }
  IReactor* current_reactor() noexcept override { return nullptr; }
  uint32_t reactor_count() const noexcept override { return 0; }
  IReactor* reactor(uint32_t) noexcept override { return nullptr; }

  std::string name_ = "tape0";
  bool check_only_ = false;
  std::vector<std::string> logs;
  std::vector<RaisedUa> uas;
};

// A configuration node: missing, a scalar, or a map of nodes.
class Node final : public IConfigNode {
 public:
  Node() = default;  // missing
  explicit Node(std::string scalar) : kind_(NodeKind::scalar), scalar_(std::move(scalar)) {}
  static std::unique_ptr<Node> map() {
    auto n = std::make_unique<Node>();
    n->kind_ = NodeKind::map;
    return n;
  }
  Node& set(const std::string& key, const std::string& value) {
    keys_.push_back(key);
    kids_.push_back(std::make_unique<Node>(value));
    kids_.back()->errors_ = errors_;
    return *this;
  }
  Node& child(const std::string& key) {
    keys_.push_back(key);
    kids_.push_back(map());
    kids_.back()->errors_ = errors_;
    return *kids_.back();
  }
  NodeKind kind() const noexcept override { return kind_; }
  Str scalar() const noexcept override { return to_str(scalar_); }
  uint32_t size() const noexcept override { return uint32_t(kids_.size()); }
  const IConfigNode* at(uint32_t i) const noexcept override {
    return i < kids_.size() ? kids_[i].get() : &missing();
  }
  Str key_at(uint32_t i) const noexcept override {
    return i < keys_.size() ? to_str(keys_[i]) : Str{"", 0};
  }
  const IConfigNode* get(Str key) const noexcept override {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == to_sv(key)) return kids_[i].get();
    return &missing();
  }
  void error(Str m) const noexcept override { errors_->push_back(std::string(to_sv(m))); }
  std::vector<std::string>& errors() { return *errors_; }
  std::string all_errors() const {
    std::string s;
    for (auto& e : *errors_) s += e + "\n";
    return s;
  }

 private:
  static const Node& missing() {
    static Node m;
    return m;
  }
  NodeKind kind_ = NodeKind::missing;
  std::string scalar_;
  std::vector<std::string> keys_;
  std::vector<std::unique_ptr<Node>> kids_;
  std::shared_ptr<std::vector<std::string>> errors_ = std::make_shared<std::vector<std::string>>();
};

// --- CDB builders (SSC-3 layouts) ---
inline std::vector<uint8_t> cdb6(uint8_t op, uint8_t b1, uint32_t n24, uint8_t b5 = 0) {
  std::vector<uint8_t> c(6, 0);
  c[0] = op;
  c[1] = b1;
  put_be24(&c[2], n24 & 0xFFFFFF);
  c[5] = b5;
  return c;
}
inline std::vector<uint8_t> read6(uint32_t n, bool fixed, bool sili = false) {
  return cdb6(op::kRead6, uint8_t((fixed ? 1 : 0) | (sili ? 2 : 0)), n);
}
inline std::vector<uint8_t> write6(uint32_t n, bool fixed) {
  return cdb6(op::kWrite6, fixed ? 1 : 0, n);
}
inline std::vector<uint8_t> wfm(uint32_t n) { return cdb6(op::kWriteFilemarks6, 0, n); }
inline std::vector<uint8_t> space6(uint8_t code, int32_t count) {
  return cdb6(op::kSpace6, code, uint32_t(count) & 0xFFFFFF);
}
inline std::vector<uint8_t> space16(uint8_t code, int64_t count) {
  std::vector<uint8_t> c(16, 0);
  c[0] = op::kSpace16;
  c[1] = code;
  put_be64(&c[4], uint64_t(count));
  return c;
}
inline std::vector<uint8_t> locate10(uint32_t lba) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op::kLocate10;
  put_be32(&c[3], lba);
  return c;
}
inline std::vector<uint8_t> locate16(uint8_t dest_type, uint64_t id) {
  std::vector<uint8_t> c(16, 0);
  c[0] = op::kLocate16;
  c[1] = uint8_t(dest_type << 3);
  put_be64(&c[4], id);
  return c;
}
inline std::vector<uint8_t> read_position(uint8_t sa, uint16_t alloc = 0) {
  std::vector<uint8_t> c(10, 0);
  c[0] = op::kReadPosition;
  c[1] = sa;
  put_be16(&c[7], alloc);
  return c;
}
inline std::vector<uint8_t> rewind_cdb() { return cdb6(op::kRewind, 0, 0); }
inline std::vector<uint8_t> load_unload(uint8_t b4) {
  std::vector<uint8_t> c(6, 0);
  c[0] = op::kLoadUnload;
  c[4] = b4;
  return c;
}
inline std::vector<uint8_t> prevent(bool on) {
  std::vector<uint8_t> c(6, 0);
  c[0] = op::kPreventAllow;
  c[4] = on ? 1 : 0;
  return c;
}

inline std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(seed + i * 7 + (i >> 8));
  return v;
}

// A drive made by the factory with a fresh cartridge in it.
struct Drive {
  TempDir dir;
  FakeHost host;
  std::unique_ptr<Node> options = Node::map();
  DevicePtr dev;
  Status status = Status::error;
  std::string medium;
  TapeDevice* tape() const { return static_cast<TapeDevice*>(dev.get()); }

  // Runs a command (Data-Out from `out`), asserting it completes once. The
  // buffer length comes from data_length() like the core does, or `len`.
  std::unique_ptr<FakeCommand> exec(std::vector<uint8_t> cdb,
                                    const std::vector<uint8_t>* out = nullptr,
                                    uint64_t nexus = 1, int64_t len = -1) {
    uint32_t n = 0;
    if (len >= 0) {
      n = uint32_t(len);
    } else {
      SenseInfo s{};
      if (!dev->data_length({cdb.data(), cdb.size()}, &n, &s)) n = 0;
    }
    auto c = std::make_unique<FakeCommand>(std::move(cdb), n, nexus);
    if (out) std::memcpy(c->data().data(), out->data(), std::min<size_t>(n, out->size()));
    dev->execute(c.get());
    EXPECT_EQ(c->completions(), 1);
    return c;
  }
};

inline std::unique_ptr<Drive> make_drive(uint64_t capacity = 8u << 20,
                                         std::map<std::string, std::string> extra = {}) {
  auto d = std::make_unique<Drive>();
  d->medium = d->dir.file("A00001L8.tape");
  d->options->set("medium", d->medium);
  d->options->child("create_medium")
      .set("barcode", "A00001L8")
      .set("capacity", std::to_string(capacity));
  for (auto& [k, v] : extra) d->options->set(k, v);
  IDevice* dev = nullptr;
  d->status = create_tape_device(&d->host, d->options.get(), &dev);
  d->dev.reset(dev);
  return d;
}

// INFORMATION with VALID, as the fixed-format field carries it.
inline void expect_info(const FakeCommand& c, uint32_t info) {
  EXPECT_TRUE(c.sense().flags & SenseFlags::info_valid);
  EXPECT_EQ(uint32_t(c.sense().information), info);
}

inline uint64_t position(Drive& d) {
  auto c = d.exec(read_position(op::kRpLong));
  EXPECT_GOOD(c);
  return get_be64(c->data().data() + 8);
}

}  // namespace nexus::tape::test
