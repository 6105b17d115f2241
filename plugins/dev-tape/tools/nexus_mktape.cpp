// nexus-mktape: creates tape media files and prints what one holds.
//   nexus-mktape --barcode A00001L8 --capacity 1G [--write-protect] FILE
//   nexus-mktape --info FILE
#include <sys/uio.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "nexus/config.hpp"
#include "tape_media.h"

namespace {

using nexus::tape::MediaCreateParams;
using nexus::tape::TapeMedia;

int usage(FILE* f) {
  std::fprintf(f,
               "usage: nexus-mktape --barcode LABEL --capacity SIZE [--write-protect] FILE\n"
               "       nexus-mktape --info FILE\n"
               "  SIZE accepts 512, 64K, 100M, 1G, 2TiB (binary multiples)\n");
  return f == stdout ? 0 : 2;
}

int info(const std::string& path) {
  std::string error;
  auto m = TapeMedia::open(path, true, &error);
  if (!m) {
    std::fprintf(stderr, "nexus-mktape: %s\n", error.c_str());
    return 1;
  }
  const auto& s = m->summary();
  std::printf("file:          %s\n", path.c_str());
  std::printf("barcode:       %s\n", s.barcode.c_str());
  std::printf("capacity:      %llu bytes (early warning %llu bytes before the end)\n",
              static_cast<unsigned long long>(s.capacity),
              static_cast<unsigned long long>(m->early_warning_size()));
  std::printf("write protect: %s\n", s.write_protect ? "yes" : "no");
  std::printf("used:          %llu bytes\n", static_cast<unsigned long long>(s.used_bytes));
  std::printf("data blocks:   %llu\n", static_cast<unsigned long long>(s.data_blocks));
  std::printf("filemarks:     %llu\n", static_cast<unsigned long long>(s.filemarks));
  std::printf("end of data:   %s\n",
              s.clean ? "recorded" : "not recorded (torn tail; recovered on next read-write open)");
  if (s.dropped_bytes)
    std::printf("torn tail:     %llu bytes after the last valid record\n",
                static_cast<unsigned long long>(s.dropped_bytes));
  // One line per file (the blocks between filemarks).
  uint64_t n = m->object_count(), file = 0, blocks = 0, bytes = 0, lo = 0, hi = 0;
  constexpr uint64_t kMaxLines = 200;
  auto line = [&](bool fm) {
    if (file < kMaxLines)
      std::printf("file %-6llu %8llu blocks %12llu bytes (block %llu..%llu)%s\n",
                  static_cast<unsigned long long>(file), static_cast<unsigned long long>(blocks),
                  static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(lo),
                  static_cast<unsigned long long>(hi), fm ? ", filemark" : ", EOD");
    else if (file == kMaxLines)
      std::printf("...\n");
  };
  for (uint64_t i = 0; i < n; ++i) {
    if (m->is_filemark(i)) {
      line(true);
      ++file;
      blocks = bytes = lo = hi = 0;
      continue;
    }
    uint32_t len = m->block_length(i);
    lo = blocks ? std::min<uint64_t>(lo, len) : len;
    hi = std::max<uint64_t>(hi, len);
    ++blocks;
    bytes += len;
  }
  if (blocks || n == 0 || !m->is_filemark(n - 1)) line(false);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MediaCreateParams p;
  std::string path, capacity;
  bool show = false, have_barcode = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "nexus-mktape: %s needs a value\n", name);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") return usage(stdout);
    if (a == "--info") {
      show = true;
    } else if (a == "--write-protect") {
      p.write_protect = true;
    } else if (a == "--barcode") {
      const char* v = value("--barcode");
      if (!v) return 2;
      p.barcode = v;
      have_barcode = true;
    } else if (a == "--capacity") {
      const char* v = value("--capacity");
      if (!v) return 2;
      capacity = v;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "nexus-mktape: unknown option %s\n", a.c_str());
      return usage(stderr);
    } else if (path.empty()) {
      path = a;
    } else {
      std::fprintf(stderr, "nexus-mktape: more than one FILE\n");
      return usage(stderr);
    }
  }
  if (path.empty()) return usage(stderr);
  if (show) return info(path);
  if (!have_barcode || capacity.empty()) {
    std::fprintf(stderr, "nexus-mktape: --barcode and --capacity are required\n");
    return usage(stderr);
  }
  auto size = nexus::parse_size(capacity);
  if (!size) {
    std::fprintf(stderr, "nexus-mktape: bad --capacity '%s'\n", capacity.c_str());
    return 2;
  }
  p.capacity = *size;
  std::string error;
  if (!TapeMedia::create(path, p, &error)) {
    std::fprintf(stderr, "nexus-mktape: %s\n", error.c_str());
    return 1;
  }
  std::printf("created %s: barcode %s, capacity %llu bytes%s\n", path.c_str(), p.barcode.c_str(),
              static_cast<unsigned long long>(p.capacity),
              p.write_protect ? ", write protected" : "");
  return 0;
}
