// Checks the improvement targets within one run: after against before.
//
// Each target names its pairs by pattern and one metric. Exact metrics give
// an exact ratio. Noisy metrics give a bootstrap interval on the ratio of
// medians, at a confidence that holds for all of the target's pairs at once
// (Bonferroni), because a target passes only if every pair does. A pair
// passes only if the whole interval is on the good side of the goal, fails
// only if it is wholly on the bad side, and is inconclusive otherwise.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_TARGETS_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_TARGETS_H_

#include <optional>
#include <string>
#include <vector>

#include "benchgate/model.h"
#include "benchgate/read/config.h"

namespace hotpath::benchgate {

enum class TargetStatus { kPass, kFail, kInconclusive, kMissing };

struct PairResult {
  std::string pair;  // pair key
  TargetStatus status = TargetStatus::kMissing;
  std::optional<double> before;  // medians of the metric
  std::optional<double> after;
  std::optional<double> ratio;  // after / before
  std::optional<double> low;    // interval, noisy metrics only
  std::optional<double> high;
  double confidence = 0.0;
  std::string method;  // "exact", "bootstrap", "normal"
  std::string note;
};

struct TargetResult {
  Target target;
  TargetStatus status = TargetStatus::kMissing;
  std::vector<PairResult> pairs;
  std::string note;
};

struct TargetReport {
  std::string source;
  std::vector<TargetResult> targets;
};

// Throws InputError when a matched benchmark has a before without an after
// (or the reverse): the target would silently lose a pair.
TargetReport CheckTargets(const Run& run, const Config& config);

const char* ToString(TargetStatus status);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_TARGETS_H_
