// Per-thread lock statistics, kept by InstrumentedSharedMutex and read by the
// bench harness the way it reads the allocation counters.
//
// Every counter lives in one trivially constructible thread_local block, so a
// count is a plain increment of memory no other thread touches. Acquisitions
// and contended acquisitions are exact. Wait time is timed only on the
// contended path, where the thread is about to block anyway. Hold time needs a
// clock read at acquire and at release, and a TSC read costs about 22 ns on
// this 2-core Xeon VM, as much as the uncontended lock itself, so hold time is
// sampled: about one acquisition in 64, at random intervals so a periodic
// workload cannot alias with the sampling, and the total is estimated as the
// mean sampled hold times the exact acquisition count.
#ifndef HOTPATH_COMMON_SYNC_LOCK_STATS_H_
#define HOTPATH_COMMON_SYNC_LOCK_STATS_H_

#include <array>
#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

namespace hotpath::sync {

struct LockStats {
  uint64_t acquisitions = 0;  // successful lock, lock_shared and try_* calls
  uint64_t contended = 0;     // acquisitions whose first try failed
  uint64_t wait_ticks = 0;    // time blocked in contended acquisitions
  uint64_t hold_samples = 0;  // acquisitions whose hold time was timed
  uint64_t hold_ticks = 0;    // summed hold time of those samples

  LockStats operator-(const LockStats& o) const {
    return {acquisitions - o.acquisitions, contended - o.contended,
            wait_ticks - o.wait_ticks, hold_samples - o.hold_samples,
            hold_ticks - o.hold_ticks};
  }

  // Mean sampled hold time times the exact acquisition count.
  double EstimatedHoldTicks() const {
    if (hold_samples == 0) return 0;
    return static_cast<double>(hold_ticks) / static_cast<double>(hold_samples) *
           static_cast<double>(acquisitions);
  }
};

// The calling thread's counters since it started. Read them while the thread
// holds no instrumented lock: a sampled hold still open is not counted.
LockStats ThreadLockStats();

// A cheap monotonic tick: the TSC on x86 (constant and invariant on the
// machines we run on), steady_clock nanoseconds elsewhere.
inline uint64_t ReadTicks() {
#if defined(__x86_64__) || defined(__i386__)
  return __rdtsc();
#else
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
#endif
}

// Ticks to nanoseconds. The first call calibrates the TSC against
// steady_clock over about 20 ms; later calls are a multiply.
double TicksToNs(double ticks);

namespace detail {

inline constexpr int kMaxOpenSamples = 4;
// Sampling intervals are drawn uniformly from [1, kSampleSpan].
inline constexpr uint32_t kSampleSpan = 127;

struct OpenSample {
  const void* mutex;
  uint64_t start;
};

struct ThreadLockState {
  LockStats stats;
  int32_t until_sample = 0;  // acquisitions left before the next sample
  uint32_t rng = 0x9e3779b9U;
  int32_t open = 0;  // sampled holds not yet released
  std::array<OpenSample, kMaxOpenSamples> samples = {};
};

// Constant-initialised and trivially destructible: accessed without a TLS
// wrapper call.
inline thread_local ThreadLockState tls_lock_state{};

// Slow paths, out of line so the fast path stays a few instructions.
void CountBlockedWait(uint64_t wait_start);
void BeginHoldSample(const void* mutex);
void EndHoldSample(const void* mutex);

inline void OnAcquired(const void* mutex) {
  ThreadLockState& s = tls_lock_state;
  ++s.stats.acquisitions;
  if (--s.until_sample < 0) [[unlikely]] {
    BeginHoldSample(mutex);
  }
}

inline void OnReleasing(const void* mutex) {
  if (tls_lock_state.open != 0) [[unlikely]] {
    EndHoldSample(mutex);
  }
}

}  // namespace detail
}  // namespace hotpath::sync

#endif  // HOTPATH_COMMON_SYNC_LOCK_STATS_H_
