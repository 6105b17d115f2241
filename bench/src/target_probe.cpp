#include "target_probe.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "malloc_count_layout.h"

namespace nexus::bench {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<int> thread_ids(int pid) {
  std::vector<int> tids;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9') tids.push_back(std::atoi(e->d_name));
    }
    closedir(d);
  }
  return tids;
}

uint64_t status_field(const std::string& status, const char* key) {
  auto at = status.find(key);
  if (at == std::string::npos) return 0;
  return std::strtoull(status.c_str() + at + std::strlen(key), nullptr, 10);
}

std::optional<int> syscall_tracepoint_id() {
  for (const char* p : {"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
                        "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id"}) {
    std::string s = read_text(p);
    if (!s.empty()) return std::atoi(s.c_str());
  }
  return std::nullopt;
}

}  // namespace

TargetProbe::TargetProbe(int pid, std::string malloc_count_file, bool count_syscalls)
    : pid_(pid), malloc_file_(std::move(malloc_count_file)), count_syscalls_(count_syscalls) {}

TargetProbe::~TargetProbe() {
  for (int fd : perf_fds_) close(fd);
}

std::string TargetProbe::comm() const {
  if (!pid_) return "";
  std::string c = read_text("/proc/" + std::to_string(pid_) + "/comm");
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

std::string TargetProbe::start() {
  if (!pid_ || !count_syscalls_) return "";
  auto id = syscall_tracepoint_id();
  if (!id) return "tracepoint raw_syscalls:sys_enter not found (is tracefs mounted?)";
  for (int tid : thread_ids(pid_)) {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.config = static_cast<uint64_t>(*id);
    attr.sample_period = 0;
    attr.inherit = 1;  // threads the target creates later are counted too
    int fd =
        static_cast<int>(syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
    if (fd < 0) {
      std::string why = std::string("perf_event_open on tid ") + std::to_string(tid) + ": " +
                        std::strerror(errno);
      for (int f : perf_fds_) close(f);
      perf_fds_.clear();
      return why;
    }
    perf_fds_.push_back(fd);
  }
  return "";
}

TargetSample TargetProbe::sample() const {
  TargetSample s;
  if (!pid_) return s;
  const std::string base = "/proc/" + std::to_string(pid_);
  // Fields after "(comm)": state is field 3, utime 14, stime 15 (proc(5)).
  std::string stat = read_text(base + "/stat");
  auto close_paren = stat.rfind(')');
  if (close_paren != std::string::npos) {
    std::istringstream in(stat.substr(close_paren + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && (in >> field); ++i) {
      if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
      if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  s.peak_rss_kib = status_field(read_text(base + "/status"), "VmHWM:");
  for (int tid : thread_ids(pid_)) {
    std::string st = read_text(base + "/task/" + std::to_string(tid) + "/status");
    s.context_switches += status_field(st, "voluntary_ctxt_switches:") +
                          status_field(st, "nonvoluntary_ctxt_switches:");
  }
  if (!malloc_file_.empty()) {
    int fd = open(malloc_file_.c_str(), O_RDONLY | O_CLOEXEC);
    MallocCounters c{};
    if (fd >= 0) {
      if (pread(fd, &c, sizeof c, 0) == static_cast<ssize_t>(sizeof c) &&
          c.magic == kMallocCountMagic && c.pid == static_cast<uint64_t>(pid_)) {
        s.allocations = allocation_calls(c);
      }
      close(fd);
    }
  }
  if (!perf_fds_.empty()) {
    uint64_t total = 0;
    for (int fd : perf_fds_) {
      uint64_t v = 0;
      if (read(fd, &v, sizeof v) == static_cast<ssize_t>(sizeof v)) total += v;
    }
    s.syscalls = total;
  }
  return s;
}

}  // namespace nexus::bench
