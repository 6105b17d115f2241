// A library under test: 2 fake tape drives, 10 slots, 2 import/export
// slots, cartridges with media files in a scratch directory.
#pragma once

#include "changer_opcodes.h"
#include "fakes.h"

namespace nexus::changer::test {

struct CartSpec {
  std::string barcode;
  std::string key;  // "slot" or "import_export"
  int n;
  bool wp = false;
};

inline std::vector<CartSpec> default_carts() {
  return {{"A00001L8", "slot", 1},
          {"A00002L8", "slot", 2},
          {"A00003L8", "slot", 3, true},
          {"CLN001L1", "slot", 10},
          {"B00001L8", "import_export", 2}};
}

inline Node::Ptr library_options(const std::string& media_dir, const std::vector<CartSpec>& carts,
                                 int slots = 10, int ie = 2,
                                 std::vector<std::pair<std::string, Node::Ptr>> extra = {}) {
  std::vector<Node::Ptr> cs;
  for (auto& c : carts) {
    std::vector<std::pair<std::string, Node::Ptr>> m = {{"barcode", Node::s(c.barcode)},
                                                        {c.key, Node::s(std::to_string(c.n))}};
    if (c.wp) m.push_back({"write_protect", Node::s("true")});
    cs.push_back(Node::map(m));
  }
  std::vector<std::pair<std::string, Node::Ptr>> o = {
      {"drives", Node::seq({Node::s("tape0"), Node::s("tape1")})},
      {"slots", Node::s(std::to_string(slots))},
      {"import_export", Node::s(std::to_string(ie))},
      {"media_dir", Node::s(media_dir)},
      {"cartridges", Node::seq(cs)}};
  for (auto& e : extra) o.push_back(e);
  return Node::map(o);
}

class Library {
 public:
  explicit Library(std::vector<CartSpec> carts = default_carts()) : carts_(std::move(carts)) {
    for (auto& c : carts_) media.touch(c.barcode + ".tape");
    host.state_dir_ = state.path();
    host.peers["tape0"] = &tape0;
    host.peers["tape1"] = &tape1;
  }
  // (Re)creates the device, as a server restart would.
  Status start(Node::Ptr options = nullptr) {
    dev.reset();
    errors.clear();
    options_ = options ? options : library_options(media.path(), carts_);
    options_->finish(&errors);
    IDevice* d = nullptr;
    Status st = create_changer_device(&host, options_.get(), &d);
    dev.reset(d);
    return st;
  }
  ChangerDevice* changer() { return static_cast<ChangerDevice*>(dev.get()); }

  std::unique_ptr<FakeCommand> exec(std::vector<uint8_t> cdb, uint32_t len = 0,
                                    uint64_t nexus = 1) {
    auto c = std::make_unique<FakeCommand>(std::move(cdb), len, nexus);
    dev->execute(c.get());
    EXPECT_EQ(c->completions(), 1);
    return c;
  }
  std::string path_of(const std::string& barcode) const { return media.file(barcode + ".tape"); }

  TempDir media, state;
  FakeTape tape0{"SN0000000"}, tape1{"SN1111111"};
  FakeHost host;
  std::vector<std::string> errors;
  DevicePtr dev;

 private:
  std::vector<CartSpec> carts_;
  Node::Ptr options_;
};

// CDB builders (SMC-3 layouts).
inline std::vector<uint8_t> res_cdb(uint8_t type, bool voltag, uint16_t start, uint16_t count,
                                    uint32_t alloc, bool dvcid = false) {
  std::vector<uint8_t> c(12, 0);
  c[0] = op::kReadElementStatus;
  c[1] = uint8_t((voltag ? 0x10 : 0) | type);
  put_be16(&c[2], start);
  put_be16(&c[4], count);
  c[6] = dvcid ? 0x01 : 0;
  put_be24(&c[7], alloc);
  return c;
}
inline std::vector<uint8_t> move_cdb(uint16_t src, uint16_t dst, uint16_t transport = 0) {
  std::vector<uint8_t> c(12, 0);
  c[0] = op::kMoveMedium;
  put_be16(&c[2], transport);
  put_be16(&c[4], src);
  put_be16(&c[6], dst);
  return c;
}
inline std::vector<uint8_t> exchange_cdb(uint16_t src, uint16_t d1, uint16_t d2) {
  std::vector<uint8_t> c(12, 0);
  c[0] = op::kExchangeMedium;
  put_be16(&c[4], src);
  put_be16(&c[6], d1);
  put_be16(&c[8], d2);
  return c;
}

constexpr uint16_t kSlot1 = 0x1000, kIe1 = 0x0010, kDrive0 = 0x0100;

}  // namespace nexus::changer::test
