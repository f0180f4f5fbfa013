// benchgate history add / history changes (tools/benchgate/README.md,
// History).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "benchgate/commands.h"
#include "benchgate/error.h"
#include "benchgate/judge/bootstrap.h"
#include "benchgate/judge/change_points.h"
#include "benchgate/read/config.h"
#include "benchgate/read/run_loader.h"
#include "benchgate/store/atomic_file.h"
#include "benchgate/store/baseline_store.h"
#include "benchgate/store/history.h"
#include "benchgate/write/format.h"

namespace hotpath::benchgate {
namespace {

Config HistoryConfig(const CommandOptions& options) {
  return options.targets_path.empty() ? Config{}
                                      : LoadConfig(options.targets_path);
}

std::string RunLabel(const HistoryPoint& point) {
  return point.revision +
         (point.commit_date.empty() ? "" : " (" + point.commit_date + ")");
}

struct Found {
  const HistorySeries* series = nullptr;
  bool exact = false;
  SeriesChanges changes;
};

nlohmann::json ChangesJson(const std::vector<Found>& found,
                           const HistoryChangesOptions& history,
                           const ChangePointOptions& method,
                           std::size_t series_count) {
  nlohmann::json changes = nlohmann::json::array();
  for (const Found& each : found) {
    const HistorySeries& series = *each.series;
    const nlohmann::json common = {{"fingerprint", series.fingerprint},
                                   {"benchmark", series.benchmark},
                                   {"metric", series.metric},
                                   {"exact", each.exact},
                                   {"runs", series.points.size()}};
    // A step runs from the last revision before it to the first after; a
    // creep from the series' first revision to its last.
    const auto add = [&](const char* kind, const char* from_key,
                         const std::string& from, const char* to_key,
                         const std::string& to, double before, double after,
                         double size, double p) {
      nlohmann::json item = common;
      item["kind"] = kind;
      item[from_key] = from;
      item[to_key] = to;
      item["before"] = before;
      item["after"] = after;
      item["size"] =
          std::isfinite(size) ? nlohmann::json(size) : nlohmann::json(nullptr);
      item["p"] = p;
      changes.push_back(std::move(item));
    };
    for (const Step& step : each.changes.steps) {
      add("step", "last_before", series.points[step.index - 1].revision,
          "first_after", series.points[step.index].revision, step.before,
          step.after, step.size, step.p);
      changes.back()["run_index"] = step.index;
    }
    if (const Creep& creep = each.changes.creep; creep.found) {
      add("creep", "first_revision", series.points.front().revision,
          "last_revision", series.points.back().revision, creep.first,
          creep.last, creep.drift, creep.p);
    }
  }
  return {{"db", history.db_path},
          {"series", series_count},
          {"method",
           {{"steps", "e-divisive means, permutation test"},
            {"alpha", method.alpha},
            {"permutations", method.permutations},
            {"min_segment", method.min_segment},
            {"min_step", method.min_step},
            {"creep", "mann-kendall"},
            {"creep_alpha", method.creep_alpha},
            {"creep_min", method.creep_min},
            {"window", method.window}}},
          {"changes", std::move(changes)}};
}

// The changes in one series, as `history changes` and the report's trends
// find them: the metric's policy, min_effect for creeps, a seed of its own.
SeriesChanges ChangesOf(const std::vector<double>& values,
                        const std::string& fingerprint,
                        const std::string& benchmark, const std::string& metric,
                        const Config& config,
                        const ChangePointOptions& method) {
  return FindChanges(
      values, config.metrics.Get(metric, benchmark), method,
      SeedFor(method.seed, fingerprint + '\n' + benchmark + '\n' + metric));
}

ChangePointOptions MethodFor(const Config& config) {
  ChangePointOptions method;
  method.creep_min = config.stats.min_effect;
  return method;
}

}  // namespace

std::map<std::string, HistoryTrend, std::less<>> LoadHistoryTrends(
    const std::string& db_path, const Run& run, const Config& config,
    int last) {
  const std::int64_t current =
      FindHistoryRun(db_path, HistoryRunKey(run, run.info.revision));
  std::map<std::string, HistoryTrend, std::less<>> trends;
  const ChangePointOptions method = MethodFor(config);
  for (const HistorySeries& series :
       LoadHistory(db_path, {run.info.fingerprint, "", last})) {
    if (series.metric != kRealTime) continue;
    HistoryTrend trend;
    trend.current = series.points.size();
    for (const HistoryPoint& point : series.points) {
      if (point.run_id == current) trend.current = trend.values.size();
      trend.values.push_back(point.value);
      trend.revisions.push_back(point.revision);
    }
    trends.emplace(series.benchmark, std::move(trend));
  }
  // This run, when it is not in the history yet: its last point.
  for (const Benchmark& benchmark : run.benchmarks) {
    const Observations* time = benchmark.Find(kRealTime);
    if (time == nullptr || benchmark.error) continue;
    HistoryTrend& trend = trends[benchmark.name];
    if (current != 0 && trend.current < trend.values.size()) continue;
    trend.values.push_back(time->median);
    trend.revisions.push_back(run.info.revision.empty() ? "this run"
                                                        : run.info.revision);
    if (last > 0 && trend.values.size() > static_cast<std::size_t>(last)) {
      trend.values.erase(trend.values.begin());
      trend.revisions.erase(trend.revisions.begin());
    }
    trend.current = trend.values.size() - 1;
  }
  for (auto& [benchmark, trend] : trends) {
    const SeriesChanges changes =
        ChangesOf(trend.values, run.info.fingerprint, benchmark,
                  std::string(kRealTime), config, method);
    for (const Step& step : changes.steps) trend.steps.push_back(step.index);
    trend.creep = changes.creep.found;
  }
  return trends;
}

int HistoryAddCommand(const std::string& run_path,
                      const HistoryAddOptions& history,
                      const CommandOptions& options, std::ostream& out) {
  RefuseProtectedOutput(history.db_path, "--db", {run_path}, {});
  const Config config = HistoryConfig(options);
  const Run run = LoadRun(run_path, {options.allocator});
  HistoryRunInfo info = ReadRunCommandInfo(run);
  if (!run.info.revision.empty()) info.revision = run.info.revision;
  if (!history.revision.empty()) info.revision = history.revision;
  if (!history.commit_date.empty()) {
    info.commit_date =
        NormaliseCommitDate(history.commit_date, "--commit-date");
  }
  if (!history.branch.empty()) info.branch = history.branch;
  info.added_at = UtcNow();
  const HistoryAddResult result =
      AddToHistory(history.db_path, run, info, config.metrics);
  if (!result.added) {
    out << "benchgate history add: " << run_path << " is already in "
        << history.db_path << " (run " << result.run_id << ", key "
        << result.run_key << "): nothing added\n";
    return kExitPass;
  }
  out << "benchgate history add: " << run_path << " -> " << history.db_path
      << " (run " << result.run_id << ", revision " << info.revision
      << (info.commit_date.empty() ? "" : ", committed " + info.commit_date)
      << (info.branch.empty() ? "" : ", branch " + info.branch)
      << ", fingerprint " << run.info.fingerprint << ": " << result.benchmarks
      << " benchmarks, " << result.values << " values)\n";
  return kExitPass;
}

int HistoryChangesCommand(const HistoryChangesOptions& history,
                          const CommandOptions& options, std::ostream& out) {
  RefuseProtectedOutput(history.json_path, "--json", {history.db_path}, {});
  const Config config = HistoryConfig(options);
  const std::vector<HistorySeries> all = LoadHistory(
      history.db_path,
      {history.fingerprint, history.benchmark_pattern, history.last});
  const ChangePointOptions method = MethodFor(config);
  std::vector<Found> found;
  std::size_t steps = 0;
  std::size_t creeps = 0;
  std::size_t longest = 0;
  for (const HistorySeries& series : all) {
    std::vector<double> values;
    values.reserve(series.points.size());
    for (const HistoryPoint& point : series.points)
      values.push_back(point.value);
    longest = std::max(longest, values.size());
    Found each{&series,
               config.metrics.Get(series.metric, series.benchmark).kind ==
                   MetricKind::kExact,
               ChangesOf(values, series.fingerprint, series.benchmark,
                         series.metric, config, method)};
    if (each.changes.steps.empty() && !each.changes.creep.found) continue;
    steps += each.changes.steps.size();
    creeps += each.changes.creep.found ? 1 : 0;
    found.push_back(std::move(each));
  }
  out << "benchgate history changes: " << history.db_path << ": " << all.size()
      << " series, up to " << longest << " runs each"
      << (history.fingerprint.empty() ? ""
                                      : ", fingerprint " + history.fingerprint)
      << '\n';
  std::string fingerprint;
  for (const Found& each : found) {
    const HistorySeries& series = *each.series;
    if (series.fingerprint != fingerprint) {
      fingerprint = series.fingerprint;
      out << "fingerprint " << fingerprint << ":\n";
    }
    for (const Step& step : each.changes.steps) {
      out << "  step   " << series.benchmark << "  " << series.metric << "  "
          << FormatChange(step.size) << "  "
          << FormatMetric(series.metric, step.before) << " -> "
          << FormatMetric(series.metric, step.after) << "  between "
          << RunLabel(series.points[step.index - 1]) << " and "
          << RunLabel(series.points[step.index]) << " (run " << step.index + 1
          << " of " << series.points.size() << ")  "
          << (each.exact ? "exact, beyond tolerance" : "p=" + FormatP(step.p))
          << '\n';
    }
    if (each.changes.creep.found) {
      const Creep& creep = each.changes.creep;
      out << "  creep  " << series.benchmark << "  " << series.metric << "  "
          << FormatChange(creep.drift) << "  "
          << FormatMetric(series.metric, creep.first) << " -> "
          << FormatMetric(series.metric, creep.last) << "  from "
          << series.points.front().revision << " to "
          << series.points.back().revision << " (" << series.points.size()
          << " runs), no single step explains it  "
          << (each.exact ? "exact, beyond tolerance"
                         : "Mann-Kendall p=" + FormatP(creep.p))
          << '\n';
    }
  }
  out << "benchgate history changes: " << steps << " step(s), " << creeps
      << " creep(s) in " << all.size()
      << " series (steps: E-divisive means, permutation p <= "
      << FormatP(method.alpha) << "; exact metrics: any move beyond "
      << "tolerance)\n";
  if (!history.json_path.empty()) {
    WriteFileAtomically(
        history.json_path,
        ChangesJson(found, history, method, all.size()).dump(2) + "\n");
  }
  return kExitPass;
}

}  // namespace hotpath::benchgate
