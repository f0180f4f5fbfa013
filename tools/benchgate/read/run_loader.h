// Turns a RUN argument into a Run.
//
// RUN is one Google Benchmark JSON file or a run directory
// `results/<timestamp>/` holding one JSON per bench binary, merged here.
// A directory with no JSON of its own but per-allocator subfolders
// (`results/<timestamp>/<allocator>/*.json`) is read from the `glibc`
// subfolder unless another allocator is named.

#ifndef HOTPATH_TOOLS_BENCHGATE_READ_RUN_LOADER_H_
#define HOTPATH_TOOLS_BENCHGATE_READ_RUN_LOADER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "benchgate/model.h"

namespace hotpath::benchgate {

inline constexpr const char* kDefaultAllocator = "glibc";

struct LoadOptions {
  std::string allocator;   // empty: kDefaultAllocator where one must be chosen
  bool keep_rows = false;  // fill Run::rows (accept stores them)
};

// The *.json files directly in `dir` (not hidden), sorted; InputError when
// it cannot be listed.
std::vector<std::string> JsonFilesIn(const std::filesystem::path& dir);

// Throws InputError for anything unreadable, malformed or inconsistent:
// files of one run with different fingerprints, a benchmark in two files.
Run LoadRun(const std::string& path, const LoadOptions& options = {});

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_READ_RUN_LOADER_H_
