// TargetProbe: samples the target process (nexusd, tgtd) at the start and the
// end of the measured window, so per-command costs are charged to that window
// only: CPU time (utime+stime of all threads, /proc/PID/stat), context
// switches (voluntary+involuntary summed over /proc/PID/task/*/status),
// heap allocation calls (malloc-count.so's counters file) and, optionally,
// syscalls (perf tracepoint raw_syscalls:sys_enter on each thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus::bench {

struct TargetSample {
  double cpu_seconds = 0;
  uint64_t context_switches = 0;
  std::optional<uint64_t> allocations;  // no value: no (valid) counters file
  std::optional<uint64_t> syscalls;     // no value: not counted / not available
  uint64_t peak_rss_kib = 0;            // VmHWM: high-water mark since the target started
};

class TargetProbe {
 public:
  // pid 0 = disabled: every sample is empty.
  TargetProbe(int pid, std::string malloc_count_file, bool count_syscalls);
  ~TargetProbe();
  TargetProbe(const TargetProbe&) = delete;
  TargetProbe& operator=(const TargetProbe&) = delete;

  bool enabled() const { return pid_ != 0; }
  // Opens the syscall counters (threads present now); returns why it could
  // not, empty on success or when syscalls are not requested.
  std::string start();
  TargetSample sample() const;
  std::string comm() const;

 private:
  int pid_;
  std::string malloc_file_;
  bool count_syscalls_;
  std::vector<int> perf_fds_;
};

}  // namespace nexus::bench
