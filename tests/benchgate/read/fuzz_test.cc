// A seeded mutation fuzzer over benchgate's readers, run by CTest in every
// build (release, ASan, TSan) for a bounded number of inputs.
//
// The corpus is tests/data/benchgate/fuzz/: small real inputs of each kind
// (Google Benchmark JSON, targets.json, a callgrind dump, heaptrack's text
// and collapsed stacks). Each mutant is a seed with a few edits of the
// kinds an attacker or a torn write makes: flipped bytes, JSON punctuation
// and special numbers inserted, ranges deleted or duplicated, a splice from
// another seed, truncation, deep nesting. A reader may accept a mutant or
// refuse it with InputError; any other exception, a crash (ASan) or a hang
// (CTest's timeout) fails the test, and the failing mutant is written to
// the test's temp folder and named, so it can join the corpus.
//
// HOTPATH_FUZZ_MUTANTS raises the number of mutants per reader (default
// 1500; the seed is fixed, so a run is repeatable); HOTPATH_FUZZ_SEED
// changes the seed.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "benchgate/error.h"
#include "benchgate/read/callgrind_reader.h"
#include "benchgate/read/config.h"
#include "benchgate/read/gb_reader.h"
#include "benchgate/read/profiles.h"
#include "test_support.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> Corpus(const std::string& prefix) {
  std::vector<std::string> seeds;
  for (const auto& entry : fs::directory_iterator(testing::Fixture("fuzz"))) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) {
      seeds.push_back(Slurp(entry.path()));
    }
  }
  std::sort(seeds.begin(), seeds.end());
  return seeds;
}

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::strtoull(value, nullptr, 10);
}

class Mutator {
 public:
  Mutator(uint64_t seed, std::vector<std::string> seeds)
      : rng_(seed), seeds_(std::move(seeds)) {}

  std::string Next() {
    std::string text = seeds_[Pick(seeds_.size())];
    const size_t edits = 1 + Pick(4);
    for (size_t i = 0; i < edits; ++i) Edit(text);
    return text;
  }

 private:
  size_t Pick(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }

  void Edit(std::string& text) {
    static const std::vector<std::string> kTokens = {
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "-",
        "0",
        "1e999",
        "-1e999",
        "NaN",
        "Infinity",
        "-Infinity",
        "null",
        "true",
        "\"\"",
        "4e-320",
        "18446744073709551616",
        "-1",
        "\x1b[2J",
        "\n",
        "\\u0000",
        "\xff",
        "\"real_time\": ",
        "\"allocs_per_op\": ",
        "\"time_unit\": \"s\"",
        "\"run_type\": \"aggregate\"",
        "hotpath:",
        "hotpath-end:",
        "totals: "};
    const size_t at = Pick(text.size() + 1);
    switch (Pick(8)) {
      case 0:  // flip a byte
        if (!text.empty())
          text[Pick(text.size())] ^= static_cast<char>(1 + Pick(255));
        break;
      case 1:
      case 2:  // insert a token
        text.insert(at, kTokens[Pick(kTokens.size())]);
        break;
      case 3:  // delete a range
        text.erase(at, Pick(64));
        break;
      case 4: {  // duplicate a range
        const std::string chunk = text.substr(at, Pick(256));
        text.insert(Pick(text.size() + 1), chunk);
        break;
      }
      case 5: {  // splice from another seed
        const std::string& other = seeds_[Pick(seeds_.size())];
        const size_t from = Pick(other.size() + 1);
        text.insert(at, other.substr(from, Pick(512)));
        break;
      }
      case 6:  // truncate
        text.resize(at);
        break;
      case 7: {  // nest deeply
        const size_t depth = Pick(4) == 0 ? 100000 : 1 + Pick(300);
        const bool arrays = Pick(2) == 0;
        text.insert(at, std::string(depth, arrays ? '[' : '{') +
                            (arrays ? "" : "\"k\":1") +
                            std::string(depth, arrays ? ']' : '}'));
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  std::vector<std::string> seeds_;
};

// Runs `read` on mutants of the seeds whose file names start with `prefix`.
void Fuzz(const std::string& prefix,
          const std::function<void(const std::string&)>& read) {
  const std::vector<std::string> seeds = Corpus(prefix);
  ASSERT_FALSE(seeds.empty()) << "no seeds " << prefix << "* in the corpus";
  const uint64_t seed = EnvOr("HOTPATH_FUZZ_SEED", 20261202);
  const uint64_t mutants = EnvOr("HOTPATH_FUZZ_MUTANTS", 1500);
  Mutator mutator(seed, seeds);
  testing::TempDir dir;
  size_t refused = 0;
  for (uint64_t i = 0; i < mutants; ++i) {
    const std::string text = mutator.Next();
    try {
      read(text);
    } catch (const InputError&) {
      ++refused;
    } catch (const std::exception& e) {
      const std::string saved = dir.Path(prefix + "crash");
      std::ofstream(saved, std::ios::binary) << text;
      ADD_FAILURE() << prefix << " mutant " << i << " (seed " << seed
                    << ") threw " << typeid(e).name() << ": " << e.what();
      fs::copy_file(
          saved,
          fs::temp_directory_path() / ("benchgate-fuzz-" + prefix + "crash"),
          fs::copy_options::overwrite_existing);
      return;
    }
  }
  // Most mutants are broken; a reader that refuses none is not reading.
  EXPECT_GT(refused, mutants / 10) << prefix;
}

TEST(FuzzTest, GoogleBenchmarkReader) {
  Fuzz("gb_", [](const std::string& text) {
    (void)ParseBenchmarkJson(text, "mutant.json");
  });
}

TEST(FuzzTest, TargetsReader) {
  testing::TempDir dir;
  const std::string path = dir.Path("targets.json");
  Fuzz("targets", [&](const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    (void)LoadConfig(path);
  });
}

TEST(FuzzTest, CallgrindReader) {
  Fuzz("callgrind", [](const std::string& text) {
    const CallgrindDump dump = ParseCallgrindDump(text, "callgrind.out.1");
    std::vector<std::string> notes;
    (void)CountInstructions({dump}, "bin", {}, notes);
  });
}

TEST(FuzzTest, HeaptrackReaders) {
  Fuzz("heaptrack", [](const std::string& text) {
    (void)ParseHeaptrackPrint(text, 10);
    (void)ParseHeaptrackTotalCalls(text);
  });
  Fuzz("flame",
       [](const std::string& text) { (void)ParseCollapsedStacks(text); });
}

}  // namespace
}  // namespace hotpath::benchgate
