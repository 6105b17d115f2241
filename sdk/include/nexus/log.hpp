// Header-only printf-style logging through a host's log() call.
//   nexus::logf(host, nexus::LogLevel::info, "opened %s", path);
#pragma once

#include <cstdarg>
#include <cstdio>

#include "nexus/abi.h"

namespace nexus {

template <typename Host>
__attribute__((format(printf, 3, 4))) void logf(Host* host, LogLevel level, const char* fmt, ...) noexcept {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = size_t(n) < sizeof buf ? size_t(n) : sizeof buf - 1;
  host->log(level, Str{buf, len});
}

}  // namespace nexus
