// Interposes the malloc family and operator new/delete; see alloc_counter.h.
// Built only when HOTPATH_COUNT_ALLOCATIONS is on (not under sanitizers).
#include "benches/harness/alloc_counter.h"

#include <dlfcn.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace hotpath::harness {
namespace {

using MallocFn = void* (*)(size_t);
using CallocFn = void* (*)(size_t, size_t);
using ReallocFn = void* (*)(void*, size_t);
using FreeFn = void (*)(void*);
using PosixMemalignFn = int (*)(void**, size_t, size_t);
using AlignedAllocFn = void* (*)(size_t, size_t);
using UsableSizeFn = size_t (*)(void*);

struct RealAllocator {
  MallocFn malloc;
  CallocFn calloc;
  ReallocFn realloc;
  FreeFn free;
  PosixMemalignFn posix_memalign;
  AlignedAllocFn aligned_alloc;
  AlignedAllocFn memalign;
  MallocFn valloc;
  MallocFn pvalloc;
  UsableSizeFn usable_size;
};

RealAllocator g_real;
std::atomic<int> g_resolve_state{0};  // 0 unresolved, 1 resolving, 2 ready

// dlsym may allocate; while it runs, allocations come from this arena and
// are never freed.
alignas(64) char g_boot_arena[64 * 1024];
std::atomic<size_t> g_boot_used{0};

bool InBootArena(const void* p) {
  const char* c = static_cast<const char*>(p);
  return c >= g_boot_arena && c < g_boot_arena + sizeof(g_boot_arena);
}

void* BootAlloc(size_t size, size_t align = alignof(std::max_align_t)) {
  size_t start = g_boot_used.load(std::memory_order_relaxed);
  size_t aligned = 0;
  do {
    aligned = (start + align - 1) & ~(align - 1);
    if (aligned + size > sizeof(g_boot_arena)) return nullptr;
  } while (!g_boot_used.compare_exchange_weak(start, aligned + size));
  return g_boot_arena + aligned;
}

template <typename Fn>
Fn Lookup(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

// Returns false while resolution is in progress (a recursive call from dlsym).
bool EnsureResolved() {
  int state = g_resolve_state.load(std::memory_order_acquire);
  if (state == 2) return true;
  if (state == 0 && g_resolve_state.compare_exchange_strong(state, 1)) {
    RealAllocator real{};
    real.malloc = Lookup<MallocFn>("malloc");
    real.calloc = Lookup<CallocFn>("calloc");
    real.realloc = Lookup<ReallocFn>("realloc");
    real.free = Lookup<FreeFn>("free");
    real.posix_memalign = Lookup<PosixMemalignFn>("posix_memalign");
    real.aligned_alloc = Lookup<AlignedAllocFn>("aligned_alloc");
    real.memalign = Lookup<AlignedAllocFn>("memalign");
    real.valloc = Lookup<MallocFn>("valloc");
    real.pvalloc = Lookup<MallocFn>("pvalloc");
    real.usable_size = Lookup<UsableSizeFn>("malloc_usable_size");
    if (real.malloc == nullptr || real.free == nullptr) abort();
    g_real = real;
    g_resolve_state.store(2, std::memory_order_release);
    return true;
  }
  // Another thread is resolving: wait for it, unless it is us (recursion).
  // Recursion is only possible on the resolving thread, which sees state 1
  // and must not wait; other threads spin briefly at start-up only.
  return false;
}

struct ThreadCounters {
  uint64_t allocs;
  uint64_t frees;
  uint64_t bytes;
};
// Trivial type, initial-exec TLS: reading it never allocates.
__attribute__((
    tls_model("initial-exec"))) thread_local ThreadCounters t_counters;

std::atomic<bool> g_tracking{false};
std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};
std::atomic<uint64_t> g_window_allocs{0};
std::atomic<uint64_t> g_window_bytes{0};

size_t UsableSize(void* p) {
  return g_real.usable_size != nullptr ? g_real.usable_size(p) : 0;
}

void OnAlloc(void* p, size_t requested) {
  if (p == nullptr) return;
  ThreadCounters& c = t_counters;
  ++c.allocs;
  c.bytes += requested;
  if (g_tracking.load(std::memory_order_relaxed)) {
    g_window_allocs.fetch_add(1, std::memory_order_relaxed);
    g_window_bytes.fetch_add(requested, std::memory_order_relaxed);
    const auto live = g_live.fetch_add(static_cast<int64_t>(UsableSize(p)),
                                       std::memory_order_relaxed) +
                      static_cast<int64_t>(UsableSize(p));
    int64_t peak = g_peak.load(std::memory_order_relaxed);
    while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
    }
  }
}

// Called before the block is released, so its usable size is still known.
void OnFree(void* p) {
  if (p == nullptr) return;
  ++t_counters.frees;
  if (g_tracking.load(std::memory_order_relaxed)) {
    g_live.fetch_sub(static_cast<int64_t>(UsableSize(p)),
                     std::memory_order_relaxed);
  }
}

void* CountedMalloc(size_t size) {
  if (!EnsureResolved()) return BootAlloc(size);
  void* p = g_real.malloc(size);
  OnAlloc(p, size);
  return p;
}

void CountedFree(void* p) {
  if (p == nullptr || InBootArena(p)) return;
  if (!EnsureResolved()) return;  // cannot happen for a real block
  OnFree(p);
  g_real.free(p);
}

void* CountedAligned(size_t align, size_t size) {
  if (!EnsureResolved()) return BootAlloc(size, align);
  void* p = nullptr;
  if (g_real.posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align,
                            size) != 0) {
    return nullptr;
  }
  OnAlloc(p, size);
  return p;
}

void* NewOrThrow(size_t size) {
  void* p = CountedMalloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* AlignedNewOrThrow(size_t size, std::align_val_t align) {
  void* p = CountedAligned(static_cast<size_t>(align), size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

AllocStats ThreadAllocStats() {
  const ThreadCounters& c = t_counters;
  return {c.allocs, c.frees, c.bytes};
}

bool AllocCountingEnabled() { return true; }

void StartPeakTracking() {
  g_live.store(0);
  g_peak.store(0);
  g_window_allocs.store(0);
  g_window_bytes.store(0);
  g_tracking.store(true);
}

PeakStats StopPeakTracking() {
  g_tracking.store(false);
  return {g_peak.load(), g_live.load(), g_window_allocs.load(),
          g_window_bytes.load()};
}

}  // namespace hotpath::harness

namespace h = hotpath::harness;

extern "C" {

void* malloc(size_t size) { return h::CountedMalloc(size); }

void free(void* p) { h::CountedFree(p); }

void* calloc(size_t n, size_t size) {
  size_t total = 0;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  if (!h::EnsureResolved()) {
    void* p = h::BootAlloc(total);
    if (p != nullptr) std::memset(p, 0, total);
    return p;
  }
  void* p = h::g_real.calloc(n, size);
  h::OnAlloc(p, total);
  return p;
}

void* realloc(void* p, size_t size) {
  if (p == nullptr) return h::CountedMalloc(size);
  if (h::InBootArena(p)) {
    void* q = h::CountedMalloc(size);
    if (q != nullptr) {
      const auto room = static_cast<size_t>(
          h::g_boot_arena + sizeof(h::g_boot_arena) - static_cast<char*>(p));
      std::memcpy(q, p, size < room ? size : room);
    }
    return q;
  }
  if (!h::EnsureResolved()) return nullptr;
  // One allocation event: the old block's bytes leave, the new ones arrive.
  if (h::g_tracking.load(std::memory_order_relaxed)) {
    h::g_live.fetch_sub(static_cast<int64_t>(h::UsableSize(p)),
                        std::memory_order_relaxed);
  }
  void* q = h::g_real.realloc(p, size);
  if (q == nullptr) {
    if (h::g_tracking.load(std::memory_order_relaxed) && size != 0) {
      h::g_live.fetch_add(static_cast<int64_t>(h::UsableSize(p)),
                          std::memory_order_relaxed);
    }
    if (size == 0) ++h::t_counters.frees;  // realloc(p, 0) freed p
    return nullptr;
  }
  h::OnAlloc(q, size);
  ++h::t_counters.frees;
  return q;
}

int posix_memalign(void** out, size_t align, size_t size) {
  if (!h::EnsureResolved()) {
    *out = h::BootAlloc(size, align);
    return *out != nullptr ? 0 : ENOMEM;
  }
  const int rc = h::g_real.posix_memalign(out, align, size);
  if (rc == 0) h::OnAlloc(*out, size);
  return rc;
}

void* aligned_alloc(size_t align, size_t size) {
  if (!h::EnsureResolved()) return h::BootAlloc(size, align);
  void* p = h::g_real.aligned_alloc(align, size);
  h::OnAlloc(p, size);
  return p;
}

void* memalign(size_t align, size_t size) {
  if (!h::EnsureResolved()) return h::BootAlloc(size, align);
  void* p = h::g_real.memalign(align, size);
  h::OnAlloc(p, size);
  return p;
}

void* valloc(size_t size) {
  if (!h::EnsureResolved()) return h::BootAlloc(size, 4096);
  void* p = h::g_real.valloc(size);
  h::OnAlloc(p, size);
  return p;
}

void* pvalloc(size_t size) {
  if (!h::EnsureResolved()) return h::BootAlloc(size, 4096);
  void* p = h::g_real.pvalloc(size);
  h::OnAlloc(p, size);
  return p;
}

}  // extern "C"

// Every replaceable operator new/delete form, so no allocation escapes the
// count and none is counted twice (they go to the real allocator directly).
void* operator new(size_t size) { return h::NewOrThrow(size); }
void* operator new[](size_t size) { return h::NewOrThrow(size); }
void* operator new(size_t size, const std::nothrow_t& /*tag*/) noexcept {
  return h::CountedMalloc(size == 0 ? 1 : size);
}
void* operator new[](size_t size, const std::nothrow_t& /*tag*/) noexcept {
  return h::CountedMalloc(size == 0 ? 1 : size);
}
void* operator new(size_t size, std::align_val_t align) {
  return h::AlignedNewOrThrow(size, align);
}
void* operator new[](size_t size, std::align_val_t align) {
  return h::AlignedNewOrThrow(size, align);
}
void* operator new(size_t size, std::align_val_t align,
                   const std::nothrow_t& /*tag*/) noexcept {
  return h::CountedAligned(static_cast<size_t>(align), size == 0 ? 1 : size);
}
void* operator new[](size_t size, std::align_val_t align,
                     const std::nothrow_t& /*tag*/) noexcept {
  return h::CountedAligned(static_cast<size_t>(align), size == 0 ? 1 : size);
}

void operator delete(void* p) noexcept { h::CountedFree(p); }
void operator delete[](void* p) noexcept { h::CountedFree(p); }
void operator delete(void* p, size_t /*size*/) noexcept { h::CountedFree(p); }
void operator delete[](void* p, size_t /*size*/) noexcept { h::CountedFree(p); }
void operator delete(void* p, const std::nothrow_t& /*tag*/) noexcept {
  h::CountedFree(p);
}
void operator delete[](void* p, const std::nothrow_t& /*tag*/) noexcept {
  h::CountedFree(p);
}
void operator delete(void* p, std::align_val_t /*align*/) noexcept {
  h::CountedFree(p);
}
void operator delete[](void* p, std::align_val_t /*align*/) noexcept {
  h::CountedFree(p);
}
void operator delete(void* p, size_t /*size*/,
                     std::align_val_t /*align*/) noexcept {
  h::CountedFree(p);
}
void operator delete[](void* p, size_t /*size*/,
                       std::align_val_t /*align*/) noexcept {
  h::CountedFree(p);
}
void operator delete(void* p, std::align_val_t /*align*/,
                     const std::nothrow_t& /*tag*/) noexcept {
  h::CountedFree(p);
}
void operator delete[](void* p, std::align_val_t /*align*/,
                       const std::nothrow_t& /*tag*/) noexcept {
  h::CountedFree(p);
}
