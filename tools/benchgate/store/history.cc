#include "benchgate/store/history.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <tuple>
#include <utility>

#include "benchgate/error.h"
#include "benchgate/judge/fingerprint.h"
#include "benchgate/judge/glob.h"

namespace hotpath::benchgate {
namespace {

constexpr int kBusyTimeoutMs = 30000;

constexpr const char* kSchema = R"sql(
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  run_key     TEXT NOT NULL UNIQUE,
  revision    TEXT NOT NULL,
  commit_date TEXT,
  branch      TEXT,
  fingerprint TEXT NOT NULL,
  machine     TEXT NOT NULL,
  run_date    TEXT NOT NULL,
  added_at    TEXT NOT NULL,
  source      TEXT NOT NULL
);
CREATE INDEX runs_by_fingerprint ON runs (fingerprint, commit_date, added_at);
CREATE TABLE results (
  run_id      INTEGER NOT NULL REFERENCES runs (id),
  benchmark   TEXT NOT NULL,
  metric      TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('exact', 'noisy')),
  median      REAL NOT NULL,
  low         REAL NOT NULL,
  high        REAL NOT NULL,
  repetitions INTEGER NOT NULL,
  processes   INTEGER NOT NULL,
  PRIMARY KEY (run_id, benchmark, metric)
) WITHOUT ROWID;
)sql";

// One connection; every failure becomes an InputError naming the file.
class Database {
 public:
  // A reader opens the file read-write when it may: a writer killed in its
  // transaction leaves a hot journal, which only a connection that can
  // write rolls back (read-only, every read failed with "attempt to write a
  // readonly database" until the next add). It writes nothing else.
  Database(const std::string& path, bool write) : path_(path) {
    const std::filesystem::path parent =
        std::filesystem::path(path).parent_path();
    const bool may_write =
        ::access(path.c_str(), W_OK) == 0 &&
        ::access(parent.empty() ? "." : parent.c_str(), W_OK) == 0;
    const int flags = write       ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                      : may_write ? SQLITE_OPEN_READWRITE
                                  : SQLITE_OPEN_READONLY;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      const std::string what =
          db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw InputError(path, "cannot open the history database: " + what);
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  }
  ~Database() {
    if (in_transaction_)
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  [[noreturn]] void Fail(int rc) const {
    if (rc == SQLITE_NOTADB) {
      throw InputError(path_,
                       "not an SQLite database (a benchgate history "
                       "is one; nothing was written)");
    }
    throw InputError(path_,
                     std::string("history database: ") + sqlite3_errmsg(db_));
  }

  void Exec(const char* sql) {
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) Fail(rc);
  }

  void Begin() {
    Exec("BEGIN IMMEDIATE");
    in_transaction_ = true;
  }
  void Commit() {
    Exec("COMMIT");
    in_transaction_ = false;
  }

  // The schema version, after checking the file is a history this
  // benchgate can read: 0 only for an empty database.
  int CheckedVersion() {
    // One statement, so one snapshot: read apart, another writer could
    // create the schema between the two reads.
    sqlite3_stmt* stmt = Prepare(
        "SELECT (SELECT user_version FROM pragma_user_version), "
        "(SELECT count(*) FROM sqlite_master)");
    const int rc = sqlite3_step(stmt);
    const std::int64_t version =
        rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    const bool has_tables =
        rc == SQLITE_ROW && sqlite3_column_int64(stmt, 1) > 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) Fail(rc);
    if (version > kHistorySchemaVersion) {
      throw InputError(path_, "history schema version " +
                                  std::to_string(version) +
                                  " is newer than this benchgate's (" +
                                  std::to_string(kHistorySchemaVersion) +
                                  "): use a newer benchgate; nothing was "
                                  "written");
    }
    if (version < 0 || (version == 0 && has_tables)) {
      throw InputError(path_,
                       "an SQLite database that is not a benchgate "
                       "history (user_version " +
                           std::to_string(version) +
                           " and tables of its own); nothing was written");
    }
    return static_cast<int>(version);
  }

  std::int64_t QueryInt(const char* sql) {
    sqlite3_stmt* stmt = Prepare(sql);
    const int rc = sqlite3_step(stmt);
    const std::int64_t value =
        rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) Fail(rc);
    return value;
  }

  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) Fail(rc);
    return stmt;
  }

  sqlite3* get() const { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  bool in_transaction_ = false;
};

// A prepared statement, finalised on scope exit.
class Statement {
 public:
  Statement(Database& db, const char* sql) : db_(db), stmt_(db.Prepare(sql)) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, const std::string& text) {
    Check(sqlite3_bind_text(stmt_, index, text.data(),
                            static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  // NULL for an empty text.
  Statement& BindOptional(int index, const std::string& text) {
    if (text.empty()) {
      Check(sqlite3_bind_null(stmt_, index));
      return *this;
    }
    return Bind(index, text);
  }
  Statement& Bind(int index, double value) {
    Check(sqlite3_bind_double(stmt_, index, value));
    return *this;
  }
  Statement& Bind(int index, std::int64_t value) {
    Check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  // True while there is a row.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_.Fail(rc);
    return false;
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text == nullptr ? "" : reinterpret_cast<const char*>(text);
  }
  double Double(int column) const {
    return sqlite3_column_double(stmt_, column);
  }
  std::int64_t Int(int column) const {
    return sqlite3_column_int64(stmt_, column);
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) db_.Fail(rc);
  }
  Database& db_;
  sqlite3_stmt* stmt_;
};

std::string MachineDescription(const Run& run) {
  const nlohmann::json& context = run.context;
  std::string cpu = run.info.cpu_model;
  if (cpu.empty()) cpu = "unknown CPU";
  std::string text = cpu;
  if (const std::string cpus = ContextString(context, "num_cpus");
      !cpus.empty()) {
    text += ", " + cpus + " CPUs";
  }
  if (const auto mhz = context.find("mhz_per_cpu");
      mhz != context.end() && mhz->is_number()) {
    text += " at " + std::to_string(std::lround(mhz->get<double>())) + " MHz";
  }
  if (const std::string host = ContextString(context, "host_name");
      !host.empty()) {
    text += ", host " + host;
  }
  return text;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

bool IsDigits(const std::string& text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return false;
  return std::all_of(text.begin() + static_cast<long>(at),
                     text.begin() + static_cast<long>(at + count),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

int Digits(const std::string& text, std::size_t at, std::size_t count) {
  return std::stoi(text.substr(at, count));
}

// The value of a "key value" line in command.txt.
std::string CommandValue(const std::string& line, const std::string& key) {
  if (line.rfind(key + ' ', 0) != 0) return "";
  std::string value = line.substr(key.size() + 1);
  while (!value.empty() &&
         std::isspace(static_cast<unsigned char>(value.back()))) {
    value.pop_back();
  }
  return value;
}

}  // namespace

std::string NormaliseCommitDate(const std::string& text,
                                const std::string& what) {
  const auto bad = [&]() -> InputError {
    return InputError(what, "\"" + text +
                                "\" is not a date (YYYY-MM-DD[THH:MM[:SS]]"
                                "[Z|+HH:MM])");
  };
  if (!IsDigits(text, 0, 4) || text.size() < 10 || text[4] != '-' ||
      !IsDigits(text, 5, 2) || text[7] != '-' || !IsDigits(text, 8, 2)) {
    throw bad();
  }
  std::tm tm{};
  tm.tm_year = Digits(text, 0, 4) - 1900;
  tm.tm_mon = Digits(text, 5, 2) - 1;
  tm.tm_mday = Digits(text, 8, 2);
  std::size_t at = 10;
  if (at < text.size() && (text[at] == 'T' || text[at] == ' ')) {
    if (!IsDigits(text, at + 1, 2) || text.size() < at + 6 ||
        text[at + 3] != ':' || !IsDigits(text, at + 4, 2)) {
      throw bad();
    }
    tm.tm_hour = Digits(text, at + 1, 2);
    tm.tm_min = Digits(text, at + 4, 2);
    at += 6;
    if (at < text.size() && text[at] == ':') {
      if (!IsDigits(text, at + 1, 2)) throw bad();
      tm.tm_sec = Digits(text, at + 1, 2);
      at += 3;
    }
    if (at < text.size() && text[at] == ' ') ++at;  // git's %ci: "... +0100"
  }
  long offset = 0;  // seconds east of UTC
  if (at < text.size()) {
    if (text[at] == 'Z' && at + 1 == text.size()) {
      at = text.size();
    } else if ((text[at] == '+' || text[at] == '-') &&
               IsDigits(text, at + 1, 2)) {
      const long sign = text[at] == '+' ? 1 : -1;
      const int hours = Digits(text, at + 1, 2);
      std::size_t minutes_at = at + 3;
      if (minutes_at < text.size() && text[minutes_at] == ':') ++minutes_at;
      if (!IsDigits(text, minutes_at, 2) || minutes_at + 2 != text.size()) {
        throw bad();
      }
      offset = sign * (hours * 3600L + Digits(text, minutes_at, 2) * 60L);
      at = text.size();
    }
  }
  if (at != text.size() || tm.tm_mon > 11 || tm.tm_mday < 1 ||
      tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) {
    throw bad();
  }
  const std::time_t utc = timegm(&tm) - offset;
  std::tm out{};
  gmtime_r(&utc, &out);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &out);
  return buffer;
}

HistoryRunInfo ReadRunCommandInfo(const Run& run) {
  HistoryRunInfo info;
  std::error_code ec;
  const std::filesystem::path file =
      std::filesystem::path(run.source) / "command.txt";
  if (!std::filesystem::is_directory(run.source, ec) ||
      !std::filesystem::is_regular_file(file, ec)) {
    return info;
  }
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (std::string v = CommandValue(line, "revision"); !v.empty()) {
      info.revision = v;
    } else if (v = CommandValue(line, "commit-date"); !v.empty()) {
      info.commit_date = NormaliseCommitDate(v, file.string());
    } else if (v = CommandValue(line, "branch"); !v.empty()) {
      info.branch = v;
    }
  }
  return info;
}

// Same run, same key: the fingerprint, revision, the context's date and
// host, and every value of every benchmark. The branch and commit date are
// left out: adding the run again with them is still the same run.
std::string HistoryRunKey(const Run& run, const std::string& revision) {
  std::string text = run.info.fingerprint + '\n' + revision + '\n' +
                     ContextString(run.context, "date") + '\n' +
                     ContextString(run.context, "host_name") + '\n';
  for (const Benchmark& benchmark : run.benchmarks) {
    text += benchmark.name + '\n';
    for (const auto& [metric, observations] : benchmark.metrics) {
      text += metric + ':';
      if (observations.HasReps()) {
        for (const double value : observations.reps)
          text += Number(value) + ',';
      } else {
        text += Number(observations.median);
      }
      text += '\n';
    }
  }
  return Fnv1aHex(text);
}

std::int64_t FindHistoryRun(const std::string& db_path,
                            const std::string& run_key) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) return 0;
  Database db(db_path, /*write=*/false);
  if (db.CheckedVersion() == 0) return 0;
  Statement find(db, "SELECT id FROM runs WHERE run_key = ?");
  find.Bind(1, run_key);
  return find.Step() ? find.Int(0) : 0;
}

HistoryAddResult AddToHistory(const std::string& db_path, const Run& run,
                              const HistoryRunInfo& info,
                              const MetricPolicies& policies) {
  if (info.revision.empty()) {
    throw InputError(run.source,
                     "no revision: the context has no hotpath_git_revision "
                     "(pass --revision)");
  }
  HistoryAddResult result;
  result.run_key = HistoryRunKey(run, info.revision);
  Database db(db_path, /*write=*/true);
  db.CheckedVersion();  // refuses a newer or foreign file before writing
  db.Begin();
  if (db.CheckedVersion() == 0) {  // again, under the write lock
    db.Exec(kSchema);
    db.Exec(("PRAGMA user_version = " + std::to_string(kHistorySchemaVersion))
                .c_str());
  }
  Statement insert_run(db,
                       "INSERT OR IGNORE INTO runs (run_key, revision, "
                       "commit_date, branch, fingerprint, machine, run_date, "
                       "added_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert_run.Bind(1, result.run_key)
      .Bind(2, info.revision)
      .BindOptional(3, info.commit_date)
      .BindOptional(4, info.branch)
      .Bind(5, run.info.fingerprint)
      .Bind(6, MachineDescription(run))
      .Bind(7, ContextString(run.context, "date"))
      .Bind(8, info.added_at)
      .Bind(9, run.source);
  insert_run.Step();
  if (sqlite3_changes(db.get()) == 0) {
    Statement existing(db, "SELECT id FROM runs WHERE run_key = ?");
    existing.Bind(1, result.run_key);
    if (existing.Step()) result.run_id = existing.Int(0);
    return result;  // the destructor rolls the empty transaction back
  }
  result.added = true;
  result.run_id = sqlite3_last_insert_rowid(db.get());
  Statement insert_value(db,
                         "INSERT INTO results (run_id, benchmark, metric, "
                         "kind, median, low, high, repetitions, processes) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const Benchmark& benchmark : run.benchmarks) {
    if (benchmark.error) continue;  // failed: no value to keep
    bool any = false;
    for (const auto& [metric, observations] : benchmark.metrics) {
      if (!std::isfinite(observations.median)) continue;
      double low = observations.median;
      double high = observations.median;
      if (observations.HasReps()) {
        const auto [min, max] = std::minmax_element(observations.reps.begin(),
                                                    observations.reps.end());
        low = *min;
        high = *max;
      }
      const MetricPolicy policy = policies.Get(metric, benchmark.name);
      insert_value.Reset();
      insert_value.Bind(1, result.run_id)
          .Bind(2, benchmark.name)
          .Bind(3, metric)
          .Bind(4, std::string(policy.kind == MetricKind::kExact ? "exact"
                                                                 : "noisy"))
          .Bind(5, observations.median)
          .Bind(6, low)
          .Bind(7, high)
          .Bind(8, static_cast<std::int64_t>(observations.n))
          .Bind(9, static_cast<std::int64_t>(
                       std::max(1, observations.Processes())));
      insert_value.Step();
      ++result.values;
      any = true;
    }
    if (any) ++result.benchmarks;
  }
  db.Commit();
  return result;
}

std::vector<HistorySeries> LoadHistory(const std::string& db_path,
                                       const HistoryQuery& query) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) {
    throw InputError(db_path, "no such history database");
  }
  Database db(db_path, /*write=*/false);
  if (db.CheckedVersion() == 0) return {};
  // Runs in history order, per fingerprint: commit date (the time added
  // when unknown), then time added.
  Statement runs(db,
                 "SELECT id, fingerprint FROM runs WHERE ?1 = '' OR "
                 "fingerprint = ?1 ORDER BY fingerprint, COALESCE(commit_date, "
                 "added_at), added_at, id");
  runs.Bind(1, query.fingerprint);
  std::map<std::string, std::vector<std::int64_t>> order;
  while (runs.Step()) order[runs.Text(1)].push_back(runs.Int(0));
  std::map<std::int64_t, std::size_t> position;  // run id -> place in order
  for (auto& [fingerprint, ids] : order) {
    const std::size_t keep =
        query.last > 0
            ? std::min(ids.size(), static_cast<std::size_t>(query.last))
            : ids.size();
    for (std::size_t i = ids.size() - keep; i < ids.size(); ++i) {
      position[ids[i]] = i;
    }
  }
  Statement values(db,
                   "SELECT r.id, r.fingerprint, r.revision, "
                   "COALESCE(r.commit_date, ''), x.benchmark, x.metric, "
                   "x.median FROM results x JOIN runs r ON r.id = x.run_id "
                   "WHERE ?1 = '' OR r.fingerprint = ?1");
  values.Bind(1, query.fingerprint);
  std::map<std::tuple<std::string, std::string, std::string>,
           std::vector<std::pair<std::size_t, HistoryPoint>>>
      series;
  while (values.Step()) {
    const std::int64_t id = values.Int(0);
    const auto place = position.find(id);
    if (place == position.end()) continue;
    std::string benchmark = values.Text(4);
    if (!query.pattern.empty() && !GlobMatch(query.pattern, benchmark))
      continue;
    series[{values.Text(1), std::move(benchmark), values.Text(5)}].push_back(
        {place->second,
         HistoryPoint{id, values.Text(2), values.Text(3), values.Double(6)}});
  }
  std::vector<HistorySeries> result;
  for (auto& [key, points] : series) {
    std::sort(points.begin(), points.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    HistorySeries each{
        std::get<0>(key), std::get<1>(key), std::get<2>(key), {}};
    for (auto& point : points) each.points.push_back(std::move(point.second));
    result.push_back(std::move(each));
  }
  return result;
}

}  // namespace hotpath::benchgate
