#include "benchgate/store/baseline_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <thread>

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
constexpr const char* kLockFile = ".benchgate.lock";

// An exclusive flock on BASE/.benchgate.lock, held for the whole of an
// accept and released (also by the kernel when the process dies) with the
// descriptor.
class StoreLock {
 public:
  StoreLock(const fs::path& dir, int timeout_ms) {
    const std::string path = (dir / kLockFile).string();
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw InputError(dir.string(),
                       "not writable (cannot open " + std::string(kLockFile) +
                           ": " + std::generic_category().message(errno) + ")");
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(timeout_ms);
    bool said = false;
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK ||
          std::chrono::steady_clock::now() >= deadline) {
        const int error = errno;
        ::close(fd_);
        if (error != EWOULDBLOCK) {
          throw InputError(
              path,
              "cannot lock (" + std::generic_category().message(error) + ")");
        }
        throw InputError(
            path,
            "another benchgate accept into this directory still holds "
            "the lock after " +
                std::to_string(timeout_ms / 1000) +
                " s: refused rather than racing it (accept again when "
                "it is done)");
      }
      if (!said) {  // a silent accept would look hung
        std::cerr << "benchgate accept: waiting (up to " << timeout_ms / 1000
                  << " s) for another accept into " << dir.string()
                  << " to finish\n";
        said = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock() { ::close(fd_); }

 private:
  int fd_ = -1;
};

// Under the lock no accept is writing: any temporary of ours in `folder`
// was left by a killed one and is removed.
void RemoveStaleTemporaries(const fs::path& folder) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (IsTemporaryFor(name, kBaselineFile) ||
        IsTemporaryFor(name, kNoiseFile)) {
      std::error_code remove_ec;
      fs::remove(entry.path(), remove_ec);
    }
  }
}

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

// `value` as pretty JSON nested one level inside an object.
std::string Nested(const json& value) {
  std::string text = value.dump(2);
  std::string nested;
  nested.reserve(text.size() + text.size() / 8);
  for (const char c : text) {  // a string's newline is written as \n
    nested += c;
    if (c == '\n') nested += "  ";
  }
  return nested;
}

// The stored baseline.json: provenance, context and the rows as read, one
// row per line (a changed row is a one-line diff), the rows written from
// where the run holds them rather than copied into one string.
FileContent BaselineFile(const std::string& path, const json& provenance,
                         const Run& run) {
  return FileContent{path,
                     "{\n  \"benchgate\": " + Nested(provenance) +
                         ",\n  \"context\": " + Nested(run.context) +
                         ",\n  \"benchmarks\": [\n    ",
                     {*run.rows, "\n  ]\n}\n"}};
}

std::optional<NoiseTable> LoadNoise(const fs::path& path) {
  std::error_code ec;
  if (fs::symlink_status(path, ec).type() == fs::file_type::not_found) {
    return std::nullopt;
  }
  const std::string text = ReadInputFile(path.string());
  try {
    return NoiseTable::FromJson(json::parse(text), path.string());
  } catch (const json::parse_error&) {
    throw InputError(path.string(), "not valid JSON");
  }
}

// The path with symlinks resolved as far as it exists.
fs::path Resolved(const std::string& path) {
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(path, ec);
  if (ec) resolved = fs::absolute(path, ec).lexically_normal();
  return resolved;
}

bool IsInside(const fs::path& path, const fs::path& folder) {
  auto p = path.begin();
  for (auto f = folder.begin(); f != folder.end(); ++f, ++p) {
    if (f->empty() && std::next(f) == folder.end()) break;  // trailing '/'
    if (p == path.end() || *p != *f) return false;
  }
  return true;
}

// True if `relative`, a path inside a run directory, is or may become part
// of the run: a JSON file anywhere (results, processes, calibration,
// profiles' index) but under gate/, command.txt, anything under profile/,
// a folder or the directory itself. gate/ and other files (report.html)
// are benchgate's own outputs, never read as the run (bench-all writes
// them there).
bool IsPartOfRun(const fs::path& relative) {
  if (relative.empty() || relative == ".") return true;
  const std::string first = relative.begin()->string();
  const std::string name = relative.filename().string();
  if (first == "gate" && std::next(relative.begin()) != relative.end()) {
    return false;
  }
  return first == "profile" || name == "command.txt" ||
         relative.extension() == ".json";
}

// True if `path` (resolved) holds what accept stored.
bool HoldsStoredFile(const fs::path& path) {
  const std::string name = path.filename().string();
  if (name != kBaselineFile && name != kNoiseFile) return false;
  std::error_code ec;
  // A <fingerprint>/ folder of a store accept has used.
  if (fs::exists(path.parent_path().parent_path() / kLockFile, ec)) {
    return true;
  }
  if (!fs::is_regular_file(path, ec)) return false;
  try {
    const json document = json::parse(ReadInputFile(path.string()));
    if (!document.is_object()) return false;
    if (name == kNoiseFile) {
      return document.contains("calibrated_at") &&
             document.contains("fingerprint");
    }
    const auto provenance = document.find("benchgate");
    return provenance != document.end() && provenance->is_object() &&
           provenance->contains("accepted_at");
  } catch (const std::exception&) {
    return false;  // not ours: nothing of a store to protect
  }
}

}  // namespace

void RefuseProtectedOutput(const std::string& output, const std::string& option,
                           const std::vector<std::string>& inputs,
                           const std::vector<std::string>& baseline_dirs) {
  if (output.empty()) return;
  const fs::path target = Resolved(output);
  const std::string refused = option.empty() ? output : option + " " + output;
  for (const std::string& dir : baseline_dirs) {
    if (dir.empty()) continue;
    const fs::path store = Resolved(dir);
    if (!IsInside(target, store)) continue;
    // What the store is made of: baselines, calibrations, the lock and
    // temporaries (dot files), its folders. Anything else may sit there.
    const std::string name = target.filename().string();
    std::error_code ec;
    if (target == store || fs::is_directory(target, ec) ||
        name == kBaselineFile || name == kNoiseFile ||
        (!name.empty() && name.front() == '.')) {
      throw InputError(refused, "is part of the baseline directory " + dir +
                                    ": only benchgate accept writes there");
    }
  }
  if (HoldsStoredFile(target)) {
    throw InputError(refused, "is a stored baseline (" + target.string() +
                                  "): only benchgate accept writes there");
  }
  for (const std::string& input : inputs) {
    if (input.empty()) continue;
    const fs::path source = Resolved(input);
    if (target == source) {
      throw InputError(refused, "is also an input (" + input +
                                    "): refusing to overwrite it");
    }
    std::error_code ec;
    if (fs::is_directory(source, ec) && IsInside(target, source) &&
        IsPartOfRun(target.lexically_relative(source))) {
      throw InputError(refused, "is part of the input run directory " + input +
                                    ": refusing to write into an input");
    }
  }
}

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
  // Only a missing folder (or baseline.json) means "no stored baseline".
  // Anything else that is not a regular file (a folder, a FIFO, a device or a
  // dangling link where baseline.json belongs, a file where the folder belongs)
  // is damage to report, not a reason to pass the gate without a comparison.
  std::error_code ec;
  const fs::file_status folder_status = fs::symlink_status(folder, ec);
  if (folder_status.type() == fs::file_type::not_found) return std::nullopt;
  if (!fs::is_directory(folder, ec)) {
    throw InputError(folder.string(),
                     "not a folder: a stored baseline belongs in "
                     "<fingerprint>/baseline.json");
  }
  // An accept killed before its first rename leaves a folder without one.
  if (fs::symlink_status(file, ec).type() == fs::file_type::not_found) {
    return std::nullopt;
  }
  if (!fs::is_regular_file(file, ec)) {
    ReadInputFile(file.string());  // says what it is instead
    throw InputError(file.string(), "not a regular file");
  }
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
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_)) {
    throw InputError(
        dir_, "not writable (" + (ec ? ec.message() : "not a directory") + ")");
  }
  // Two accepts into one directory would interleave their files (one
  // run's baseline beside the other's noise) and lose a result.
  const StoreLock lock(dir_, options.lock_timeout_ms);
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder)) {
    throw InputError(
        dir_, "not writable (" + (ec ? ec.message() : "not a directory") + ")");
  }
  RemoveStaleTemporaries(folder);
  AcceptResult result;
  result.warnings = std::move(warnings);
  if (!run.rows) {
    throw std::logic_error("Accept needs a run loaded with keep_rows");
  }
  std::vector<FileContent> files;
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
    files.push_back(FileContent{result.noise_path, document.dump(2) + "\n"});
  }
  result.baseline_path = (folder / kBaselineFile).string();
  files.push_back(
      BaselineFile(result.baseline_path, Provenance(run, options), run));
  // Both written and fsynced before either is renamed: a full disk leaves
  // the old pair. The noise file is renamed first: beside the old baseline
  // of the same fingerprint it is still a valid calibration if a kill comes
  // between the two renames.
  WriteFilesAtomically(files);
  return result;
}

}  // namespace hotpath::benchgate
