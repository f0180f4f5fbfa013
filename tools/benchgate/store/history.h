// The history: every run added, in one SQLite database (schema in
// tools/benchgate/README.md, History).
//
// Adding is one transaction (BEGIN IMMEDIATE, rollback journal, a busy
// timeout): two writers at once both land, one after the other, and a
// writer killed halfway leaves the database as it was (SQLite's journal is
// rolled back by the next opener). A run's key (a hash of its fingerprint,
// revision, context date and every value) makes adding it again a no-op. A
// database whose user_version is newer than this benchgate knows, or a file
// that is not SQLite, is refused before anything is written.

#ifndef HOTPATH_TOOLS_BENCHGATE_STORE_HISTORY_H_
#define HOTPATH_TOOLS_BENCHGATE_STORE_HISTORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "benchgate/judge/metric_policy.h"
#include "benchgate/model.h"

namespace hotpath::benchgate {

inline constexpr int kHistorySchemaVersion = 1;

// Where the run sits in the project's history; what the run's context or
// command.txt does not say comes from flags.
struct HistoryRunInfo {
  std::string revision;     // required
  std::string commit_date;  // UTC, 2024-06-11T09:30:00Z; empty if unknown
  std::string branch;       // empty if unknown
  std::string added_at;     // UTC, when added
};

// `text` (YYYY-MM-DD, optionally THH:MM[:SS] or " HH:MM[:SS]", then Z,
// +HH:MM, +HHMM or nothing for UTC) as YYYY-MM-DDTHH:MM:SSZ in UTC.
// Throws InputError naming `what` when it is not such a date.
std::string NormaliseCommitDate(const std::string& text,
                                const std::string& what);

// What a run directory's command.txt (bench-all) says: "revision R",
// "commit-date D", "branch B" lines. Empty fields where it says nothing or
// there is no command.txt (a JSON file).
HistoryRunInfo ReadRunCommandInfo(const Run& run);

// The key that makes adding a run twice a no-op: FNV-1a of the
// fingerprint, `revision`, the context's date and host, and every value.
std::string HistoryRunKey(const Run& run, const std::string& revision);

// The id of the run with `run_key` in the history at `db_path`, 0 when it
// is not there (or there is no history yet). Read only.
std::int64_t FindHistoryRun(const std::string& db_path,
                            const std::string& run_key);

struct HistoryAddResult {
  bool added = false;  // false: the same run was there already
  std::string run_key;
  std::int64_t run_id = 0;
  std::size_t benchmarks = 0;
  std::size_t values = 0;
};

// Adds `run` with `info`; each metric's kind ("exact" or "noisy") is
// recorded as `policies` judge it. Throws InputError naming `db_path`.
HistoryAddResult AddToHistory(const std::string& db_path, const Run& run,
                              const HistoryRunInfo& info,
                              const MetricPolicies& policies);

struct HistoryPoint {
  std::int64_t run_id = 0;
  std::string revision;
  std::string commit_date;
  double value = 0.0;  // the median of the run's repetitions
};

struct HistorySeries {
  std::string fingerprint;
  std::string benchmark;
  std::string metric;
  std::vector<HistoryPoint> points;  // commit date, then time added
};

struct HistoryQuery {
  std::string fingerprint;  // empty: every fingerprint, each its own series
  std::string pattern;      // glob over benchmark names; empty: all
  int last = 0;             // only the last N runs of each fingerprint; 0: all
};

// Read only; throws InputError for a missing, foreign or newer database.
std::vector<HistorySeries> LoadHistory(const std::string& db_path,
                                       const HistoryQuery& query);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_STORE_HISTORY_H_
