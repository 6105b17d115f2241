// Random CDB fields never crash the handler and always complete once; the
// map keeps every cartridge exactly once.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "library_fixture.h"

namespace nexus::changer::test {
namespace {

TEST(ChangerRobustness, RandomCdbsCompleteOnceAndKeepEveryCartridge) {
  Library lib;
  ASSERT_EQ(lib.start(), Status::ok);
  std::mt19937 rng(4242);
  const uint8_t ops[] = {op::kReadElementStatus,
                         op::kMoveMedium,
                         op::kExchangeMedium,
                         op::kPositionToElement,
                         op::kInitializeElementStatusWithRange,
                         op::kPreventAllowMediumRemoval,
                         op::kInitializeElementStatus};
  // Addresses near the element ranges hit more interesting cases.
  const uint16_t near[] = {0x0000, 0x0010, 0x0011, 0x0012, 0x0100, 0x0101, 0x0102,
                           0x1000, 0x1001, 0x1004, 0x1009, 0x100A, 0xFFFF};
  for (int i = 0; i < 3000; ++i) {
    uint8_t opc = ops[rng() % std::size(ops)];
    size_t len = opc == op::kInitializeElementStatus || opc == op::kPreventAllowMediumRemoval ? 6
                 : opc == op::kPositionToElement || opc == op::kInitializeElementStatusWithRange
                     ? 10
                     : 12;
    std::vector<uint8_t> cdb(len);
    for (auto& b : cdb) b = uint8_t(rng());
    cdb[0] = opc;
    for (size_t off = 2; off + 1 < len - 2; off += 2)
      if (rng() % 2) put_be16(&cdb[off], near[rng() % std::size(near)]);
    if (rng() % 3 == 0) {  // let drives unload now and then
      lib.tape0.eject();
      lib.tape1.eject();
    }
    uint32_t alloc = rng() % 3 ? rng() % 2048 : 0;
    auto c = lib.exec(cdb, alloc);
    ASSERT_EQ(c->completions(), 1);
    ASSERT_LE(c->transfer(), alloc);
  }
  auto placed = lib.changer()->placements();
  std::set<std::string> barcodes;
  for (auto& p : placed) barcodes.insert(p.barcode);
  EXPECT_EQ(placed.size(), 5u);
  EXPECT_EQ(barcodes.size(), 5u);
  // Drives hold exactly what the map says.
  for (auto& [tape, addr] : {std::pair{&lib.tape0, kDrive0}, {&lib.tape1, uint16_t(kDrive0 + 1)}}) {
    std::string expect;
    for (auto& p : placed)
      if (p.address == addr) expect = lib.path_of(p.barcode);
    EXPECT_EQ(tape->path(), expect);
  }
}

}  // namespace
}  // namespace nexus::changer::test
