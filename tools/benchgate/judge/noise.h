// Run-to-run noise measured by A/A calibration.
//
// Repetitions inside one run share the machine's state of the moment; two
// runs minutes apart do not (frequency, neighbours, cache placement). That
// between-run drift is what makes an unchanged binary look faster or
// slower, so `accept --calibration` measures it: for each benchmark and
// noisy metric, the largest relative shift between the medians of
// repeated runs of the same build. A comparison against the baseline then
// never counts a change smaller than that drift.

#ifndef HOTPATH_TOOLS_BENCHGATE_JUDGE_NOISE_H_
#define HOTPATH_TOOLS_BENCHGATE_JUDGE_NOISE_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/judge/metric_policy.h"
#include "benchgate/model.h"

namespace hotpath::benchgate {

class NoiseTable {
 public:
  // Relative drift (0.04 = 4%) or nothing if not calibrated.
  std::optional<double> For(std::string_view benchmark,
                            std::string_view metric) const;
  void Set(const std::string& benchmark, const std::string& metric,
           double drift);
  bool Empty() const { return drift_.empty(); }
  int runs() const { return runs_; }

  nlohmann::json ToJson() const;  // the "benchmarks" part of noise.json
  static NoiseTable FromJson(const nlohmann::json& document,
                             const std::string& path);

  // From two or more runs of one build on one machine.
  static NoiseTable Calibrate(const std::vector<const Run*>& runs,
                              const MetricPolicies& policies);

 private:
  int runs_ = 0;
  std::map<std::string, std::map<std::string, double, std::less<>>, std::less<>>
      drift_;
};

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_JUDGE_NOISE_H_
