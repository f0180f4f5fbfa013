#include "benchgate/store/baseline_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "benchgate/error.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using testing::Fixture;
using testing::TempDir;

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
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"));
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

TEST(BaselineStore, CalibrationStoresNoise) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run a = LoadRun(Fixture("aa_old.json"));
  const benchgate::Run b = LoadRun(Fixture("aa_new.json"));
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
  const benchgate::Run run = LoadRun(Fixture("foreign.json"));
  store.Accept(run, {}, MetricPolicies{}, At("t"));
  ASSERT_TRUE(store.Load(run.info.fingerprint).has_value());
}

TEST(BaselineStore, RefusesBadBaselines) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  EXPECT_THROW(store.Accept(LoadRun(Fixture("bad/debug_build.json")), {},
                            MetricPolicies{}, At("t")),
               InputError);
  EXPECT_THROW(store.Accept(LoadRun(Fixture("failed_benchmark.json")), {},
                            MetricPolicies{}, At("t")),
               InputError);
  const benchgate::Run dev = LoadRun(Fixture("aa_old.json"));
  const benchgate::Run ci = LoadRun(Fixture("other_machine.json"));
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
  const benchgate::Run debian = LoadRun(dir.Path("debian.json"));
  ASSERT_TRUE(debian.info.debug_from_library_only);
  const AcceptResult accepted =
      store.Accept(debian, {}, MetricPolicies{}, At("t"));
  ASSERT_EQ(accepted.warnings.size(), 1U);
  EXPECT_NE(accepted.warnings[0].find("library_build_type"), std::string::npos);
  EXPECT_TRUE(
      store.Accept(debian, {}, MetricPolicies{}, AcceptOptions{true, "t"})
          .warnings.empty());
  EXPECT_THROW(store.Accept(LoadRun(Fixture("bad/debug_build.json")), {},
                            MetricPolicies{}, At("t")),
               InputError);
  // Consent covers the library only, never a failed benchmark.
  // (Less its NaN user counter, which the reader refuses.)
  std::string real = Slurp(Fixture("real_gb/tiny_repetitions.json"));
  const std::string nan_ratio = ",\n      \"ratio\": NaN";
  for (std::size_t at; (at = real.find(nan_ratio)) != std::string::npos;) {
    real.erase(at, nan_ratio.size());
  }
  std::ofstream(dir.Path("failed.json")) << real;
  const benchgate::Run failed = LoadRun(dir.Path("failed.json"));
  EXPECT_THROW(
      store.Accept(failed, {}, MetricPolicies{}, AcceptOptions{true, "t"}),
      InputError);
}

TEST(BaselineStore, UnwritableDirectoryLeavesTheOldBaseline) {
  TempDir dir;
  const BaselineStore store(dir.Path());
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"));
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
  store.Accept(LoadRun(Fixture("aa_old.json")), {}, MetricPolicies{},
               At("2024-06-01T00:00:00Z"));
  store.Accept(LoadRun(Fixture("other_machine.json")), {}, MetricPolicies{},
               At("2024-06-02T00:00:00Z"));
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

TEST(BaselineStore, RequireDirectory) {
  TempDir dir;
  EXPECT_NO_THROW(BaselineStore(dir.Path()).RequireDirectory());
  EXPECT_THROW(BaselineStore(dir.Path("nope")).RequireDirectory(), InputError);
}

}  // namespace
}  // namespace hotpath::benchgate
