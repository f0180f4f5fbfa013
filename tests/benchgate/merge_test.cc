// benchgate merge: shards unioned, halves pooled, and every input that
// cannot honestly be one run refused; gate --exact-only on fixtures.

#include "benchgate/merge.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "benchgate/error.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"
#include "benchgate/store/baseline_store.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using nlohmann::json;
using testing::Fixture;
using testing::TempDir;
// Inside TEST bodies, Run names testing::Test::Run.
using BgRun = Run;

std::string Merge(const std::string& name) { return Fixture("merge/" + name); }

MergeOptions Disjoint() {
  MergeOptions options;
  options.disjoint = true;
  return options;
}

MergeOptions Mixed() {
  MergeOptions options;
  options.allow_mixed_fingerprints = true;
  return options;
}

// The message of the InputError that `merge` throws, or "" if none.
std::string MergeError(const std::vector<std::string>& inputs,
                       const MergeOptions& options = {}) {
  try {
    MergeRuns(inputs, options);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

BgRun ReadBack(const MergeResult& result, const TempDir& dir) {
  const std::string path = dir.Path("merged.json");
  WriteFileAtomically(path, result.document.dump(2));
  return LoadRun(path);
}

std::vector<double> Reps(const Run& run, const std::string& name,
                         const std::string& metric) {
  const Benchmark* benchmark = run.Find(name);
  EXPECT_NE(benchmark, nullptr) << name;
  if (benchmark == nullptr) return {};
  const Observations* obs = benchmark->Find(metric);
  return obs == nullptr ? std::vector<double>{} : obs->reps;
}

// The process is the unit of replication: a merged file keeps which
// process each repetition ran in, the k-th input holding a benchmark being
// its k-th process (half_a's rows already say 1..9, one per repetition).
TEST(Merge, EachInputsProcessesKeepTheirNumbers) {
  TempDir dir;
  MergeOptions options;
  options.pairing = "round-test-1";
  const MergeResult result =
      MergeRuns({Merge("half_a.json"), Merge("half_b.json")}, options);
  EXPECT_EQ(result.document["context"]["hotpath_pairing"], "round-test-1");
  const BgRun merged = ReadBack(result, dir);
  EXPECT_EQ(merged.info.pairing, "round-test-1");
  const Observations* time =
      merged.Find("routing/Envelope/after/1024")->Find("real_time");
  ASSERT_NE(time, nullptr);
  EXPECT_EQ(time->Processes(), 18);
  std::set<int> first;
  std::set<int> second;
  for (const json& row : result.document["benchmarks"]) {
    if (row["run_name"] != "routing/Envelope/after/1024" ||
        row["run_type"] != "iteration") {
      continue;
    }
    const int process = row["hotpath_process"];
    // half_b's rows come second (stable sort by input).
    (row["repetition_index"].get<int>() < 9 ? first : second).insert(process);
  }
  EXPECT_EQ(*first.begin(), 1);
  EXPECT_EQ(*first.rbegin(), 9);
  EXPECT_EQ(*second.begin(), 10);
  EXPECT_EQ(*second.rbegin(), 18);

  // Files Google Benchmark wrote have no hotpath_process: one process each.
  TempDir plain_dir;
  const MergeResult plain = MergeRuns(
      {Fixture("single_process_old.json"), Fixture("single_process_slow.json")},
      {});
  const BgRun two = ReadBack(plain, plain_dir);
  EXPECT_EQ(two.Find("metrics/Record/after")->Find("real_time")->Processes(),
            2);
  EXPECT_TRUE(LoadRun(Fixture("single_process_old.json"))
                  .Find("metrics/Record/after")
                  ->Find("real_time")
                  ->process.empty());
}

TEST(Merge, HalvesOfOneSidePoolTheirRepetitions) {
  TempDir dir;
  const MergeResult result =
      MergeRuns({Merge("half_a.json"), Merge("half_b.json")}, {});
  const BgRun a = LoadRun(Merge("half_a.json"));
  const BgRun b = LoadRun(Merge("half_b.json"));
  const BgRun merged = ReadBack(result, dir);
  EXPECT_EQ(result.pooled, a.benchmarks.size());
  EXPECT_EQ(merged.benchmarks.size(), a.benchmarks.size());
  EXPECT_FALSE(result.mixed);
  EXPECT_EQ(merged.info.fingerprint, a.info.fingerprint);

  const std::string name = "routing/Envelope/after/1024";
  std::vector<double> expected = Reps(a, name, "real_time");
  const std::vector<double> second = Reps(b, name, "real_time");
  expected.insert(expected.end(), second.begin(), second.end());
  std::vector<double> pooled = Reps(merged, name, "real_time");
  std::sort(expected.begin(), expected.end());
  std::sort(pooled.begin(), pooled.end());
  EXPECT_EQ(pooled, expected);

  // Repetitions renumbered 0..17; aggregates recomputed over all 18.
  std::set<long long> indices;
  std::map<std::string, json> aggregates;
  for (const json& row : result.document["benchmarks"]) {
    if (row["run_name"] != name) continue;
    if (row["run_type"] == "iteration") {
      indices.insert(row["repetition_index"].get<long long>());
      EXPECT_EQ(row["repetitions"], 18);
    } else {
      aggregates[row["aggregate_name"].get<std::string>()] = row;
    }
  }
  EXPECT_EQ(indices.size(), 18U);
  EXPECT_EQ(*indices.rbegin(), 17);
  ASSERT_EQ(aggregates.size(), 4U);
  const double median = (pooled[8] + pooled[9]) / 2;
  EXPECT_DOUBLE_EQ(aggregates["median"]["real_time"].get<double>(), median);
  EXPECT_EQ(aggregates["mean"]["iterations"], 18);
  EXPECT_EQ(aggregates["cv"]["aggregate_unit"], "percentage");
  EXPECT_EQ(merged.Find(name)->Find("real_time")->n, 18);
}

TEST(Merge, ShardsAreUnionedAndReadLikeTheWholeRun) {
  TempDir dir;
  const MergeResult result =
      MergeRuns({Merge("shard1"), Merge("shard2")}, Disjoint());
  const BgRun one = LoadRun(Merge("shard1"));
  const BgRun two = LoadRun(Merge("shard2"));
  const BgRun merged = ReadBack(result, dir);
  EXPECT_EQ(result.pooled, 0U);
  EXPECT_EQ(result.files, 4U);
  EXPECT_EQ(merged.benchmarks.size(),
            one.benchmarks.size() + two.benchmarks.size());
  for (const BgRun* shard : {&one, &two}) {
    for (const Benchmark& benchmark : shard->benchmarks) {
      ASSERT_NE(merged.Find(benchmark.name), nullptr) << benchmark.name;
      EXPECT_EQ(Reps(merged, benchmark.name, "real_time"),
                benchmark.Find("real_time")->reps);
    }
  }
  // Family indices restart per binary; renumbered, they stay distinct.
  std::map<long long, std::set<std::string>> executables_of_family;
  for (const json& row : result.document["benchmarks"]) {
    const std::string area = row["run_name"].get<std::string>().substr(0, 9);
    executables_of_family[row["family_index"].get<long long>()].insert(
        area == "scenarios" ? "scenarios" : "micro");
  }
  for (const auto& [family, executables] : executables_of_family) {
    EXPECT_EQ(executables.size(), 1U) << "family " << family;
  }
  // Provenance of the merge in the context.
  const json& merge = merged.context["hotpath_merge"];
  EXPECT_EQ(merge["inputs"].size(), 2U);
  EXPECT_EQ(merge["mixed"], false);
  EXPECT_EQ(merge["benchmarks"], merged.benchmarks.size());
}

TEST(Merge, DisjointRefusesOverlap) {
  const std::string error =
      MergeError({Merge("half_a.json"), Merge("half_b.json")}, Disjoint());
  EXPECT_NE(error.find("shards must be disjoint"), std::string::npos) << error;
}

TEST(Merge, DifferentMachinesAreRefusedUnlessAllowed) {
  const std::string error =
      MergeError({Merge("shard1"), Merge("other_machine_shard.json")});
  EXPECT_NE(error.find("--allow-mixed-fingerprints"), std::string::npos)
      << error;
  EXPECT_NE(error.find("fp-ci-4core"), std::string::npos) << error;
}

TEST(Merge, MixedShardsAreMarkedAndNeverAccepted) {
  TempDir dir;
  const MergeResult result =
      MergeRuns({Merge("shard1"), Merge("other_machine_shard.json")}, Mixed());
  EXPECT_TRUE(result.mixed);
  EXPECT_EQ(result.machines,
            (std::vector<std::string>{"fp-ci-4core", "fp-dev-2core"}));
  EXPECT_EQ(result.fingerprint.rfind("mixed-", 0), 0U) << result.fingerprint;
  const BgRun merged = ReadBack(result, dir);
  EXPECT_EQ(merged.info.fingerprint, result.fingerprint);
  EXPECT_EQ(merged.context["hotpath_merge"]["mixed"], true);
  const bool noted = std::any_of(
      merged.notes.begin(), merged.notes.end(), [](const std::string& note) {
        return note.find("several machines") != std::string::npos;
      });
  EXPECT_TRUE(noted);
  // Matches no machine's baseline, and cannot become one.
  EXPECT_NE(result.fingerprint, "fp-dev-2core");
  const BaselineStore store(dir.Path("baselines"));
  EXPECT_THROW(store.Accept(merged, {}, MetricPolicies{}, AcceptOptions{}),
               InputError);
}

TEST(Merge, RepetitionsOfDifferentMachinesAreNeverPooled) {
  const std::string error = MergeError(
      {Merge("shard1"), Merge("other_machine_overlap.json")}, Mixed());
  EXPECT_NE(error.find("cannot be pooled"), std::string::npos) << error;
}

TEST(Merge, RefusesAnotherBuildTypeOrRevision) {
  std::string error =
      MergeError({Merge("half_a.json"), Merge("debug_build.json")});
  EXPECT_NE(error.find("build type \"Debug\""), std::string::npos) << error;
  error = MergeError({Merge("half_a.json"), Merge("other_revision.json")});
  EXPECT_NE(error.find("revision"), std::string::npos) << error;
}

TEST(Merge, RefusesTheSameResultsTwice) {
  std::string error = MergeError({Merge("half_a.json"), Merge("half_a.json")});
  EXPECT_NE(error.find("given twice"), std::string::npos) << error;
  // A copy under another name: identical repetitions.
  TempDir dir;
  std::filesystem::copy_file(Merge("half_a.json"), dir.Path("copy.json"));
  error = MergeError({Merge("half_a.json"), dir.Path("copy.json")});
  EXPECT_NE(error.find("duplicate result"), std::string::npos) << error;
}

// A benchmark that fails the same way in every process (an allocation
// budget exceeded) leaves identical error rows: no measurement, so not the
// same results given twice. The merged run keeps the failure.
TEST(Merge, IdenticalFailuresOfSeveralProcessesArePooled) {
  TempDir dir;
  const auto process = [&](const std::string& name, double time) {
    const json document = {
        {"context", {{"num_cpus", 2}, {"library_build_type", "release"}}},
        {"benchmarks",
         {{{"name", "BM_Ok"},
           {"run_name", "BM_Ok"},
           {"run_type", "iteration"},
           {"repetitions", 1},
           {"repetition_index", 0},
           {"threads", 1},
           {"iterations", 1000},
           {"real_time", time},
           {"cpu_time", time},
           {"time_unit", "ns"}},
          {{"name", "BM_Budget"},
           {"run_name", "BM_Budget"},
           {"run_type", "iteration"},
           {"repetitions", 1},
           {"repetition_index", 0},
           {"threads", 1},
           {"error_occurred", true},
           {"error_message", "allocation budget: 0 per op, measured 1"},
           {"iterations", 1},
           {"real_time", 0.0},
           {"cpu_time", 0.0},
           {"time_unit", "ns"}}}}};
    WriteFileAtomically(dir.Path(name), document.dump(2));
    return dir.Path(name);
  };
  const std::string a = process("p1.json", 10.0);
  const std::string b = process("p2.json", 11.0);
  ASSERT_EQ(MergeError({a, b}), "");
  const BgRun run = ReadBack(MergeRuns({a, b}, {}), dir);
  const Benchmark* failed = run.Find("BM_Budget");
  ASSERT_NE(failed, nullptr);
  EXPECT_TRUE(failed->error.has_value());
  EXPECT_EQ(Reps(run, "BM_Ok", "real_time").size(), 2U);
}

TEST(Merge, AggregatesOnlyCannotBePooled) {
  const std::string error =
      MergeError({Merge("half_a.json"), Merge("aggregates_only.json")});
  EXPECT_NE(error.find("aggregates only"), std::string::npos) << error;
}

TEST(Merge, ForeignShardsKeepTheWholeRunsDerivedFingerprint) {
  TempDir dir;
  const BgRun whole = LoadRun(Merge("foreign"));
  ASSERT_TRUE(whole.info.fingerprint_derived);
  const MergeResult result = MergeRuns(
      {Merge("foreign/a_bench.json"), Merge("foreign/b_bench.json")}, {});
  EXPECT_FALSE(result.mixed);
  EXPECT_EQ(result.fingerprint, whole.info.fingerprint);
  EXPECT_EQ(ReadBack(result, dir).info.fingerprint, whole.info.fingerprint);
}

TEST(Merge, AMergedFileMergesAgain) {
  TempDir dir;
  const MergeResult first =
      MergeRuns({Merge("half_a.json"), Merge("half_b.json")}, {});
  WriteFileAtomically(dir.Path("ab.json"), first.document.dump(2));
  const MergeResult again = MergeRuns({dir.Path("ab.json")}, {});
  EXPECT_EQ(again.benchmarks, first.benchmarks);
  EXPECT_EQ(again.fingerprint, first.fingerprint);
}

// The real binary.
struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Outcome Benchgate(const TempDir& dir, const std::string& args) {
  const std::string out = dir.Path("stdout");
  const std::string err = dir.Path("stderr");
  const std::string command = std::string("NO_COLOR=1 '") + BENCHGATE_BINARY +
                              "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int status = std::system(command.c_str());
  Outcome outcome;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.out = Slurp(out);
  outcome.err = Slurp(err);
  return outcome;
}

TEST(MergeCli, WritesTheFileAndSaysWhat) {
  TempDir dir;
  const Outcome outcome =
      Benchgate(dir, "merge " + dir.Path("all.json") + " " + Merge("shard1") +
                         " " + Merge("shard2") + " --disjoint");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("benchgate merge: wrote"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.Path("all.json")));
  EXPECT_EQ(LoadRun(dir.Path("all.json")).info.fingerprint, "fp-dev-2core");
}

TEST(MergeCli, BadInputIsOneLineAndExitTwo) {
  TempDir dir;
  for (const std::string& args :
       {"merge " + dir.Path("x.json") + " " + Merge("shard1") + " " +
            Merge("other_machine_shard.json"),
        "merge " + dir.Path("x.json") + " " + Merge("half_a.json") + " " +
            Merge("half_a.json"),
        "merge " + dir.Path("x.json") + " " + Merge("no_such.json"),
        "merge " + dir.Path("x.json") + " " + Merge("half_a.json") +
            " --pairing 'a b'",
        "merge " + Merge("shard1/out.json") + " " + Merge("shard1"),
        "merge " + dir.Path("x.json")}) {
    const Outcome outcome = Benchgate(dir, args);
    EXPECT_EQ(outcome.exit_code, 2) << args << "\n" << outcome.out;
    EXPECT_EQ(outcome.err.rfind("benchgate: error: ", 0), 0U) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1)
        << outcome.err;
    EXPECT_FALSE(std::filesystem::exists(dir.Path("x.json")));
  }
  EXPECT_FALSE(std::filesystem::exists(Merge("shard1/out.json")));
}

// gate --exact-only: timings are left to a same-machine comparison.
class ExactOnly : public ::testing::Test {
 protected:
  void SetUp() override {
    const Outcome accepted =
        Benchgate(dir_, "accept " + Fixture("aa_old.json") + " --baseline " +
                            dir_.Path("baselines"));
    ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  }
  Outcome Gate(const std::string& run, const std::string& extra) {
    return Benchgate(dir_, "gate " + run + " --baseline " +
                               dir_.Path("baselines") + " --json " +
                               dir_.Path("verdicts.json") + " " + extra);
  }
  json Verdicts() const {
    std::ifstream in(dir_.Path("verdicts.json"));
    return json::parse(in);
  }
  TempDir dir_;
};

// Against a stored baseline timings are information (DESIGN.md, Gating):
// a slowdown alone is shown and fails only a back-to-back compare.
TEST_F(ExactOnly, ATimingSlowdownAloneFailsOnlyABackToBackCompare) {
  const std::string run = Merge("timing_slowdown.json");
  const Outcome full = Gate(run, "");
  EXPECT_EQ(full.exit_code, 0) << full.out;
  EXPECT_NE(full.out.find("are information: not measured back to back"),
            std::string::npos)
      << full.out;
  const Outcome compare =
      Benchgate(dir_, "compare " + Fixture("aa_old.json") + " " + run);
  EXPECT_EQ(compare.exit_code, 1) << compare.out;
  EXPECT_NE(compare.out.find("regressed"), std::string::npos);
  const Outcome exact = Gate(run, "--exact-only");
  EXPECT_EQ(exact.exit_code, 0) << exact.out;
  EXPECT_NE(exact.out.find("exact metrics only"), std::string::npos);
  // No noisy metric was compared at all.
  std::size_t compared = 0;
  const json verdicts = Verdicts();
  for (const json& item : verdicts["comparison"]["items"]) {
    for (const json& metric : item["metrics"]) {
      EXPECT_NE(metric["metric"], "real_time") << item["name"];
      EXPECT_NE(metric["metric"], "cpu_time") << item["name"];
      ++compared;
    }
  }
  EXPECT_GT(compared, 0U);
}

TEST_F(ExactOnly, AnExtraAllocationStillFails) {
  const Outcome exact = Gate(Fixture("slowdown_new.json"), "--exact-only");
  EXPECT_EQ(exact.exit_code, 1) << exact.out;
  EXPECT_NE(exact.out.find("allocs_per_op: 0 -> 1"), std::string::npos)
      << exact.out;
}

// A count that follows the load (an open loop's batches) is declared noisy
// for its benchmarks only: the exact gate leaves it to the same-machine run.
TEST_F(ExactOnly, AnOverrideTakesALoadDependentCountOutOfTheExactGate) {
  std::ofstream(dir_.Path("targets.json")) << R"({"overrides": [
      {"benchmarks": ["metrics/Record/after"],
       "metrics": {"allocs_per_op": {"kind": "noisy"},
                   "bytes_per_op": {"kind": "noisy"}}}]})";
  const Outcome exact =
      Gate(Fixture("slowdown_new.json"),
           "--exact-only --targets " + dir_.Path("targets.json"));
  // batching/Flush/after's extra allocation still fails the gate.
  EXPECT_EQ(exact.exit_code, 1) << exact.out;
  std::set<std::string> regressed;
  const json verdicts = Verdicts();
  for (const json& item : verdicts["comparison"]["items"]) {
    for (const json& metric : item["metrics"]) {
      EXPECT_EQ(metric["kind"], "exact") << item["name"];
      if (metric["verdict"] == "regressed") {
        regressed.insert(item["name"].get<std::string>() + " " +
                         metric["metric"].get<std::string>());
      }
    }
  }
  EXPECT_EQ(regressed,
            std::set<std::string>{"batching/Flush/after allocs_per_op"})
      << exact.out;
  // Without the override, Record/after's 0 -> 1 fails too.
  EXPECT_NE(Gate(Fixture("slowdown_new.json"), "--exact-only")
                .out.find("allocs_per_op: 0 -> 1"),
            std::string::npos);
}

}  // namespace
}  // namespace hotpath::benchgate
