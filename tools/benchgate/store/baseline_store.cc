#include "benchgate/store/baseline_store.h"

#include <array>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "benchgate/error.h"
#include "benchgate/judge/fingerprint.h"
#include "benchgate/read/input_file.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"
#include "benchgate/version.h"

namespace hotpath::benchgate {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kBaselineFile = "baseline.json";
constexpr const char* kNoiseFile = "noise.json";

std::string ContextValue(const json& context, const char* key) {
  const auto it = context.find(key);
  return it != context.end() && it->is_string() ? it->get<std::string>() : "";
}

// Refuses what must never become a baseline. A debug flag from Google
// Benchmark's library_build_type alone is only warned about (`warnings`):
// Debian's libbenchmark reports "debug" although it is built with -O2, so
// it says nothing about the code under test.
void ValidateForAccept(const Run& run, const AcceptOptions& options,
                       std::vector<std::string>* warnings) {
  if (run.info.debug_build && !run.info.debug_from_library_only) {
    throw InputError(run.source, "built as " + run.info.build_type +
                                     ": refusing a debug-build baseline");
  }
  if (run.info.debug_build && !options.allow_debug_library &&
      warnings != nullptr) {
    warnings->push_back(
        run.source +
        ": Google Benchmark's library_build_type says \"debug\" (Debian's "
        "libbenchmark always does); accepted, since the suite's own build "
        "type is not known to be debug (hotpath suites record "
        "hotpath_build_type)");
  }
  if (const auto merge = run.context.find("hotpath_merge");
      merge != run.context.end() && merge->is_object() &&
      merge->value("mixed", false)) {
    throw InputError(run.source,
                     "merged from shards of several machines: a baseline "
                     "must come from one machine");
  }
  for (const Benchmark& benchmark : run.benchmarks) {
    if (benchmark.error) {
      throw InputError(run.source, "\"" + benchmark.name + "\" failed (" +
                                       *benchmark.error +
                                       "): refusing it as a baseline");
    }
  }
  if (!IsValidFingerprint(run.info.fingerprint)) {
    throw InputError(run.source, "fingerprint \"" + run.info.fingerprint +
                                     "\" is not a valid folder name");
  }
}

json Provenance(const Run& run, const AcceptOptions& options) {
  json files = json::array();
  for (const std::string& file : run.files) {
    files.push_back(fs::path(file).filename().string());
  }
  return json{
      {"schema", 1},
      {"fingerprint", run.info.fingerprint},
      {"fingerprint_derived", run.info.fingerprint_derived},
      {"revision", run.info.revision},
      {"accepted_at", options.accepted_at},
      {"run_date", ContextValue(run.context, "date")},
      {"build_type", run.info.build_type},
      {"allocator", run.info.allocator},
      {"source", run.source},
      {"files", files},
      {"benchmarks", run.benchmarks.size()},
      {"benchgate_version", kVersion},
  };
}

std::optional<NoiseTable> LoadNoise(const fs::path& path) {
  if (!fs::exists(path)) return std::nullopt;
  const std::string text = ReadInputFile(path.string());
  try {
    return NoiseTable::FromJson(json::parse(text), path.string());
  } catch (const json::parse_error&) {
    throw InputError(path.string(), "not valid JSON");
  }
}

}  // namespace

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer.data();
}

void BaselineStore::RequireDirectory() const {
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) {
    throw InputError(
        dir_, fs::exists(dir_, ec) ? "not a directory" : "no such directory");
  }
}

std::optional<StoredBaseline> BaselineStore::Load(
    const std::string& fingerprint) const {
  if (!IsValidFingerprint(fingerprint)) return std::nullopt;
  const fs::path folder = fs::path(dir_) / fingerprint;
  const fs::path file = folder / kBaselineFile;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  StoredBaseline stored{LoadRun(file.string()), file.string(), "",
                        std::nullopt};
  if (stored.run.info.fingerprint != fingerprint) {
    throw InputError(file.string(), "holds fingerprint \"" +
                                        stored.run.info.fingerprint +
                                        "\", not that of its folder");
  }
  stored.accepted_at = ContextValue(stored.run.provenance, "accepted_at");
  stored.noise = LoadNoise(folder / kNoiseFile);
  return stored;
}

std::optional<StoredBaseline> BaselineStore::LoadLatestOther(
    const std::string& fingerprint) const {
  std::optional<StoredBaseline> latest;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name == fingerprint || name.front() == '.') {
      continue;
    }
    std::optional<StoredBaseline> candidate = Load(name);
    if (candidate &&
        (!latest || candidate->accepted_at > latest->accepted_at)) {
      latest = std::move(candidate);
    }
  }
  return latest;
}

AcceptResult BaselineStore::Accept(const Run& run,
                                   const std::vector<const Run*>& calibration,
                                   const MetricPolicies& policies,
                                   const AcceptOptions& options) const {
  std::vector<std::string> warnings;
  ValidateForAccept(run, options, &warnings);
  for (const Run* extra : calibration) {
    ValidateForAccept(*extra, options, nullptr);
    if (extra->info.fingerprint != run.info.fingerprint) {
      throw InputError(extra->source,
                       "fingerprint \"" + extra->info.fingerprint +
                           "\" differs from the accepted run's \"" +
                           run.info.fingerprint +
                           "\": calibration needs runs of the same build on "
                           "the same machine");
    }
  }
  const fs::path folder = fs::path(dir_) / run.info.fingerprint;
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder)) {
    throw InputError(
        dir_, "not writable (" + (ec ? ec.message() : "not a directory") + ")");
  }
  AcceptResult result;
  result.warnings = std::move(warnings);
  if (!calibration.empty()) {
    std::vector<const Run*> runs = {&run};
    runs.insert(runs.end(), calibration.begin(), calibration.end());
    const NoiseTable noise = NoiseTable::Calibrate(runs, policies);
    json revisions = json::array();
    for (const Run* each : runs) revisions.push_back(each->info.revision);
    const json document = {
        {"schema", 1},
        {"fingerprint", run.info.fingerprint},
        {"calibrated_at", options.accepted_at},
        {"runs", runs.size()},
        {"revisions", revisions},
        {"method",
         "per benchmark and metric: max/min of the run medians, minus 1"},
        {"benchmarks", noise.ToJson()},
    };
    result.noise_path = (folder / kNoiseFile).string();
    // Written first: with the old baseline it is still a valid calibration
    // of this fingerprint if a kill stops us before the baseline.
    WriteFileAtomically(result.noise_path, document.dump(2) + "\n");
  }
  json document = json::object();
  document["benchgate"] = Provenance(run, options);
  document["context"] = run.context;
  document["benchmarks"] = run.rows;
  result.baseline_path = (folder / kBaselineFile).string();
  WriteFileAtomically(result.baseline_path, document.dump(2) + "\n");
  return result;
}

}  // namespace hotpath::benchgate
