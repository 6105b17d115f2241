// RunResult: what one measured window produced (initiator and target side).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "latency_histogram.h"

namespace nexus::bench {

struct ErrorCounts {
  uint64_t task_set_full = 0;    // SAM-5 status TASK SET FULL (0x28): back-pressure
  uint64_t busy = 0;             // SAM-5 status BUSY (0x08): back-pressure
  uint64_t check_condition = 0;  // CHECK CONDITION (sense in the last_error text)
  uint64_t other_status = 0;     // any other SCSI status
  uint64_t transport = 0;        // cancelled / connection error / timeout
  uint64_t submit = 0;           // libiscsi refused to queue the command

  uint64_t hard() const { return check_condition + other_status + transport + submit; }
  uint64_t total() const { return hard() + task_set_full + busy; }
};

struct RunResult {
  std::string label;
  bool failed = false;      // the run could not complete (login, lost connection, ...)
  std::string target_comm;  // e.g. "nexusd", "tgtd"
  int sessions = 0;
  int queue_depth = 0;
  uint32_t io_bytes = 0;
  std::string pattern;  // "rand" | "seq"
  int read_percent = 100;
  std::string engine;  // "native" | "iscsi-perf"

  double seconds = 0;     // measured window
  uint64_t commands = 0;  // completed GOOD in the window
  uint64_t bytes = 0;
  uint64_t commands_total = 0;  // incl. warm-up and drain, for whole-run counters
  ErrorCounts errors;
  std::string last_error;
  LatencyHistogram latency;  // GOOD completions in the window, ns
  bool has_latency = true;   // false for iscsi-perf replays

  double initiator_cpu_seconds = 0;
  // Target side over the same window (unset when no --target-pid).
  std::optional<double> target_cpu_seconds;
  std::optional<uint64_t> target_context_switches;
  std::optional<uint64_t> target_allocations;
  std::optional<uint64_t> target_syscalls;
  std::optional<uint64_t> target_peak_rss_kib;
  std::string probe_note;  // why a requested probe is missing

  double iops() const { return seconds > 0 ? commands / seconds : 0; }
  double mb_per_s() const { return seconds > 0 ? bytes / seconds / 1e6 : 0; }
};

}  // namespace nexus::bench
