#include "benchgate/store/history.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "benchgate/commands.h"
#include "benchgate/error.h"
#include "benchgate/read/run_loader.h"
#include "store/history_runs.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::CommitDate;
using testing::Revision;
using testing::SyntheticBenchmark;
using testing::TempDir;
using testing::WriteSyntheticRun;

constexpr int kRuns = 60;
constexpr int kStepFiveAt = 20;
constexpr int kStepFifteenAt = 40;
constexpr int kAllocAt = 33;
constexpr int kCreepAt[] = {14, 22, 30, 38, 46};

// The history: a +5% and a +15% step at known runs, a creep of
// 5 x 3%, one more allocation per op at a known run, and a flat benchmark.
std::vector<SyntheticBenchmark> Suite(int run) {
  double creep = 1.0;
  for (const int at : kCreepAt) creep *= run >= at ? 1.03 : 1.0;
  return {
      {"hist/StepFive/after", run >= kStepFiveAt ? 1050.0 : 1000.0, 0.0},
      {"hist/StepFifteen/after", run >= kStepFifteenAt ? 287.5 : 250.0, 0.0},
      {"hist/Creep/after", 4000.0 * creep, 0.0},
      {"hist/Flat/after", 600.0, 0.0},
      {"hist/Alloc/after", 800.0, run >= kAllocAt ? 3.0 : 2.0}};
}

std::vector<SyntheticBenchmark> AaSuite(int /*run*/) {
  return {{"aa/One/after", 1000.0, 1.0},
          {"aa/Two/after", 250.0, 0.0},
          {"aa/Three/after", 4000.0, 2.0},
          {"aa/Four/after", 90.0, 0.0}};
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Writes run `run` of `suite` to DIR/run-<n>.json and returns its path.
template <typename SuiteFn>
std::string WriteRun(const TempDir& dir, int run, SuiteFn suite,
                     std::mt19937_64& random) {
  const std::string path = dir.Path("run-" + std::to_string(run) + ".json");
  WriteSyntheticRun(path, Revision(run), CommitDate(run), suite(run), random);
  return path;
}

HistoryAddResult Add(const std::string& db, const std::string& run_path,
                     int run) {
  const Run run_data = LoadRun(run_path);
  return AddToHistory(
      db, run_data,
      {Revision(run), CommitDate(run), "main", "2026-02-01T00:00:00Z"},
      MetricPolicies());
}

template <typename SuiteFn>
void BuildHistory(const TempDir& dir, const std::string& db, SuiteFn suite,
                  std::uint64_t seed) {
  std::mt19937_64 random(seed);
  for (int run = 0; run < kRuns; ++run) {
    ASSERT_TRUE(Add(db, WriteRun(dir, run, suite, random), run).added);
  }
}

nlohmann::json Changes(const std::string& db, const std::string& json_path) {
  HistoryChangesOptions options;
  options.db_path = db;
  options.json_path = json_path;
  std::ostringstream out;
  EXPECT_EQ(HistoryChangesCommand(options, {}, out), 0);
  return nlohmann::json::parse(Slurp(json_path));
}

// (benchmark, metric, kind, first revision after the step)
using Found = std::tuple<std::string, std::string, std::string, std::string>;

std::set<Found> FoundChanges(const nlohmann::json& report) {
  std::set<Found> found;
  for (const nlohmann::json& change : report.at("changes")) {
    const std::string kind = change.at("kind");
    found.emplace(
        change.at("benchmark"), change.at("metric"), kind,
        kind == "step" ? change.at("first_after").get<std::string>() : "");
  }
  return found;
}

TEST(History, StepsAreFoundAtTheirCommitsAndTheCreepIsReported) {
  const TempDir dir;
  const std::string db = dir.Path("history.sqlite");
  BuildHistory(dir, db, Suite, 19);
  const nlohmann::json report = Changes(db, dir.Path("changes.json"));
  std::set<Found> found = FoundChanges(report);
  // The creep's own steps may be found too (each at one of its commits);
  // what must be there is the creep.
  std::set<Found> creep_steps;
  for (auto it = found.begin(); it != found.end();) {
    if (std::get<0>(*it) == "hist/Creep/after" && std::get<2>(*it) == "step") {
      creep_steps.insert(*it);
      it = found.erase(it);
    } else {
      ++it;
    }
  }
  const std::set<Found> expected = {
      {"hist/StepFive/after", "real_time", "step", Revision(kStepFiveAt)},
      {"hist/StepFive/after", "cpu_time", "step", Revision(kStepFiveAt)},
      {"hist/StepFifteen/after", "real_time", "step", Revision(kStepFifteenAt)},
      {"hist/StepFifteen/after", "cpu_time", "step", Revision(kStepFifteenAt)},
      {"hist/Creep/after", "real_time", "creep", ""},
      {"hist/Creep/after", "cpu_time", "creep", ""},
      {"hist/Alloc/after", "allocs_per_op", "step", Revision(kAllocAt)}};
  EXPECT_EQ(found, expected) << report.dump(1);
  // A 3% step in 2% noise is placed within a run or two of its commit.
  for (const Found& step : creep_steps) {
    const int after = std::stoi(std::get<3>(step).substr(1));
    EXPECT_TRUE(std::any_of(std::begin(kCreepAt), std::end(kCreepAt),
                            [&](int at) { return std::abs(after - at) <= 2; }))
        << "a step of the creep away from its commits: r" << after;
  }
  for (const nlohmann::json& change : report.at("changes")) {
    if (change.at("benchmark") == "hist/StepFifteen/after" &&
        change.at("metric") == "real_time") {
      EXPECT_EQ(change.at("last_before"), Revision(kStepFifteenAt - 1));
      EXPECT_NEAR(change.at("size").get<double>(), 0.15, 0.04);
      EXPECT_LE(change.at("p").get<double>(), 0.005);
    }
  }
}

TEST(History, AnAaHistoryYieldsNoChangePoint) {
  const TempDir dir;
  const std::string db = dir.Path("history.sqlite");
  BuildHistory(dir, db, AaSuite, 23);
  const nlohmann::json report = Changes(db, dir.Path("changes.json"));
  EXPECT_EQ(report.at("series"), 4 * 3);  // real_time, cpu_time, allocs_per_op
  EXPECT_TRUE(report.at("changes").empty()) << report.dump(1);
}

TEST(History, AddingTheSameRunAgainAddsNothing) {
  const TempDir dir;
  const std::string db = dir.Path("history.sqlite");
  std::mt19937_64 random(1);
  const std::string run = WriteRun(dir, 0, Suite, random);
  const HistoryAddResult first = Add(db, run, 0);
  EXPECT_TRUE(first.added);
  EXPECT_EQ(first.benchmarks, 5u);
  const HistoryAddResult again = Add(db, run, 0);
  EXPECT_FALSE(again.added);
  EXPECT_EQ(again.run_id, first.run_id);
  for (const HistorySeries& series : LoadHistory(db, {})) {
    EXPECT_EQ(series.points.size(), 1u) << series.benchmark;
  }
}

class HistoryCli : public ::testing::Test {
 protected:
  int Benchgate(const std::string& args) {
    const std::string command = std::string("'") + BENCHGATE_BINARY + "' " +
                                args + " >'" + dir_.Path("stdout") + "' 2>'" +
                                dir_.Path("stderr") + "'";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string Err() const { return Slurp(dir_.Path("stderr")); }
  std::string Out() const { return Slurp(dir_.Path("stdout")); }

  TempDir dir_;
};

// Two processes adding different runs to one new database at once: both
// land (BEGIN IMMEDIATE waits out the other's transaction).
TEST_F(HistoryCli, TwoWritersAtOnceBothLand) {
  const std::string db = dir_.Path("history.sqlite");
  std::mt19937_64 random(2);
  std::ostringstream adds;
  adds << "timeout 60 sh -c \"";
  for (int run = 0; run < 6; ++run) {
    adds << "'" << BENCHGATE_BINARY << "' history add '"
         << WriteRun(dir_, run, Suite, random) << "' --db '" << db
         << "' >/dev/null & ";
  }
  adds << "wait\"";
  ASSERT_EQ(std::system(adds.str().c_str()), 0);
  std::set<std::string> revisions;
  for (const HistorySeries& series : LoadHistory(db, {})) {
    for (const HistoryPoint& point : series.points) {
      revisions.insert(point.revision);
    }
  }
  EXPECT_EQ(revisions.size(), 6u);
}

// A writer killed inside its transaction (SIGKILL: it cannot roll back)
// after SQLite has already written part of it into the database file: the
// next writer finds the hot journal and rolls it back, so the runs before
// are whole, the killed run is not there, and the next add lands.
TEST_F(HistoryCli, AWriterKilledInItsTransactionLosesNothing) {
  const std::string db = dir_.Path("history.sqlite");
  std::mt19937_64 random(7);
  ASSERT_EQ(Benchgate("history add '" + WriteRun(dir_, 0, Suite, random) +
                      "' --db '" + db + "'"),
            0);
  const auto values = [&db] {
    std::size_t count = 0;
    for (const HistorySeries& series : LoadHistory(db, {})) {
      count += series.points.size();
    }
    return count;
  };
  const std::size_t before = values();
  const std::string file_before = Slurp(db);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    sqlite3* handle = nullptr;
    if (sqlite3_open(db.c_str(), &handle) != SQLITE_OK) _exit(3);
    // A one-page cache spills the changes into the file before COMMIT.
    sqlite3_exec(handle,
                 "PRAGMA cache_size = 1; BEGIN IMMEDIATE; "
                 "INSERT INTO runs (run_key, revision, fingerprint, machine, "
                 "run_date, added_at, source) VALUES ('killed', 'killed', "
                 "'f', 'm', 'd', 'a', 's'); DELETE FROM results;",
                 nullptr, nullptr, nullptr);
    raise(SIGKILL);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  // The kill came after SQLite changed the file (else the test shows
  // nothing), with its journal beside it.
  EXPECT_NE(Slurp(db), file_before);
  EXPECT_TRUE(std::filesystem::exists(db + "-journal"));
  EXPECT_EQ(values(), before);
  ASSERT_EQ(Benchgate("history add '" + WriteRun(dir_, 1, Suite, random) +
                      "' --db '" + db + "'"),
            0)
      << Err();
  EXPECT_EQ(values(), 2 * before);
  for (const HistorySeries& series : LoadHistory(db, {})) {
    for (const HistoryPoint& point : series.points) {
      EXPECT_NE(point.revision, "killed");
    }
  }
}

TEST_F(HistoryCli, ANewerSchemaIsRefusedAndLeftAsItWas) {
  const std::string db = dir_.Path("history.sqlite");
  std::mt19937_64 random(3);
  const std::string run = WriteRun(dir_, 0, Suite, random);
  ASSERT_EQ(Benchgate("history add '" + run + "' --db '" + db + "'"), 0);
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle,
                         ("PRAGMA user_version = " +
                          std::to_string(kHistorySchemaVersion + 1))
                             .c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(handle);
  const std::string before = Slurp(db);
  const std::string other = WriteRun(dir_, 1, Suite, random);
  EXPECT_EQ(Benchgate("history add '" + other + "' --db '" + db + "'"), 2);
  EXPECT_NE(Err().find("is newer than this benchgate's"), std::string::npos)
      << Err();
  const std::string err = Err();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(Benchgate("history changes --db '" + db + "'"), 2);
  EXPECT_EQ(Slurp(db), before);
}

TEST_F(HistoryCli, AFileThatIsNotSqliteIsRefusedAndLeftAsItWas) {
  const std::string db = dir_.Path("notes.sqlite");
  std::ofstream(db) << "these are notes, not a database\n";
  std::mt19937_64 random(4);
  const std::string run = WriteRun(dir_, 0, Suite, random);
  EXPECT_EQ(Benchgate("history add '" + run + "' --db '" + db + "'"), 2);
  EXPECT_NE(Err().find("not an SQLite database"), std::string::npos) << Err();
  const std::string err = Err();
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(Benchgate("history changes --db '" + db + "'"), 2);
  EXPECT_EQ(Slurp(db), "these are notes, not a database\n");
}

TEST_F(HistoryCli, AnotherSqliteDatabaseIsNotWrittenInto) {
  const std::string db = dir_.Path("other.sqlite");
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(handle, "CREATE TABLE mine (x)", nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(handle);
  const std::string before = Slurp(db);
  std::mt19937_64 random(5);
  EXPECT_EQ(Benchgate("history add '" + WriteRun(dir_, 0, Suite, random) +
                      "' --db '" + db + "'"),
            2);
  EXPECT_NE(Err().find("not a benchgate history"), std::string::npos) << Err();
  EXPECT_EQ(Slurp(db), before);
}

TEST_F(HistoryCli, FlagsGiveAForeignRunItsRevisionAndCommitDate) {
  const std::string db = dir_.Path("history.sqlite");
  const std::string run = testing::Fixture("aa_old.json");
  EXPECT_EQ(Benchgate("history add '" + run + "' --db '" + db +
                      "' --revision abc123 --commit-date "
                      "'2026-03-04 12:00:00 +0100' --branch topic"),
            0)
      << Err();
  EXPECT_NE(Out().find("revision abc123, committed 2026-03-04T11:00:00Z, "
                       "branch topic"),
            std::string::npos)
      << Out();
  EXPECT_EQ(Benchgate("history add '" + run + "' --db '" + db +
                      "' --revision abc123 --commit-date yesterday"),
            2);
  EXPECT_NE(Err().find("--commit-date: \"yesterday\" is not a date"),
            std::string::npos)
      << Err();
  EXPECT_EQ(Benchgate("history changes --db '" + dir_.Path("missing") + "'"),
            2);
}

// report --history: each pair's series, its step flagged between the
// right revisions, this run marked once; the run not yet in the history is
// appended as the marked last point.
std::vector<SyntheticBenchmark> PairSuite(int run) {
  return {{"trend/Op/before", 4000.0, 0.0},
          {"trend/Op/after", run >= 8 ? 1150.0 : 1000.0, 0.0}};
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

TEST(HistoryReport, DrawsEachPairsSeriesWithItsStepAndThisRun) {
  const TempDir dir;
  const std::string db = dir.Path("history.sqlite");
  std::mt19937_64 random(29);
  std::string last_run;
  for (int run = 0; run < 16; ++run) {
    last_run = WriteRun(dir, run, PairSuite, random);
    ASSERT_TRUE(Add(db, last_run, run).added);
  }
  const std::string next_run = WriteRun(dir, 16, PairSuite, random);
  const auto report = [&](const std::string& run, const std::string& history) {
    ReportCommandOptions html;
    html.output_path = dir.Path("report.html");
    html.history_path = history;
    std::ostringstream out;
    EXPECT_EQ(ReportCommand(run, html, {}, out), 0) << out.str();
    return Slurp(html.output_path);
  };
  const std::string in_history = report(last_run, db);
  EXPECT_EQ(Count(in_history, "<svg class=\"chart trend\""), 2u);
  EXPECT_EQ(Count(in_history, "class=\"trend-current\""), 2u);
  EXPECT_NE(in_history.find("r15: "), std::string::npos);
  EXPECT_NE(in_history.find("(this run)"), std::string::npos);
  EXPECT_EQ(Count(in_history, "class=\"trend-step\""), 1u);
  EXPECT_NE(in_history.find("step between r07 and r08"), std::string::npos);
  EXPECT_NE(in_history.find("16 runs, 1 step"), std::string::npos);
  // Not added yet: appended as the 17th point, marked.
  const std::string appended = report(next_run, db);
  EXPECT_NE(appended.find("17 runs, 1 step"), std::string::npos);
  EXPECT_NE(appended.find("r16: "), std::string::npos);
  EXPECT_EQ(Count(appended, "class=\"trend-current\""), 2u);
  // Without --history, no trend.
  EXPECT_EQ(report(last_run, "").find("chart trend"), std::string::npos);
}

TEST(CommitDate, IsNormalisedToUtc) {
  EXPECT_EQ(NormaliseCommitDate("2026-03-04T12:00:00+01:00", "x"),
            "2026-03-04T11:00:00Z");
  EXPECT_EQ(NormaliseCommitDate("2026-03-04", "x"), "2026-03-04T00:00:00Z");
  EXPECT_EQ(NormaliseCommitDate("2026-03-04T23:30Z", "x"),
            "2026-03-04T23:30:00Z");
  EXPECT_EQ(NormaliseCommitDate("2026-03-04 01:00:00 -0230", "x"),
            "2026-03-04T03:30:00Z");
  EXPECT_THROW(NormaliseCommitDate("2026-13-04", "x"), InputError);
  EXPECT_THROW(NormaliseCommitDate("2026-03-04T12", "x"), InputError);
  EXPECT_THROW(NormaliseCommitDate("2026-03-04T12:00+1", "x"), InputError);
}

}  // namespace
}  // namespace hotpath::benchgate
