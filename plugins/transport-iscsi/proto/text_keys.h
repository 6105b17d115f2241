// iSCSI text key=value data (RFC 7143 §6.1): NUL-terminated pairs, possibly
// split across PDUs with the C (continue) bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::iscsi {

struct KeyValue {
  std::string key;
  std::string value;
  bool operator==(const KeyValue&) const = default;
};
using KeyValues = std::vector<KeyValue>;

enum class TextError : uint8_t {
  ok = 0,
  missing_equals,  // a pair without '='
  empty_key,
  key_too_long,  // > 63 bytes (§6.1)
  bad_key_char,
  value_too_long,  // > kMaxValueLength
  too_much_data,   // accumulated text above the limit
  duplicate_key,
};
const char* to_string(TextError e) noexcept;

constexpr size_t kMaxKeyLength = 63;
// §6.1 caps values at 255 bytes, but CHAP binary values are hex encoded and
// may be longer (§12.1.3 allows 1024-byte challenges): allow the encoding.
constexpr size_t kMaxValueLength = 8192;
constexpr size_t kMaxTextLength = 64 * 1024;

// Parses a complete text segment. Empty pairs (stray NULs, padding) are
// skipped; the final pair may lack its NUL. Duplicate keys are an error
// (a key is negotiated once per exchange, §6.2).
TextError parse_text(std::string_view data, KeyValues* out);

// Collects the data of a PDU sequence joined by the C bit.
class TextAccumulator {
 public:
  // Appends one PDU's data; false when the total would exceed the limit.
  bool append(const uint8_t* data, size_t len, size_t limit = kMaxTextLength);
  std::string_view text() const { return buf_; }
  void clear() { buf_.clear(); }
  bool empty() const { return buf_.empty(); }

 private:
  std::string buf_;
};

void append_pair(std::string* out, std::string_view key, std::string_view value);
std::string serialize(const KeyValues& kvs);
const KeyValue* find_key(const KeyValues& kvs, std::string_view key);

// Hands out a long response in pieces no larger than the peer's
// MaxRecvDataSegmentLength (the remainder goes out with C=1 exchanges).
class TextSender {
 public:
  void set(std::string text) {
    text_ = std::move(text);
    pos_ = 0;
  }
  // Next chunk of at most max bytes; *more = bytes remain after it.
  std::string_view next(size_t max, bool* more);
  bool pending() const { return pos_ < text_.size(); }
  void clear() {
    text_.clear();
    pos_ = 0;
  }

 private:
  std::string text_;
  size_t pos_ = 0;
};

// Numeric values (§6.1): decimal or 0x-hex; false on garbage or overflow.
bool parse_number(std::string_view s, uint64_t* out);
// Binary values: 0x hex or 0b base64 (§6.1).
bool parse_binary(std::string_view s, std::vector<uint8_t>* out);
std::string to_hex_value(const uint8_t* p, size_t n);  // "0x..."

}  // namespace nexus::iscsi
