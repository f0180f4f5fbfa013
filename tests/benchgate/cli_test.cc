// The real binary, as CI runs it: exit codes, one-line errors, reports.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "benchgate/read/gb_reader.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;
using testing::TempDir;

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class Cli : public ::testing::Test {
 protected:
  // Runs benchgate with `args` (shell words; fixture paths have no spaces).
  Outcome Benchgate(const std::string& args) {
    const std::string out = dir_.Path("stdout");
    const std::string err = dir_.Path("stderr");
    const std::string command = std::string("NO_COLOR=1 '") + BENCHGATE_BINARY +
                                "' " + args + " >'" + out + "' 2>'" + err + "'";
    const int status = std::system(command.c_str());
    Outcome outcome;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcome.out = Slurp(out);
    outcome.err = Slurp(err);
    return outcome;
  }

  std::string Targets() const { return "--targets " + testing::TargetsJson(); }

  TempDir dir_;
};

TEST_F(Cli, AaComparisonPasses) {
  const Outcome outcome = Benchgate("compare " + Fixture("aa_old.json") + " " +
                                    Fixture("aa_new.json"));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_NE(outcome.out.find("benchgate compare: PASS"), std::string::npos);
  EXPECT_EQ(outcome.out.find('\033'), std::string::npos);  // not a terminal
  EXPECT_TRUE(outcome.err.empty());
}

TEST_F(Cli, AnErrorNamingAHostilePathIsOneVisibleLine) {
  // A file name with a newline and an escape sequence, which would print a
  // forged second line (or recolour the terminal) if shown raw.
  const std::string name = dir_.Path("x\n\033[2Jbenchgate compare: PASS");
  const Outcome outcome = Benchgate("compare '" + name + "' '" + name + "'");
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1)
      << outcome.err;
  EXPECT_EQ(outcome.err.find('\033'), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find("x\\n\\x1b[2J"), std::string::npos) << outcome.err;
}

TEST_F(Cli, SlowdownFailsWithExitOne) {
  const Outcome outcome = Benchgate("compare " + Fixture("aa_old.json") + " " +
                                    Fixture("slowdown_new.json"));
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out << outcome.err;
  EXPECT_NE(outcome.out.find("regressed"), std::string::npos);
}

TEST_F(Cli, CheckReportsEachTarget) {
  const Outcome pass =
      Benchgate("check " + Fixture("aa_old.json") + " " + Targets());
  EXPECT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  const Outcome fail =
      Benchgate("check " + Fixture("targets_mixed.json") + " " + Targets());
  EXPECT_EQ(fail.exit_code, 1) << fail.out << fail.err;
  EXPECT_NE(fail.out.find("INCONCLUSIVE"), std::string::npos);
  EXPECT_NE(fail.out.find("nothing to reduce"), std::string::npos);
}

TEST_F(Cli, GateWithoutBaselineChecksWhatItCan) {
  const Outcome outcome =
      Benchgate("gate " + Fixture("aa_new.json") + " --baseline " +
                dir_.Path() + " " + Targets());
  EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
  EXPECT_NE(outcome.out.find("no stored baseline for fingerprint fp-dev-2core"),
            std::string::npos);
}

TEST_F(Cli, AcceptThenGateCatchesTheSlowdownAndWritesReports) {
  const std::string store = dir_.Path("baselines");
  const Outcome accept =
      Benchgate("accept " + Fixture("aa_old.json") + " --baseline " + store +
                " --calibration " + Fixture("aa_new.json") + " " +
                Fixture("aa_third.json"));
  ASSERT_EQ(accept.exit_code, 0) << accept.out << accept.err;
  EXPECT_NE(accept.out.find("Calibrated A/A noise from 3 runs"),
            std::string::npos);

  const Outcome aa = Benchgate("gate " + Fixture("aa_new.json") +
                               " --baseline " + store + " " + Targets());
  EXPECT_EQ(aa.exit_code, 0) << aa.out;
  EXPECT_NE(aa.out.find("A/A calibration (3 runs)"), std::string::npos);

  const std::string md = dir_.Path("gate.md");
  const std::string xml = dir_.Path("gate.xml");
  const std::string json = dir_.Path("gate.json");
  const Outcome slow = Benchgate(
      "gate " + Fixture("slowdown_new.json") + " --baseline " + store + " " +
      Targets() + " --markdown " + md + " --junit " + xml + " --json " + json);
  EXPECT_EQ(slow.exit_code, 1) << slow.out;
  EXPECT_NE(Slurp(md).find("FAIL"), std::string::npos);
  EXPECT_NE(Slurp(xml).find("<failure"), std::string::npos);
  const nlohmann::json verdicts = nlohmann::json::parse(Slurp(json));
  EXPECT_EQ(verdicts["exit_code"], 1);
  EXPECT_GE(verdicts["summary"]["regressed"].get<int>(), 2);
}

// Issue 14: a run from another CPU against the stored baseline. Timings,
// and ratios of timings, are not machine-independent (a lock costs
// differently on another CPU): shown, never counted. Exact metrics decide.
TEST_F(Cli, AcrossFingerprintsOnlyExactMetricsDecide) {
  const std::string store = dir_.Path("baselines");
  ASSERT_EQ(
      Benchgate("accept " + Fixture("aa_old.json") + " --baseline " + store)
          .exit_code,
      0);
  const Outcome same = Benchgate("gate " + Fixture("other_machine.json") +
                                 " --baseline " + store);
  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_NE(same.out.find("timings not comparable: the old run was recorded "
                          "on Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz, "
                          "revision 0123456789ab"),
            std::string::npos)
      << same.out;
  // routing's after/before ratio 40% worse on the other machine: shown as
  // information, the gate passes.
  const Outcome worse =
      Benchgate("gate " + Fixture("other_machine_regressed.json") +
                " --baseline " + store + " --all-metrics");
  EXPECT_EQ(worse.exit_code, 0) << worse.out;
  EXPECT_NE(worse.out.find("(information)"), std::string::npos) << worse.out;
  EXPECT_NE(worse.out.find("benchgate gate: PASS"), std::string::npos);

  // One allocation more per op fails on any machine.
  nlohmann::json run = nlohmann::json::parse(
      ReplaceNonFiniteLiterals(Slurp(Fixture("other_machine.json"))));
  for (nlohmann::json& row : run["benchmarks"]) {
    if (row["run_name"] == "routing/Envelope/after/1024") {
      row["allocs_per_op"] = row["allocs_per_op"].get<double>() + 1.0;
    }
  }
  const std::string allocating = dir_.Path("allocating.json");
  std::ofstream(allocating) << run.dump(1);
  const Outcome extra =
      Benchgate("gate " + allocating + " --baseline " + store);
  EXPECT_EQ(extra.exit_code, 1) << extra.out;
  EXPECT_NE(extra.out.find("FAIL (exit 1): 1 regressed"), std::string::npos)
      << extra.out;
}

TEST_F(Cli, FailedBenchmarkFailsTheGate) {
  const Outcome outcome = Benchgate("gate " + Fixture("failed_benchmark.json") +
                                    " --baseline " + dir_.Path());
  EXPECT_EQ(outcome.exit_code, 1) << outcome.out;
  EXPECT_NE(outcome.out.find("summary differs"), std::string::npos);
}

TEST_F(Cli, MissingTargetsFailOnlyWhenRequired) {
  const std::string targets = dir_.Path("targets.json");
  std::ofstream(targets)
      << R"({"targets": [{"name": "later", "benchmarks": ["mempool/**"],
                                 "metric": "allocs_per_op", "max_ratio": 0.5}]})";
  EXPECT_EQ(
      Benchgate("check " + Fixture("aa_old.json") + " --targets " + targets)
          .exit_code,
      0);
  EXPECT_EQ(Benchgate("check " + Fixture("aa_old.json") + " --targets " +
                      targets + " --require-all-targets")
                .exit_code,
            1);
}

TEST_F(Cli, HelpAndVersionExitZero) {
  EXPECT_EQ(Benchgate("--help").exit_code, 0);
  EXPECT_EQ(Benchgate("--version").exit_code, 0);
  EXPECT_EQ(Benchgate("gate --help").exit_code, 0);
}

TEST_F(Cli, CpusNamesTheFastestCpuOnItsLastLine) {
  const Outcome outcome = Benchgate("cpus --rounds 2");
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("ms per probe (median of 2"), std::string::npos)
      << outcome.out;
  const std::string last =
      outcome.out.substr(outcome.out.rfind("benchgate cpus:"));
  EXPECT_EQ(last.rfind("benchgate cpus: fastest: cpu ", 0), 0U) << outcome.out;
  EXPECT_EQ(Benchgate("cpus --rounds 0").exit_code, 2);
}

// Every bad input: exit 2, one line on stderr naming the problem.
struct BadInput {
  const char* name;
  std::string args;
  const char* message;
};

class CliBadInput : public Cli,
                    public ::testing::WithParamInterface<BadInput> {};

TEST_P(CliBadInput, ExitsTwoWithOneLine) {
  std::string args = GetParam().args;
  const std::string store_marker = "STORE";
  if (const auto at = args.find(store_marker); at != std::string::npos) {
    args.replace(at, store_marker.size(), dir_.Path());
  }
  const Outcome outcome = Benchgate(args);
  EXPECT_EQ(outcome.exit_code, 2) << outcome.out << outcome.err;
  EXPECT_EQ(outcome.err.rfind("benchgate: error: ", 0), 0u) << outcome.err;
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1)
      << outcome.err;
  EXPECT_NE(outcome.err.find(GetParam().message), std::string::npos)
      << outcome.err;
}

void ExpectOneErrorLine(const Outcome& outcome, const std::string& names,
                        const std::string& why) {
  EXPECT_EQ(outcome.exit_code, 2) << outcome.out << outcome.err;
  EXPECT_EQ(outcome.err.rfind("benchgate: error: ", 0), 0u) << outcome.err;
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1)
      << outcome.err;
  EXPECT_NE(outcome.err.find(names), std::string::npos) << outcome.err;
  EXPECT_NE(outcome.err.find(why), std::string::npos) << outcome.err;
}

// A stored baseline that is no regular file is bad input, not "no stored
// baseline" and a pass.
TEST_F(Cli, GateRefusesAStoredBaselineThatIsNotAFile) {
  namespace fs = std::filesystem;
  const std::string store = dir_.Path("baselines");
  const std::string folder = store + "/fp-dev-2core";
  const std::string file = folder + "/baseline.json";
  const std::string gate =
      "gate " + Fixture("aa_new.json") + " --baseline " + store;
  fs::create_directories(file);
  ExpectOneErrorLine(Benchgate(gate), file, "");
  fs::remove(file);
  ASSERT_EQ(::mkfifo(file.c_str(), 0644), 0);
  ExpectOneErrorLine(Benchgate(gate), file, "");
  fs::remove(file);
  fs::create_symlink("/dev/zero", file);
  ExpectOneErrorLine(Benchgate(gate), file, "");
  fs::remove_all(folder);
  std::ofstream(folder) << "x";
  ExpectOneErrorLine(Benchgate(gate), folder, "not a folder");
  fs::remove(folder);
  const Outcome none = Benchgate(gate);  // no folder: no stored baseline
  EXPECT_EQ(none.exit_code, 0) << none.out << none.err;
  EXPECT_NE(none.out.find("no stored baseline"), std::string::npos);
}

// Two accepts into one directory: the second (a real process) waits for
// the lock the first holds and goes ahead once it is released.
TEST_F(Cli, AcceptWaitsForAnotherAcceptsLock) {
  namespace fs = std::filesystem;
  const std::string store = dir_.Path("baselines");
  fs::create_directories(store);
  const std::string lock_path = store + "/.benchgate.lock";
  const int held = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  Outcome second;
  std::thread accept([&] {
    second = Benchgate("accept " + Fixture("aa_old.json") + " --baseline " +
                       store + " --calibration " + Fixture("aa_new.json"));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_FALSE(fs::exists(store + "/fp-dev-2core/baseline.json"))
      << "accept wrote while another held the lock";
  ::flock(held, LOCK_UN);
  ::close(held);
  accept.join();
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_TRUE(fs::exists(store + "/fp-dev-2core/baseline.json"));
  EXPECT_TRUE(fs::exists(store + "/fp-dev-2core/noise.json"));
  // The wait is said, once, on stderr: a silent accept looks hung.
  EXPECT_NE(second.err.find("benchgate accept: waiting (up to 30 s) for "
                            "another accept into " +
                            store),
            std::string::npos)
      << second.err;
}

// Only accept writes under a baseline directory, and no output overwrites
// an input: refused before any work, the files untouched.
TEST_F(Cli, OutputsNeverOverwriteABaselineOrAnInput) {
  namespace fs = std::filesystem;
  const std::string store = dir_.Path("baselines");
  ASSERT_EQ(Benchgate("accept " + Fixture("aa_old.json") + " --baseline " +
                      store + " --calibration " + Fixture("aa_new.json"))
                .exit_code,
            0);
  const std::string baseline = store + "/fp-dev-2core/baseline.json";
  const std::string noise = store + "/fp-dev-2core/noise.json";
  const std::string kept_baseline = Slurp(baseline);
  const std::string kept_noise = Slurp(noise);
  const std::string run = dir_.Path("run.json");
  fs::copy_file(Fixture("aa_new.json"), run);
  const std::string kept_run = Slurp(run);
  const std::string link = dir_.Path("innocent.json");
  fs::create_symlink(baseline, link);
  fs::create_directories(dir_.Path("rundir"));
  fs::copy_file(Fixture("aa_new.json"), dir_.Path("rundir/a.json"));
  const std::string in_store = " --baseline " + store;
  const std::string gate = "gate " + run + in_store + " ";
  const std::string gate_dir = "gate " + dir_.Path("rundir") + in_store + " ";
  const struct {
    std::string args;
    std::string output;
  } cases[] = {
      {"report " + run + in_store + " -o " + baseline, baseline},
      {"report " + run + " -o " + baseline, baseline},
      {"report " + run + " -o " + run, run},
      {"report " + run + in_store + " -o " + store +
           "/./fp-dev-2core/../fp-dev-2core/baseline.json",
       "fp-dev-2core/baseline.json"},
      {"report " + run + in_store + " -o " + store + "/.benchgate.lock",
       store + "/.benchgate.lock"},
      {gate + "--json " + store + "/fp-dev-2core", store + "/fp-dev-2core"},
      {gate_dir + "--json " + dir_.Path("rundir/v.json"), dir_.Path("rundir")},
      {"report " + dir_.Path("rundir") + " -o " + dir_.Path("rundir/a.json"),
       dir_.Path("rundir/a.json")},
      {"merge " + dir_.Path("rundir/m.json") + " " + dir_.Path("rundir"),
       dir_.Path("rundir/m.json")},
      {gate + "--json " + baseline, baseline},
      {gate + "--markdown " + noise, noise},
      {gate + "--junit " + link, link},
      {gate + "--json " + run, run},
      {"compare " + Fixture("aa_old.json") + " " + run + " --json " + baseline,
       baseline},
      {"compare " + Fixture("aa_old.json") + " " + run + " --markdown " + run,
       run},
      {"check " + run + " --targets " + testing::TargetsJson() + " --junit " +
           noise,
       noise},
      {"merge " + baseline + " " + run, baseline},
      {"merge " + link + " " + run, link},
      {"export " + run + " --format bencher -o " + run, run},
      {"export " + run + " --format github-action-benchmark -o " + baseline,
       baseline},
      {"export " + run + " --format bencher -o " + link, link},
      {"export " + dir_.Path("rundir") + " --format bencher -o " +
           dir_.Path("rundir/a.json"),
       dir_.Path("rundir/a.json")},
  };
  for (const auto& each : cases) {
    SCOPED_TRACE(each.args);
    const Outcome outcome = Benchgate(each.args);
    ExpectOneErrorLine(outcome, each.output, "");
    EXPECT_TRUE(outcome.out.empty()) << outcome.out;
    EXPECT_EQ(Slurp(baseline), kept_baseline);
    EXPECT_EQ(Slurp(noise), kept_noise);
    EXPECT_EQ(Slurp(run), kept_run);
    EXPECT_TRUE(fs::is_regular_file(store + "/.benchgate.lock"));
    EXPECT_TRUE(fs::is_directory(store + "/fp-dev-2core"));
    EXPECT_EQ(Slurp(dir_.Path("rundir/a.json")), kept_run);
    EXPECT_FALSE(fs::exists(dir_.Path("rundir/v.json")));
    EXPECT_FALSE(fs::exists(dir_.Path("rundir/m.json")));
  }
  // Elsewhere, the same commands write.
  EXPECT_EQ(
      Benchgate("report " + run + in_store + " -o " + dir_.Path("report.html"))
          .exit_code,
      0);
  EXPECT_EQ(Benchgate(gate + "--json " + dir_.Path("v.json")).exit_code, 0);
  EXPECT_EQ(Benchgate(gate + "--json " + store + "/verdicts.out").exit_code, 0);
  // bench-all writes the gate's files into gate/ and report.html into the
  // run directory: benchgate never reads those as the run.
  fs::create_directories(dir_.Path("rundir/gate"));
  EXPECT_EQ(Benchgate(gate_dir + "--json " + dir_.Path("rundir/gate/v.json"))
                .exit_code,
            0);
  EXPECT_EQ(Benchgate("report " + dir_.Path("rundir") + " -o " +
                      dir_.Path("rundir/report.html"))
                .exit_code,
            0);
}

// export: every format written as valid JSON (each format's content is
// checked in write/export_formats_test.cc); an unknown format is a usage
// error (exit 2, one line) before anything is read or written.
TEST_F(Cli, ExportWritesEachFormatAndRefusesAnUnknownOne) {
  namespace fs = std::filesystem;
  const std::string run = Fixture("export/repetitions.json");
  for (const std::string format : {"bencher", "github-action-benchmark",
                                   "github-action-benchmark-bigger"}) {
    SCOPED_TRACE(format);
    const std::string output = dir_.Path(format + ".json");
    const Outcome outcome =
        Benchgate("export " + run + " --format " + format + " -o " + output);
    EXPECT_EQ(outcome.exit_code, 0) << outcome.out << outcome.err;
    EXPECT_NE(outcome.out.find("benchgate export: wrote " + output),
              std::string::npos)
        << outcome.out;
    EXPECT_NE(outcome.out.find("1 failed benchmark(s) left out"),
              std::string::npos)
        << outcome.out;
    EXPECT_TRUE(nlohmann::json::accept(Slurp(output)));
  }
  // foreign.json has no items_per_second: an empty array, said so.
  const Outcome empty = Benchgate(
      "export " + Fixture("foreign.json") +
      " --format github-action-benchmark-bigger -o " + dir_.Path("empty.json"));
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(Slurp(dir_.Path("empty.json")), "[]\n");
  EXPECT_NE(empty.out.find("note: nothing to export"), std::string::npos)
      << empty.out;
  const std::string output = dir_.Path("unknown.json");
  ExpectOneErrorLine(
      Benchgate("export " + run + " --format criterion -o " + output),
      "unknown export format \"criterion\"", "bencher");
  EXPECT_FALSE(fs::exists(output));
  // -o is required: a usage error, not a file named after nothing.
  ExpectOneErrorLine(Benchgate("export " + run + " --format bencher"),
                     "--output", "");
}

std::string Compare(const std::string& bad) {
  return "compare " + Fixture("aa_old.json") + " " + Fixture(bad);
}

INSTANTIATE_TEST_SUITE_P(
    EveryBadInput, CliBadInput,
    ::testing::Values(
        BadInput{"Truncated", Compare("bad/truncated.json"), "not valid JSON"},
        BadInput{"NotJson", Compare("bad/not_json.json"), "not valid JSON"},
        BadInput{"NotAnObject", Compare("bad/not_object.json"),
                 "top level is array"},
        BadInput{"WrongType", Compare("bad/wrong_type.json"),
                 "real_time must be a number, not string"},
        BadInput{"BenchmarksNotArray", Compare("bad/benchmarks_not_array.json"),
                 "no \"benchmarks\" array"},
        BadInput{"NanTime", Compare("bad/nan_time.json"), "real_time is NaN"},
        BadInput{"NegativeTime", Compare("bad/negative_time.json"),
                 "cpu_time is negative"},
        BadInput{"EmptyBenchmarks", Compare("bad/empty_benchmarks.json"),
                 "empty benchmark list"},
        BadInput{"DuplicateRows", Compare("bad/duplicate_rows.json"),
                 "duplicate result"},
        BadInput{"UnknownTimeUnit", Compare("bad/unknown_time_unit.json"),
                 "unknown time_unit"},
        BadInput{"MissingFile", Compare("bad/no_such_file.json"),
                 "no such file or directory"},
        BadInput{"BeforeWithoutAfter",
                 "check " + Fixture("bad/before_without_after.json") +
                     " --targets " + testing::TargetsJson(),
                 "has no after variant"},
        BadInput{
            "DebugBaseline",
            "accept " + Fixture("bad/debug_build.json") + " --baseline STORE",
            "refusing a debug-build baseline"},
        BadInput{"MismatchedFingerprint",
                 "gate " + Fixture("bad/mismatched_fingerprint") +
                     " --baseline STORE",
                 "one run must come from one build"},
        BadInput{"UnwritableBaseline",
                 "accept " + Fixture("aa_old.json") + " --baseline " +
                     Fixture("aa_old.json") + "/store",
                 "not writable"},
        BadInput{"BaselineNotADirectory",
                 "gate " + Fixture("aa_old.json") + " --baseline " +
                     Fixture("aa_old.json"),
                 "not a directory"},
        BadInput{"BadTargets",
                 "check " + Fixture("aa_old.json") + " --targets " +
                     Fixture("bad/targets_unknown_key.json"),
                 "unknown key \"maximum\""},
        BadInput{"NoSubcommand", "", "subcommand"},
        BadInput{"UnknownOption", "compare a b --frobnicate", "frobnicate"},
        BadInput{"MissingArgument", "check " + Fixture("aa_old.json"),
                 "--targets"},
        BadInput{"BadColor", "compare a b --color=sometimes", "sometimes"}),
    [](const ::testing::TestParamInfo<BadInput>& param) {
      return param.param.name;
    });

}  // namespace
}  // namespace hotpath::benchgate
