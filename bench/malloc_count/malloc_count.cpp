// malloc-count.so: LD_PRELOAD shim that counts heap allocation calls of the
// process it is loaded into, for "heap allocations per command" figures.
//
//   NEXUS_MALLOC_COUNT_FILE=/tmp/x/malloc.%p LD_PRELOAD=.../malloc-count.so nexusd ...
//
// The counters live in that file (%p = pid), mapped MAP_SHARED: a reader
// pread()s them at any time (layout: malloc_count_layout.h), no signal needed.
// Without the variable the shim still counts and, with
// NEXUS_MALLOC_COUNT_REPORT=1, prints the totals to stderr at exit.
// Every allocation entry point of glibc's malloc is forwarded to its
// __libc_* twin, so no dlsym() (which itself allocates) is needed. C++
// operator new reaches malloc through the PLT and is counted too.
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "malloc_count_layout.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
void* __libc_memalign(size_t, size_t);
void* __libc_valloc(size_t);
void* __libc_pvalloc(size_t);
}

namespace {

using nexus::bench::MallocCounters;

MallocCounters g_local{};               // before the file is mapped, and in forked children
MallocCounters* g_counters = &g_local;  // switched once, in the constructor

inline void bump(uint64_t MallocCounters::*field) {
  __atomic_fetch_add(&(__atomic_load_n(&g_counters, __ATOMIC_RELAXED)->*field), 1,
                     __ATOMIC_RELAXED);
}

// Expands "%p" to the pid without touching the heap.
bool expand_path(const char* pattern, char* out, size_t cap) {
  char pid[24];
  int n = 0;
  for (long p = getpid(); p > 0; p /= 10) pid[n++] = static_cast<char>('0' + p % 10);
  size_t o = 0;
  for (const char* s = pattern; *s; ++s) {
    if (s[0] == '%' && s[1] == 'p') {
      for (int i = n - 1; i >= 0; --i) {
        if (o + 1 >= cap) return false;
        out[o++] = pid[i];
      }
      ++s;
    } else {
      if (o + 1 >= cap) return false;
      out[o++] = *s;
    }
  }
  out[o] = '\0';
  return true;
}

void detach_in_child() {
  // The file belongs to the parent; a forked child counts privately.
  g_local = MallocCounters{};
  g_local.pid = static_cast<uint64_t>(getpid());
  __atomic_store_n(&g_counters, &g_local, __ATOMIC_RELAXED);
}

void write_number(int fd, uint64_t v) {
  char buf[24];
  int n = 0;
  do {
    buf[sizeof buf - 1 - n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  (void)!write(fd, buf + sizeof buf - n, static_cast<size_t>(n));
}

__attribute__((constructor)) void malloc_count_init() {
  g_local.pid = static_cast<uint64_t>(getpid());
  pthread_atfork(nullptr, nullptr, detach_in_child);
  const char* pattern = getenv("NEXUS_MALLOC_COUNT_FILE");
  if (!pattern || !*pattern) return;
  char path[4096];
  if (!expand_path(pattern, path, sizeof path)) return;
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  void* map = MAP_FAILED;
  if (ftruncate(fd, 4096) == 0) {
    map = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  }
  close(fd);
  if (map == MAP_FAILED) return;
  auto* shared = static_cast<MallocCounters*>(map);
  std::memcpy(shared, &g_local, sizeof g_local);
  __atomic_store_n(&g_counters, shared, __ATOMIC_RELEASE);
  __atomic_store_n(&shared->magic, nexus::bench::kMallocCountMagic, __ATOMIC_RELEASE);
}

__attribute__((destructor)) void malloc_count_report() {
  const char* report = getenv("NEXUS_MALLOC_COUNT_REPORT");
  if (!report || std::strcmp(report, "1") != 0) return;
  const MallocCounters& c = *g_counters;
  static const char kHead[] = "malloc-count: allocations ";
  (void)!write(2, kHead, sizeof kHead - 1);
  write_number(2, nexus::bench::allocation_calls(c));
  (void)!write(2, " frees ", 7);
  write_number(2, c.free_calls);
  (void)!write(2, "\n", 1);
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) void* malloc(size_t n) noexcept {
  bump(&MallocCounters::malloc_calls);
  return __libc_malloc(n);
}

__attribute__((visibility("default"))) void* calloc(size_t n, size_t size) noexcept {
  bump(&MallocCounters::calloc_calls);
  return __libc_calloc(n, size);
}

__attribute__((visibility("default"))) void* realloc(void* p, size_t n) noexcept {
  bump(&MallocCounters::realloc_calls);
  return __libc_realloc(p, n);
}

__attribute__((visibility("default"))) void* reallocarray(void* p, size_t n, size_t size) noexcept {
  size_t bytes;
  if (__builtin_mul_overflow(n, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(p, bytes);
}

__attribute__((visibility("default"))) void free(void* p) noexcept {
  if (p) bump(&MallocCounters::free_calls);
  __libc_free(p);
}

__attribute__((visibility("default"))) void* memalign(size_t align, size_t n) noexcept {
  bump(&MallocCounters::memalign_calls);
  return __libc_memalign(align, n);
}

__attribute__((visibility("default"))) void* aligned_alloc(size_t align, size_t n) noexcept {
  bump(&MallocCounters::memalign_calls);
  return __libc_memalign(align, n);
}

__attribute__((visibility("default"))) int posix_memalign(void** out, size_t align,
                                                          size_t n) noexcept {
  // POSIX: alignment must be a power of two multiple of sizeof(void*).
  if (align % sizeof(void*) != 0 || (align & (align - 1)) != 0 || align == 0) return EINVAL;
  bump(&MallocCounters::memalign_calls);
  void* p = __libc_memalign(align, n);
  if (!p && n) return ENOMEM;
  *out = p;
  return 0;
}

__attribute__((visibility("default"))) void* valloc(size_t n) noexcept {
  bump(&MallocCounters::memalign_calls);
  return __libc_valloc(n);
}

__attribute__((visibility("default"))) void* pvalloc(size_t n) noexcept {
  bump(&MallocCounters::memalign_calls);
  return __libc_pvalloc(n);
}

}  // extern "C"
