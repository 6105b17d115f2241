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
#include "device_test_fakes.h"
#include "nexus/bytes.hpp"

namespace nexus::cdrom::test {

using nexus::test::DevicePtr;
// These tests compare the Data-In produced.
using FakeCommand = nexus::test::DataInCommand;
using nexus::test::expect_sense;
using nexus::test::FakeOptions;
using nexus::test::TempDir;

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
  EXPECT_EQ(c->completions(), 1);
  return c;
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
