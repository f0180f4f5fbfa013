// The first screen of the HTML report: what was compared with what, what
// could and could not be judged and why, what failed (largest first, each
// with its size and interval), the command that gives a judgement, and the
// two environments side by side where they differ.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "benchgate/judge/stats.h"
#include "benchgate/write/format.h"
#include "benchgate/write/html/parts.h"

namespace hotpath::benchgate::html {
namespace {

std::string ContextString(const Run& run, const char* key) {
  if (!run.context.is_object()) return "";
  const auto it = run.context.find(key);
  if (it == run.context.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string ShortRevision(const std::string& revision) {
  return revision.size() > 7 ? revision.substr(0, 7) : revision;
}

// Days since 1970-01-01 of an ISO date's "YYYY-MM-DD" (Howard Hinnant's
// days_from_civil), or nothing when the text does not start with one.
std::optional<long> DayNumber(const std::string& iso) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (std::sscanf(iso.c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 ||
      m > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  y -= m <= 2 ? 1 : 0;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "Intel Xeon ..., revision 0123456, measured 2024-06-11"
std::string Describe(const Run& run) {
  std::string text = run.info.cpu_model.empty()
                         ? "fingerprint " + run.info.fingerprint
                         : run.info.cpu_model;
  if (!run.info.revision.empty()) {
    text += ", revision " + ShortRevision(run.info.revision);
  }
  if (run.info.date.size() >= 10) {
    text += ", measured " + run.info.date.substr(0, 10);
  }
  return text;
}

// "14 days before this run"; empty when either date is unknown.
std::string Age(const Run& baseline, const Run& run) {
  const std::optional<long> then = DayNumber(baseline.info.date);
  const std::optional<long> now = DayNumber(run.info.date);
  if (!then || !now) return "";
  const long days = *now - *then;
  if (days == 0) return "the same day as this run";
  if (days < 0) return "after this run";
  return std::to_string(days) + (days == 1 ? " day" : " days") +
         " before this run";
}

std::string WhatBaseline(const Comparison& comparison) {
  switch (comparison.timing) {
    case TimingRole::kOtherMachine:
      return "the latest stored baseline of another machine";
    case TimingRole::kStored:
      return "the stored baseline of this machine";
    case TimingRole::kPaired:
      return "a run alternated with it on this machine";
    case TimingRole::kDecide:
      break;
  }
  return "a run measured back to back with it on this machine";
}

struct Failure {
  double size = 0.0;  // for the order: largest first
  std::string html;
};

// Everything that failed, largest first: regressions by the size of their
// deciding change, then failed targets by how far their worst pair misses
// the goal, then failed benchmarks and timings that could not be judged.
std::vector<Failure> Failures(const HtmlReportInput& input,
                              const Index& index) {
  const Report& report = *input.report;
  std::vector<Failure> failures;
  if (report.comparison) {
    for (const ItemComparison& item : report.comparison->items) {
      if (item.verdict != Verdict::kRegressed) continue;
      const MetricComparison* m = Deciding(item);
      Failure failure;
      failure.size = m == nullptr ? 0.0 : std::fabs(m->change);
      failure.html = "<li class=\"failure\"><span class=\"name\">" +
                     PairLink(index, ItemKey(item), item.name) + "</span> " +
                     Badge("bad", "regressed") + " " +
                     (m == nullptr ? HtmlEscape(item.note)
                                   : VerdictSentence(item, *m, index)) +
                     "</li>";
      failures.push_back(std::move(failure));
    }
  }
  if (report.targets) {
    for (const TargetResult& target : report.targets->targets) {
      if (target.status != TargetStatus::kFail) continue;
      Failure failure;
      failure.size = 0.0;
      for (const PairResult& pair : target.pairs) {
        if (pair.status == TargetStatus::kFail && pair.ratio) {
          failure.size =
              std::max(failure.size,
                       std::fabs(std::log(*pair.ratio / target.target.ratio)));
        }
      }
      failure.html = "<li class=\"failure\">target <a href=\"#target-" +
                     HtmlEscape(target.target.name) + "\">" +
                     HtmlEscape(target.target.name) + "</a> " +
                     Badge("bad", "FAIL") + " " +
                     HtmlEscape(target.target.metric + " after/before " +
                                FormatGoal(target.target) + " wanted; " +
                                MeasuredSummary(target)) +
                     "</li>";
      failures.push_back(std::move(failure));
    }
  }
  std::stable_sort(
      failures.begin(), failures.end(),
      [](const Failure& a, const Failure& b) { return a.size > b.size; });
  for (const std::string& failed : report.failed_benchmarks) {
    failures.push_back(Failure{0.0, "<li class=\"failure\">" +
                                        Badge("bad", "failed") + " " +
                                        HtmlEscape(failed) + "</li>"});
  }
  if (report.summary.not_judged > 0) {
    failures.push_back(Failure{
        0.0, "<li class=\"failure\">" + Badge("warn", "not judged") + " " +
                 std::to_string(report.summary.not_judged) +
                 " timings had to be judged but could not be: one process "
                 "per side (run each side in several processes, or pass "
                 "--exact-only)</li>"});
  }
  return failures;
}

struct EnvRow {
  const char* label;
  std::string old_value;
  std::string new_value;
};

std::string LoadNote(const Run& run) {
  if (!run.context.is_object()) return "";
  const auto load = run.context.find("load_avg");
  const auto cpus = run.context.find("num_cpus");
  if (load == run.context.end() || !load->is_array() || load->empty() ||
      !(*load)[0].is_number() || cpus == run.context.end() ||
      !cpus->is_number() || cpus->get<double>() <= 0.0) {
    return "";
  }
  const double one_minute = (*load)[0].get<double>();
  const double count = cpus->get<double>();
  if (one_minute < 0.75 * count) return "";
  char buffer[160];
  std::snprintf(buffer, sizeof buffer,
                "busy: load average %.1f on %.0f CPUs, timings noisier",
                one_minute, count);
  return buffer;
}

std::string LibraryNote(const Run& run) {
  if (ContextString(run, "library_build_type") != "debug") return "";
  return "Google Benchmark's library says \"debug\" (Debian builds it so; "
         "the benchmarks themselves are " +
         (run.info.build_type.empty() ? std::string("of unknown build type")
                                      : run.info.build_type) +
         ")";
}

std::vector<EnvRow> Environments(const Run& old_run, const Run& new_run) {
  const auto both = [&](const char* key) {
    return std::pair(ContextString(old_run, key), ContextString(new_run, key));
  };
  std::vector<EnvRow> rows;
  const auto add = [&](const char* label,
                       std::pair<std::string, std::string> v) {
    rows.push_back(EnvRow{label, std::move(v.first), std::move(v.second)});
  };
  add("CPU", {old_run.info.cpu_model, new_run.info.cpu_model});
  add("cores", both("hotpath_cores"));
  add("CPUs seen", both("num_cpus"));
  add("MHz", both("mhz_per_cpu"));
  add("fingerprint", {old_run.info.fingerprint, new_run.info.fingerprint});
  add("revision", {old_run.info.revision, new_run.info.revision});
  add("measured", {old_run.info.date, new_run.info.date});
  add("compiler", {old_run.info.compiler, new_run.info.compiler});
  add("C library", {old_run.info.libc, new_run.info.libc});
  add("build type", {old_run.info.build_type, new_run.info.build_type});
  add("flags", both("hotpath_flags"));
  add("allocator", {old_run.info.allocator, new_run.info.allocator});
  add("benchmark library", both("library_build_type"));
  add("load average", both("load_avg"));
  add("host", both("host_name"));
  return rows;
}

void RenderEnvironments(const Run& old_run, const Run& new_run, Page& page) {
  const std::vector<EnvRow> rows = Environments(old_run, new_run);
  std::string differ;
  int same = 0;
  for (const EnvRow& row : rows) {
    if (row.old_value == row.new_value) {
      ++same;
      continue;
    }
    differ += "<tr><th>" + std::string(row.label) + "</th><td class=\"mono\">" +
              (row.old_value.empty() ? "<span class=\"dim\">unknown</span>"
                                     : HtmlEscape(row.old_value)) +
              "</td><td class=\"mono\">" +
              (row.new_value.empty() ? "<span class=\"dim\">unknown</span>"
                                     : HtmlEscape(row.new_value)) +
              "</td></tr>";
  }
  std::vector<std::string> flags;
  for (const auto& [who, run] :
       {std::pair("baseline", &old_run), std::pair("this run", &new_run)}) {
    for (const std::string& note : {LoadNote(*run), LibraryNote(*run)}) {
      if (!note.empty()) flags.push_back(std::string(who) + ": " + note);
    }
  }
  if (differ.empty() && flags.empty()) {
    page.Add(
        "<p class=\"dim\" id=\"environments\">Both runs: the same "
        "environment (" +
        std::to_string(same) + " fields compared).</p>");
    return;
  }
  page.Add("<div id=\"environments\">");
  if (!differ.empty()) {
    page.Add(
        "<table class=\"env\"><thead><tr><th>where they differ</th>"
        "<th>baseline</th><th>this run</th></tr></thead><tbody>" +
        differ + "</tbody></table><div class=\"dim small\">" +
        std::to_string(same) + " other fields the same.</div>");
  }
  for (const std::string& flag : flags) {
    page.Add("<div class=\"warn flag\">&#9888; " + HtmlEscape(flag) + "</div>");
  }
  page.Add("</div>");
}

// What one kind of interval is, for the legend.
const char* IntervalMethod(Method method) {
  switch (method) {
    case Method::kBootstrap:
      return "a percentile bootstrap (the repetitions resampled)";
    case Method::kProcesses:
      return "Welch's t over each process's median";
    case Method::kPairedRounds:
      return "Yuen's paired t over the rounds of an alternating run";
    case Method::kNormal:
      return "a normal approximation from the aggregates";
    default:
      return nullptr;
  }
}

// A confidence as a percentage, to three significant figures: 95%, 99.5%.
std::string Confidence(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g%%", fraction * 100.0);
  return buffer;
}

// What a minimum effect of a special kind is, for the legend; null for
// the four the legend always explains.
const char* NoiseSource(std::string_view source) {
  if (source == "one process per side") {
    return "With one process per side the spread between processes is "
           "unknown: only a change beyond a large fixed limit is called.";
  }
  if (source == "floor (paired rounds)") {
    return "Alternating rounds cancel the drift both sides share: the floor "
           "alone applies.";
  }
  return nullptr;
}

void RenderNext(const HtmlReportInput& input, Page& page) {
  const Report& report = *input.report;
  const std::string run =
      input.run_path.empty() ? input.run->source : input.run_path;
  const std::string dir = input.baseline_dir.empty() ? std::string("baselines")
                                                     : input.baseline_dir;
  page.Add("<div id=\"next\"><b>To get a judgement:</b><ul>");
  if (report.comparison &&
      report.comparison->timing == TimingRole::kOtherMachine) {
    page.Add(
        "<li>store a baseline for this machine, from a run of the "
        "reference revision made here: <code>benchgate accept RUN_OF_REF "
        "--baseline " +
        HtmlEscape(dir) + "</code>, then gate again;</li>");
  } else if (report.exit_code != kExitPass && report.comparison &&
             report.comparison->timing == TimingRole::kStored) {
    page.Add(
        "<li>if the change is intended, accept this run as the "
        "baseline: <code>benchgate accept " +
        HtmlEscape(run) + " --baseline " + HtmlEscape(dir) + "</code>;</li>");
  }
  page.Add(
      "<li>for a timing verdict, measure both sides here, back to "
      "back: <code>scripts/bench-all --against REF</code> (or "
      "<code>ci/pr-gate.sh</code>).</li></ul></div>");
}

}  // namespace

std::string StatsLegend(const Report& report) {
  std::set<Method> methods;  // of the intervals shown
  double confidence = 0.0;
  std::set<std::string> sources;  // of the minimum effects
  bool any_q = false;
  bool any_exact = false;
  if (report.comparison) {
    for (const ItemComparison& item : report.comparison->items) {
      for (const MetricComparison& m : item.metrics) {
        if (m.verdict == Verdict::kNotCompared) continue;
        if (m.method == Method::kExact) {
          any_exact = true;
          continue;
        }
        if (m.change_low && m.change_high && IntervalMethod(m.method)) {
          methods.insert(m.method);
          confidence = std::max(confidence, m.confidence);
        }
        if (m.q) any_q = true;
        if (m.threshold > 0.0 && !m.threshold_source.empty() &&
            m.threshold_source != "tolerance") {
          sources.insert(m.threshold_source);
        }
      }
    }
  }
  // A target whose intervals hold jointly: its confidence per pair.
  const TargetResult* joint = nullptr;
  int joint_pairs = 0;
  double joint_confidence = 0.0;
  std::string joint_method;
  if (report.targets) {
    for (const TargetResult& target : report.targets->targets) {
      int noisy = 0;
      const PairResult* last = nullptr;
      for (const PairResult& pair : target.pairs) {
        if (pair.low && pair.high && pair.method != "exact") {
          ++noisy;
          last = &pair;
        }
      }
      if (noisy > joint_pairs) {
        joint = &target;
        joint_pairs = noisy;
        joint_confidence = last->confidence;
        joint_method = last->method;
      }
    }
  }
  std::string text;
  if (!methods.empty()) {
    std::string how;
    for (const Method method : methods) {
      how += (how.empty() ? "" : " or ") + std::string(IntervalMethod(method));
    }
    text += "<b>[low, high]</b>: the interval of the change at " +
            Confidence(confidence) + " confidence, from " + how + ". ";
  }
  if (!sources.empty()) {
    std::string which;
    std::string special;
    for (const std::string& source : sources) {
      which += (which.empty() ? "" : ", ") + HtmlEscape(source);
      const char* more = NoiseSource(source);
      if (more != nullptr) special += std::string(" ") + more;
    }
    text +=
        "<b>Beyond the noise of &#177;X%</b>: larger than the smallest "
        "change the gate calls real for that benchmark, the largest of a "
        "floor, the A/A calibration stored for this machine, the run's own "
        "spread and the whole suite's drift between the two runs; the dim "
        "&#8220;min effect&#8221; names which (here: " +
        which + "). Within it a change counts as unchanged." + special + " ";
  }
  if (any_q) {
    text +=
        "<b>q</b>: the p-value adjusted for the false discovery rate "
        "(Benjamini-Hochberg) over all noisy comparisons; a change counts "
        "when q is small (5% by default) and it is beyond the noise. ";
  }
  if (any_exact) {
    text +=
        "<b>Exact counts</b> (allocations, bytes, locks per op): compared as "
        "values within a tolerance, no statistics. ";
  }
  if (joint != nullptr) {
    text += "<b>A target's interval</b>: " +
            std::string(joint_method == "bootstrap"
                            ? "a percentile bootstrap interval"
                            : "an interval (normal approximation)") +
            " of the after/before ratio of medians";
    if (joint_pairs > 1) {
      text += ", simultaneous for a target's pairs (" +
              Confidence(joint_confidence) + " each for the " +
              std::to_string(joint_pairs) + " pairs of " +
              HtmlEscape(joint->target.name) + ", so all hold at once at " +
              Confidence(1.0 - (1.0 - joint_confidence) * joint_pairs) + ")";
    } else {
      text += " at " + Confidence(joint_confidence) +
              " (raised per pair when a target has several, so all hold at "
              "once)";
    }
    text += "; PASS needs every pair's whole interval past the goal.";
  }
  if (text.empty()) return text;
  while (text.back() == ' ') text.pop_back();
  return "<p class=\"legend\" id=\"stats-legend\"><b>How to read the "
         "numbers.</b> " +
         text + "</p>";
}

void RenderStory(const HtmlReportInput& input, const Index& index, Page& page) {
  const Report& report = *input.report;
  const Run& run = *input.run;
  page.Add("<section id=\"story\">");
  // 1. What was compared with what.
  if (report.comparison && input.baseline != nullptr) {
    const Run& old_run = *input.baseline;
    const std::string age = Age(old_run, run);
    page.Add("<p id=\"compared\">This run (<b>" + HtmlEscape(Describe(run)) +
             "</b>) was compared with " +
             HtmlEscape(WhatBaseline(*report.comparison)) + " (<b>" +
             HtmlEscape(Describe(old_run)) + "</b>" +
             (age.empty() ? "" : ", " + HtmlEscape(age)) + ").</p>");
  } else if (report.comparison) {
    page.Add("<p id=\"compared\">This run (<b>" + HtmlEscape(Describe(run)) +
             "</b>) was compared with <code>" +
             HtmlEscape(report.comparison->old_source) + "</code>.</p>");
  } else {
    page.Add("<p id=\"compared\">This run (<b>" + HtmlEscape(Describe(run)) +
             "</b>) was not compared with a baseline; only its targets and "
             "failed benchmarks were checked.</p>");
  }
  // 2. What could and could not be judged, and why.
  std::string judged = "Judged: ";
  std::string not_judged;
  if (report.comparison) {
    const bool timings = TimingsDecide(report.comparison->timing);
    judged += timings ? "timings and exact counts per op (allocations, bytes, "
                        "lock acquisitions)"
                      : "exact counts per op (allocations, bytes, lock "
                        "acquisitions)";
    if (!timings) {
      const bool other = report.comparison->timing == TimingRole::kOtherMachine;
      not_judged =
          other ? "timings: measured on another CPU, so neither absolute "
                  "times nor after/before ratios compare; they are shown for "
                  "information, never counted"
                : "timings: the baseline was not measured back to back with "
                  "this run, so the machine's state between the two is in "
                  "them; they are shown for information, never counted";
    }
  } else {
    judged += "nothing against a baseline";
  }
  if (report.targets) {
    judged += "; " + std::to_string(report.targets->targets.size()) +
              " targets (after/before within this run)";
  }
  page.Add("<p id=\"judged\">" + HtmlEscape(judged) + ".");
  if (!not_judged.empty()) {
    page.Add(" <span id=\"not-judged\"><b>Not judged:</b> " +
             HtmlEscape(not_judged) + ".</span>");
  }
  page.Add("</p>");
  // 3. What failed, largest first.
  const std::vector<Failure> failures = Failures(input, index);
  if (failures.empty()) {
    page.Add("<p id=\"failed\" class=\"good\">Nothing failed" +
             std::string(not_judged.empty()
                             ? "."
                             : " in what could be judged; the timings above "
                               "were not judged.") +
             "</p>");
  } else {
    page.Add("<div id=\"failed\"><b>What failed</b> (largest first):<ol>");
    for (const Failure& failure : failures) page.Add(failure.html);
    page.Add("</ol></div>");
  }
  // The largest timing differences that were shown but not judged.
  if (!not_judged.empty()) {
    std::vector<const ItemComparison*> shifts;
    for (const ItemComparison& item : report.comparison->items) {
      const MetricComparison* time = item.Find(kRealTime);
      if (time != nullptr && time->informational &&
          (time->verdict == Verdict::kRegressed ||
           time->verdict == Verdict::kImproved)) {
        shifts.push_back(&item);
      }
    }
    std::stable_sort(shifts.begin(), shifts.end(),
                     [](const ItemComparison* a, const ItemComparison* b) {
                       return std::fabs(a->Find(kRealTime)->change) >
                              std::fabs(b->Find(kRealTime)->change);
                     });
    if (!shifts.empty()) {
      page.Add(
          "<div id=\"shifted\"><b>Largest timing differences</b> "
          "(information, not judged; " +
          std::to_string(shifts.size()) + " in all):<ul>");
      for (std::size_t i = 0; i < shifts.size() && i < 3; ++i) {
        page.Add(
            "<li><span class=\"name\">" +
            PairLink(index, ItemKey(*shifts[i]), shifts[i]->name) + "</span> " +
            VerdictSentence(*shifts[i], *shifts[i]->Find(kRealTime), index) +
            "</li>");
      }
      page.Add("</ul></div>");
    }
  }
  // The statistics above in plain sentences, before they recur below.
  page.Add(StatsLegend(report));
  // 4. The command that gives a judgement.
  RenderNext(input, page);
  // 5. The two environments where they differ.
  if (input.baseline != nullptr) {
    RenderEnvironments(*input.baseline, run, page);
  } else {
    std::vector<std::string> flags;
    for (const std::string& note : {LoadNote(run), LibraryNote(run)}) {
      if (!note.empty()) flags.push_back(note);
    }
    for (const std::string& flag : flags) {
      page.Add("<div class=\"warn flag\">&#9888; this run: " +
               HtmlEscape(flag) + "</div>");
    }
  }
  page.Add("</section>");
}

}  // namespace hotpath::benchgate::html
