// Shared helpers of the command tests.
#pragma once

#include <gtest/gtest.h>

#include "disk_opcodes.h"
#include "fakes.h"

namespace nexus::disk::test {

inline std::unique_ptr<FakeCommand> exec(IDevice* dev, std::vector<uint8_t> cdb, uint32_t len,
                                         const std::vector<uint8_t>* out = nullptr,
                                         FakeReactor* reactor = nullptr, int segments = 2) {
  auto c = std::make_unique<FakeCommand>(std::move(cdb), len, /*nexus=*/1, segments);
  size_t k = out ? std::min<size_t>(len, out->size()) : 0;
  if (k) std::memcpy(c->data().data(), out->data(), k);
  run(dev, *c, reactor);
  EXPECT_EQ(c->completions(), 1);
  return c;
}

// Writes `data` at lba with WRITE(16) and checks GOOD.
inline void write_blocks(IDevice* dev, uint64_t lba, const std::vector<uint8_t>& data, uint32_t bs,
                         FakeReactor* r = nullptr) {
  auto c = exec(dev, cdb16(op::kWrite16, lba, uint32_t(data.size() / bs)), uint32_t(data.size()),
                &data, r);
  EXPECT_GOOD(c);
}

inline std::vector<uint8_t> read_blocks(IDevice* dev, uint64_t lba, uint32_t n, uint32_t bs,
                                        FakeReactor* r = nullptr) {
  auto c = exec(dev, cdb16(op::kRead16, lba, n), n * bs, nullptr, r);
  EXPECT_GOOD(c);
  EXPECT_EQ(c->transfer(), n * bs);
  return c->data();
}

}  // namespace nexus::disk::test
