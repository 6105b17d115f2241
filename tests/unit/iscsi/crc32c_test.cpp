#include "crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace nexus::iscsi {
namespace {

// RFC 3720 Appendix B.4: the digest bytes as they appear on the wire.
uint32_t wire(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  uint8_t bytes[4] = {a, b, c, d};
  return get_digest(bytes);
}

struct Vector {
  std::vector<uint8_t> data;
  uint32_t crc;
};

std::vector<Vector> vectors() {
  std::vector<Vector> v;
  v.push_back({std::vector<uint8_t>(32, 0x00), wire(0xaa, 0x36, 0x91, 0x8a)});
  v.push_back({std::vector<uint8_t>(32, 0xff), wire(0x43, 0xab, 0xa8, 0x62)});
  std::vector<uint8_t> inc(32), dec(32);
  for (int i = 0; i < 32; ++i) {
    inc[i] = uint8_t(i);
    dec[i] = uint8_t(31 - i);
  }
  v.push_back({inc, wire(0x4e, 0x79, 0xdd, 0x46)});
  v.push_back({dec, wire(0x5c, 0xdb, 0x3f, 0x11)});
  v.push_back({{0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
               wire(0x56, 0x3a, 0x96, 0xd9)});
  return v;
}

TEST(Crc32c, Rfc3720Vectors) {
  for (const auto& v : vectors()) {
    EXPECT_EQ(crc32c(v.data.data(), v.data.size()), v.crc);
    EXPECT_EQ(crc32c_final(crc32c_update_portable(crc32c_init(), v.data.data(), v.data.size())),
              v.crc);
  }
}

TEST(Crc32c, CheckValue) { EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u); }

TEST(Crc32c, IncrementalAndUnalignedMatchOneShot) {
  std::vector<uint8_t> buf(4099);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = uint8_t(i * 131 + 7);
  for (size_t off : {0, 1, 3, 7}) {
    uint32_t one = crc32c(buf.data() + off, buf.size() - off);
    uint32_t s = crc32c_init();
    for (size_t i = off; i < buf.size(); i += 97)
      s = crc32c_update(s, buf.data() + i, std::min<size_t>(97, buf.size() - i));
    EXPECT_EQ(crc32c_final(s), one);
    EXPECT_EQ(
        crc32c_final(crc32c_update_portable(crc32c_init(), buf.data() + off, buf.size() - off)),
        one);
  }
}

TEST(Crc32c, EmptyInput) { EXPECT_EQ(crc32c(nullptr, 0), 0u); }

}  // namespace
}  // namespace nexus::iscsi
