#include "benchgate/model.h"

#include <cstddef>

#include "benchgate/judge/stats.h"

namespace hotpath::benchgate {

void Observations::Summarise() {
  n = static_cast<int>(reps.size());
  median = Median(reps);
  mean = Mean(reps);
  stddev = StdDev(reps);
}

int Observations::Processes() const {
  if (reps.empty()) return 0;
  if (process.size() != reps.size()) return 1;
  return static_cast<int>(PerProcess().size());
}

std::map<int, double> Observations::PerProcess() const {
  std::map<int, std::vector<double>> groups;
  for (std::size_t i = 0; i < reps.size(); ++i) {
    groups[process.size() == reps.size() ? process[i] : 1].push_back(reps[i]);
  }
  std::map<int, double> medians;
  for (const auto& [id, values] : groups) medians[id] = Median(values);
  return medians;
}

const Observations* Benchmark::Find(std::string_view metric) const {
  const auto it = metrics.find(metric);
  return it == metrics.end() ? nullptr : &it->second;
}

const Benchmark* Run::Find(std::string_view name) const {
  for (const Benchmark& benchmark : benchmarks) {
    if (benchmark.name == name) return &benchmark;
  }
  return nullptr;
}

std::vector<VariantPair> Run::Pairs() const {
  std::vector<VariantPair> pairs;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const Benchmark& benchmark : benchmarks) {
    const BenchmarkName& name = benchmark.parsed;
    if (name.variant != kBefore && name.variant != kAfter) continue;
    auto [it, inserted] = index.emplace(name.pair_key, pairs.size());
    if (inserted) pairs.push_back(VariantPair{name.pair_key, nullptr, nullptr});
    VariantPair& pair = pairs[it->second];
    (name.variant == kBefore ? pair.before : pair.after) = &benchmark;
  }
  return pairs;
}

}  // namespace hotpath::benchgate
