// Test doubles for the passthrough handler: a fake sg backend with recorded
// device responses, a host that records Unit Attentions and logs, an option
// tree, and a command that can be waited for (completion comes from a worker).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "device_test_fakes.h"
#include "nexus/bytes.hpp"
#include "passthrough_device.h"
#include "passthrough_factory.h"
#include "scsi_backend.h"

namespace nexus::passthrough::test {

using nexus::test::DevicePtr;
using nexus::test::expect_sense;
using nexus::test::FakeCommand;

using Bytes = std::vector<uint8_t>;

// What the fake device answers to CDBs starting with a prefix.
struct Reply {
  Reply() = default;
  explicit Reply(Bytes d) : data(std::move(d)) {}
  Bytes data;                 // Data-In (the residual is what it leaves short)
  uint8_t status = 0;         // SAM-5 status
  Bytes sense;
  Transport transport = Transport::ok;
  int os_err = 0;
};

inline Reply check(Bytes sense) {
  Reply r;
  r.status = uint8_t(ScsiStatus::check_condition);
  r.sense = std::move(sense);
  return r;
}

// Fixed-format sense (SPC-4 4.5.3).
inline Bytes fixed_sense(uint8_t key, uint8_t asc, uint8_t ascq, uint8_t marks = 0,
                         bool info_valid = false, uint32_t info = 0) {
  Bytes s(18, 0);
  s[0] = uint8_t(0x70 | (info_valid ? 0x80 : 0));
  s[2] = uint8_t(marks | key);
  put_be32(&s[3], info);
  s[7] = 10;
  s[12] = asc;
  s[13] = ascq;
  return s;
}

// The shared state of one fake device; the backend the handler owns talks
// to it, the test keeps it to script answers and read counters.
struct FakeDevice {
  std::mutex mu;
  std::map<Bytes, Reply> replies;          // longest matching prefix wins
  std::vector<std::pair<Bytes, Reply>> once;  // consumed by the first match
  bool present = true;
  int opens = 0, resets = 0;
  std::vector<Bytes> cdbs;                 // every CDB that reached the device
  std::vector<uint32_t> timeouts;
  Bytes last_data_out;
  uint32_t max_transfer = 0;
  std::string opened_path;
  bool opened_exclusive = false;

  void on(Bytes prefix, Reply r) {
    std::lock_guard l(mu);
    replies[std::move(prefix)] = std::move(r);
  }
  void on_once(Bytes prefix, Reply r) {
    std::lock_guard l(mu);
    once.emplace_back(std::move(prefix), std::move(r));
  }
  void set_present(bool p) {
    std::lock_guard l(mu);
    present = p;
  }
  int count(const Bytes& prefix) {
    std::lock_guard l(mu);
    int n = 0;
    for (auto& c : cdbs)
      if (c.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), c.begin())) ++n;
    return n;
  }
  uint32_t last_timeout() {
    std::lock_guard l(mu);
    return timeouts.empty() ? 0 : timeouts.back();
  }
};

inline bool starts_with(const Bytes& cdb, const Bytes& prefix) {
  return cdb.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), cdb.begin());
}

class FakeBackend final : public ScsiBackend {
 public:
  explicit FakeBackend(std::shared_ptr<FakeDevice> d) : d_(std::move(d)) {}
  bool open(const std::string& path, bool exclusive, std::string* error) override {
    std::lock_guard l(d_->mu);
    if (!d_->present) {
      *error = path + ": No such device";
      return false;
    }
    ++d_->opens;
    d_->opened_path = path;
    d_->opened_exclusive = exclusive;
    open_ = true;
    return true;
  }
  void close() override { open_ = false; }
  BackendResult execute(const BackendRequest& req) override {
    std::lock_guard l(d_->mu);
    BackendResult r;
    if (!d_->present || !open_) {
      r.transport = Transport::no_device;
      r.os_err = ENODEV;
      return r;
    }
    Bytes cdb(req.cdb.begin(), req.cdb.end());
    d_->cdbs.push_back(cdb);
    d_->timeouts.push_back(req.timeout_s);
    if (req.direction == DataDir::write) {
      d_->last_data_out.clear();
      for (const IoVec& v : req.iov) d_->last_data_out.insert(d_->last_data_out.end(), v.base, v.base + v.len);
      d_->last_data_out.resize(std::min<size_t>(d_->last_data_out.size(), req.length));
    }
    Reply rep = check(fixed_sense(0x5, 0x20, 0x00));  // INVALID COMMAND OPERATION CODE
    bool found = false;
    for (auto it = d_->once.begin(); it != d_->once.end(); ++it) {
      if (starts_with(cdb, it->first)) {
        rep = it->second;
        d_->once.erase(it);
        found = true;
        break;
      }
    }
    size_t best = 0;
    for (auto& [prefix, reply] : d_->replies) {
      if (found) break;
      if (starts_with(cdb, prefix) && prefix.size() >= best) {
        best = prefix.size();
        rep = reply;
      }
    }
    r.transport = rep.transport;
    r.os_err = rep.os_err;
    r.status = rep.status;
    r.sense_len = uint8_t(std::min<size_t>(rep.sense.size(), r.sense.size()));
    std::memcpy(r.sense.data(), rep.sense.data(), r.sense_len);
    uint32_t produced = 0;
    if (req.direction == DataDir::read) {
      size_t n = std::min<size_t>(rep.data.size(), req.length);
      for (const IoVec& v : req.iov) {
        if (produced >= n) break;
        size_t k = std::min<size_t>(v.len, n - produced);
        std::memcpy(v.base, rep.data.data() + produced, k);
        produced += uint32_t(k);
      }
      r.resid = int32_t(req.length - produced);
    }
    return r;
  }
  bool reset_device(std::string*) override {
    std::lock_guard l(d_->mu);
    ++d_->resets;
    return true;
  }
  uint32_t max_transfer_bytes() override {
    std::lock_guard l(d_->mu);
    return d_->max_transfer;
  }

 private:
  std::shared_ptr<FakeDevice> d_;
  std::atomic<bool> open_{false};
};

struct RaisedUa {
  UaScope scope;
  uint64_t nexus;
  uint8_t asc, ascq;
  bool operator==(const RaisedUa& o) const {
    return scope == o.scope && nexus == o.nexus && asc == o.asc && ascq == o.ascq;
  }
};

class FakeHost final : public IDeviceHost {
 public:
  Str name() const noexcept override { return to_str(name_); }
  Str state_dir() const noexcept override { return to_str("/tmp"); }
  bool check_only() const noexcept override { return check_only_; }
  void log(LogLevel, Str m) noexcept override {
    std::lock_guard l(mu_);
    logs_.emplace_back(to_sv(m));
  }
  void raise_ua(UaScope s, uint64_t n, uint8_t asc, uint8_t ascq) noexcept override {
    std::lock_guard l(mu_);
    uas_.push_back({s, n, asc, ascq});
  }
  IReactor* current_reactor() noexcept override { return nullptr; }
  uint32_t reactor_count() const noexcept override { return 0; }
  IReactor* reactor(uint32_t) noexcept override { return nullptr; }

  std::vector<RaisedUa> uas() {
    std::lock_guard l(mu_);
    return uas_;
  }
  bool has_ua(RaisedUa u) {
    std::lock_guard l(mu_);
    return std::find(uas_.begin(), uas_.end(), u) != uas_.end();
  }
  bool logged(const std::string& needle) {
    std::lock_guard l(mu_);
    for (auto& s : logs_)
      if (s.find(needle) != std::string::npos) return true;
    return false;
  }
  std::string all_logs() {
    std::lock_guard l(mu_);
    std::string s;
    for (auto& x : logs_) s += x + "\n";
    return s;
  }

  std::string name_ = "tape0";
  bool check_only_ = false;

 private:
  std::mutex mu_;
  std::vector<std::string> logs_;
  std::vector<RaisedUa> uas_;
};

// A configuration node: missing, a scalar, or a map. Errors are recorded as
// "key: message" like the core prints them.
class Node final : public IConfigNode {
 public:
  Node() = default;
  Node(std::string key, std::string scalar)
      : kind_(NodeKind::scalar), key_(std::move(key)), scalar_(std::move(scalar)) {}
  static std::unique_ptr<Node> map() {
    auto n = std::make_unique<Node>();
    n->kind_ = NodeKind::map;
    n->key_ = "options";
    return n;
  }
  Node& set(const std::string& key, const std::string& value) {
    keys_.push_back(key);
    kids_.push_back(std::make_unique<Node>(key, value));
    kids_.back()->errors_ = errors_;
    return *this;
  }
  NodeKind kind() const noexcept override { return kind_; }
  Str scalar() const noexcept override { return to_str(scalar_); }
  uint32_t size() const noexcept override { return uint32_t(kids_.size()); }
  const IConfigNode* at(uint32_t i) const noexcept override {
    return i < kids_.size() ? kids_[i].get() : missing();
  }
  Str key_at(uint32_t i) const noexcept override {
    return i < keys_.size() ? to_str(keys_[i]) : Str{"", 0};
  }
  const IConfigNode* get(Str key) const noexcept override {
    for (size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == to_sv(key)) return kids_[i].get();
    return missing();
  }
  void error(Str m) const noexcept override {
    errors_->push_back(key_ + ": " + std::string(to_sv(m)));
  }
  std::string all_errors() const {
    std::string s;
    for (auto& e : *errors_) s += e + "\n";
    return s;
  }

 private:
  const IConfigNode* missing() const {
    static Node m;
    return &m;
  }
  NodeKind kind_ = NodeKind::missing;
  std::string key_;
  std::string scalar_;
  std::vector<std::string> keys_;
  std::vector<std::unique_ptr<Node>> kids_;
  std::shared_ptr<std::vector<std::string>> errors_ = std::make_shared<std::vector<std::string>>();
};

// --- Recorded identities ---
inline Bytes std_inquiry(uint8_t pdt, bool rmb, uint8_t version, const char* vendor,
                         const char* product, const char* rev) {
  Bytes d(96, ' ');
  d[0] = pdt;
  d[1] = rmb ? 0x80 : 0;
  d[2] = version;
  d[3] = 0x12;  // HiSup (the core must not copy it), response data format 2
  d[4] = 91;
  d[5] = 0x30;  // TPGS=11b: not Nexus's to claim
  d[6] = 0x10;  // MultiP
  d[7] = 0x02;  // CmdQue
  auto put = [&](size_t off, size_t len, const char* s) {
    for (size_t i = 0; i < len && s[i]; ++i) d[off + i] = uint8_t(s[i]);
  };
  put(8, 8, vendor);
  put(16, 16, product);
  put(32, 4, rev);
  return d;
}
inline Bytes vpd(uint8_t page, Bytes body) {
  Bytes d = {0x01, page, 0, 0};
  put_be16(&d[2], uint16_t(body.size()));
  d.insert(d.end(), body.begin(), body.end());
  return d;
}
inline Bytes serial_page(const std::string& s) { return vpd(0x80, Bytes(s.begin(), s.end())); }
inline Bytes naa_page(uint64_t naa) {
  Bytes b = {0x01, 0x03, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};
  put_be64(&b[4], naa);
  // A target port designator (association 01b) that must not be taken.
  Bytes tp = {0x61, 0x93, 0x00, 0x08, 0x50, 0, 0, 0, 0, 0, 0, 0x99};
  tp.insert(tp.end(), b.begin(), b.end());
  return vpd(0x83, tp);
}

// Scripts a tape drive: IBM ULT3580-TD5, variable-block mode.
inline void script_tape(FakeDevice& d, const std::string& serial = "1013000123",
                        uint64_t naa = 0x5000E11156D70001ull, uint32_t block_len = 0) {
  d.on({0x12, 0x00}, Reply{std_inquiry(0x01, true, 0x07, "IBM", "ULT3580-TD5", "B170")});
  d.on({0x12, 0x01, 0x00}, Reply{vpd(0x00, {0x00, 0x80, 0x83, 0x86, 0xB0, 0xC0})});
  d.on({0x12, 0x01, 0x80}, Reply{serial_page(serial)});
  d.on({0x12, 0x01, 0x83}, Reply{naa_page(naa)});
  d.on({0x12, 0x01, 0x86}, Reply{vpd(0x86, Bytes(60, 0xFF))});
  d.on({0x12, 0x01, 0xB0}, Reply{vpd(0xB0, {0x00, 0x00})});
  d.on({0x12, 0x01, 0xC0}, Reply{vpd(0xC0, {'F', 'W', '1'})});
  d.on({0x00}, Reply{});  // TEST UNIT READY: GOOD
  Bytes ms = {11, 0, 0x10, 8, 0x58, 0, 0, 0, 0, 0, 0, 0};
  put_be24(&ms[9], block_len);
  d.on({0x1A}, Reply{ms});
}

// Scripts a disk: 4096-byte blocks, 1000 of them.
inline void script_disk(FakeDevice& d) {
  d.on({0x12, 0x00}, Reply{std_inquiry(0x00, false, 0x06, "ATA", "SAMSUNG SSD", "1B6Q")});
  d.on({0x12, 0x01, 0x00}, Reply{vpd(0x00, {0x00, 0x80, 0x83, 0xB0})});
  d.on({0x12, 0x01, 0x80}, Reply{serial_page("S3Z1NB0K")});
  d.on({0x12, 0x01, 0x83}, Reply{naa_page(0x5002538E40A1B2C3ull)});
  Bytes b0(60, 0);
  put_be32(&b0[4], 0xFFFF);  // MAXIMUM TRANSFER LENGTH (device): huge
  d.on({0x12, 0x01, 0xB0}, Reply{vpd(0xB0, b0)});
  d.on({0x00}, Reply{});
  Bytes rc = {0, 0, 0x03, 0xE7, 0, 0, 0x10, 0};  // last LBA 999, 4096 bytes
  d.on({0x25}, Reply{rc});
}

inline bool identity_resolver(const std::string& path, std::string* sg, std::string* error) {
  if (path.find("missing") != std::string::npos) {
    *error = path + ": No such file or directory";
    return false;
  }
  *sg = path;
  return true;
}

// A handler made by the factory on a fake device.
struct Harness {
  std::shared_ptr<FakeDevice> fake = std::make_shared<FakeDevice>();
  FakeHost host;
  std::unique_ptr<Node> options = Node::map();
  DevicePtr dev;
  Status status = Status::error;

  PassthroughDevice* pt() const { return static_cast<PassthroughDevice*>(dev.get()); }

  Status create() {
    IDevice* raw = nullptr;
    auto f = fake;
    status = create_passthrough_device(
        &host, options.get(), [f] { return std::make_unique<FakeBackend>(f); },
        identity_resolver, &raw);
    dev.reset(raw);
    return status;
  }

  // Runs a command to completion; `len` is the data buffer the core would
  // size (data_length() for LengthUnit::device rows).
  std::unique_ptr<FakeCommand> exec(Bytes cdb, uint32_t len = 0, uint64_t nexus = 1,
                                    const Bytes* out = nullptr, bool aborted = false) {
    auto c = std::make_unique<FakeCommand>(std::move(cdb), len, nexus);
    if (out) std::memcpy(c->data().data(), out->data(), std::min<size_t>(len, out->size()));
    c->aborted_ = aborted;
    dev->execute(c.get());
    EXPECT_TRUE(c->wait()) << "command did not complete";
    EXPECT_EQ(c->completions(), 1);
    return c;
  }
};

inline std::unique_ptr<Harness> make_tape(std::map<std::string, std::string> opts = {},
                                          uint32_t block_len = 0) {
  auto h = std::make_unique<Harness>();
  script_tape(*h->fake, "1013000123", 0x5000E11156D70001ull, block_len);
  h->options->set("path", "/dev/sg3");
  for (auto& [k, v] : opts) h->options->set(k, v);
  h->create();
  return h;
}

inline std::unique_ptr<Harness> make_disk(std::map<std::string, std::string> opts = {}) {
  auto h = std::make_unique<Harness>();
  h->host.name_ = "disk0";
  script_disk(*h->fake);
  h->options->set("path", "/dev/sg1");
  for (auto& [k, v] : opts) h->options->set(k, v);
  h->create();
  return h;
}

// Polls `pred` for up to 5 s (work done on the handler's own threads).
template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 500; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace nexus::passthrough::test
