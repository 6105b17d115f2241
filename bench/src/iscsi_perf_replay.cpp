#include "iscsi_perf_replay.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <vector>

#include "iscsi_session.h"

extern char** environ;

namespace nexus::bench {
namespace {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  std::string output;
};

std::string spawn(const std::vector<std::string>& args, Child& child) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return std::string("pipe: ") + std::strerror(errno);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawn_file_actions_adddup2(&fa, p[1], 2);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int rc = posix_spawnp(&child.pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  if (rc != 0) {
    close(p[0]);
    return "cannot run " + args[0] + ": " + std::strerror(rc) + " (apt-get install libiscsi-bin)";
  }
  child.out_fd = p[0];
  return "";
}

double children_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double monotonic_seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

std::string run_iscsi_perf(const BenchOptions& opt, TargetProbe& probe, RunResult& result) {
  result.has_latency = false;
  // iscsi-perf counts in LUN blocks: learn the block size first.
  LunGeometry geo;
  {
    IscsiSession s;
    if (auto err = s.connect(opt.url, opt.initiator, opt.lun.value_or(-1), false); !err.empty()) {
      return err;
    }
    if (auto err = s.read_capacity(geo); !err.empty()) return err;
  }
  if (opt.block_size % geo.block_size) return "--bs is not a multiple of the LUN block size";
  std::string url = opt.url;
  if (opt.lun) url = url.substr(0, url.rfind('/') + 1) + std::to_string(*opt.lun);
  const int secs = std::max(1, static_cast<int>(std::lround(opt.seconds)));

  if (std::string why = probe.start(); !why.empty()) result.probe_note = why;
  TargetSample before = probe.sample();
  const double cpu0 = children_cpu_seconds();
  const double t0 = monotonic_seconds();
  std::vector<Child> children(static_cast<size_t>(opt.sessions));
  std::string failure;
  for (int i = 0; i < opt.sessions && failure.empty(); ++i) {
    std::vector<std::string> args = {"iscsi-perf",
                                     "-i",
                                     opt.initiator + "-perf" + std::to_string(i),
                                     "-m",
                                     std::to_string(opt.queue_depth),
                                     "-b",
                                     std::to_string(opt.block_size / geo.block_size),
                                     "-t",
                                     std::to_string(secs)};
    if (opt.pattern == AccessPattern::kRandom) args.push_back("-r");
    args.push_back(url);
    failure = spawn(args, children[static_cast<size_t>(i)]);
  }
  for (Child& c : children) {
    if (c.pid < 0) continue;
    char buf[4096];
    ssize_t n;
    while ((n = read(c.out_fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
      if (n > 0) c.output.append(buf, static_cast<size_t>(n));
    }
    close(c.out_fd);
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      failure = "iscsi-perf exited with status " + std::to_string(status);
    }
  }
  const double t1 = monotonic_seconds();
  TargetSample after = probe.sample();
  result.initiator_cpu_seconds = children_cpu_seconds() - cpu0;
  result.seconds = secs;
  double iops = 0;
  for (Child& c : children) {
    auto at = c.output.rfind("iops average ");
    if (at == std::string::npos) {
      if (failure.empty())
        failure = "no 'iops average' in iscsi-perf output: " + c.output.substr(0, 200);
      continue;
    }
    iops += std::strtod(c.output.c_str() + at + 13, nullptr);
  }
  result.commands = static_cast<uint64_t>(std::llround(iops * secs));
  result.commands_total = result.commands;
  result.bytes = result.commands * opt.block_size;
  if (probe.enabled()) {
    // The target figures span the whole processes (login included): t1 - t0
    // is a little longer than secs; charge CPU per command over that span.
    const double scale = secs / std::max(1e-9, t1 - t0);
    result.target_cpu_seconds = (after.cpu_seconds - before.cpu_seconds) * scale;
    result.target_peak_rss_kib = after.peak_rss_kib;
    result.target_context_switches = static_cast<uint64_t>(
        static_cast<double>(after.context_switches - before.context_switches) * scale);
    if (after.allocations && before.allocations) {
      result.target_allocations = static_cast<uint64_t>(
          static_cast<double>(*after.allocations - *before.allocations) * scale);
    }
    if (after.syscalls && before.syscalls) {
      result.target_syscalls =
          static_cast<uint64_t>(static_cast<double>(*after.syscalls - *before.syscalls) * scale);
    }
  }
  return failure;
}

}  // namespace nexus::bench
