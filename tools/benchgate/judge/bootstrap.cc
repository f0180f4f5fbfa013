#include "benchgate/judge/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "benchgate/judge/stats.h"

namespace hotpath::benchgate {
namespace {

class Resampler {
 public:
  explicit Resampler(std::uint64_t seed) : engine_(seed) {}

  // Median of a with-replacement resample of `values`, in place: this runs
  // tens of thousands of times per comparison.
  double ResampledMedian(std::span<const double> values) {
    scratch_.resize(values.size());
    for (double& slot : scratch_) {
      slot = values[UniformIndex(engine_, values.size())];
    }
    const auto mid = scratch_.begin() + static_cast<long>(scratch_.size() / 2);
    std::nth_element(scratch_.begin(), mid, scratch_.end());
    if (scratch_.size() % 2 == 1) return *mid;
    return (*std::max_element(scratch_.begin(), mid) + *mid) / 2.0;
  }

 private:
  std::mt19937_64 engine_;
  std::vector<double> scratch_;
};

// Type-7 quantile of sorted values.
double Quantile(const std::vector<double>& sorted, double q) {
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lower = static_cast<std::size_t>(std::floor(h));
  const std::size_t upper = std::min(lower + 1, sorted.size() - 1);
  // Equal neighbours (both unbounded, say) need no interpolation, and
  // inf - inf would make the bound NaN.
  if (sorted[lower] == sorted[upper]) return sorted[lower];
  return sorted[lower] +
         (h - static_cast<double>(lower)) * (sorted[upper] - sorted[lower]);
}

}  // namespace

RatioInterval BootstrapRatioOfMedians(std::span<const double> num,
                                      std::span<const double> den,
                                      double confidence,
                                      const BootstrapOptions& options) {
  RatioInterval result;
  result.ratio = Median(num) / Median(den);
  Resampler resampler(options.seed);
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(options.resamples));
  for (int i = 0; i < options.resamples; ++i) {
    const double top = resampler.ResampledMedian(num);
    const double bottom = resampler.ResampledMedian(den);
    // A resample whose median is 0 has no ratio; count it as unbounded so
    // the interval widens rather than silently narrowing.
    ratios.push_back(bottom > 0.0 ? top / bottom : HUGE_VAL);
  }
  std::sort(ratios.begin(), ratios.end());
  const double alpha = 1.0 - confidence;
  result.low = Quantile(ratios, alpha / 2.0);
  result.high = Quantile(ratios, 1.0 - alpha / 2.0);
  return result;
}

RatioChange BootstrapRatioChange(std::span<const double> old_num,
                                 std::span<const double> old_den,
                                 std::span<const double> new_num,
                                 std::span<const double> new_den,
                                 const BootstrapOptions& options) {
  RatioChange result;
  const double old_ratio = Median(old_num) / Median(old_den);
  const double new_ratio = Median(new_num) / Median(new_den);
  result.change = new_ratio / old_ratio - 1.0;
  Resampler resampler(options.seed);
  int at_or_below_zero = 0;
  int at_or_above_zero = 0;
  for (int i = 0; i < options.resamples; ++i) {
    const double o =
        resampler.ResampledMedian(old_num) / resampler.ResampledMedian(old_den);
    const double n =
        resampler.ResampledMedian(new_num) / resampler.ResampledMedian(new_den);
    if (n <= o) ++at_or_below_zero;
    if (n >= o) ++at_or_above_zero;
  }
  // Inverting the percentile interval: the smallest two-sided level at
  // which "no change" falls outside it. +1 keeps p away from an exact 0.
  const int tail = std::min(at_or_below_zero, at_or_above_zero);
  result.p = std::min(1.0, 2.0 * (tail + 1.0) / (options.resamples + 1.0));
  return result;
}

std::size_t UniformIndex(std::mt19937_64& engine, std::size_t n) {
  const std::uint64_t bound = n;
  const std::uint64_t limit =
      std::mt19937_64::max() - std::mt19937_64::max() % bound;
  std::uint64_t draw = engine();
  while (draw >= limit) draw = engine();
  return static_cast<std::size_t>(draw % bound);
}

std::uint64_t SeedFor(std::uint64_t seed, std::string_view name) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (const char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return seed ^ hash;
}

}  // namespace hotpath::benchgate
