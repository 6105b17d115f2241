#include "changer_state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "changer_options.h"

namespace nexus::changer {
namespace {

constexpr std::string_view kMagic = "nexus-changer-state 1";

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex64(uint64_t v) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

std::string hex16(uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04x", v);
  return b;
}

bool parse_hex16(const std::string& s, uint16_t* out) {
  if (s.empty() || s.size() > 4) return false;
  unsigned v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v * 16 + unsigned(d);
  }
  *out = uint16_t(v);
  return true;
}

std::string errno_text(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

}  // namespace

std::string cartridge_set_digest(const std::vector<Cartridge>& cartridges) {
  std::vector<std::string> b;
  for (const Cartridge& c : cartridges) b.push_back(c.barcode);
  std::sort(b.begin(), b.end());
  std::string all;
  for (const std::string& s : b) all += s + "\n";
  return hex64(fnv1a(all));
}

std::string serialize_state(const PersistedState& s) {
  std::string body = std::string(kMagic) + "\n";
  body += "cartridges " + s.cartridge_set + "\n";
  for (const Placement& p : s.placements) {
    body += "at " + hex16(p.address) + " " + p.barcode + " " +
            (p.source ? hex16(*p.source) : std::string("-")) + " " + (p.imported ? "1" : "0") +
            "\n";
  }
  return body + "end " + hex64(fnv1a(body)) + "\n";
}

bool parse_state(std::string_view text, PersistedState* out, std::string* why) {
  size_t end_pos = text.rfind("end ");
  if (end_pos == std::string_view::npos || (end_pos > 0 && text[end_pos - 1] != '\n')) {
    *why = "no end line (truncated?)";
    return false;
  }
  std::string_view body = text.substr(0, end_pos);
  std::string tail(text.substr(end_pos + 4));
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  if (tail != hex64(fnv1a(body))) {
    *why = "checksum mismatch";
    return false;
  }
  std::istringstream in{std::string(body)};
  std::string line;
  if (!std::getline(in, line) || line != kMagic) {
    *why = "not a changer state file (or another version)";
    return false;
  }
  PersistedState s;
  if (!std::getline(in, line) || line.rfind("cartridges ", 0) != 0) {
    *why = "missing cartridges line";
    return false;
  }
  s.cartridge_set = line.substr(11);
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string tag, addr, barcode, src, imported, extra;
    if (!(l >> tag >> addr >> barcode >> src >> imported) || (l >> extra) || tag != "at") {
      *why = "malformed line: " + line;
      return false;
    }
    Placement p;
    uint16_t a = 0;
    if (!parse_hex16(addr, &p.address) || !valid_barcode(barcode) ||
        (src != "-" && !parse_hex16(src, &a)) || (imported != "0" && imported != "1")) {
      *why = "malformed line: " + line;
      return false;
    }
    p.barcode = barcode;
    if (src != "-") p.source = a;
    p.imported = imported == "1";
    s.placements.push_back(std::move(p));
  }
  *out = std::move(s);
  return true;
}

std::string state_file_path(std::string_view state_dir, std::string_view device_name) {
  std::string p(state_dir);
  if (!p.empty() && p.back() != '/') p.push_back('/');
  return p + std::string(device_name) + ".changer";
}

ReadResult read_state_file(const std::string& path, std::string* text, std::string* why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return ReadResult::missing;
    *why = errno_text("open", path);
    return ReadResult::error;
  }
  std::string s;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *why = errno_text("read", path);
      ::close(fd);
      return ReadResult::error;
    }
    if (n == 0) break;
    s.append(buf, size_t(n));
    if (s.size() > (1u << 20)) {
      *why = path + ": larger than 1 MiB";
      ::close(fd);
      return ReadResult::error;
    }
  }
  ::close(fd);
  *text = std::move(s);
  return ReadResult::ok;
}

bool write_state_file(const std::string& path, const std::string& contents, std::string* why) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *why = errno_text("create", tmp);
    return false;
  }
  size_t off = 0;
  while (off < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + off, contents.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *why = errno_text("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    off += size_t(n);
  }
  // Durable before it replaces the old state: a crash leaves old or new.
  if (::fsync(fd) != 0) {
    *why = errno_text("fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    *why = errno_text("rename", tmp);
    ::unlink(tmp.c_str());
    return false;
  }
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

StartupChoice choose_placements(ElementMap* map, const std::vector<Cartridge>& cartridges,
                                const std::vector<Placement>& yaml, ReadResult read,
                                const std::string& text) {
  StartupChoice c;
  std::string why;
  if (read == ReadResult::ok) {
    PersistedState s;
    if (!parse_state(text, &s, &why)) {
      c.warn = true;
      c.reason = "state file unusable (" + why + "): using the YAML placement";
    } else if (s.cartridge_set != cartridge_set_digest(cartridges)) {
      c.reason = "the YAML changed the set of cartridges: using the YAML placement";
    } else if (!map->assign(cartridges, s.placements, &why)) {
      c.warn = true;
      c.reason = "state file does not fit the library (" + why + "): using the YAML placement";
    } else {
      c.from_state = true;
      c.reason = "restored the persisted placement";
      return c;
    }
  } else if (read == ReadResult::missing) {
    c.reason = "no state file yet: using the YAML placement";
  } else {
    c.warn = true;
    c.reason = "state file unreadable: using the YAML placement";
  }
  if (!map->assign(cartridges, yaml, &why)) {
    c.warn = true;
    c.reason += "; YAML placement rejected: " + why;
  }
  return c;
}

}  // namespace nexus::changer
