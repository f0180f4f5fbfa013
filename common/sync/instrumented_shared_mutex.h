// A reader/writer mutex that counts, per thread, what locking costs: every
// acquisition, the contended ones (a try that failed before blocking), the
// time spent blocked and (sampled) the time held. See lock_stats.h.
//
// It wraps a writer-preferring pthread rwlock and meets the standard
// SharedMutex requirements, so std::unique_lock and std::shared_lock work
// with it. Writer-preferring because the orchestrator's RwLocks are (Rust's
// std RwLock on Linux, tokio's is fair): glibc's default rwlock, which
// std::shared_mutex uses, lets a stream of readers starve a writer, so a
// 1%-writes workload would see its writes pushed to the end of the run and
// one enormous wait instead of the blocking a real writer causes. As with
// std::shared_mutex, taking a shared lock twice on one thread is undefined
// (here it can deadlock behind a waiting writer). Uncontended, an
// acquisition is the underlying try_lock plus a thread-local increment and a
// countdown; the clock is read only on the contended path and for one
// acquisition in about 64. Measured by membership/UncontendedLock and
// membership/UncontendedSharedLock in membership_benchmark.
#ifndef HOTPATH_COMMON_SYNC_INSTRUMENTED_SHARED_MUTEX_H_
#define HOTPATH_COMMON_SYNC_INSTRUMENTED_SHARED_MUTEX_H_

#include <pthread.h>

#include <system_error>

#include "common/sync/lock_stats.h"

namespace hotpath::sync {

class InstrumentedSharedMutex {
 public:
  InstrumentedSharedMutex() = default;
  ~InstrumentedSharedMutex() { pthread_rwlock_destroy(&rwlock_); }
  InstrumentedSharedMutex(const InstrumentedSharedMutex&) = delete;
  InstrumentedSharedMutex& operator=(const InstrumentedSharedMutex&) = delete;

  void lock() {
    if (pthread_rwlock_trywrlock(&rwlock_) != 0) [[unlikely]] {
      const uint64_t start = ReadTicks();
      Check(pthread_rwlock_wrlock(&rwlock_));
      detail::CountBlockedWait(start);
    }
    detail::OnAcquired(this);
  }

  bool try_lock() {
    if (pthread_rwlock_trywrlock(&rwlock_) != 0) return false;
    detail::OnAcquired(this);
    return true;
  }

  void unlock() {
    detail::OnReleasing(this);
    pthread_rwlock_unlock(&rwlock_);
  }

  void lock_shared() {
    if (pthread_rwlock_tryrdlock(&rwlock_) != 0) [[unlikely]] {
      const uint64_t start = ReadTicks();
      Check(pthread_rwlock_rdlock(&rwlock_));
      detail::CountBlockedWait(start);
    }
    detail::OnAcquired(this);
  }

  bool try_lock_shared() {
    if (pthread_rwlock_tryrdlock(&rwlock_) != 0) return false;
    detail::OnAcquired(this);
    return true;
  }

  void unlock_shared() {
    detail::OnReleasing(this);
    pthread_rwlock_unlock(&rwlock_);
  }

 private:
  // As std::shared_mutex does: a failed blocking lock is a system_error.
  static void Check(int rc) {
    if (rc != 0) throw std::system_error(rc, std::generic_category());
  }

#ifdef PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP
  pthread_rwlock_t rwlock_ = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
#else
  pthread_rwlock_t rwlock_ = PTHREAD_RWLOCK_INITIALIZER;
#endif
};

}  // namespace hotpath::sync

#endif  // HOTPATH_COMMON_SYNC_INSTRUMENTED_SHARED_MUTEX_H_
