// An injectable monotonic clock: production code reads SystemClock, tests
// and benchmarks drive a ManualClock, so TTL expiry is deterministic.
#ifndef HOTPATH_COMMON_STORAGE_CLOCK_H_
#define HOTPATH_COMMON_STORAGE_CLOCK_H_

#include <chrono>

namespace hotpath::storage {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  TimePoint Now() const override { return now_; }
  void Advance(Duration d) { now_ += d; }

 private:
  // Away from the epoch, so "now - TTL" never underflows.
  TimePoint now_{std::chrono::hours(24)};
};

}  // namespace hotpath::storage

#endif  // HOTPATH_COMMON_STORAGE_CLOCK_H_
