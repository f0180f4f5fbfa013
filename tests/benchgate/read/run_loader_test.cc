#include "benchgate/read/run_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "benchgate/error.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

using testing::Fixture;

TEST(RunLoader, MergesARunDirectory) {
  const benchgate::Run run = LoadRun(Fixture("run_dir"));
  EXPECT_EQ(run.files.size(), 2u);
  EXPECT_EQ(run.info.fingerprint, "fp-dev-2core");
  EXPECT_NE(run.Find("metrics/Record/after"), nullptr);
  EXPECT_NE(run.Find("scenarios/VmOperations/after/rate:2000/real_time"),
            nullptr);
}

TEST(RunLoader, PicksTheGlibcAllocatorFolderByDefault) {
  EXPECT_EQ(LoadRun(Fixture("alloc_dirs")).info.allocator, "glibc");
  const benchgate::Run jemalloc = LoadRun(Fixture("alloc_dirs"), {"jemalloc"});
  EXPECT_EQ(jemalloc.info.allocator, "jemalloc");
  EXPECT_EQ(jemalloc.info.fingerprint, "fp-dev-2core-jemalloc");
  EXPECT_THROW(LoadRun(Fixture("alloc_dirs"), {"mimalloc"}), InputError);
}

TEST(RunLoader, FilesOfOneRunMustShareAFingerprint) {
  EXPECT_THROW(LoadRun(Fixture("bad/mismatched_fingerprint")), InputError);
}

TEST(RunLoader, MissingPathOrEmptyDirectory) {
  EXPECT_THROW(LoadRun(Fixture("does_not_exist.json")), InputError);
  testing::TempDir dir;
  EXPECT_THROW(LoadRun(dir.Path()), InputError);
}

TEST(RunLoader, ReadsContextFacts) {
  const benchgate::Run run = LoadRun(Fixture("aa_old.json"));
  EXPECT_FALSE(run.info.fingerprint_derived);
  EXPECT_EQ(run.info.revision, "0123456789ab");
  EXPECT_FALSE(run.info.debug_build);
  EXPECT_TRUE(LoadRun(Fixture("bad/debug_build.json")).info.debug_build);
  EXPECT_TRUE(
      LoadRun(Fixture("alloc_counting_off.json")).info.alloc_counting_off);
}

TEST(RunLoader, ForeignSuitesGetADerivedFingerprint) {
  const benchgate::Run run = LoadRun(Fixture("foreign.json"));
  EXPECT_TRUE(run.info.fingerprint_derived);
  EXPECT_EQ(run.info.fingerprint.rfind("gb-", 0), 0u);
  EXPECT_EQ(run.info.fingerprint,
            LoadRun(Fixture("foreign.json")).info.fingerprint);
  // Debian's libbenchmark says "debug"; with no hotpath build type that is
  // all there is to go on.
  // The real file less its NaN user counter, which is refused.
  testing::TempDir dir;
  std::ifstream in(Fixture("real_gb/tiny_repetitions.json"));
  const std::string text{std::istreambuf_iterator<char>(in),
                         std::istreambuf_iterator<char>()};
  std::ofstream(dir.Path("real.json"))
      << std::regex_replace(text, std::regex(R"(,\s*"ratio": NaN)"), "");
  const benchgate::Run real = LoadRun(dir.Path("real.json"));
  EXPECT_TRUE(real.info.debug_build);
  EXPECT_TRUE(real.info.debug_from_library_only);
  EXPECT_NE(real.info.fingerprint, run.info.fingerprint);
}

}  // namespace
}  // namespace hotpath::benchgate
