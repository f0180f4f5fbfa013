// Interposes the malloc family and operator new/delete; see alloc_counter.h.
// Built only when HOTPATH_COUNT_ALLOCATIONS is on (not under sanitizers).
#include "benches/harness/alloc_counter.h"

#include <dlfcn.h>
#include <malloc.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
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

// The next allocator's functions. The optional ones are null when the
// library that defines malloc does not define them too (then dlsym would
// have found glibc's): the wrappers build them on posix_memalign.
struct RealAllocator {
  MallocFn malloc;
  CallocFn calloc;
  ReallocFn realloc;
  FreeFn free;
  PosixMemalignFn posix_memalign;
  UsableSizeFn usable_size;
  AlignedAllocFn aligned_alloc;  // optional
  AlignedAllocFn memalign;       // optional
  MallocFn valloc;               // optional
  MallocFn pvalloc;              // optional
};

RealAllocator g_real;
std::atomic<int> g_resolve_state{0};  // 0 unresolved, 1 resolving, 2 ready
// Set on the thread that resolves, so its recursive calls (dlsym allocates)
// are told apart from other threads' calls. Initial-exec: never allocates.
__attribute__((tls_model("initial-exec"))) thread_local bool t_resolving;

// dlsym may allocate; while it runs, the resolving thread's allocations come
// from this arena, uncounted and never given back. Each block is preceded by
// its size, for realloc and malloc_usable_size.
alignas(64) char g_boot_arena[64 * 1024];
std::atomic<size_t> g_boot_used{0};

bool InBootArena(const void* p) {
  const char* c = static_cast<const char*>(p);
  return c >= g_boot_arena && c < g_boot_arena + sizeof(g_boot_arena);
}

void* BootAlloc(size_t size, size_t align = alignof(std::max_align_t)) {
  if (align < sizeof(size_t)) align = sizeof(size_t);
  size_t start = g_boot_used.load(std::memory_order_relaxed);
  size_t aligned = 0;
  do {
    aligned = (start + sizeof(size_t) + align - 1) & ~(align - 1);
    if (aligned > sizeof(g_boot_arena) ||
        size > sizeof(g_boot_arena) - aligned) {
      return nullptr;
    }
  } while (!g_boot_used.compare_exchange_weak(start, aligned + size));
  std::memcpy(g_boot_arena + aligned - sizeof(size_t), &size, sizeof(size));
  return g_boot_arena + aligned;
}

size_t BootSize(const void* p) {
  size_t size = 0;
  std::memcpy(&size, static_cast<const char*>(p) - sizeof(size_t),
              sizeof(size));
  return size;
}

template <typename Fn>
Fn Lookup(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

// The object file a function comes from.
const void* ObjectOf(const void* fn) {
  Dl_info info{};
  return fn != nullptr && dladdr(fn, &info) != 0 ? info.dli_fbase : nullptr;
}

[[noreturn]] void Die(const char* message) {
  const ssize_t ignored = write(2, message, std::strlen(message));
  static_cast<void>(ignored);
  abort();
}

// `fn` if the allocator that defines malloc defines it too, else null.
template <typename Fn>
Fn SameAllocator(Fn fn, const void* malloc_object) {
  return fn != nullptr &&
                 ObjectOf(reinterpret_cast<const void*>(fn)) == malloc_object
             ? fn
             : nullptr;
}

// Returns false on the resolving thread while resolution is in progress (its
// calls from dlsym); another thread that arrives meanwhile waits until the
// resolution is done. Both happen only at start-up, before main.
bool EnsureResolved() {
  int state = g_resolve_state.load(std::memory_order_acquire);
  if (state == 2) return true;
  if (state == 0 && g_resolve_state.compare_exchange_strong(state, 1)) {
    t_resolving = true;
    RealAllocator real{};
    real.malloc = Lookup<MallocFn>("malloc");
    real.calloc = Lookup<CallocFn>("calloc");
    real.realloc = Lookup<ReallocFn>("realloc");
    real.free = Lookup<FreeFn>("free");
    real.posix_memalign = Lookup<PosixMemalignFn>("posix_memalign");
    real.usable_size = Lookup<UsableSizeFn>("malloc_usable_size");
    const void* object = ObjectOf(reinterpret_cast<const void*>(real.malloc));
    if (object == nullptr) Die("alloc_counter: no malloc after this binary\n");
    for (const void* fn :
         {reinterpret_cast<const void*>(real.calloc),
          reinterpret_cast<const void*>(real.realloc),
          reinterpret_cast<const void*>(real.free),
          reinterpret_cast<const void*>(real.posix_memalign)}) {
      if (ObjectOf(fn) != object) {
        Die("alloc_counter: the next allocator lacks calloc, realloc, free "
            "or posix_memalign\n");
      }
    }
    // malloc_usable_size may come from further down: a forwarding layer
    // (heaptrack's preload, bench-all --profile) defines the five above but
    // not this one, and hands every block to the allocator below it, whose
    // malloc_usable_size is then the one found.
    if (real.usable_size == nullptr) {
      Die("alloc_counter: no malloc_usable_size after this binary\n");
    }
    real.aligned_alloc =
        SameAllocator(Lookup<AlignedAllocFn>("aligned_alloc"), object);
    real.memalign = SameAllocator(Lookup<AlignedAllocFn>("memalign"), object);
    real.valloc = SameAllocator(Lookup<MallocFn>("valloc"), object);
    real.pvalloc = SameAllocator(Lookup<MallocFn>("pvalloc"), object);
    g_real = real;
    g_resolve_state.store(2, std::memory_order_release);
    t_resolving = false;
    return true;
  }
  if (t_resolving) return false;
  while (g_resolve_state.load(std::memory_order_acquire) != 2) {
    sched_yield();
  }
  return true;
}

struct ThreadCounters {
  uint64_t allocs;
  uint64_t frees;
  uint64_t bytes;
};
// Trivial type, initial-exec TLS: reading it never allocates.
__attribute__((
    tls_model("initial-exec"))) thread_local ThreadCounters t_counters;

// Which process-wide views are on; zero in a normal timed run, so a hook
// pays one relaxed load and a not-taken branch for them.
constexpr unsigned kPeakTracking = 1;
constexpr unsigned kProcessCounting = 2;
std::atomic<unsigned> g_mode{0};

std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};
std::atomic<uint64_t> g_process_allocs{0};
std::atomic<uint64_t> g_process_frees{0};
std::atomic<uint64_t> g_process_bytes{0};
AllocStats g_window_start;  // process counts at StartPeakTracking

size_t UsableSize(void* p) { return g_real.usable_size(p); }

[[gnu::noinline]] void OnAllocShared(unsigned mode, void* p, size_t requested) {
  g_process_allocs.fetch_add(1, std::memory_order_relaxed);
  g_process_bytes.fetch_add(requested, std::memory_order_relaxed);
  if ((mode & kPeakTracking) != 0) {
    const auto size = static_cast<int64_t>(UsableSize(p));
    const auto live = g_live.fetch_add(size, std::memory_order_relaxed) + size;
    int64_t peak = g_peak.load(std::memory_order_relaxed);
    while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
    }
  }
}

void OnAlloc(void* p, size_t requested) {
  if (p == nullptr) return;
  ThreadCounters& c = t_counters;
  ++c.allocs;
  c.bytes += requested;
  const unsigned mode = g_mode.load(std::memory_order_relaxed);
  if (mode != 0) OnAllocShared(mode, p, requested);
}

// Counts a free of `p`, before the block is released (its usable size is
// still known). `live` false: its bytes already left the live count.
void OnFree(void* p, bool live = true) {
  ++t_counters.frees;
  const unsigned mode = g_mode.load(std::memory_order_relaxed);
  if (mode == 0) return;
  g_process_frees.fetch_add(1, std::memory_order_relaxed);
  if ((mode & kPeakTracking) != 0 && live) {
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

// posix_memalign's contract: align a power of two times sizeof(void*).
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

// memalign's and aligned_alloc's alignments on posix_memalign: rounded up to
// a power of two of at least sizeof(void*), as glibc's memalign does.
void* CountedAnyAligned(size_t align, size_t size) {
  if (align > (SIZE_MAX >> 1)) {
    errno = EINVAL;
    return nullptr;
  }
  size_t rounded = sizeof(void*);
  while (rounded < align) rounded <<= 1;
  return CountedAligned(rounded, size);
}

size_t PageSize() {
  static const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
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

void EnableProcessCounting() {
  g_mode.fetch_or(kProcessCounting, std::memory_order_seq_cst);
}

bool ProcessCountingEnabled() {
  return (g_mode.load(std::memory_order_seq_cst) & kProcessCounting) != 0;
}

AllocStats ProcessAllocStats() {
  return {g_process_allocs.load(std::memory_order_seq_cst),
          g_process_frees.load(std::memory_order_seq_cst),
          g_process_bytes.load(std::memory_order_seq_cst)};
}

void StartPeakTracking() {
  g_live.store(0);
  g_peak.store(0);
  g_window_start = ProcessAllocStats();
  g_mode.fetch_or(kPeakTracking);
}

PeakStats StopPeakTracking() {
  g_mode.fetch_and(~kPeakTracking);
  const AllocStats window = ProcessAllocStats() - g_window_start;
  return {g_peak.load(), g_live.load(), window.allocs, window.bytes};
}

bool PeakTrackingActive() {
  return (g_mode.load(std::memory_order_seq_cst) & kPeakTracking) != 0;
}

void* UncountedMalloc(size_t size) {
  if (!EnsureResolved()) return BootAlloc(size);
  return g_real.malloc(size);
}

void UncountedFree(void* p) {
  if (p == nullptr || InBootArena(p)) return;
  if (EnsureResolved()) g_real.free(p);
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

// Counted as AllocStats says: an allocation of `size` bytes and a free of p.
void* realloc(void* p, size_t size) {
  if (p == nullptr) return h::CountedMalloc(size);
  if (h::InBootArena(p)) {  // moves to the real heap: counted as a malloc
    void* q = h::CountedMalloc(size);
    if (q != nullptr) {
      const size_t old_size = h::BootSize(p);
      std::memcpy(q, p, size < old_size ? size : old_size);
    }
    return q;
  }
  if (!h::EnsureResolved()) return nullptr;  // cannot happen for a real block
  // The old block's bytes leave the live count before the call (after it, p
  // may be gone) and come back if the call fails.
  const unsigned mode = h::g_mode.load(std::memory_order_relaxed);
  const size_t old_usable =
      (mode & h::kPeakTracking) != 0 ? h::UsableSize(p) : 0;
  if (old_usable != 0) {
    h::g_live.fetch_sub(static_cast<int64_t>(old_usable),
                        std::memory_order_relaxed);
  }
  void* q = h::g_real.realloc(p, size);
  if (q == nullptr) {
    if (size == 0) {  // glibc's realloc(p, 0) freed p
      h::OnFree(p, /*live=*/false);
    } else if (old_usable != 0) {
      h::g_live.fetch_add(static_cast<int64_t>(old_usable),
                          std::memory_order_relaxed);
    }
    return nullptr;
  }
  h::OnAlloc(q, size);
  h::OnFree(p, /*live=*/false);
  return q;
}

// Defined here, not left to the next allocator's: mimalloc's own would
// allocate uncounted. Same contract as glibc's.
void* reallocarray(void* p, size_t n, size_t size) {
  size_t total = 0;
  if (__builtin_mul_overflow(n, size, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(p, total);
}

// Answered by the allocator that made the block (or the boot arena): left to
// the dynamic linker, a block of one would be measured by the other.
size_t malloc_usable_size(void* p) {
  if (p == nullptr) return 0;
  if (h::InBootArena(p)) return h::BootSize(p);
  if (!h::EnsureResolved()) return 0;  // cannot happen for a real block
  return h::UsableSize(p);
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
  if (h::g_real.aligned_alloc == nullptr) {
    return h::CountedAnyAligned(align, size);
  }
  void* p = h::g_real.aligned_alloc(align, size);
  h::OnAlloc(p, size);
  return p;
}

void* memalign(size_t align, size_t size) {
  if (!h::EnsureResolved()) return h::BootAlloc(size, align);
  if (h::g_real.memalign == nullptr) return h::CountedAnyAligned(align, size);
  void* p = h::g_real.memalign(align, size);
  h::OnAlloc(p, size);
  return p;
}

void* valloc(size_t size) {
  if (!h::EnsureResolved()) return h::BootAlloc(size, 4096);
  if (h::g_real.valloc == nullptr) {
    return h::CountedAligned(h::PageSize(), size);
  }
  void* p = h::g_real.valloc(size);
  h::OnAlloc(p, size);
  return p;
}

// Counts the requested size; the block is rounded up to whole pages.
void* pvalloc(size_t size) {
  if (!h::EnsureResolved()) return h::BootAlloc(size, 4096);
  if (h::g_real.pvalloc == nullptr) {
    const size_t page = h::PageSize();
    size_t rounded = 0;
    if (__builtin_add_overflow(size, page - 1, &rounded)) {
      errno = ENOMEM;
      return nullptr;
    }
    rounded &= ~(page - 1);
    void* p = nullptr;
    if (h::g_real.posix_memalign(&p, page, rounded == 0 ? page : rounded) !=
        0) {
      errno = ENOMEM;
      return nullptr;
    }
    h::OnAlloc(p, size);
    return p;
  }
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
