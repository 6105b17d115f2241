// Small socket helpers: portal parsing, listeners, peer/local addresses.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace nexus::iscsi {

// Parses "host:port" or "[v6addr]:port" (numeric addresses only).
bool parse_portal(std::string_view portal, sockaddr_storage* out, socklen_t* len,
                  std::string* error);
// A non-blocking listening socket; -1 with *error on failure.
int make_listener(const sockaddr_storage& addr, socklen_t len, std::string* error);
// "host:port" (IPv6 in brackets) of the socket's local or peer address.
std::string local_address(int fd);
std::string peer_address(int fd);
void tune_accepted_socket(int fd);

}  // namespace nexus::iscsi
