#include "benchgate/judge/compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>

#include "benchgate/judge/fingerprint.h"
#include "benchgate/read/config.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/write/render.h"
#include "benchgate/write/report.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;

Comparison CompareFixtures(const std::string& old_name,
                           const std::string& new_name,
                           const NoiseTable* noise = nullptr) {
  return CompareRuns(LoadRun(Fixture(old_name)), LoadRun(Fixture(new_name)),
                     LoadConfig(testing::TargetsJson()), noise);
}

std::set<std::string> WithVerdict(const Comparison& comparison,
                                  Verdict verdict) {
  std::set<std::string> names;
  for (const ItemComparison& item : comparison.items) {
    if (item.verdict == verdict) names.insert(item.name);
  }
  return names;
}

const ItemComparison& Item(const Comparison& comparison,
                           const std::string& name) {
  const auto it =
      std::find_if(comparison.items.begin(), comparison.items.end(),
                   [&](const ItemComparison& i) { return i.name == name; });
  if (it == comparison.items.end()) {
    ADD_FAILURE() << "no item " << name;
    static const ItemComparison kNone;
    return kNone;
  }
  return *it;
}

TEST(Compare, AaRunsShowNoChange) {
  const Comparison comparison = CompareFixtures("aa_old.json", "aa_new.json");
  EXPECT_EQ(comparison.mode, CompareMode::kAbsolute);
  EXPECT_TRUE(WithVerdict(comparison, Verdict::kRegressed).empty());
  EXPECT_TRUE(WithVerdict(comparison, Verdict::kImproved).empty());
  EXPECT_TRUE(comparison.only_in_old.empty());
  EXPECT_TRUE(comparison.only_in_new.empty());
}

TEST(Compare, SignificantButInsideTheNoiseIsUnchanged) {
  // formatting/Context/after drifts 3% between the A/A runs with a 1%
  // spread: a bare U test at 0.05 calls it different, the floor does not.
  const Comparison comparison = CompareFixtures("aa_old.json", "aa_new.json");
  const MetricComparison* time =
      Item(comparison, "formatting/Context/after").Find("real_time");
  ASSERT_NE(time, nullptr);
  ASSERT_TRUE(time->p.has_value());
  EXPECT_LT(*time->p, 0.05);
  EXPECT_GT(time->change, 0.02);
  EXPECT_EQ(time->verdict, Verdict::kUnchanged);
}

TEST(Compare, KnownSlowdownAndExtraAllocationAreCaught) {
  const Comparison comparison =
      CompareFixtures("aa_old.json", "slowdown_new.json");
  const std::set<std::string> regressed =
      WithVerdict(comparison, Verdict::kRegressed);
  EXPECT_EQ(regressed, (std::set<std::string>{"metrics/Record/after",
                                              "routing/Envelope/after/1024",
                                              "batching/Flush/after"}));
  const ItemComparison& routing =
      Item(comparison, "routing/Envelope/after/1024");
  EXPECT_EQ(routing.Find("real_time")->verdict, Verdict::kRegressed);
  EXPECT_GT(routing.Find("real_time")->change, 0.15);
  // 0 -> 1 allocation per op.
  const MetricComparison* allocs =
      Item(comparison, "metrics/Record/after").Find("allocs_per_op");
  EXPECT_EQ(allocs->method, Method::kExact);
  EXPECT_EQ(allocs->verdict, Verdict::kRegressed);
  // 2.00001 -> 3.00002: dust on both sides, one whole allocation more.
  EXPECT_EQ(
      Item(comparison, "batching/Flush/after").Find("allocs_per_op")->verdict,
      Verdict::kRegressed);
}

TEST(Compare, AmortisedDustIsNotARegression) {
  // batching/Flush/before carries 12.00003 +- 2e-6 allocations per op in
  // both runs: different bits, same allocations.
  const Comparison comparison = CompareFixtures("aa_old.json", "aa_new.json");
  const MetricComparison* allocs =
      Item(comparison, "batching/Flush/before").Find("allocs_per_op");
  ASSERT_NE(allocs, nullptr);
  EXPECT_NE(allocs->old_value, allocs->new_value);
  EXPECT_EQ(allocs->verdict, Verdict::kUnchanged);
}

TEST(Compare, AWholeSuiteShiftIsTheMachineNotTheCode) {
  // Same build, but the machine got busy: everything ~40% slower. Counting
  // the suite's own drift turns dozens of "regressions" into "unstable".
  const Comparison comparison =
      CompareFixtures("aa_old.json", "busy_machine.json");
  EXPECT_TRUE(WithVerdict(comparison, Verdict::kRegressed).empty());
  EXPECT_TRUE(WithVerdict(comparison, Verdict::kImproved).empty());
  const MetricComparison* time =
      Item(comparison, "routing/Envelope/after/1024").Find("real_time");
  EXPECT_EQ(time->threshold_source, "suite drift");
  EXPECT_GT(time->change, 0.25);
  EXPECT_EQ(time->verdict, Verdict::kUnstable);
  EXPECT_TRUE(std::any_of(comparison.notes.begin(), comparison.notes.end(),
                          [](const std::string& note) {
                            return note.find("suite drift") !=
                                   std::string::npos;
                          }));

  Config without = LoadConfig(testing::TargetsJson());
  without.stats.suite_drift_multiplier = 0.0;
  const Comparison naive =
      CompareRuns(LoadRun(Fixture("aa_old.json")),
                  LoadRun(Fixture("busy_machine.json")), without);
  EXPECT_GT(WithVerdict(naive, Verdict::kRegressed).size(), 10u);
}

TEST(Compare, OneSlowBenchmarkDoesNotMoveTheSuiteDrift) {
  const Comparison comparison =
      CompareFixtures("aa_old.json", "slowdown_new.json");
  for (const ItemComparison& item : comparison.items) {
    for (const MetricComparison& m : item.metrics) {
      if (m.threshold_source == "suite drift") {
        EXPECT_LT(m.threshold, 0.08) << item.name << " " << m.metric;
      }
    }
  }
}

// `fixture` with a `counter` in every row: in six benchmarks (the first by
// name) it is non-zero and moves by `scale` between the runs, like a heap
// that grows with the iteration count or the wait of a contended lock; in
// the rest it is 0, as in the real suite.
std::string WithSparseCounter(const std::string& fixture,
                              const std::string& counter, double scale,
                              const testing::TempDir& dir) {
  std::ifstream in(Fixture(fixture));
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  nlohmann::json document =
      nlohmann::json::parse(ReplaceNonFiniteLiterals(text));
  std::set<std::string> names;
  for (const nlohmann::json& benchmark : document["benchmarks"]) {
    names.insert(benchmark["run_name"].get<std::string>());
  }
  for (nlohmann::json& benchmark : document["benchmarks"]) {
    if (benchmark["run_type"] != "iteration") continue;
    const auto i = std::distance(
        names.begin(), names.find(benchmark["run_name"].get<std::string>()));
    const int repetition = benchmark["repetition_index"];
    benchmark[counter] =
        i < 6 ? scale * static_cast<double>(1000 + 100 * i + repetition) : 0.0;
  }
  const std::string path = dir.Path(counter + "_" + fixture);
  std::ofstream(path) << document.dump(1);
  return path;
}

// A heap size is no clock reading; a lock's wait is, but its relative drift
// means nothing where it is 0. Without the rule the zeros read "unstable".
class SparseCounter : public ::testing::TestWithParam<const char*> {};

TEST_P(SparseCounter, LendsNoDriftToTheBenchmarksWithoutIt) {
  const std::string counter = GetParam();
  const testing::TempDir dir;
  const Config config = LoadConfig(testing::TargetsJson());
  const Comparison plain = CompareFixtures("aa_old.json", "aa_new.json");
  const Comparison with_counter = CompareRuns(
      LoadRun(WithSparseCounter("aa_old.json", counter, 1.0, dir)),
      LoadRun(WithSparseCounter("aa_new.json", counter, 1.6, dir)), config);
  int zero = 0;
  for (const ItemComparison& item : with_counter.items) {
    const MetricComparison* sparse = item.Find(counter);
    if (sparse == nullptr) continue;
    if (sparse->old_value == 0.0 && sparse->new_value == 0.0) {
      ++zero;
      EXPECT_NE(sparse->threshold_source, "suite drift") << item.name;
      EXPECT_EQ(sparse->verdict, Verdict::kUnchanged) << item.name;
    } else if (!config.metrics.Get(counter).timed) {
      EXPECT_NE(sparse->threshold_source, "suite drift") << item.name;
    }
  }
  EXPECT_GT(zero, 10);
  // The clock readings' allowance is what it was without the counter.
  for (const ItemComparison& item : plain.items) {
    const MetricComparison* before = item.Find("real_time");
    const MetricComparison* after =
        Item(with_counter, item.name).Find("real_time");
    ASSERT_NE(before, nullptr);
    ASSERT_NE(after, nullptr);
    EXPECT_EQ(after->threshold_source, before->threshold_source) << item.name;
    EXPECT_DOUBLE_EQ(after->threshold, before->threshold) << item.name;
  }
}

INSTANTIATE_TEST_SUITE_P(HeapAndLock, SparseCounter,
                         ::testing::Values("net_heap_growth",
                                           "lock_wait_ns_per_op"));

// --benchmark_report_aggregates_only: one process per side and no samples.
// The extra allocation is caught; a 25% slowdown cannot be told from the
// spread between processes, so the timing is "not judged", never passed.
TEST(Compare, AggregatesOnlyFilesCatchAllocationsAndSayTimingsAreNotJudged) {
  const Comparison aa =
      CompareFixtures("aggregates_old.json", "aggregates_new.json");
  EXPECT_TRUE(WithVerdict(aa, Verdict::kRegressed).empty());
  const Comparison slow =
      CompareFixtures("aggregates_old.json", "aggregates_slowdown.json");
  const std::set<std::string> regressed =
      WithVerdict(slow, Verdict::kRegressed);
  EXPECT_TRUE(regressed.count("metrics/Record/after"));
  const MetricComparison* time =
      Item(slow, "routing/Envelope/after/1024").Find("real_time");
  EXPECT_EQ(time->method, Method::kWelch);
  EXPECT_TRUE(time->not_judged);
  EXPECT_EQ(time->verdict, Verdict::kUnstable);
}

// A plain Google Benchmark run: 9 repetitions in one process per side.
// 25% slower is not judged; 100x slower is caught all the same.
TEST(Compare, OneProcessPerSideJudgesOnlyAGrossChange) {
  const Comparison comparison =
      CompareFixtures("single_process_old.json", "single_process_slow.json");
  const MetricComparison* routing =
      Item(comparison, "routing/Envelope/after/1024").Find("real_time");
  EXPECT_TRUE(routing->not_judged);
  EXPECT_EQ(routing->verdict, Verdict::kUnstable);
  EXPECT_GT(routing->change, 0.15);
  const MetricComparison* record =
      Item(comparison, "metrics/Record/after").Find("real_time");
  EXPECT_EQ(record->verdict, Verdict::kRegressed);
  EXPECT_GT(record->change, 50.0);
}

TEST(Compare, SingleRunsCannotShowATimingChange) {
  const Comparison comparison =
      CompareFixtures("single_run.json", "single_run.json");
  for (const ItemComparison& item : comparison.items) {
    EXPECT_NE(item.verdict, Verdict::kRegressed) << item.name;
    EXPECT_EQ(item.Find("real_time")->verdict, Verdict::kUnstable) << item.name;
    EXPECT_EQ(item.Find("allocs_per_op") == nullptr
                  ? Verdict::kUnchanged
                  : item.Find("allocs_per_op")->verdict,
              Verdict::kUnchanged);
  }
}

TEST(Compare, TimeUnitsDoNotMatter) {
  const Comparison comparison =
      CompareFixtures("time_units_ns.json", "time_units_mixed.json");
  for (const ItemComparison& item : comparison.items) {
    EXPECT_NEAR(item.Find("real_time")->change, 0.0, 1e-9) << item.name;
    EXPECT_NE(item.verdict, Verdict::kRegressed) << item.name;
    EXPECT_NE(item.verdict, Verdict::kImproved) << item.name;
  }
}

TEST(Compare, BenchmarksInOneRunOnlyAreListed) {
  const Comparison comparison =
      CompareFixtures("aa_old.json", "bad/before_without_after.json");
  EXPECT_EQ(comparison.only_in_old,
            std::vector<std::string>{"proposals/Propose/after/16"});
  EXPECT_TRUE(comparison.only_in_new.empty());
}

TEST(Compare, OtherFingerprintShowsRatiosAndDecidesOnExactMetrics) {
  const Comparison same = CompareFixtures("aa_old.json", "other_machine.json");
  EXPECT_EQ(same.mode, CompareMode::kRatio);
  EXPECT_TRUE(WithVerdict(same, Verdict::kRegressed).empty());
  // Absolute timings are 1.7x apart but never compared.
  const ItemComparison& benchmark = Item(same, "routing/Envelope/after/1024");
  EXPECT_EQ(benchmark.Find("real_time"), nullptr);
  EXPECT_NE(benchmark.Find("allocs_per_op"), nullptr);
  const ItemComparison& ratio = Item(same, "routing/Envelope/1024");
  EXPECT_EQ(ratio.kind, ItemKind::kRatio);
  EXPECT_EQ(ratio.Find("real_time")->method, Method::kBootstrap);

  EXPECT_EQ(same.timing, TimingRole::kOtherMachine);

  // The ratio moved 40%: found and shown, never counted (a ratio of
  // timings moves with the CPU too).
  const Comparison worse =
      CompareFixtures("aa_old.json", "other_machine_regressed.json");
  const MetricComparison* time =
      Item(worse, "routing/Envelope/1024").Find("real_time");
  EXPECT_EQ(time->verdict, Verdict::kRegressed);
  EXPECT_TRUE(time->informational);
  EXPECT_EQ(Item(worse, "routing/Envelope/1024").verdict,
            Verdict::kNotCompared);
  EXPECT_TRUE(WithVerdict(worse, Verdict::kRegressed).empty());
}

// Across fingerprints a noisy count is compared only as an after/before
// ratio; an override on one variant must not drop it from both.
TEST(Compare, AnOverrideOnOneVariantStillComparesThePairsRatio) {
  Config config = LoadConfig(testing::TargetsJson());
  MetricPolicy noisy = config.metrics.Get("allocs_per_op");
  noisy.kind = MetricKind::kNoisy;
  config.metrics.AddOverride({"routing/Envelope/before/**"}, {},
                             "allocs_per_op", noisy);
  const Comparison comparison =
      CompareRuns(LoadRun(Fixture("aa_old.json")),
                  LoadRun(Fixture("other_machine.json")), config);
  ASSERT_EQ(comparison.mode, CompareMode::kRatio);
  EXPECT_EQ(
      Item(comparison, "routing/Envelope/before/1024").Find("allocs_per_op"),
      nullptr);
  EXPECT_NE(Item(comparison, "routing/Envelope/1024").Find("allocs_per_op"),
            nullptr);
}

TEST(Compare, AllocationCountingOffSkipsAllocationMetrics) {
  const Comparison comparison =
      CompareFixtures("aa_old.json", "alloc_counting_off.json");
  const MetricComparison* allocs =
      Item(comparison, "metrics/Record/before").Find("allocs_per_op");
  ASSERT_NE(allocs, nullptr);
  EXPECT_EQ(allocs->verdict, Verdict::kNotCompared);
  EXPECT_TRUE(WithVerdict(comparison, Verdict::kRegressed).empty());
}

TEST(Compare, FailedBenchmarkIsAnError) {
  const Comparison comparison =
      CompareFixtures("aa_old.json", "failed_benchmark.json");
  const ItemComparison& item = Item(comparison, "caching/Summary/after");
  EXPECT_EQ(item.verdict, Verdict::kError);
  EXPECT_NE(item.note.find("summary differs"), std::string::npos);
}

TEST(Compare, CalibratedNoiseRaisesTheMinimumEffect) {
  NoiseTable noise;
  noise.Set("routing/Envelope/after/1024", "real_time", 0.40);
  const Comparison comparison =
      CompareFixtures("aa_old.json", "slowdown_new.json", &noise);
  const MetricComparison* time =
      Item(comparison, "routing/Envelope/after/1024").Find("real_time");
  EXPECT_DOUBLE_EQ(time->threshold, 0.40);
  EXPECT_EQ(time->threshold_source, "A/A calibration");
  // 40% drift hides a 25% slowdown, and says so.
  EXPECT_EQ(time->verdict, Verdict::kUnstable);
}

MetricComparison Noisy(double change, double p, double threshold) {
  MetricComparison m;
  m.policy.kind = MetricKind::kNoisy;
  m.change = change;
  m.p = p;
  m.q = p;
  m.threshold = threshold;
  return m;
}

TEST(DecideNoisy, NeedsSignificanceAndSize) {
  const StatsConfig stats;
  EXPECT_EQ(DecideNoisy(Noisy(0.20, 0.001, 0.05), stats), Verdict::kRegressed);
  EXPECT_EQ(DecideNoisy(Noisy(-0.20, 0.001, 0.05), stats), Verdict::kImproved);
  EXPECT_EQ(DecideNoisy(Noisy(0.04, 0.001, 0.05), stats), Verdict::kUnchanged);
  EXPECT_EQ(DecideNoisy(Noisy(0.20, 0.2, 0.05), stats), Verdict::kUnchanged);
  EXPECT_EQ(DecideNoisy(Noisy(0.10, 0.2, 0.30), stats), Verdict::kUnstable);
  MetricComparison untested = Noisy(0.5, 0.0, 0.05);
  untested.p.reset();
  untested.q.reset();
  EXPECT_EQ(DecideNoisy(untested, stats), Verdict::kUnstable);
}

TEST(DecideNoisy, ATimeAndItsRateAgree) {
  // Against a 20% minimum effect, 100 -> 80 ns is -20% in time but +25% in
  // rate: on a plain relative scale only the rate would count. On the log
  // scale both are |ln 0.8| = 0.223 > ln 1.2 = 0.182.
  const auto pair = [](double old_ns, double new_ns) {
    MetricComparison time = Noisy(new_ns / old_ns - 1.0, 0.001, 0.20);
    time.old_value = old_ns;
    time.new_value = new_ns;
    MetricComparison rate = Noisy(old_ns / new_ns - 1.0, 0.001, 0.20);
    rate.policy.better = Better::kHigher;
    rate.old_value = 1.0 / old_ns;
    rate.new_value = 1.0 / new_ns;
    return std::pair{DecideNoisy(time, StatsConfig{}),
                     DecideNoisy(rate, StatsConfig{})};
  };
  EXPECT_EQ(pair(100, 80), std::pair(Verdict::kImproved, Verdict::kImproved));
  EXPECT_EQ(pair(100, 90), std::pair(Verdict::kUnchanged, Verdict::kUnchanged));
  EXPECT_EQ(pair(80, 100), std::pair(Verdict::kRegressed, Verdict::kRegressed));
}

TEST(DecideNoisy, HigherIsBetterFlipsTheDirection) {
  MetricComparison rate = Noisy(-0.20, 0.001, 0.05);
  rate.policy.better = Better::kHigher;
  EXPECT_EQ(DecideNoisy(rate, StatsConfig{}), Verdict::kRegressed);
}

// Two sides of an alternating comparison on a machine whose speed swings
// by up to 50% from round to round, the same for both sides of a round.
// `slower` slows one benchmark of the head by that factor.
struct AlternatingRuns {
  std::string base;
  std::string head;
};

AlternatingRuns WriteAlternatingRuns(const testing::TempDir& dir,
                                     const std::string& pairing, double slower,
                                     int rounds = 10) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> machine(1.0, 1.5);
  std::normal_distribution<double> noise(0.0, 0.01);
  const std::vector<std::pair<std::string, double>> suite = {
      {"routing/Envelope/after/1024", 900.0},
      {"routing/Envelope/before/1024", 3100.0},
      {"metrics/Record/after", 95.0},
      {"metrics/Record/before", 820.0},
      {"formatting/Context/after", 41.0},
      {"formatting/Context/before", 380.0}};
  nlohmann::json base = nlohmann::json::array();
  nlohmann::json head = nlohmann::json::array();
  for (int round = 1; round <= rounds; ++round) {
    const double speed = machine(random);
    for (std::size_t i = 0; i < suite.size(); ++i) {
      const auto& [name, ns] = suite[i];
      for (nlohmann::json* side : {&base, &head}) {
        const double factor =
            side == &head && name == "routing/Envelope/after/1024" ? slower
                                                                   : 1.0;
        const double time = ns * speed * factor * std::exp(noise(random));
        side->push_back(
            {{"name", name},
             {"run_name", name},
             {"run_type", "iteration"},
             {"family_index", i},
             {"per_family_instance_index", 0},
             {"repetition_index", round - 1},
             {"repetitions", rounds},
             {"threads", 1},
             {"iterations", 1000},
             {"real_time", time},
             {"cpu_time", time},
             {"time_unit", "ns"},
             {"allocs_per_op", 0},
             // A heap size that varies wildly (GB's MemoryManager
             // counter in single-repetition processes).
             {"max_bytes_used", 1000.0 * (1 + (round * 7 + static_cast<int>(i) +
                                               (side == &head ? 3 : 0)) %
                                                  5)},
             {"hotpath_process", round}});
      }
    }
  }
  const auto write = [&](const std::string& name, const nlohmann::json& rows) {
    nlohmann::json context = {{"hotpath_fingerprint", "fp-dev-2core"},
                              {"hotpath_build_type", "Release"}};
    if (!pairing.empty()) context["hotpath_pairing"] = pairing;
    const std::string path = dir.Path(name);
    std::ofstream(path) << nlohmann::json{
        {"context", context},
        {"benchmarks", rows}}.dump(1);
    return path;
  };
  return {write("base.json", base), write("head.json", head)};
}

// Issue 14: with rounds paired, drift both sides shared cancels. The same
// data unpaired (processes as replicates, no pairing) cannot see a 10%
// slowdown through the machine's 50% swings; paired, it is caught and
// everything else is bounded within +-5%.
TEST(PairedRounds, CancelTheMachinesDriftAndCatchATenPercentSlowdown) {
  const testing::TempDir dir;
  const Config config = LoadConfig(testing::TargetsJson());
  const AlternatingRuns paired = WriteAlternatingRuns(dir, "pr-1", 1.10);
  const Comparison comparison =
      CompareRuns(LoadRun(paired.base), LoadRun(paired.head), config);
  EXPECT_EQ(comparison.timing, TimingRole::kPaired);
  EXPECT_EQ(WithVerdict(comparison, Verdict::kRegressed),
            (std::set<std::string>{"routing/Envelope/after/1024"}));
  const MetricComparison* slow =
      Item(comparison, "routing/Envelope/after/1024").Find("real_time");
  EXPECT_EQ(slow->method, Method::kPairedRounds);
  EXPECT_NEAR(slow->change, 0.10, 0.02);
  ASSERT_TRUE(slow->change_low && slow->change_high);
  EXPECT_GT(*slow->change_low, 0.05);
  EXPECT_EQ(slow->n_old, 10);
  for (const ItemComparison& item : comparison.items) {
    if (item.name == "routing/Envelope/after/1024") continue;
    const MetricComparison* time = item.Find("real_time");
    EXPECT_EQ(time->verdict, Verdict::kUnchanged) << item.name;
    ASSERT_TRUE(time->bound.has_value()) << item.name;
    EXPECT_LT(*time->bound, 0.05) << item.name;
  }

  const testing::TempDir other;
  const AlternatingRuns unpaired = WriteAlternatingRuns(other, "", 1.10);
  const Comparison blind =
      CompareRuns(LoadRun(unpaired.base), LoadRun(unpaired.head), config);
  EXPECT_EQ(blind.timing, TimingRole::kDecide);
  EXPECT_TRUE(WithVerdict(blind, Verdict::kRegressed).empty());
  EXPECT_EQ(
      Item(blind, "routing/Envelope/after/1024").Find("real_time")->method,
      Method::kProcesses);
}

// to_confirm lists what more rounds can settle: timings, never a heap size
// that merely varies.
TEST(PairedRounds, OnlyTimingsAreSentToConfirmation) {
  const testing::TempDir dir;
  const AlternatingRuns runs = WriteAlternatingRuns(dir, "pr-3", 1.0);
  Report report;
  report.comparison = CompareRuns(LoadRun(runs.base), LoadRun(runs.head),
                                  LoadConfig(testing::TargetsJson()));
  Finalise(report);
  const MetricComparison* heap =
      Item(*report.comparison, "metrics/Record/after").Find("max_bytes_used");
  ASSERT_NE(heap, nullptr);
  ASSERT_EQ(heap->verdict, Verdict::kUnstable);
  EXPECT_TRUE(RenderJson(report)["to_confirm"].empty())
      << RenderJson(report)["to_confirm"].dump();
}

TEST(PairedRounds, TooFewRoundsAreNotJudged) {
  const testing::TempDir dir;
  const AlternatingRuns runs = WriteAlternatingRuns(dir, "pr-2", 1.0, 3);
  const Comparison comparison =
      CompareRuns(LoadRun(runs.base), LoadRun(runs.head),
                  LoadConfig(testing::TargetsJson()));
  const MetricComparison* time =
      Item(comparison, "metrics/Record/after").Find("real_time");
  EXPECT_TRUE(time->not_judged);
  EXPECT_EQ(time->verdict, Verdict::kUnstable);
  EXPECT_NE(time->note.find("3 paired rounds"), std::string::npos);
}

// Instruction counts are exact only for one compiler, libc and CPU family:
// across fingerprints they decide where all three match, else not at all.
TEST(Compare, InstructionCountsCrossMachinesOnlyWithTheSameToolchain) {
  const testing::TempDir dir;
  const auto write = [&](const std::string& name, const std::string& cpu,
                         double instructions) {
    nlohmann::json rows = nlohmann::json::array();
    for (int rep = 0; rep < 3; ++rep) {
      rows.push_back({{"name", "metrics/Record/after"},
                      {"run_name", "metrics/Record/after"},
                      {"run_type", "iteration"},
                      {"repetition_index", rep},
                      {"iterations", 1000},
                      {"real_time", 95.0 + rep},
                      {"cpu_time", 95.0 + rep},
                      {"time_unit", "ns"},
                      {"instructions_per_op", instructions}});
    }
    const nlohmann::json context = {{"hotpath_fingerprint", "fp-" + name},
                                    {"hotpath_compiler", "gcc 12.2.0"},
                                    {"hotpath_libc", "glibc 2.36"},
                                    {"hotpath_cpu_family", cpu}};
    const std::string path = dir.Path(name + ".json");
    std::ofstream(path) << nlohmann::json{
        {"context", context},
        {"benchmarks", rows}}.dump();
    return LoadRun(path);
  };
  const Config config = LoadConfig(testing::TargetsJson());
  const benchgate::Run old_run = write("old", "GenuineIntel family 6", 45.0);
  const Comparison same_family = CompareRuns(
      old_run, write("intel", "GenuineIntel family 6", 60.0), config);
  EXPECT_EQ(Item(same_family, "metrics/Record/after").verdict,
            Verdict::kRegressed);
  const Comparison other_family = CompareRuns(
      old_run, write("amd", "AuthenticAMD family 25", 60.0), config);
  EXPECT_EQ(
      Item(other_family, "metrics/Record/after").Find("instructions_per_op"),
      nullptr);
  EXPECT_TRUE(std::any_of(other_family.notes.begin(), other_family.notes.end(),
                          [](const std::string& note) {
                            return note.rfind("instruction counts not compared",
                                              0) == 0;
                          }));
}

TEST(Fingerprint, DerivedOneIgnoresTheExecutable) {
  const nlohmann::json context = nlohmann::json::parse(R"({
    "executable": "./build/release/suite_bench",
    "num_cpus": 8, "mhz_per_cpu": 2995,
    "caches": [{"type": "Data", "level": 1, "size": 32768, "num_sharing": 2}],
    "library_build_type": "release"})");
  nlohmann::json renamed = context;
  renamed["executable"] = "/elsewhere/bin/other_name";
  const RunInfo one = DescribeRun(context, {IdentifyContext(context, "a")});
  const RunInfo two = DescribeRun(renamed, {IdentifyContext(renamed, "b")});
  EXPECT_TRUE(one.fingerprint_derived);
  EXPECT_EQ(one.fingerprint.rfind("gb-", 0), 0u);
  EXPECT_EQ(one.fingerprint, two.fingerprint);
  // Two executables of one suite: the same as one.
  const RunInfo both = DescribeRun(
      context, {IdentifyContext(context, "a"), IdentifyContext(renamed, "b")});
  EXPECT_EQ(both.fingerprint, one.fingerprint);
  // The machine still tells.
  nlohmann::json bigger = context;
  bigger["num_cpus"] = 16;
  EXPECT_NE(DescribeRun(bigger, {IdentifyContext(bigger, "c")}).fingerprint,
            one.fingerprint);
  nlohmann::json debug = context;
  debug["library_build_type"] = "debug";
  EXPECT_NE(DescribeRun(debug, {IdentifyContext(debug, "d")}).fingerprint,
            one.fingerprint);
}

TEST(Fingerprint, OwnFingerprintIsKept) {
  nlohmann::json context = nlohmann::json::parse(R"({
    "executable": "./build/release/benches/hotpath_benchmarks",
    "num_cpus": 8, "library_build_type": "release",
    "hotpath_fingerprint": "741fe81cc03f21f7"})");
  const RunInfo info = DescribeRun(context, {IdentifyContext(context, "a")});
  EXPECT_FALSE(info.fingerprint_derived);
  EXPECT_EQ(info.fingerprint, "741fe81cc03f21f7");
  EXPECT_EQ(LoadRun(Fixture("aa_old.json")).info.fingerprint,
            LoadRun(Fixture("slowdown_new.json")).info.fingerprint);
}

}  // namespace
}  // namespace hotpath::benchgate
