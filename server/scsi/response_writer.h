// Builds parameter data of any length into a possibly shorter buffer: bytes
// past the end are dropped, so encoders write full lengths into their
// headers and the ALLOCATION LENGTH truncation of SPC-4 4.2.5.6 falls out.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace nexus::scsi {

class ResponseWriter {
 public:
  // Zero-fills `out`: reserved fields are then zero without further code.
  explicit ResponseWriter(std::span<uint8_t> out) noexcept : out_(out) {
    if (!out_.empty()) std::memset(out_.data(), 0, out_.size());
  }

  size_t capacity() const noexcept { return out_.size(); }

  void u8(size_t off, uint8_t v) noexcept {
    if (off < out_.size()) out_[off] = v;
  }
  void or8(size_t off, uint8_t v) noexcept {
    if (off < out_.size()) out_[off] |= v;
  }
  void be16(size_t off, uint16_t v) noexcept { be(off, v, 2); }
  void be24(size_t off, uint32_t v) noexcept { be(off, v, 3); }
  void be32(size_t off, uint32_t v) noexcept { be(off, v, 4); }
  void be64(size_t off, uint64_t v) noexcept { be(off, v, 8); }
  void be(size_t off, uint64_t v, unsigned n) noexcept {
    for (unsigned i = 0; i < n; ++i) u8(off + i, uint8_t(v >> (8 * (n - 1 - i))));
  }
  void bytes(size_t off, std::span<const uint8_t> src) noexcept {
    if (off >= out_.size()) return;
    size_t k = std::min(src.size(), out_.size() - off);
    if (k) std::memcpy(out_.data() + off, src.data(), k);
  }
  void text(size_t off, std::string_view s) noexcept {
    bytes(off, {reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  }
  // ASCII field of n bytes, space padded (SPC-4 4.4.1).
  void padded(size_t off, size_t n, std::string_view s) noexcept {
    if (s.size() > n) s = s.substr(0, n);
    text(off, s);
    for (size_t i = s.size(); i < n; ++i) u8(off + i, ' ');
  }
  // The part of the buffer from `off` on (empty past the end).
  std::span<uint8_t> tail(size_t off) noexcept {
    return off < out_.size() ? out_.subspan(off) : std::span<uint8_t>{};
  }
  // Bytes of a response of `total` bytes that actually fit.
  uint32_t returned(size_t total) const noexcept { return uint32_t(std::min(total, out_.size())); }

 private:
  std::span<uint8_t> out_;
};

// The buffer limited to the CDB's ALLOCATION LENGTH.
inline std::span<uint8_t> limit(std::span<uint8_t> buf, uint64_t allocation_length) noexcept {
  return buf.first(size_t(std::min<uint64_t>(buf.size(), allocation_length)));
}

}  // namespace nexus::scsi
