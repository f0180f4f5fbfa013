// Stored baselines, one folder per machine fingerprint:
//
//   baselines/<fingerprint>/baseline.json  the accepted run: Google
//       Benchmark JSON (so compare.py reads it too) plus a top-level
//       "benchgate" object with provenance (revision, date, files).
//   baselines/<fingerprint>/noise.json     optional A/A calibration.
//
// Only Accept writes here, and only through WriteFileAtomically.

#ifndef HOTPATH_TOOLS_BENCHGATE_STORE_BASELINE_STORE_H_
#define HOTPATH_TOOLS_BENCHGATE_STORE_BASELINE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "benchgate/judge/metric_policy.h"
#include "benchgate/judge/noise.h"
#include "benchgate/model.h"

namespace hotpath::benchgate {

struct StoredBaseline {
  Run run;
  std::string path;  // of baseline.json
  std::string accepted_at;
  std::optional<NoiseTable> noise;
};

struct AcceptOptions {
  // Debian's libbenchmark calls itself "debug"; such a run is accepted with
  // a warning, which this silences.
  bool allow_debug_library = false;
  std::string accepted_at;  // UTC, ISO 8601
  // How long to wait for another accept into the same directory to finish
  // (BASE/.benchgate.lock) before giving up.
  int lock_timeout_ms = 30000;
};

struct AcceptResult {
  std::string baseline_path;
  std::string noise_path;             // empty without calibration
  std::vector<std::string> warnings;  // accepted, but worth a line
};

class BaselineStore {
 public:
  explicit BaselineStore(std::string dir) : dir_(std::move(dir)) {}

  // Throws InputError unless the store's directory exists.
  void RequireDirectory() const;
  std::optional<StoredBaseline> Load(const std::string& fingerprint) const;
  // The most recently accepted baseline of any other fingerprint.
  std::optional<StoredBaseline> LoadLatestOther(
      const std::string& fingerprint) const;
  // Validates `run` (and the calibration runs) and stores it. Throws
  // InputError for a debug build, failed benchmarks, mismatched
  // calibration runs or an unwritable directory.
  AcceptResult Accept(const Run& run,
                      const std::vector<const Run*>& calibration,
                      const MetricPolicies& policies,
                      const AcceptOptions& options) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Only accept writes under a baseline directory, and no output replaces
// what a command reads. Throws InputError naming `output` (after `option`,
// e.g. "--json", unless empty) if it resolves, symlinks followed, to a part of
// one of `baseline_dirs` (a baseline.json or noise.json at any depth, a dot
// file such as the lock or a temporary, a folder, the directory itself), to
// a stored baseline.json or noise.json of any store (a file with accept's
// provenance, or in a folder of a directory holding .benchgate.lock), to
// one of `inputs`, or to a part of an input that is a folder (a run
// directory): a JSON file but under gate/, command.txt, profile/.
// Call before any work is done.
void RefuseProtectedOutput(const std::string& output, const std::string& option,
                           const std::vector<std::string>& inputs,
                           const std::vector<std::string>& baseline_dirs);

// The current time as 2024-06-11T09:30:00Z.
std::string UtcNow();

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_STORE_BASELINE_STORE_H_
