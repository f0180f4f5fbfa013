// Synthetic runs for the history tests: Google Benchmark JSON with the
// machine's hidden noise. Each run is 3 processes x 3 repetitions; every
// process has its own offset (a few percent), and now and then one process
// is 10-40% slower (a neighbour's load); repetitions in one process agree
// to about 2%. The run's median is what the history keeps.

#ifndef HOTPATH_TESTS_BENCHGATE_STORE_HISTORY_RUNS_H_
#define HOTPATH_TESTS_BENCHGATE_STORE_HISTORY_RUNS_H_

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "benchgate/judge/stats.h"

namespace hotpath::benchgate::testing {

struct HiddenNoise {
  double process_sd = 0.03;      // log-scale sd of a process's offset
  double slow_process = 0.1;     // chance a process is 10-40% slower
  double repetition_sd = 0.007;  // within a process: agree to ~2%
};

inline constexpr int kProcesses = 3;
inline constexpr int kRepetitionsPerProcess = 3;

// One run's repetitions of a benchmark whose true time is `level`.
inline std::vector<double> NoisyRepetitions(std::mt19937_64& random,
                                            double level,
                                            const HiddenNoise& noise) {
  std::normal_distribution<double> offset(0.0, noise.process_sd);
  std::normal_distribution<double> repetition(0.0, noise.repetition_sd);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> reps;
  for (int p = 0; p < kProcesses; ++p) {
    double factor = std::exp(offset(random));
    if (unit(random) < noise.slow_process) factor *= 1.1 + 0.3 * unit(random);
    for (int r = 0; r < kRepetitionsPerProcess; ++r) {
      reps.push_back(level * factor * std::exp(repetition(random)));
    }
  }
  return reps;
}

// The median the history keeps for such a run.
inline double NoisyRunMedian(std::mt19937_64& random, double level,
                             const HiddenNoise& noise = {}) {
  const std::vector<double> reps = NoisyRepetitions(random, level, noise);
  return Median(reps);
}

struct SyntheticBenchmark {
  std::string name;
  double time_ns = 0.0;        // the true level of this run
  double allocs_per_op = 0.0;  // exact
};

// Writes one run as Google Benchmark JSON to `path`.
inline void WriteSyntheticRun(const std::string& path,
                              const std::string& revision,
                              const std::string& date,
                              const std::vector<SyntheticBenchmark>& benchmarks,
                              std::mt19937_64& random,
                              const HiddenNoise& noise = {}) {
  nlohmann::json rows = nlohmann::json::array();
  int family = 0;
  for (const SyntheticBenchmark& benchmark : benchmarks) {
    const std::vector<double> reps =
        NoisyRepetitions(random, benchmark.time_ns, noise);
    for (std::size_t i = 0; i < reps.size(); ++i) {
      rows.push_back({{"name", benchmark.name},
                      {"run_name", benchmark.name},
                      {"run_type", "iteration"},
                      {"family_index", family},
                      {"per_family_instance_index", 0},
                      {"repetition_index", i},
                      {"repetitions", reps.size()},
                      {"threads", 1},
                      {"iterations", 1000},
                      {"real_time", reps[i]},
                      {"cpu_time", reps[i]},
                      {"time_unit", "ns"},
                      {"allocs_per_op", benchmark.allocs_per_op},
                      {"hotpath_process",
                       static_cast<int>(i) / kRepetitionsPerProcess + 1}});
    }
    ++family;
  }
  const nlohmann::json context = {{"hotpath_fingerprint", "fp-history"},
                                  {"hotpath_build_type", "Release"},
                                  {"hotpath_git_revision", revision},
                                  {"hotpath_cpu_model", "Test CPU"},
                                  {"num_cpus", 2},
                                  {"host_name", "test"},
                                  {"date", date}};
  std::ofstream(path) << nlohmann::json{
      {"context", context},
      {"benchmarks", rows}}.dump(1);
}

// "r07" for run 7: revisions that sort as the runs do.
inline std::string Revision(int run) {
  char text[16];
  std::snprintf(text, sizeof text, "r%02d", run);
  return text;
}

// Commit dates one hour apart from 2026-01-01.
inline std::string CommitDate(int run) {
  char text[32];
  std::snprintf(text, sizeof text, "2026-01-%02dT%02d:00:00Z", 1 + run / 24,
                run % 24);
  return text;
}

}  // namespace hotpath::benchgate::testing

#endif  // HOTPATH_TESTS_BENCHGATE_STORE_HISTORY_RUNS_H_
