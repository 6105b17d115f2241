// Test doubles for the changer: a config tree, a host with peer devices, a
// command, and tape drives that implement IRemovableMedium.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "changer_device.h"
#include "changer_factory.h"
#include "device_test_fakes.h"
#include "nexus/bytes.hpp"

namespace nexus::changer::test {

using nexus::test::DevicePtr;
// These tests compare the Data-In produced.
using FakeCommand = nexus::test::DataInCommand;
using nexus::test::expect_sense;
using nexus::test::TempDir;

// A YAML-like node tree. Errors are recorded as "<path>: <message>".
class Node final : public IConfigNode {
 public:
  using Ptr = std::shared_ptr<Node>;
  static Ptr s(std::string v) {
    auto n = std::make_shared<Node>(NodeKind::scalar);
    n->scalar_ = std::move(v);
    return n;
  }
  static Ptr seq(std::vector<Ptr> items) {
    auto n = std::make_shared<Node>(NodeKind::sequence);
    for (auto& i : items) n->kids_.push_back({"", i});
    return n;
  }
  static Ptr map(std::vector<std::pair<std::string, Ptr>> items) {
    auto n = std::make_shared<Node>(NodeKind::map);
    n->kids_ = std::move(items);
    return n;
  }
  explicit Node(NodeKind k) : kind_(k) {}

  // Sets paths and the error sink of the whole tree.
  void finish(std::vector<std::string>* errors, const std::string& path = "options") {
    errors_ = errors;
    path_ = path;
    missing_ = std::make_shared<Node>(NodeKind::missing);
    missing_->errors_ = errors;
    missing_->path_ = path + ".<missing>";
    for (size_t i = 0; i < kids_.size(); ++i)
      kids_[i].second->finish(errors, kind_ == NodeKind::map
                                          ? path + "." + kids_[i].first
                                          : path + "[" + std::to_string(i) + "]");
  }

  NodeKind kind() const noexcept override { return kind_; }
  Str scalar() const noexcept override { return to_str(scalar_); }
  uint32_t size() const noexcept override { return uint32_t(kids_.size()); }
  const IConfigNode* at(uint32_t i) const noexcept override {
    return i < kids_.size() ? kids_[i].second.get() : missing_.get();
  }
  Str key_at(uint32_t i) const noexcept override {
    return i < kids_.size() ? to_str(kids_[i].first) : Str{"", 0};
  }
  const IConfigNode* get(Str key) const noexcept override {
    for (auto& [k, v] : kids_)
      if (k == to_sv(key)) return v.get();
    return missing_.get();
  }
  void error(Str m) const noexcept override {
    errors_->push_back(path_ + ": " + std::string(to_sv(m)));
  }

 private:
  NodeKind kind_;
  std::string scalar_;
  std::vector<std::pair<std::string, Ptr>> kids_;
  std::vector<std::string>* errors_ = nullptr;
  std::string path_;
  Ptr missing_;
};

// A tape drive as the changer sees it.
class FakeTape final : public IDevice, public IRemovableMedium {
 public:
  explicit FakeTape(std::string serial) : serial_(std::move(serial)) {}
  Status info(DeviceInfo* out) noexcept override {
    DeviceInfo d{};
    d.struct_size = sizeof d;
    d.type = PeripheralType::tape;
    std::strcpy(d.vendor, "IBM");
    std::strcpy(d.product, "ULT3580-TD8");
    std::strcpy(d.revision, "0001");
    std::snprintf(d.serial, sizeof d.serial, "%s", serial_.c_str());
    *out = d;
    return Status::ok;
  }
  uint32_t opcodes(const OpcodeInfo** rows) noexcept override {
    *rows = nullptr;
    return 0;
  }
  void execute(IDeviceCommand*) noexcept override {}
  bool data_length(ConstByteSpan, uint32_t*, SenseInfo*) noexcept override { return false; }
  Status vpd_page(uint8_t, ByteSpan, uint32_t*) noexcept override { return Status::unsupported; }
  uint32_t mode_pages(const ModePageId**) noexcept override { return 0; }
  Status mode_page(ModePageId, ModePageControl, ByteSpan, uint32_t*) noexcept override {
    return Status::unsupported;
  }
  Status mode_select_page(ModePageId, ConstByteSpan, SenseInfo*) noexcept override {
    return Status::unsupported;
  }
  Status block_descriptor(BlockDescriptor*) noexcept override { return Status::unsupported; }
  Status set_block_descriptor(const BlockDescriptor*, SenseInfo*) noexcept override {
    return Status::unsupported;
  }
  void abort(IDeviceCommand*) noexcept override {}
  void reset(ResetKind) noexcept override {}
  void destroy() noexcept override {}
  IRemovableMedium* removable_medium() noexcept override { return this; }

  Status load(Str path, bool wp) noexcept override {
    ++loads;
    if (state_ != MediumState::empty) return Status::busy;
    if (fail_load) return Status::io_error;
    path_ = std::string(to_sv(path));
    wp_ = wp;
    state_ = MediumState::loaded;
    return Status::ok;
  }
  Status unload(bool force) noexcept override {
    ++unloads;
    if (!force && (prevented || state_ == MediumState::loaded)) return Status::busy;
    state_ = MediumState::empty;
    path_.clear();
    return Status::ok;
  }
  MediumState state() const noexcept override { return state_; }
  Str medium_path() const noexcept override { return to_str(path_); }
  bool removal_prevented() const noexcept override { return prevented; }

  // What LOAD UNLOAD with LOAD=0 does on the real drive.
  void eject() { state_ = MediumState::unloaded; }
  const std::string& path() const { return path_; }
  bool write_protected() const { return wp_; }

  bool prevented = false;
  bool fail_load = false;
  int loads = 0, unloads = 0;

 private:
  std::string serial_;
  std::string path_;
  bool wp_ = false;
  MediumState state_ = MediumState::empty;
};

class FakeHost final : public IDeviceHost {
 public:
  Str name() const noexcept override { return to_str(name_); }
  Str state_dir() const noexcept override { return to_str(state_dir_); }
  bool check_only() const noexcept override { return check_only_; }
  void log(LogLevel l, Str m) noexcept override {
    logs.push_back(std::string(l >= LogLevel::warn ? "W " : "I ") + std::string(to_sv(m)));
  }
  void raise_ua(UaScope, uint64_t, uint8_t, uint8_t) noexcept override {}
  IReactor* current_reactor() noexcept override { return nullptr; }
  uint32_t reactor_count() const noexcept override { return 0; }
  IReactor* reactor(uint32_t) noexcept override { return nullptr; }
  IDevice* peer_device(Str name) noexcept override {
    auto it = peers.find(std::string(to_sv(name)));
    return it == peers.end() ? nullptr : it->second;
  }
  bool logged(const std::string& prefix_and_text) const {
    for (auto& l : logs)
      if (l.find(prefix_and_text) != std::string::npos) return true;
    return false;
  }

  std::string name_ = "library0";
  std::string state_dir_;
  bool check_only_ = false;
  std::map<std::string, IDevice*> peers;
  std::vector<std::string> logs;
};

}  // namespace nexus::changer::test
