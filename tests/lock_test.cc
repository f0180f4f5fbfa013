// The instrumented reader/writer mutex: what it counts (acquisitions,
// contended acquisitions, wait and sampled hold time, per thread), that it
// works with the standard lock types, and that it still excludes: a stress
// run of readers and writers checking an invariant only a lock keeps. Run
// under ThreadSanitizer by the tsan preset.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "common/sync/instrumented_shared_mutex.h"
#include "common/sync/lock_stats.h"

namespace hotpath::sync {
namespace {

using std::chrono::milliseconds;

double ToMs(uint64_t ticks) {
  return TicksToNs(static_cast<double>(ticks)) / 1e6;
}

// Runs f on a fresh thread, whose counters start at zero, and returns them.
template <typename F>
LockStats OnFreshThread(F&& f) {
  LockStats stats;
  std::thread t([&] {
    f();
    stats = ThreadLockStats();
  });
  t.join();
  return stats;
}

TEST(InstrumentedSharedMutexTest, CountsEveryAcquisitionUncontended) {
  InstrumentedSharedMutex m;
  const LockStats stats = OnFreshThread([&] {
    for (int i = 0; i < 3; ++i) {
      m.lock();
      m.unlock();
    }
    for (int i = 0; i < 2; ++i) {
      m.lock_shared();
      m.unlock_shared();
    }
    ASSERT_TRUE(m.try_lock());
    m.unlock();
    ASSERT_TRUE(m.try_lock_shared());
    m.unlock_shared();
  });
  EXPECT_EQ(stats.acquisitions, 7U);
  EXPECT_EQ(stats.contended, 0U);
  EXPECT_EQ(stats.wait_ticks, 0U);
}

TEST(InstrumentedSharedMutexTest, FailedTryIsNoAcquisition) {
  InstrumentedSharedMutex m;
  m.lock();
  const LockStats stats = OnFreshThread([&] {
    EXPECT_FALSE(m.try_lock());
    EXPECT_FALSE(m.try_lock_shared());
  });
  m.unlock();
  EXPECT_EQ(stats.acquisitions, 0U);
  EXPECT_EQ(stats.contended, 0U);
}

// The holder keeps the lock for `hold` after the other thread is about to
// take it, so that thread blocks. Counting `hold` from the holder's own lock
// instead lost the contention when starting the second thread took longer
// than `hold` (seen under AddressSanitizer on a loaded 2-core machine).
template <typename Acquire, typename Release>
LockStats BlockedBehindWriter(InstrumentedSharedMutex& m, milliseconds hold,
                              Acquire acquire, Release release) {
  std::atomic<bool> held{false};
  std::atomic<bool> trying{false};
  std::thread holder([&] {
    m.lock();
    held = true;
    while (!trying) std::this_thread::yield();
    std::this_thread::sleep_for(hold);
    m.unlock();
  });
  while (!held) std::this_thread::yield();
  const LockStats stats = OnFreshThread([&] {
    trying = true;
    acquire();
    release();
  });
  holder.join();
  return stats;
}

TEST(InstrumentedSharedMutexTest, ContendedExclusiveCountsTheWait) {
  InstrumentedSharedMutex m;
  const LockStats stats = BlockedBehindWriter(
      m, milliseconds(30), [&] { m.lock(); }, [&] { m.unlock(); });
  EXPECT_EQ(stats.acquisitions, 1U);
  EXPECT_EQ(stats.contended, 1U);
  // The holder slept 30 ms once the waiter was about to lock; allow for
  // scheduling.
  EXPECT_GT(ToMs(stats.wait_ticks), 5.0);
  EXPECT_LT(ToMs(stats.wait_ticks), 5000.0);
}

TEST(InstrumentedSharedMutexTest, ContendedSharedCountsTheWait) {
  InstrumentedSharedMutex m;
  const LockStats stats = BlockedBehindWriter(
      m, milliseconds(30), [&] { m.lock_shared(); },
      [&] { m.unlock_shared(); });
  EXPECT_EQ(stats.acquisitions, 1U);
  EXPECT_EQ(stats.contended, 1U);
  EXPECT_GT(ToMs(stats.wait_ticks), 5.0);
}

TEST(InstrumentedSharedMutexTest, ReadersDoNotContendWithReaders) {
  InstrumentedSharedMutex m;
  m.lock_shared();
  const LockStats stats = OnFreshThread([&] {
    m.lock_shared();
    m.unlock_shared();
  });
  m.unlock_shared();
  EXPECT_EQ(stats.acquisitions, 1U);
  EXPECT_EQ(stats.contended, 0U);
}

TEST(InstrumentedSharedMutexTest, FirstHoldOfAThreadIsTimed) {
  InstrumentedSharedMutex m;
  const LockStats stats = OnFreshThread([&] {
    m.lock();
    std::this_thread::sleep_for(milliseconds(20));
    m.unlock();
  });
  ASSERT_EQ(stats.hold_samples, 1U);
  EXPECT_GT(ToMs(stats.hold_ticks), 15.0);
  EXPECT_DOUBLE_EQ(stats.EstimatedHoldTicks(),
                   static_cast<double>(stats.hold_ticks));
}

TEST(InstrumentedSharedMutexTest, HoldTimeIsSampledAboutOneIn64) {
  InstrumentedSharedMutex a;
  InstrumentedSharedMutex b;
  InstrumentedSharedMutex c;
  constexpr int kRounds = 20000;
  const LockStats stats = OnFreshThread([&] {
    for (int i = 0; i < kRounds; ++i) {
      // Nested, released out of order: open samples must still match.
      a.lock_shared();
      b.lock();
      c.lock_shared();
      b.unlock();
      a.unlock_shared();
      c.unlock_shared();
    }
    // A sample left open would corrupt the sums; every one was closed.
    EXPECT_EQ(detail::tls_lock_state.open, 0);
  });
  EXPECT_EQ(stats.acquisitions, 3U * kRounds);
  const double rate = static_cast<double>(stats.hold_samples) /
                      static_cast<double>(stats.acquisitions);
  EXPECT_GT(rate, 1.0 / 80);
  EXPECT_LT(rate, 1.0 / 50);
  EXPECT_GT(stats.EstimatedHoldTicks(), 0.0);
}

TEST(InstrumentedSharedMutexTest, WorksWithStandardLocks) {
  InstrumentedSharedMutex m;
  const LockStats stats = OnFreshThread([&] {
    { const std::unique_lock lock(m); }
    { const std::shared_lock lock(m); }
    { const std::lock_guard lock(m); }
    { const std::scoped_lock lock(m); }
    {
      std::unique_lock lock(m, std::try_to_lock);
      EXPECT_TRUE(lock.owns_lock());
    }
  });
  EXPECT_EQ(stats.acquisitions, 5U);
}

TEST(LockStatsTest, TicksConvertToWallTime) {
  const uint64_t t0 = ReadTicks();
  const auto c0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(milliseconds(30));
  const uint64_t t1 = ReadTicks();
  const auto c1 = std::chrono::steady_clock::now();
  const double wall_ms =
      std::chrono::duration<double, std::milli>(c1 - c0).count();
  EXPECT_NEAR(ToMs(t1 - t0), wall_ms, wall_ms * 0.05);
}

// Writers keep two counters equal; readers check them under a shared lock.
// Without exclusion a reader would see them differ (and TSan would report
// the race). Each thread's acquisition count must equal its calls.
TEST(InstrumentedSharedMutexStressTest, ReadersAndWritersExclude) {
  InstrumentedSharedMutex m;
  uint64_t a = 0;
  uint64_t b = 0;
  constexpr int kWriters = 2;
  constexpr int kReaders = 3;
  constexpr int kWrites = 5000;
  constexpr int kReads = 20000;
  std::atomic<int> torn{0};
  std::vector<LockStats> stats(kWriters + kReaders);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kWrites; ++i) {
        const std::unique_lock lock(m);
        ++a;
        ++b;
      }
      stats[static_cast<size_t>(w)] = ThreadLockStats();
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      for (int i = 0; i < kReads; ++i) {
        const std::shared_lock lock(m);
        if (a != b) torn.fetch_add(1);
      }
      stats[static_cast<size_t>(kWriters + r)] = ThreadLockStats();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(a, static_cast<uint64_t>(kWriters) * kWrites);
  EXPECT_EQ(b, a);
  for (int i = 0; i < kWriters + kReaders; ++i) {
    const auto& s = stats[static_cast<size_t>(i)];
    EXPECT_EQ(s.acquisitions,
              static_cast<uint64_t>(i < kWriters ? kWrites : kReads));
    EXPECT_LE(s.contended, s.acquisitions);
    if (s.contended == 0) {
      EXPECT_EQ(s.wait_ticks, 0U);
    }
  }
}

}  // namespace
}  // namespace hotpath::sync
