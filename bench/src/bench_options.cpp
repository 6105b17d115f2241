#include "bench_options.h"

#include <getopt.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace nexus::bench {
namespace {

constexpr const char* kUsage = R"(usage: nexus-bench --url iscsi://HOST:PORT/IQN/LUN [options]
Load generator over libiscsi's async API: N sessions x queue depth Q, one poll() loop.
  -u, --url URL            target LUN (iscsi://127.0.0.1:3260/iqn.../0)
  -i, --initiator IQN      initiator name (default iqn.2026-11.io.nexus:bench; session k>0
                           gets "-k" appended so each session is its own I_T nexus)
      --lun N              override the URL's LUN
  -s, --sessions N         sessions (default 1)
  -q, --qd N               outstanding commands per session (default 32)
  -b, --bs SIZE            bytes per command, multiple of the LUN block size (default 4k)
      --pattern rand|seq   random (aligned to --bs) or sequential LBAs (default rand)
      --rw read|write|mix  direction (default read); mix uses --read-pct (default 70)
      --read-pct P         percent of reads in a mix (0..100)
  -t, --secs S             measured seconds (default 10)
  -w, --warmup S           seconds run before measuring (default 1)
      --span SIZE          use LBAs in [0, SIZE) (default the whole LUN)
      --header-digest      negotiate CRC32C header digest (default none)
      --seed N             random seed (default 1)
      --target-pid PID     charge the target process: CPU-s per million commands
                           (/proc/PID/stat) and context switches per command (all threads'
                           /proc/PID/task/*/status), over the measured window only
      --malloc-count FILE  counters file of bench/malloc-count.so in the target (allocs/cmd)
      --count-syscalls     count the target's syscalls (perf tracepoint raw_syscalls:sys_enter,
                           needs --target-pid and perf_event access)
      --iscsi-perf         replay the run with libiscsi's iscsi-perf (reads only) for
                           cross-checking; one iscsi-perf process per session
      --label TEXT         echoed in the output
      --format table|json|kv   human table (default), one JSON line, or key=value line
  -h, --help
Sizes take k/m/g suffixes (binary). Exit status: 0 ok, 1 run failed or saw errors
other than TASK SET FULL/BUSY, 2 usage.
)";

bool parse_int(const char* s, long lo, long hi, long& out) {
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return false;
  out = v;
  return true;
}

bool parse_seconds(const char* s, double& out) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (errno || end == s || *end || !(v >= 0) || v > 86400) return false;
  out = v;
  return true;
}

}  // namespace

std::optional<uint64_t> parse_size(const std::string& text) {
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno || end == text.c_str() || text[0] == '-') return std::nullopt;
  std::string suffix(end);
  int shift = 0;
  if (suffix.empty() || suffix == "b" || suffix == "B")
    shift = 0;
  else if (suffix == "k" || suffix == "K" || suffix == "KiB")
    shift = 10;
  else if (suffix == "m" || suffix == "M" || suffix == "MiB")
    shift = 20;
  else if (suffix == "g" || suffix == "G" || suffix == "GiB")
    shift = 30;
  else if (suffix == "t" || suffix == "T" || suffix == "TiB")
    shift = 40;
  else
    return std::nullopt;
  if (shift && v > (~0ULL >> shift)) return std::nullopt;
  return static_cast<uint64_t>(v) << shift;
}

std::optional<BenchOptions> parse_bench_options(int argc, char** argv, int& exit_code) {
  enum : int {
    kLun = 1000,
    kPattern,
    kRw,
    kReadPct,
    kSpan,
    kDigest,
    kSeed,
    kPid,
    kMalloc,
    kSyscalls,
    kIscsiPerf,
    kLabel,
    kFormat
  };
  static const option kLong[] = {{"url", required_argument, nullptr, 'u'},
                                 {"initiator", required_argument, nullptr, 'i'},
                                 {"lun", required_argument, nullptr, kLun},
                                 {"sessions", required_argument, nullptr, 's'},
                                 {"qd", required_argument, nullptr, 'q'},
                                 {"bs", required_argument, nullptr, 'b'},
                                 {"pattern", required_argument, nullptr, kPattern},
                                 {"rw", required_argument, nullptr, kRw},
                                 {"read-pct", required_argument, nullptr, kReadPct},
                                 {"secs", required_argument, nullptr, 't'},
                                 {"warmup", required_argument, nullptr, 'w'},
                                 {"span", required_argument, nullptr, kSpan},
                                 {"header-digest", no_argument, nullptr, kDigest},
                                 {"seed", required_argument, nullptr, kSeed},
                                 {"target-pid", required_argument, nullptr, kPid},
                                 {"malloc-count", required_argument, nullptr, kMalloc},
                                 {"count-syscalls", no_argument, nullptr, kSyscalls},
                                 {"iscsi-perf", no_argument, nullptr, kIscsiPerf},
                                 {"label", required_argument, nullptr, kLabel},
                                 {"format", required_argument, nullptr, kFormat},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};

  BenchOptions o;
  bool mix = false, pct_given = false;
  exit_code = 2;
  auto bad = [&](const char* what, const char* value) {
    std::fprintf(stderr, "nexus-bench: invalid %s '%s' (see --help)\n", what, value);
    return std::nullopt;
  };
  optind = 1;
  int c;
  long v;
  while ((c = getopt_long(argc, argv, "u:i:s:q:b:t:w:h", kLong, nullptr)) != -1) {
    switch (c) {
      case 'u':
        o.url = optarg;
        break;
      case 'i':
        o.initiator = optarg;
        break;
      case kLun:
        if (!parse_int(optarg, 0, 16383, v)) return bad("--lun", optarg);
        o.lun = static_cast<int>(v);
        break;
      case 's':
        if (!parse_int(optarg, 1, 1024, v)) return bad("--sessions", optarg);
        o.sessions = static_cast<int>(v);
        break;
      case 'q':
        if (!parse_int(optarg, 1, 4096, v)) return bad("--qd", optarg);
        o.queue_depth = static_cast<int>(v);
        break;
      case 'b': {
        auto s = parse_size(optarg);
        if (!s || *s == 0 || *s > (16u << 20)) return bad("--bs (1..16M)", optarg);
        o.block_size = static_cast<uint32_t>(*s);
        break;
      }
      case kPattern:
        if (std::string(optarg) == "rand")
          o.pattern = AccessPattern::kRandom;
        else if (std::string(optarg) == "seq")
          o.pattern = AccessPattern::kSequential;
        else
          return bad("--pattern", optarg);
        break;
      case kRw:
        mix = false;
        if (std::string(optarg) == "read")
          o.read_percent = 100;
        else if (std::string(optarg) == "write")
          o.read_percent = 0;
        else if (std::string(optarg) == "mix")
          mix = true;
        else
          return bad("--rw", optarg);
        break;
      case kReadPct:
        if (!parse_int(optarg, 0, 100, v)) return bad("--read-pct", optarg);
        o.read_percent = static_cast<int>(v);
        pct_given = true;
        break;
      case 't':
        if (!parse_seconds(optarg, o.seconds) || o.seconds <= 0) return bad("--secs", optarg);
        break;
      case 'w':
        if (!parse_seconds(optarg, o.warmup_seconds)) return bad("--warmup", optarg);
        break;
      case kSpan: {
        auto s = parse_size(optarg);
        if (!s || *s == 0) return bad("--span", optarg);
        o.span_bytes = *s;
        break;
      }
      case kDigest:
        o.header_digest = true;
        break;
      case kSeed:
        if (!parse_int(optarg, 0, 0x7fffffffL, v)) return bad("--seed", optarg);
        o.seed = static_cast<uint64_t>(v);
        break;
      case kPid:
        if (!parse_int(optarg, 1, 0x7fffffffL, v)) return bad("--target-pid", optarg);
        o.target_pid = static_cast<int>(v);
        break;
      case kMalloc:
        o.malloc_count_file = optarg;
        break;
      case kSyscalls:
        o.count_syscalls = true;
        break;
      case kIscsiPerf:
        o.engine = Engine::kIscsiPerf;
        break;
      case kLabel:
        o.label = optarg;
        break;
      case kFormat:
        if (std::string(optarg) == "table")
          o.format = OutputFormat::kTable;
        else if (std::string(optarg) == "json")
          o.format = OutputFormat::kJson;
        else if (std::string(optarg) == "kv")
          o.format = OutputFormat::kKeyValue;
        else
          return bad("--format", optarg);
        break;
      case 'h':
        std::fputs(kUsage, stdout);
        exit_code = 0;
        return std::nullopt;
      default:
        std::fputs(kUsage, stderr);
        return std::nullopt;
    }
  }
  if (mix && !pct_given) o.read_percent = 70;
  if (optind != argc) return bad("argument", argv[optind]);
  if (o.url.rfind("iscsi://", 0) != 0) {
    std::fprintf(stderr, "nexus-bench: --url iscsi://HOST:PORT/IQN/LUN is required\n");
    return std::nullopt;
  }
  if (o.count_syscalls && o.target_pid == 0) {
    std::fprintf(stderr, "nexus-bench: --count-syscalls needs --target-pid\n");
    return std::nullopt;
  }
  if (o.engine == Engine::kIscsiPerf && o.read_percent != 100) {
    std::fprintf(stderr, "nexus-bench: --iscsi-perf replays reads only\n");
    return std::nullopt;
  }
  exit_code = 0;
  return o;
}

}  // namespace nexus::bench
