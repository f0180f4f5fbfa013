// Change points in one benchmark's history: where a series of per-run
// medians stepped, and whether it crept.
//
// Noisy metrics: E-divisive means (Matteson & James 2014, "A nonparametric
// approach for multiple change point analysis of multivariate data"; the
// method behind MongoDB's signal-processing-algorithms and Apache Otava),
// with alpha = 1 on the series' ranks, by binary segmentation: the split
// of a segment that maximises the scaled energy distance Q is kept when a
// permutation test (the segment's values shuffled, seeded: the same series
// gives the same answer everywhere) finds a Q that large in at most
// `alpha` of the shuffles, and its two sides are searched again.
//
// Exact metrics: a step is any move between consecutive runs beyond the
// metric policy's tolerance (max(abs, rel * |old|)), as the gate judges.
//
// Creep: a drift no single step explains (five commits each 3% slower). The
// series' first-to-last drift is the median of its last `window` runs over
// the median of its first `window` runs, minus 1; it is a creep when it is
// beyond `creep_min` and a Mann-Kendall trend test (tie-corrected normal
// approximation) gives p <= creep_alpha, and what is left of it once the
// largest step found in the same direction is taken out ((1 + |drift|) /
// (1 + |step|) - 1) is still beyond creep_min: one step explains a step's
// drift, not five commits' (binary segmentation may cut a creep into two or
// three steps, none of which explains it). Exact metrics: the first-to-last
// move beyond tolerance with no step beyond it.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_CHANGE_POINTS_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_CHANGE_POINTS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "benchgate/judge/metric_policy.h"

namespace hotpath::benchgate {

struct ChangePointOptions {
  int permutations = 999;      // per tested split; stops early once hopeless
  double alpha = 0.005;        // a split counts when its permutation p <= this
  int min_segment = 4;         // runs on each side of a split
  double min_step = 0.02;      // smallest relative step reported (noisy)
  int window = 5;              // creep: runs at each end whose medians compare
  double creep_min = 0.05;     // creep: smallest first-to-last drift
  double creep_alpha = 0.001;  // creep: Mann-Kendall p at most this
  std::uint64_t seed = 20240611;
  double exponent = 1.0;  // alpha of the energy distance, in (0, 2]
  // On the series' ranks (else on log values): a run whose processes a
  // neighbour's load mostly slowed (+10-40%) weighs as one rank, not as a
  // step; 0 false steps in 400 A/A series against 2 on log values.
  bool ranks = true;
};

struct Step {
  std::size_t index = 0;  // the first run after the step
  double before = 0.0;    // median of the segment before
  double after = 0.0;     // median of the segment after
  double size = 0.0;      // after / before - 1 (0 -> x: +inf)
  double p = 0.0;         // permutation p; 0 for exact metrics
};

struct Creep {
  bool found = false;
  double first = 0.0;  // median of the first `window` runs (exact: first run)
  double last = 0.0;   // median of the last `window` runs (exact: last run)
  double drift = 0.0;  // last / first - 1
  double p = 1.0;      // Mann-Kendall, two-sided; 0 for exact metrics
};

struct SeriesChanges {
  std::vector<Step> steps;  // in series order
  Creep creep;
};

// `values` in history order (commit date, then time added). `seed` should
// be mixed with the series' name (SeedFor) so results do not depend on the
// order series are analysed in.
SeriesChanges FindChanges(std::span<const double> values,
                          const MetricPolicy& policy,
                          const ChangePointOptions& options,
                          std::uint64_t seed);

// The most significant split of `values` by E-divisive means and its
// permutation p (1 when no split leaves min_segment values on each side).
struct Split {
  std::size_t index = 0;
  double q = 0.0;
  double p = 1.0;
};
Split BestSplit(std::span<const double> values,
                const ChangePointOptions& options, std::uint64_t seed);

struct MannKendall {
  double s = 0.0;
  double z = 0.0;
  double p = 1.0;  // two-sided
};
MannKendall MannKendallTest(std::span<const double> values);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_CHANGE_POINTS_H_
