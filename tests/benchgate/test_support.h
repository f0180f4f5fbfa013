// Paths and small helpers shared by the benchgate tests.

#ifndef HOTPATH_TESTS_BENCHGATE_TEST_SUPPORT_H_
#define HOTPATH_TESTS_BENCHGATE_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace hotpath::benchgate::testing {

inline std::string Fixture(const std::string& name) {
  return std::string(BENCHGATE_TEST_DATA) + "/" + name;
}

// The four floors with plain patterns matching the fixtures.
inline std::string TargetsJson() { return Fixture("targets.json"); }

// The repository's own, tuned to the real suite as it grows.
inline std::string RepositoryTargetsJson() {
  return std::string(HOTPATH_SOURCE_DIR) + "/baselines/targets.json";
}

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // Parameterised names hold '/' ("Prefix/Suite", "Test/Param"): flattened,
    // so the directory removed is the one created, with no parents left over.
    std::string leaf = "benchgate_test_" + std::to_string(::getpid()) + "_" +
                       info->test_suite_name() + "_" + info->name();
    std::replace(leaf.begin(), leaf.end(), '/', '_');
    path_ = std::filesystem::temp_directory_path() / leaf;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Path(const std::string& name = "") const {
    return name.empty() ? path_.string() : (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace hotpath::benchgate::testing

#endif  // HOTPATH_TESTS_BENCHGATE_TEST_SUPPORT_H_
