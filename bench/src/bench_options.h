// BenchOptions: what one nexus-bench run does, parsed from the command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::bench {

enum class AccessPattern : uint8_t { kRandom, kSequential };
enum class OutputFormat : uint8_t { kTable, kJson, kKeyValue };
enum class Engine : uint8_t { kNative, kIscsiPerf };

struct BenchOptions {
  std::string url;  // iscsi://HOST:PORT/IQN/LUN
  std::string initiator = "iqn.2026-11.io.nexus:bench";
  std::optional<int> lun;  // overrides the URL's LUN
  int sessions = 1;
  int queue_depth = 32;        // outstanding commands per session
  uint32_t block_size = 4096;  // bytes per command
  AccessPattern pattern = AccessPattern::kRandom;
  int read_percent = 100;       // 100 = reads only, 0 = writes only
  double seconds = 10.0;        // measured window
  double warmup_seconds = 1.0;  // run but not counted
  uint64_t span_bytes = 0;      // LBA range used from offset 0; 0 = whole LUN
  bool header_digest = false;   // CRC32C header digest
  uint64_t seed = 1;
  // Target-side probes (all optional): charged over the measured window only.
  int target_pid = 0;
  std::string malloc_count_file;  // file written by bench/malloc-count.so
  bool count_syscalls = false;    // perf tracepoint raw_syscalls:sys_enter on the target
  OutputFormat format = OutputFormat::kTable;
  Engine engine = Engine::kNative;
  std::string label;  // free text echoed in the output (e.g. "tgtd 4k-rand-read-qd32")
};

// Parses argv; on error or --help returns nullopt after printing to stderr
// (exit_code tells which: 0 for --help, 2 for bad usage).
std::optional<BenchOptions> parse_bench_options(int argc, char** argv, int& exit_code);

// "4k", "128K", "1G", "512" -> bytes (binary multiples). nullopt when malformed.
std::optional<uint64_t> parse_size(const std::string& text);

}  // namespace nexus::bench
