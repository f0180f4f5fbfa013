#include "common/sync/lock_stats.h"

#include <cstddef>
#include <thread>

namespace hotpath::sync {

LockStats ThreadLockStats() { return detail::tls_lock_state.stats; }

namespace {

double CalibrateNsPerTick() {
#if defined(__x86_64__) || defined(__i386__)
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const uint64_t c0 = ReadTicks();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto t1 = Clock::now();
  const uint64_t c1 = ReadTicks();
  const double ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  const auto ticks = static_cast<double>(c1 - c0);
  return ticks > 0 ? ns / ticks : 1.0;
#else
  return 1.0;  // ReadTicks already counts nanoseconds
#endif
}

}  // namespace

double TicksToNs(double ticks) {
  static const double ns_per_tick = CalibrateNsPerTick();
  return ticks * ns_per_tick;
}

namespace detail {

void CountBlockedWait(uint64_t wait_start) {
  LockStats& stats = tls_lock_state.stats;
  ++stats.contended;
  stats.wait_ticks += ReadTicks() - wait_start;
}

void BeginHoldSample(const void* mutex) {
  ThreadLockState& s = tls_lock_state;
  // xorshift32: cheap, and varied enough that sampling cannot lock onto a
  // workload's period.
  s.rng ^= s.rng << 13;
  s.rng ^= s.rng >> 17;
  s.rng ^= s.rng << 5;
  s.until_sample = static_cast<int32_t>(s.rng % kSampleSpan);
  if (s.open == kMaxOpenSamples) return;  // deeply nested: skip this one
  s.samples[static_cast<size_t>(s.open)] = {mutex, ReadTicks()};
  ++s.open;
}

void EndHoldSample(const void* mutex) {
  const uint64_t now = ReadTicks();
  ThreadLockState& s = tls_lock_state;
  for (auto i = static_cast<size_t>(s.open); i-- > 0;) {
    if (s.samples[i].mutex != mutex) continue;
    s.stats.hold_ticks += now - s.samples[i].start;
    ++s.stats.hold_samples;
    --s.open;
    s.samples[i] = s.samples[static_cast<size_t>(s.open)];
    return;
  }
}

}  // namespace detail
}  // namespace hotpath::sync
