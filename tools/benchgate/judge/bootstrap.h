// Bootstrap confidence intervals for ratios of medians.
//
// Targets ask "is after/before below 0.75?", a question about a ratio of
// two skewed samples; the percentile bootstrap answers it without assuming
// a distribution. Resampling is seeded and uses only std::mt19937_64 (whose
// output the standard fixes) and our own range reduction, so the same input
// gives the same interval on every platform and run.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_BOOTSTRAP_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_BOOTSTRAP_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string_view>

namespace hotpath::benchgate {

struct BootstrapOptions {
  int resamples = 10000;
  std::uint64_t seed = 20240611;
};

struct RatioInterval {
  double ratio = 0.0;  // point estimate: median(num) / median(den)
  double low = 0.0;
  double high = 0.0;
};

// Percentile interval at `confidence` for median(num) / median(den). The
// denominators must have a positive median.
RatioInterval BootstrapRatioOfMedians(std::span<const double> num,
                                      std::span<const double> den,
                                      double confidence,
                                      const BootstrapOptions& options);

struct RatioChange {
  double change = 0.0;  // (new_num/new_den) / (old_num/old_den) - 1
  double p = 1.0;       // two-sided, from the bootstrap distribution
};

// How far the ratio of medians moved between two runs, for comparisons
// across machines where only ratios are meaningful.
RatioChange BootstrapRatioChange(std::span<const double> old_num,
                                 std::span<const double> old_den,
                                 std::span<const double> new_num,
                                 std::span<const double> new_den,
                                 const BootstrapOptions& options);

// An unbiased index in [0, n) by rejection; std::uniform_int_distribution
// would differ between standard libraries. Shared by every seeded
// resampling and permutation in benchgate.
std::size_t UniformIndex(std::mt19937_64& engine, std::size_t n);

// Mixes a name into the seed so each comparison has its own stream and the
// result does not depend on the order comparisons run in.
std::uint64_t SeedFor(std::uint64_t seed, std::string_view name);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_BOOTSTRAP_H_
