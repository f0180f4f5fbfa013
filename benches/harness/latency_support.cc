#include "benches/harness/latency_support.h"

#include <algorithm>
#include <array>
#include <atomic>

namespace hotpath::harness {
namespace {

struct RunLatency {
  std::mutex mu;
  LatencyHistogram merged;
  int arrived = 0;
};

RunLatency& Shared() {
  static RunLatency run;
  return run;
}

}  // namespace

uint64_t TimerFloorNs() {
  static const uint64_t floor = [] {
    std::array<uint64_t, 1001> deltas{};
    for (auto& d : deltas) {
      const auto a = Clock::now();
      const auto b = Clock::now();
      d = Nanos(b - a);
    }
    std::nth_element(deltas.begin(), deltas.begin() + deltas.size() / 2,
                     deltas.end());
    return deltas[deltas.size() / 2];
  }();
  return floor;
}

LatencyScope::LatencyScope(benchmark::State& state) : state_(state) {
  TimerFloorNs();  // measured once, outside any timed loop
  if (state.thread_index() == 0) {
    RunLatency& run = Shared();
    std::lock_guard lock(run.mu);
    run.merged.Reset();
    run.arrived = 0;
  }
}

void LatencyScope::Report() {
  RunLatency& run = Shared();
  std::lock_guard lock(run.mu);
  run.merged.Merge(local_);
  if (++run.arrived != state_.threads()) return;
  const LatencyHistogram& h = run.merged;
  const auto set = [this](const char* name, uint64_t ns) {
    state_.counters[name] = static_cast<double>(ns);
  };
  set("p50_ns", h.Percentile(0.50));
  set("p90_ns", h.Percentile(0.90));
  set("p99_ns", h.Percentile(0.99));
  set("p999_ns", h.Percentile(0.999));
  set("max_ns", h.max());
  set("timer_floor_ns", TimerFloorNs());
}

}  // namespace hotpath::harness
