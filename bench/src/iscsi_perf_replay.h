// Cross-check mode: runs libiscsi's own `iscsi-perf` (Debian libiscsi-bin)
// with the same LUN, I/O size, queue depth, pattern and duration (one process
// per session) and reports its IOPS in the same format, with the same target
// probes around it. iscsi-perf issues READ(16) only and has no warm-up.
#pragma once

#include <string>

#include "bench_options.h"
#include "run_result.h"
#include "target_probe.h"

namespace nexus::bench {

std::string run_iscsi_perf(const BenchOptions& options, TargetProbe& probe, RunResult& result);

}  // namespace nexus::bench
