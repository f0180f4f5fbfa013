#include "benchgate/read/run_loader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include "benchgate/error.h"
#include "benchgate/judge/fingerprint.h"
#include "benchgate/read/gb_reader.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> SubdirectoriesOf(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) {
    joined += (joined.empty() ? "" : ", ") + item;
  }
  return joined;
}

// The JSON files that make up the run at `path`.
std::vector<std::string> ResolveFiles(const std::string& path,
                                      const LoadOptions& options) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    throw InputError(path, "no such file or directory");
  }
  if (!fs::is_directory(status)) return {path};
  std::vector<std::string> files = JsonFilesIn(path);
  if (!files.empty()) return files;
  const std::vector<std::string> subdirectories = SubdirectoriesOf(path);
  if (subdirectories.empty()) {
    throw InputError(path, "run directory holds no *.json files");
  }
  const std::string allocator =
      options.allocator.empty() ? kDefaultAllocator : options.allocator;
  const fs::path chosen = fs::path(path) / allocator;
  if (!fs::is_directory(chosen)) {
    throw InputError(path,
                     "no *.json files and no \"" + allocator +
                         "\" allocator folder (found: " + Join(subdirectories) +
                         "; pick with --allocator)");
  }
  files = JsonFilesIn(chosen);
  if (files.empty()) {
    throw InputError(chosen.string(), "run directory holds no *.json files");
  }
  return files;
}

}  // namespace

std::vector<std::string> JsonFilesIn(const std::filesystem::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        name.front() != '.') {
      files.push_back(entry.path().string());
    }
  }
  if (ec) throw InputError(dir.string(), "cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Run LoadRun(const std::string& path, const LoadOptions& options) {
  Run run;
  run.source = path;
  run.files = ResolveFiles(path, options);
  if (options.keep_rows) run.rows.emplace();
  std::vector<ContextIdentity> identities;
  std::map<std::string, std::string> origin;  // run_name -> file
  for (const std::string& file : run.files) {
    ParsedFile parsed = ReadBenchmarkFile(
        file, {options.keep_rows ? KeepRows::kText : KeepRows::kNo});
    ContextIdentity identity = IdentifyContext(parsed.context, file);
    if (!identities.empty()) {
      const ContextIdentity& first = identities.front();
      const bool same =
          first.hotpath_fingerprint.empty()
              ? identity.hotpath_fingerprint.empty() &&
                    identity.machine_key == first.machine_key
              : identity.hotpath_fingerprint == first.hotpath_fingerprint;
      if (!same) {
        throw InputError(
            file, "fingerprint \"" +
                      (identity.hotpath_fingerprint.empty()
                           ? std::string("(derived)")
                           : identity.hotpath_fingerprint) +
                      "\" differs from \"" +
                      (first.hotpath_fingerprint.empty()
                           ? std::string("(derived)")
                           : first.hotpath_fingerprint) +
                      "\" of " + run.files.front() +
                      ": one run must come from one build on one machine");
      }
    } else {
      run.context = parsed.context;
      run.provenance = parsed.provenance;
    }
    identities.push_back(std::move(identity));
    for (Benchmark& benchmark : parsed.benchmarks) {
      const auto [it, inserted] = origin.emplace(benchmark.name, file);
      if (!inserted) {
        throw InputError(file, "duplicate benchmark \"" + benchmark.name +
                                   "\" (also in " + it->second + ")");
      }
      run.benchmarks.push_back(std::move(benchmark));
    }
    for (auto& [name, complexity] : parsed.complexity) {
      run.complexity.emplace(name, std::move(complexity));
    }
    if (run.rows) {
      if (run.rows->empty()) {
        *run.rows = std::move(parsed.row_text);  // the first file: no copy
      } else if (!parsed.row_text.empty()) {
        *run.rows += kRowSeparator;
        *run.rows += parsed.row_text;
      }
    }
    for (std::string& note : parsed.notes) run.notes.push_back(std::move(note));
  }
  run.info = DescribeRun(run.context, identities);
  // benchgate merge --allow-mixed-fingerprints: shards of several machines.
  if (const auto merge = run.context.find("hotpath_merge");
      merge != run.context.end() && merge->is_object() &&
      merge->value("mixed", false)) {
    run.notes.push_back(
        path + ": merged from shards run on several machines (" +
        merge->value("machines", nlohmann::json::array()).dump() +
        "): absolute timings are comparable only with a run whose every "
        "benchmark ran on the same machine");
  }
  // A stored baseline carries the fingerprint it was accepted under, which
  // for a derived fingerprint depends on files no longer separate.
  if (const auto stored = run.provenance.find("fingerprint");
      stored != run.provenance.end() && stored->is_string() &&
      run.files.size() == 1) {
    if (!IsValidFingerprint(stored->get<std::string>())) {
      throw InputError(path,
                       "benchgate.fingerprint is not a valid folder name");
    }
    run.info.fingerprint = stored->get<std::string>();
  }
  if (!options.allocator.empty() && !run.info.allocator.empty() &&
      run.info.allocator != options.allocator) {
    throw InputError(path, "run is for allocator \"" + run.info.allocator +
                               "\", not \"" + options.allocator + "\"");
  }
  return run;
}

}  // namespace hotpath::benchgate
