// tcp-pingpong: the wire floor for QD1 latency. A client and a server process
// on loopback exchange messages of a 4 KiB iSCSI read's sizes (48-byte SCSI
// Command BHS out; 48-byte Data-In BHS + 4096 bytes back) one at a time over
// TCP_NODELAY sockets; the round-trip time is what no target can beat.
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "latency_histogram.h"

namespace {

constexpr const char* kUsage = R"(usage: tcp-pingpong [options]
  -t, --secs S        measured seconds (default 5)
  -w, --warmup S      seconds before measuring (default 0.5)
      --req BYTES     request size (default 48: one iSCSI BHS)
      --resp BYTES    response size (default 4144: BHS + 4 KiB of Data-In)
      --format table|json|kv
)";

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool read_full(int fd, char* buf, size_t n) {
  while (n) {
    ssize_t r = recv(fd, buf, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool write_full(int fd, const char* buf, size_t n) {
  while (n) {
    ssize_t r = send(fd, buf, n, MSG_NOSIGNAL);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

[[noreturn]] void serve(int listen_fd, size_t req, size_t resp) {
  int fd = accept(listen_fd, nullptr, nullptr);
  close(listen_fd);
  if (fd < 0) _exit(1);
  set_nodelay(fd);
  std::vector<char> in(req), out(resp, 'x');
  // One send per response, as a target gathering Data-In + status would.
  while (read_full(fd, in.data(), req) && write_full(fd, out.data(), resp)) {
  }
  close(fd);
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  double secs = 5, warmup = 0.5;
  size_t req = 48, resp = 48 + 4096;
  std::string format = "table";
  static const option kLong[] = {{"secs", required_argument, nullptr, 't'},
                                 {"warmup", required_argument, nullptr, 'w'},
                                 {"req", required_argument, nullptr, 'r'},
                                 {"resp", required_argument, nullptr, 'R'},
                                 {"format", required_argument, nullptr, 'f'},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "t:w:h", kLong, nullptr)) != -1) {
    switch (c) {
      case 't':
        secs = std::atof(optarg);
        break;
      case 'w':
        warmup = std::atof(optarg);
        break;
      case 'r':
        req = std::strtoul(optarg, nullptr, 10);
        break;
      case 'R':
        resp = std::strtoul(optarg, nullptr, 10);
        break;
      case 'f':
        format = optarg;
        break;
      case 'h':
        std::fputs(kUsage, stdout);
        return 0;
      default:
        std::fputs(kUsage, stderr);
        return 2;
    }
  }
  if (!(secs > 0) || warmup < 0 || req == 0 || resp == 0 || req > (64u << 20) ||
      resp > (64u << 20) || (format != "table" && format != "json" && format != "kv")) {
    std::fputs(kUsage, stderr);
    return 2;
  }

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
  socklen_t len = sizeof addr;
  if (lfd < 0 || bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(lfd, 1) != 0 || getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::fprintf(stderr, "tcp-pingpong: listen on 127.0.0.1: %s\n", std::strerror(errno));
    return 1;
  }
  pid_t server = fork();
  if (server < 0) {
    std::fprintf(stderr, "tcp-pingpong: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (server == 0) serve(lfd, req, resp);
  close(lfd);

  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "tcp-pingpong: connect: %s\n", std::strerror(errno));
    kill(server, SIGKILL);
    waitpid(server, nullptr, 0);
    return 1;
  }
  set_nodelay(fd);
  std::vector<char> out(req, 'q'), in(resp);
  nexus::bench::LatencyHistogram hist;
  const uint64_t t0 = now_ns();
  const uint64_t warm_end = t0 + static_cast<uint64_t>(warmup * 1e9);
  const uint64_t end = warm_end + static_cast<uint64_t>(secs * 1e9);
  bool ok = true;
  for (uint64_t t = t0; t < end;) {
    if (!write_full(fd, out.data(), req) || !read_full(fd, in.data(), resp)) {
      ok = false;
      break;
    }
    const uint64_t done = now_ns();
    if (t >= warm_end) hist.record(done - t);
    t = done;
  }
  close(fd);
  int status = 0;
  waitpid(server, &status, 0);
  if (!ok) {
    std::fprintf(stderr, "tcp-pingpong: connection failed: %s\n", std::strerror(errno));
    return 1;
  }
  const double rate = hist.count() / secs;
  const double mean = hist.mean() / 1e3, p50 = hist.quantile(0.5) / 1e3,
               p99 = hist.quantile(0.99) / 1e3, p999 = hist.quantile(0.999) / 1e3;
  if (format == "kv") {
    std::printf(
        "req=%zu resp=%zu secs=%.3f round_trips_per_s=%.0f rtt_mean_us=%.1f rtt_p50_us=%.1f "
        "rtt_p99_us=%.1f rtt_p999_us=%.1f\n",
        req, resp, secs, rate, mean, p50, p99, p999);
  } else if (format == "json") {
    std::printf(
        "{\"req\":%zu,\"resp\":%zu,\"secs\":%.3f,\"round_trips_per_s\":%.0f,\"rtt_mean_us\":%.1f,"
        "\"rtt_p50_us\":%.1f,\"rtt_p99_us\":%.1f,\"rtt_p999_us\":%.1f}\n",
        req, resp, secs, rate, mean, p50, p99, p999);
  } else {
    std::printf("tcp-pingpong loopback: %zu B request, %zu B response, %.2f s\n", req, resp, secs);
    std::printf("  round trips/s  %10.0f\n  RTT us mean %.1f  p50 %.1f  p99 %.1f  p99.9 %.1f\n",
                rate, mean, p50, p99, p999);
  }
  return 0;
}
