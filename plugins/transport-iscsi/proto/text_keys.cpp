#include "text_keys.h"

#include <algorithm>
#include <unordered_set>

namespace nexus::iscsi {

const char* to_string(TextError e) noexcept {
  switch (e) {
    case TextError::ok:
      return "ok";
    case TextError::missing_equals:
      return "key=value pair without '='";
    case TextError::empty_key:
      return "empty key";
    case TextError::key_too_long:
      return "key longer than 63 bytes";
    case TextError::bad_key_char:
      return "invalid character in key";
    case TextError::value_too_long:
      return "value too long";
    case TextError::too_much_data:
      return "text data too long";
    case TextError::duplicate_key:
      return "key repeated";
  }
  return "?";
}

namespace {
bool key_char_ok(char c) {
  // §6.1: key names are letters, digits, '.', '-', '+', '@', '_'.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '+' || c == '@' || c == '_';
}
}  // namespace

TextError parse_text(std::string_view data, KeyValues* out) {
  if (data.size() > kMaxTextLength) return TextError::too_much_data;
  std::unordered_set<std::string_view> seen;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\0', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view pair = data.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return TextError::missing_equals;
    std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
    if (key.empty()) return TextError::empty_key;
    if (key.size() > kMaxKeyLength) return TextError::key_too_long;
    if (!std::all_of(key.begin(), key.end(), key_char_ok)) return TextError::bad_key_char;
    if (value.size() > kMaxValueLength) return TextError::value_too_long;
    if (!seen.insert(key).second) return TextError::duplicate_key;
    out->push_back(KeyValue{std::string(key), std::string(value)});
  }
  return TextError::ok;
}

bool TextAccumulator::append(const uint8_t* data, size_t len, size_t limit) {
  if (buf_.size() + len > limit) return false;
  buf_.append(reinterpret_cast<const char*>(data), len);
  return true;
}

void append_pair(std::string* out, std::string_view key, std::string_view value) {
  out->append(key);
  out->push_back('=');
  out->append(value);
  out->push_back('\0');
}

std::string serialize(const KeyValues& kvs) {
  std::string s;
  for (const auto& kv : kvs) append_pair(&s, kv.key, kv.value);
  return s;
}

const KeyValue* find_key(const KeyValues& kvs, std::string_view key) {
  for (const auto& kv : kvs)
    if (kv.key == key) return &kv;
  return nullptr;
}

std::string_view TextSender::next(size_t max, bool* more) {
  size_t n = std::min(max, text_.size() - pos_);
  std::string_view chunk(text_.data() + pos_, n);
  pos_ += n;
  *more = pos_ < text_.size();
  return chunk;
}

bool parse_number(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    if (s.size() > 16) return false;
    for (char c : s) {
      int d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return false;
      v = (v << 4) | uint64_t(d);
    }
  } else {
    for (char c : s) {
      if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) return false;
      v = v * 10 + uint64_t(c - '0');
    }
  }
  *out = v;
  return true;
}

namespace {
int b64(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool parse_binary(std::string_view s, std::vector<uint8_t>* out) {
  out->clear();
  if (s.size() < 3 || s[0] != '0') return false;
  char kind = s[1];
  s.remove_prefix(2);
  if (kind == 'x' || kind == 'X') {
    // An odd digit count means a leading zero nibble was left out.
    size_t i = 0;
    if (s.size() % 2) {
      int d = hexval(s[0]);
      if (d < 0) return false;
      out->push_back(uint8_t(d));
      i = 1;
    }
    for (; i < s.size(); i += 2) {
      int hi = hexval(s[i]), lo = hexval(s[i + 1]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(uint8_t(hi << 4 | lo));
    }
    return true;
  }
  if (kind == 'b' || kind == 'B') {
    uint32_t acc = 0;
    int bits = 0;
    size_t pad = 0;
    for (char c : s) {
      if (c == '=') {
        ++pad;
        continue;
      }
      if (pad) return false;  // data after padding
      int v = b64(c);
      if (v < 0) return false;
      acc = (acc << 6) | uint32_t(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out->push_back(uint8_t(acc >> bits));
      }
    }
    return pad <= 2 && !out->empty();
  }
  return false;
}

std::string to_hex_value(const uint8_t* p, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s = "0x";
  s.reserve(2 + 2 * n);
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[p[i] >> 4]);
    s.push_back(kDigits[p[i] & 15]);
  }
  return s;
}

}  // namespace nexus::iscsi
