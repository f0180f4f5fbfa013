#include "benchgate/store/baseline_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "benchgate/error.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using testing::Fixture;
using testing::TempDir;

// Accept stores the rows as read.
const LoadOptions kKeepRows{"", /*keep_rows=*/true};

AcceptOptions At(const char* when) { return AcceptOptions{false, when}; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int FilesIn(const std::string& dir) {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir))
    ++count;
  return count;
}

TEST(BaselineStore, AcceptThenLoadRoundTrips) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"), kKeepRows);
  const AcceptResult result =
      store.Accept(run, {}, MetricPolicies{}, At("2024-06-11T09:31:00Z"));
  EXPECT_EQ(result.baseline_path, dir.Path("fp-dev-2core/baseline.json"));
  EXPECT_TRUE(result.noise_path.empty());

  const std::optional<StoredBaseline> stored = store.Load("fp-dev-2core");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->accepted_at, "2024-06-11T09:31:00Z");
  EXPECT_EQ(stored->run.provenance.at("revision"), "0123456789ab");
  EXPECT_EQ(stored->run.benchmarks.size(), run.benchmarks.size());
  EXPECT_DOUBLE_EQ(
      stored->run.Find("caching/Summary/after")->Find("real_time")->median,
      run.Find("caching/Summary/after")->Find("real_time")->median);
  EXPECT_FALSE(stored->noise.has_value());
  EXPECT_FALSE(store.Load("fp-unknown").has_value());
  // Only the two files: no temporary left behind.
  EXPECT_EQ(FilesIn(dir.Path("fp-dev-2core")), 1);
}

TEST(BaselineStore, StoresEveryRowAsReadOnALineOfItsOwn) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"), kKeepRows);
  store.Accept(run, {}, MetricPolicies{}, At("t"));
  std::ifstream in(dir.Path("fp-dev-2core/baseline.json"));
  const nlohmann::json stored = nlohmann::json::parse(in);
  std::ifstream source_in(Fixture("aa_old.json"));
  const std::string source_text{std::istreambuf_iterator<char>(source_in),
                                std::istreambuf_iterator<char>()};
  // NaN as the reader reads it: null.
  const nlohmann::json source =
      nlohmann::json::parse(ReplaceNonFiniteLiterals(source_text));
  EXPECT_EQ(stored.at("benchmarks"), source.at("benchmarks"));
  EXPECT_EQ(stored.at("context"), source.at("context"));
  EXPECT_EQ(stored.at("benchgate").at("fingerprint"), "fp-dev-2core");
  in.clear();
  in.seekg(0);
  std::size_t row_lines = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("    {\"", 0) == 0) {
      ++row_lines;
      const std::string row =
          line.back() == ',' ? line.substr(0, line.size() - 1) : line;
      EXPECT_TRUE(nlohmann::json::accept(row)) << row;
    }
  }
  EXPECT_EQ(row_lines, source.at("benchmarks").size());
}

TEST(BaselineStore, CalibrationStoresNoise) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run a = LoadRun(Fixture("aa_old.json"), kKeepRows);
  const benchgate::Run b = LoadRun(Fixture("aa_new.json"), kKeepRows);
  const AcceptResult result = store.Accept(a, {&b}, MetricPolicies{}, At("t"));
  EXPECT_FALSE(result.noise_path.empty());
  const std::optional<StoredBaseline> stored = store.Load("fp-dev-2core");
  ASSERT_TRUE(stored && stored->noise);
  EXPECT_EQ(stored->noise->runs(), 2);
  EXPECT_TRUE(
      stored->noise->For("metrics/Record/after", "real_time").has_value());
}

TEST(BaselineStore, ForeignMergedRunKeepsItsFingerprint) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run run = LoadRun(Fixture("foreign.json"), kKeepRows);
  store.Accept(run, {}, MetricPolicies{}, At("t"));
  ASSERT_TRUE(store.Load(run.info.fingerprint).has_value());
}

TEST(BaselineStore, RefusesBadBaselines) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  EXPECT_THROW(store.Accept(LoadRun(Fixture("bad/debug_build.json"), kKeepRows),
                            {}, MetricPolicies{}, At("t")),
               InputError);
  EXPECT_THROW(
      store.Accept(LoadRun(Fixture("failed_benchmark.json"), kKeepRows), {},
                   MetricPolicies{}, At("t")),
      InputError);
  const benchgate::Run dev = LoadRun(Fixture("aa_old.json"), kKeepRows);
  const benchgate::Run ci = LoadRun(Fixture("other_machine.json"), kKeepRows);
  EXPECT_THROW(store.Accept(dev, {&ci}, MetricPolicies{}, At("t")), InputError);
  EXPECT_EQ(FilesIn(dir.Path()), 0);
}

// Issue 14: Debian's libbenchmark says library_build_type "debug" though
// it is built with -O2. That alone is warned about, not refused; a suite
// whose own build type is debug is refused.
TEST(BaselineStore, DebianDebugLibraryIsWarnedAboutNotRefused) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  // A foreign suite linked against Debian's libbenchmark.
  std::string text = Slurp(Fixture("foreign.json"));
  text.replace(text.find("\"release\""), 9, "\"debug\"");
  std::ofstream(dir.Path("debian.json")) << text;
  const benchgate::Run debian = LoadRun(dir.Path("debian.json"), kKeepRows);
  ASSERT_TRUE(debian.info.debug_from_library_only);
  const AcceptResult accepted =
      store.Accept(debian, {}, MetricPolicies{}, At("t"));
  ASSERT_EQ(accepted.warnings.size(), 1U);
  EXPECT_NE(accepted.warnings[0].find("library_build_type"), std::string::npos);
  EXPECT_TRUE(
      store.Accept(debian, {}, MetricPolicies{}, AcceptOptions{true, "t"})
          .warnings.empty());
  EXPECT_THROW(store.Accept(LoadRun(Fixture("bad/debug_build.json"), kKeepRows),
                            {}, MetricPolicies{}, At("t")),
               InputError);
  // Consent covers the library only, never a failed benchmark.
  // (Less its NaN user counter, which the reader refuses.)
  std::string real = Slurp(Fixture("real_gb/tiny_repetitions.json"));
  const std::string nan_ratio = ",\n      \"ratio\": NaN";
  for (std::size_t at; (at = real.find(nan_ratio)) != std::string::npos;) {
    real.erase(at, nan_ratio.size());
  }
  std::ofstream(dir.Path("failed.json")) << real;
  const benchgate::Run failed = LoadRun(dir.Path("failed.json"), kKeepRows);
  EXPECT_THROW(
      store.Accept(failed, {}, MetricPolicies{}, AcceptOptions{true, "t"}),
      InputError);
}

TEST(BaselineStore, UnwritableDirectoryLeavesTheOldBaseline) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"), kKeepRows);
  store.Accept(run, {}, MetricPolicies{}, At("first"));
  const std::string before = Slurp(dir.Path("fp-dev-2core/baseline.json"));
  // A regular file where the store expects a directory.
  std::ofstream(dir.Path("blocked")) << "x";
  const BaselineStore blocked(dir.Path("blocked"));
  EXPECT_THROW(blocked.Accept(run, {}, MetricPolicies{}, At("second")),
               InputError);
  EXPECT_EQ(Slurp(dir.Path("fp-dev-2core/baseline.json")), before);
}

TEST(BaselineStore, LatestOtherFingerprint) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  store.Accept(LoadRun(Fixture("aa_old.json"), kKeepRows), {}, MetricPolicies{},
               At("2024-06-01T00:00:00Z"));
  store.Accept(LoadRun(Fixture("other_machine.json"), kKeepRows), {},
               MetricPolicies{}, At("2024-06-02T00:00:00Z"));
  EXPECT_EQ(store.LoadLatestOther("fp-new")->run.info.fingerprint,
            "fp-ci-4core");
  EXPECT_EQ(store.LoadLatestOther("fp-ci-4core")->run.info.fingerprint,
            "fp-dev-2core");
}

TEST(AtomicFile, ReplacesWholeAndCleansUpOnFailure) {
  TempDir dir;
  const std::string path = dir.Path("f.json");
  WriteFileAtomically(path, "old");
  WriteFileAtomically(path, "new");
  EXPECT_EQ(Slurp(path), "new");
  EXPECT_EQ(FilesIn(dir.Path()), 1);
  EXPECT_THROW(WriteFileAtomically(dir.Path("missing/f.json"), "x"),
               InputError);
  EXPECT_EQ(FilesIn(dir.Path()), 1);
}

// Defect 1 of the store attack: anything but a regular file (or a missing
// folder) where a baseline is stored is an error, never "no baseline".
TEST(BaselineStore, StoredBaselineThatIsNotAFileIsAnError) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const std::string folder = dir.Path("fp-dev-2core");
  const std::string file = dir.Path("fp-dev-2core/baseline.json");
  EXPECT_FALSE(store.Load("fp-dev-2core").has_value());  // no folder
  fs::create_directories(file);                          // a folder
  EXPECT_THROW(store.Load("fp-dev-2core"), InputError);
  fs::remove(file);
  ASSERT_EQ(::mkfifo(file.c_str(), 0644), 0);  // a FIFO with no writer
  EXPECT_THROW(store.Load("fp-dev-2core"), InputError);
  fs::remove(file);
  fs::create_symlink("/dev/zero", file);
  EXPECT_THROW(store.Load("fp-dev-2core"), InputError);
  fs::remove(file);
  fs::create_symlink(dir.Path("nowhere"), file);  // dangling
  EXPECT_THROW(store.Load("fp-dev-2core"), InputError);
  fs::remove_all(folder);
  std::ofstream(folder) << "x";  // the fingerprint's folder is a file
  EXPECT_THROW(store.Load("fp-dev-2core"), InputError);
  try {
    store.Load("fp-dev-2core");
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(folder), std::string::npos)
        << e.what();
  }
}

// Defect 3: accept holds BASE/.benchgate.lock for its read-modify-write; a
// second accept waits for it, then gives up with one line.
TEST(BaselineStore, AcceptWaitsForTheLockAndGivesUp) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"), kKeepRows);
  // Another accept, as another process would hold it: flock locks belong to
  // the open file description, so this conflicts with Accept's own open.
  const std::string lock_path = dir.Path(".benchgate.lock");
  const int held = ::open(lock_path.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(held, 0);
  ASSERT_EQ(::flock(held, LOCK_EX), 0);
  AcceptOptions quick = At("t");
  quick.lock_timeout_ms = 300;
  EXPECT_THROW(store.Accept(run, {}, MetricPolicies{}, quick), InputError);
  EXPECT_FALSE(fs::exists(dir.Path("fp-dev-2core/baseline.json")));
  // Released while the next accept waits: it goes ahead.
  std::thread release([held] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::flock(held, LOCK_UN);
  });
  AcceptOptions patient = At("t");
  patient.lock_timeout_ms = 20000;
  EXPECT_NO_THROW(store.Accept(run, {}, MetricPolicies{}, patient));
  release.join();
  ::close(held);
  EXPECT_TRUE(store.Load("fp-dev-2core").has_value());
}

// Two accepts racing: each is whole, in some order, baseline and noise of
// the same accept side by side.
TEST(BaselineStore, ConcurrentAcceptsKeepAConsistentPair) {
  TempDir dir;
  const benchgate::Run a = LoadRun(Fixture("aa_old.json"), kKeepRows);
  const benchgate::Run b = LoadRun(Fixture("aa_new.json"), kKeepRows);
  const benchgate::Run c = LoadRun(Fixture("aa_third.json"), kKeepRows);
  std::thread first([&] {
    for (int i = 0; i < 20; ++i) {
      BaselineStore(dir.Path()).Accept(a, {&b}, MetricPolicies{}, At("first"));
    }
  });
  std::thread second([&] {
    for (int i = 0; i < 20; ++i) {
      BaselineStore(dir.Path())
          .Accept(a, {&b, &c}, MetricPolicies{}, At("second"));
    }
  });
  first.join();
  second.join();
  const std::optional<StoredBaseline> stored =
      BaselineStore(dir.Path()).Load("fp-dev-2core");
  ASSERT_TRUE(stored && stored->noise);
  EXPECT_EQ(stored->noise->runs(), stored->accepted_at == "first" ? 2 : 3);
}

// Defect 4: a SIGKILLed accept's temporaries are removed by the next one.
TEST(BaselineStore, AcceptRemovesStaleTemporaries) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"), kKeepRows);
  fs::create_directories(dir.Path("fp-dev-2core"));
  const std::string stale =
      dir.Path("fp-dev-2core/.baseline.json.tmp.999999999.0");
  const std::string stale_noise =
      dir.Path("fp-dev-2core/.noise.json.tmp.999999999.3");
  std::ofstream(stale) << "{\"torn";
  std::ofstream(stale_noise) << "{\"torn";
  const std::string unrelated = dir.Path("fp-dev-2core/.notes");
  std::ofstream(unrelated) << "kept";
  store.Accept(run, {}, MetricPolicies{}, At("t"));
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(stale_noise));
  EXPECT_TRUE(fs::exists(unrelated));
  const std::optional<StoredBaseline> stored = store.Load("fp-dev-2core");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->run.benchmarks.size(), run.benchmarks.size());
  EXPECT_EQ(FilesIn(dir.Path("fp-dev-2core")), 2);  // baseline and .notes
}

// Defect 5: a full disk while writing the baseline leaves the old pair, not
// a new noise.json beside the old baseline.
TEST(BaselineStore, FailedCalibratedAcceptLeavesTheOldPair) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run a = LoadRun(Fixture("aa_old.json"), kKeepRows);
  const benchgate::Run b = LoadRun(Fixture("aa_new.json"), kKeepRows);
  const benchgate::Run c = LoadRun(Fixture("aa_third.json"), kKeepRows);
  store.Accept(a, {&b}, MetricPolicies{}, At("old"));
  const std::string baseline = dir.Path("fp-dev-2core/baseline.json");
  const std::string noise = dir.Path("fp-dev-2core/noise.json");
  const std::string old_baseline = Slurp(baseline);
  const std::string old_noise = Slurp(noise);
  for (const char* failing : {"baseline.json", "noise.json"}) {
    SetWriteFailureForTesting(failing);
    EXPECT_THROW(store.Accept(b, {&a, &c}, MetricPolicies{}, At("new")),
                 InputError)
        << failing;
    SetWriteFailureForTesting("");
    EXPECT_EQ(Slurp(baseline), old_baseline) << failing;
    EXPECT_EQ(Slurp(noise), old_noise) << failing;
    EXPECT_EQ(FilesIn(dir.Path("fp-dev-2core")), 2) << failing;
  }
  store.Accept(b, {&a, &c}, MetricPolicies{}, At("new"));
  EXPECT_EQ(store.Load("fp-dev-2core")->noise->runs(), 3);
}

TEST(BaselineStore, RequireDirectory) {
  TempDir dir;
  EXPECT_NO_THROW(BaselineStore(dir.Path()).RequireDirectory());
  EXPECT_THROW(BaselineStore(dir.Path("nope")).RequireDirectory(), InputError);
}

}  // namespace
}  // namespace hotpath::benchgate
