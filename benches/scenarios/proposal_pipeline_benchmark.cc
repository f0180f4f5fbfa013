// scenarios/ProposalPipeline/<variant>/inflight:N: Raft proposals end to end
// (proposal_pipeline.h) on the before and after sides' own components, with
// 1, 10, 100 and 1000 proposals in flight. One iteration proposes the same
// 1000 commands (create-VM and status updates of 50-500 bytes), so
// allocations per op are exact; an op, and an item of items_per_second, is
// one proposal, timed on the wall clock.
//   inflight:N            the client and the Raft loop share one thread:
//                         the pipeline's own work, nothing else.
//   inflight:N/clients:C  C client threads share each window and a Raft
//                         thread takes the turns (ThreadedPipeline): adds
//                         the hand-offs, wake-ups and lock contention. The
//                         same batches are cut, so allocations per op match
//                         the one-thread form's. Windows of 100 and 1000
//                         only: with 10, a window is three thread hand-offs
//                         for a few microseconds of work, which on a shared
//                         2-core machine measures the scheduler's wake-ups.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "benches/harness/bench_support.h"
#include "benches/scenarios/proposal_pipeline.h"
#include "benches/scenarios/sides.h"

namespace hotpath::scenarios {
namespace {

constexpr size_t kProposals = 1000;  // divisible by every window below
constexpr size_t kBatch = 100;       // BatchLimits::max_proposals

const PipelineInputs& Inputs() {
  static const PipelineInputs inputs = MakePipelineInputs(kProposals, 61);
  return inputs;
}

// The log index each proposal's batch lands at, summed over a pass that
// starts at `first`: windows cut into batches of 100, one entry each.
uint64_t ExpectedIndexSum(uint64_t first, size_t in_flight) {
  uint64_t sum = 0;
  uint64_t index = first;
  for (size_t start = 0; start < kProposals; start += in_flight) {
    const size_t window = std::min(in_flight, kProposals - start);
    for (size_t k = 0; k < window; ++k) sum += index + k / kBatch;
    index += (window + kBatch - 1) / kBatch;
  }
  return sum;
}

template <typename Side>
void BM_ProposalPipeline(benchmark::State& state) {
  const auto in_flight = static_cast<size_t>(state.range(0));
  ProposalPipeline<Side> pipeline(Inputs(), in_flight);
  SteadyClock clock;
  pipeline.RunPass(clock);  // warm-up: pools, maps, VM records, handles
  harness::AllocationScope allocations(state, kProposals);
  for (auto _ : state) {
    PipelineStats stats = pipeline.RunPass(clock);
    benchmark::DoNotOptimize(stats);
  }
  allocations.Report();

  const uint64_t first = pipeline.node().log().last_index() + 1;
  const PipelineStats check = pipeline.RunPass(clock);
  if (check.completed != kProposals || check.ok != kProposals ||
      check.not_ready != 0 || pipeline.node().malformed() != 0 ||
      pipeline.node().pending_count() != 0 ||
      check.index_sum != ExpectedIndexSum(first, in_flight)) {
    state.SkipWithError(
        fmt::format("wrong answers: {} completed, {} ok, {} unanswered",
                    check.completed, check.ok, check.not_ready)
            .c_str());
  }
}

struct AllocCounts {
  static ThreadCounts Read() {
    const harness::AllocStats s = harness::ThreadAllocStats();
    return {s.allocs, s.bytes};
  }
};

uint64_t ExpectedEntries(size_t in_flight) {
  uint64_t entries = 0;
  for (size_t start = 0; start < kProposals; start += in_flight) {
    entries += (std::min(in_flight, kProposals - start) + kBatch - 1) / kBatch;
  }
  return entries;
}

// The threaded form: `clients` client threads and a Raft thread. The
// AllocationScope sees this thread only; the pipeline's other threads count
// their own, and the scope adds them into allocs_per_op and bytes_per_op.
template <typename Side>
void BM_ProposalPipelineThreaded(benchmark::State& state) {
  const auto in_flight = static_cast<size_t>(state.range(0));
  const auto clients = static_cast<size_t>(state.range(1));
  ThreadedPipeline<Side, SteadyClock, AllocCounts> pipeline(Inputs(), in_flight,
                                                            clients);
  pipeline.RunPass();
  const ThreadCounts others_start = pipeline.OtherThreadCounts();
  harness::AllocationScope allocations(state, kProposals, "threads");
  for (auto _ : state) {
    PipelineStats stats = pipeline.RunPass();
    benchmark::DoNotOptimize(stats);
  }
  const ThreadCounts others = pipeline.OtherThreadCounts();
  allocations.AddOtherThreads(others.allocs - others_start.allocs,
                              others.bytes - others_start.bytes);
  allocations.Report();

  const uint64_t first = pipeline.node().log().last_index();
  const PipelineStats check = pipeline.RunPass();
  if (check.completed != kProposals || check.ok != kProposals ||
      check.not_ready != 0 || pipeline.node().malformed() != 0 ||
      pipeline.node().log().last_index() - first !=
          ExpectedEntries(in_flight)) {
    state.SkipWithError(fmt::format("wrong answers: {} completed, {} ok",
                                    check.completed, check.ok)
                            .c_str());
  }
}

template <typename Side>
void Register() {
  const std::string name =
      fmt::format("scenarios/ProposalPipeline/{}", Side::kName);
  benchmark::RegisterBenchmark(name.c_str(), BM_ProposalPipeline<Side>)
      ->ArgName("inflight")
      ->Arg(1)
      ->Arg(10)
      ->Arg(100)
      ->Arg(1000)
      ->UseRealTime();
  benchmark::RegisterBenchmark(name.c_str(), BM_ProposalPipelineThreaded<Side>)
      ->ArgNames({"inflight", "clients"})
      ->Args({100, 2})
      ->Args({1000, 2})
      ->UseRealTime();
}

const bool kRegistered = [] {
  Register<BeforeSide>();
  Register<AfterSide>();
  return true;
}();

}  // namespace
}  // namespace hotpath::scenarios
