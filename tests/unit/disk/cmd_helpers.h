// Shared helpers of the command tests.
#pragma once

#include <gtest/gtest.h>

#include "disk_opcodes.h"
#include "fakes.h"

namespace nexus::disk::test {

inline std::unique_ptr<FakeCommand> exec(IDevice* dev, std::vector<uint8_t> cdb, uint32_t len,
                                         const std::vector<uint8_t>* out = nullptr,
                                         FakeReactor* reactor = nullptr, int segments = 2) {
  auto c = std::make_unique<FakeCommand>(std::move(cdb), len, segments);
  size_t k = out ? std::min<size_t>(len, out->size()) : 0;
  if (k) std::memcpy(c->data().data(), out->data(), k);
  run(dev, *c, reactor);
  EXPECT_EQ(c->completions, 1);
  return c;
}

#define EXPECT_GOOD(c)                                                                        \
  EXPECT_EQ((c)->status(), ScsiStatus::good)                                                  \
      << "sense " << int((c)->sense().key) << "/" << std::hex << int((c)->sense().asc) << "/" \
      << int((c)->sense().ascq)

inline void expect_sense(const FakeCommand& c, SenseKey key, uint8_t asc, uint8_t ascq) {
  EXPECT_EQ(c.status(), ScsiStatus::check_condition);
  EXPECT_EQ(c.sense().key, key);
  EXPECT_EQ(c.sense().asc, asc) << std::hex << int(c.sense().asc);
  EXPECT_EQ(c.sense().ascq, ascq);
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
