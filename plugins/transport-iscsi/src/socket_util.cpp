#include "socket_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "discovery.h"

namespace nexus::iscsi {

bool parse_portal(std::string_view portal, sockaddr_storage* out, socklen_t* len,
                  std::string* error) {
  std::string host;
  std::string_view port;
  if (!portal.empty() && portal[0] == '[') {
    size_t close = portal.find(']');
    if (close == std::string_view::npos || close + 1 >= portal.size() || portal[close + 1] != ':') {
      *error = "bad IPv6 portal '" + std::string(portal) + "' (want [addr]:port)";
      return false;
    }
    host = std::string(portal.substr(1, close - 1));
    port = portal.substr(close + 2);
  } else {
    size_t colon = portal.rfind(':');
    if (colon == std::string_view::npos) {
      host = std::string(portal);
      port = "3260";
    } else {
      host = std::string(portal.substr(0, colon));
      port = portal.substr(colon + 1);
    }
  }
  unsigned p = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || p > 65535) {
      p = 70000;
      break;
    }
    p = p * 10 + unsigned(c - '0');
  }
  if (port.empty() || p == 0 || p > 65535) {
    *error = "bad port in portal '" + std::string(portal) + "'";
    return false;
  }
  std::memset(out, 0, sizeof *out);
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(uint16_t(p));
    *len = sizeof(sockaddr_in);
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(uint16_t(p));
    *len = sizeof(sockaddr_in6);
    return true;
  }
  *error = "portal host '" + host + "' is not a numeric address";
  return false;
}

int make_listener(const sockaddr_storage& addr, socklen_t len, std::string* error) {
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (addr.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0 || listen(fd, 128) != 0) {
    *error = std::string("bind/listen: ") + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

namespace {
std::string format(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    return format_portal(buf, ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
    return format_portal(buf, ntohs(a->sin6_port));
  }
  return "";
}
}  // namespace

std::string local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  return format(ss);
}

std::string peer_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  return format(ss);
}

void tune_accepted_socket(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace nexus::iscsi
