#include "config_values.h"

#include <arpa/inet.h>

#include <cctype>

namespace nexus::server {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool all_hex(std::string_view s) {
  for (char c : s)
    if (!is_hex(c)) return false;
  return true;
}

std::string check_iqn(std::string_view name) {
  // iqn.YYYY-MM.<reversed domain>[:<unique string>]  (RFC 7143 §4.2.7.2 "iqn." format)
  std::string_view rest = name.substr(4);
  if (rest.size() < 8 || rest[4] != '-' || rest[7] != '.')
    return "iqn name must look like iqn.YYYY-MM.reversed.domain[:identifier]";
  for (int i : {0, 1, 2, 3, 5, 6})
    if (!std::isdigit(static_cast<unsigned char>(rest[i])))
      return "iqn date must be YYYY-MM (e.g. iqn.2026-01.com.example)";
  int month = (rest[5] - '0') * 10 + (rest[6] - '0');
  if (month < 1 || month > 12) return "iqn date has an invalid month";
  rest = rest.substr(8);
  std::string_view authority = rest.substr(0, rest.find(':'));
  if (authority.empty()) return "iqn name lacks the reversed domain name of the naming authority";
  size_t start = 0;
  while (start <= authority.size()) {
    size_t dot = authority.find('.', start);
    std::string_view label = authority.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return "iqn naming authority has an empty domain label";
    for (char c : label)
      if (!is_lower_alnum(c) && c != '-')
        return "iqn naming authority may contain only a-z, 0-9, '-' and '.'";
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

}  // namespace

std::string check_iscsi_name(std::string_view name) {
  if (name.empty()) return "iSCSI name is empty";
  // RFC 7143 §4.2.7.1: at most 223 bytes.
  if (name.size() > 223) return "iSCSI name is longer than 223 bytes";
  for (char c : name) {
    if (c >= 'A' && c <= 'Z' && !name.starts_with("eui.") && !name.starts_with("naa."))
      return "iSCSI names are lowercase (RFC 3722 normalization)";
    // ASCII subset of the RFC 3722 stringprep profile: letters, digits, '-', '.', ':'.
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != ':')
      return std::string("invalid character '") + c + "' in iSCSI name";
  }
  if (name.starts_with("iqn.")) return check_iqn(name);
  if (name.starts_with("eui.")) {
    std::string_view hex = name.substr(4);
    if (hex.size() != 16 || !all_hex(hex))
      return "eui name must be 'eui.' followed by 16 hex digits";
    return {};
  }
  if (name.starts_with("naa.")) {
    std::string_view hex = name.substr(4);
    if ((hex.size() != 16 && hex.size() != 32) || !all_hex(hex))
      return "naa name must be 'naa.' followed by 16 or 32 hex digits";
    return {};
  }
  return "iSCSI name must start with iqn., eui. or naa.";
}

std::optional<ParsedPortal> parse_portal(std::string_view text, std::string* error) {
  ParsedPortal p;
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (text.starts_with("[")) {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      *error = "portal '" + std::string(text) + "': missing ']' after the IPv6 address";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        *error = "portal '" + std::string(text) + "': expected ':port' after ']'";
        return std::nullopt;
      }
      port = after.substr(1);
      has_port = true;
    }
    in6_addr a6;
    if (!inet_pton(AF_INET6, std::string(host).c_str(), &a6)) {
      *error =
          "portal '" + std::string(text) + "': '" + std::string(host) + "' is not an IPv6 address";
      return std::nullopt;
    }
    p.ipv6 = true;
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      *error = "portal '" + std::string(text) +
               "': an IPv6 address must be written in brackets, e.g. [::1]:3260";
      return std::nullopt;
    }
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      has_port = true;
    }
    if (host.empty()) {
      *error = "portal '" + std::string(text) + "': missing host";
      return std::nullopt;
    }
    bool numeric = true;
    for (char c : host)
      if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') numeric = false;
    if (numeric) {
      in_addr a4;
      if (!inet_pton(AF_INET, std::string(host).c_str(), &a4)) {
        *error = "portal '" + std::string(text) + "': '" + std::string(host) +
                 "' is not an IPv4 address";
        return std::nullopt;
      }
    } else {
      for (char c : host) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
          *error = "portal '" + std::string(text) + "': invalid host name";
          return std::nullopt;
        }
      }
    }
  }
  if (has_port) {
    auto v = parse_uint(port);
    if (!v || *v < 1 || *v > 65535) {
      *error = "portal '" + std::string(text) + "': port must be a number from 1 to 65535";
      return std::nullopt;
    }
    p.port = uint16_t(*v);
  }
  p.host = std::string(host);
  return p;
}

std::optional<uint64_t> parse_uint(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  return v;
}

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "true" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "no" || s == "off") return false;
  return std::nullopt;
}

std::optional<uint64_t> parse_duration_ms(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto v = parse_uint(text.substr(0, digits));
  if (!v) return std::nullopt;
  std::string_view unit = text.substr(digits);
  uint64_t mult;
  if (unit == "ms") {
    mult = 1;
  } else if (unit.empty() || unit == "s") {
    mult = 1000;
  } else if (unit == "m" || unit == "min") {
    mult = 60'000;
  } else if (unit == "h") {
    mult = 3'600'000;
  } else {
    return std::nullopt;
  }
  if (*v > UINT64_MAX / mult) return std::nullopt;
  return *v * mult;
}

std::optional<LogLevel> parse_log_level(std::string_view s) {
  if (s == "trace") return LogLevel::trace;
  if (s == "debug") return LogLevel::debug;
  if (s == "info") return LogLevel::info;
  if (s == "warn" || s == "warning") return LogLevel::warn;
  if (s == "error") return LogLevel::error;
  if (s == "critical") return LogLevel::critical;
  return std::nullopt;
}

const char* log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
    case LogLevel::critical:
      return "critical";
  }
  return "info";
}

}  // namespace nexus::server
