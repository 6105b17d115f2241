// nexus-bench: iSCSI load generator (see bench_options.cpp for the usage and
// docs/benchmarks.md for what each figure means).
#include <csignal>
#include <cstdio>
#include <string>

#include "bench_options.h"
#include "iscsi_perf_replay.h"
#include "load_generator.h"
#include "report.h"
#include "run_result.h"
#include "target_probe.h"

namespace nb = nexus::bench;

int main(int argc, char** argv) {
  int exit_code = 0;
  auto opt = nb::parse_bench_options(argc, argv, exit_code);
  if (!opt) return exit_code;
  std::signal(SIGPIPE, SIG_IGN);  // a target closing the socket is an error, not a kill

  nb::RunResult result;  // outlives the generator: late callbacks may touch it
  result.label = opt->label;
  result.sessions = opt->sessions;
  result.queue_depth = opt->queue_depth;
  result.io_bytes = opt->block_size;
  result.pattern = opt->pattern == nb::AccessPattern::kRandom ? "rand" : "seq";
  result.read_percent = opt->read_percent;
  result.engine = opt->engine == nb::Engine::kNative ? "native" : "iscsi-perf";

  nb::TargetProbe probe(opt->target_pid, opt->malloc_count_file, opt->count_syscalls);
  result.target_comm = probe.comm();
  if (opt->target_pid && result.target_comm.empty()) {
    std::fprintf(stderr, "nexus-bench: no process %d\n", opt->target_pid);
    return 1;
  }

  std::string failure;
  if (opt->engine == nb::Engine::kIscsiPerf) {
    failure = nb::run_iscsi_perf(*opt, probe, result);
  } else {
    nb::LoadGenerator gen(*opt);
    failure = gen.setup();
    if (failure.empty()) failure = gen.run(probe, result);
  }
  if (!failure.empty()) {
    result.failed = true;
    if (result.last_error.empty()) result.last_error = failure;
  }

  switch (opt->format) {
    case nb::OutputFormat::kTable:
      nb::print_table(result, stdout);
      break;
    case nb::OutputFormat::kJson:
      nb::print_json(result, stdout);
      break;
    case nb::OutputFormat::kKeyValue:
      nb::print_key_values(result, stdout);
      break;
  }
  if (!failure.empty()) {
    std::fprintf(stderr, "nexus-bench: %s\n", failure.c_str());
    return 1;
  }
  return result.errors.hard() ? 1 : 0;
}
