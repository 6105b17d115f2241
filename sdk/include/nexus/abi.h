// Nexus plugin SDK - ABI basics.
//
// Everything in sdk/include/nexus/*.h crosses the plugin boundary and is
// ABI-stable within a major version: fixed-width integers, enums with an
// explicit underlying type, POD structs that start with their own size, and
// pure-virtual interfaces whose vtables are only ever appended to. No
// std::string, containers, smart pointers or exceptions cross it; every
// boundary function is noexcept. Files ending in .hpp are header-only helpers
// for the plugin side and may use anything.
#pragma once

#include <cstddef>
#include <cstdint>

#define NEXUS_ABI_MAJOR 1
#define NEXUS_ABI_MINOR 1

namespace nexus {

enum class Status : int32_t {
  ok = 0,
  error = 1,             // unspecified failure; details were logged
  invalid_argument = 2,  // bad input (config value, parameter)
  no_memory = 3,
  not_found = 4,
  unsupported = 5,
  busy = 6,
  io_error = 7,
  denied = 8,            // access control said no
};

// Pointer + length views. The owner of the memory is whoever handed the span
// out; the receiver may only use it for the duration of the call unless the
// interface says otherwise.
struct ByteSpan {
  uint8_t* data;
  uint64_t size;
};
struct ConstByteSpan {
  const uint8_t* data;
  uint64_t size;
};
// Text view; not necessarily NUL-terminated.
struct Str {
  const char* data;
  uint64_t size;
};
// One scatter-gather segment of a command's data buffer.
struct IoVec {
  uint8_t* base;
  uint64_t len;
};

enum class LogLevel : uint8_t { trace = 0, debug = 1, info = 2, warn = 3, error = 4, critical = 5 };

}  // namespace nexus
