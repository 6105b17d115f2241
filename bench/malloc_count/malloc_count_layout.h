// Layout of the counters file that bench/malloc-count.so (LD_PRELOAD) keeps
// mapped MAP_SHARED, so a reader sees live values without signalling the
// process: pread() the struct at offset 0 at any moment.
#pragma once

#include <cstdint>

namespace nexus::bench {

inline constexpr uint64_t kMallocCountMagic = 0x31544e434f4c4d4eULL;  // "NMLOCNT1"

struct MallocCounters {
  uint64_t magic;  // kMallocCountMagic once the file is live
  uint64_t pid;
  uint64_t malloc_calls;
  uint64_t calloc_calls;
  uint64_t realloc_calls;
  uint64_t memalign_calls;  // posix_memalign, aligned_alloc, memalign, valloc, pvalloc
  uint64_t free_calls;
  uint64_t reserved[9];
};
static_assert(sizeof(MallocCounters) == 128);

// Allocations = every call that may hand out new memory (free is not counted).
inline uint64_t allocation_calls(const MallocCounters& c) {
  return c.malloc_calls + c.calloc_calls + c.realloc_calls + c.memalign_calls;
}

}  // namespace nexus::bench
