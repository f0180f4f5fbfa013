// A fixed-size log-linear latency histogram: no heap, so recording a sample
// inside a benchmark allocates nothing and costs a few instructions.
//
// Values are nanoseconds. Each power of two is split into 2^kSubBits linear
// buckets, so a bucket's width is at most 1/32 of its value (about 3%
// relative error), from 1 ns to 2^63 ns. Percentiles report the bucket's
// upper bound, so they never understate; max and min are exact.
#ifndef HOTPATH_BENCHES_HARNESS_LATENCY_HISTOGRAM_H_
#define HOTPATH_BENCHES_HARNESS_LATENCY_HISTOGRAM_H_

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace hotpath::harness {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  // Values below kSub get one bucket each; above, kSub per power of two.
  static constexpr size_t kBuckets = kSub + (64 - kSubBits) * kSub;

  void Record(uint64_t ns) {
    ++counts_[BucketOf(ns)];
    ++count_;
    sum_ += ns;
    if (ns > max_) max_ = ns;
    if (ns < min_) min_ = ns;
  }

  void Merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    if (other.max_ > max_) max_ = other.max_;
    if (other.min_ < min_) min_ = other.min_;
  }

  void Reset() { *this = LatencyHistogram(); }

  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  double mean() const {
    return count_ == 0
               ? 0
               : static_cast<double>(sum_) / static_cast<double>(count_);
  }

  // The smallest bucket upper bound with at least q of the samples at or
  // below it (q in [0, 1]), capped at the exact max. 0 when empty.
  uint64_t Percentile(double q) const {
    if (count_ == 0) return 0;
    auto rank =
        static_cast<uint64_t>(std::llround(q * static_cast<double>(count_)));
    if (rank < 1) rank = 1;
    if (rank > count_) rank = count_;
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        const uint64_t upper = UpperBound(i);
        return upper < max_ ? upper : max_;
      }
    }
    return max_;
  }

  static size_t BucketOf(uint64_t ns) {
    if (ns < kSub) return static_cast<size_t>(ns);
    const int top = 63 - std::countl_zero(ns);  // >= kSubBits
    const int shift = top - kSubBits;
    const uint64_t sub = (ns >> shift) - kSub;  // 0 .. kSub-1
    return static_cast<size_t>(kSub + static_cast<uint64_t>(shift) * kSub +
                               sub);
  }

  // Largest value that falls in bucket i.
  static uint64_t UpperBound(size_t i) {
    if (i < kSub) return i;
    const uint64_t shift = (i - kSub) / kSub;
    const uint64_t sub = (i - kSub) % kSub;
    const uint64_t lower = (kSub + sub) << shift;
    return lower + ((uint64_t{1} << shift) - 1);
  }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
  uint64_t min_ = std::numeric_limits<uint64_t>::max();
};

}  // namespace hotpath::harness

#endif  // HOTPATH_BENCHES_HARNESS_LATENCY_HISTOGRAM_H_
