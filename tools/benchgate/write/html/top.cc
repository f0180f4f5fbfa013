// The top of the HTML report: header, targets, what changed.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "benchgate/judge/stats.h"
#include "benchgate/write/format.h"
#include "benchgate/write/html/parts.h"

namespace hotpath::benchgate::html {

void RenderHeader(const HtmlReportInput& input, Page& page) {
  const Report& report = *input.report;
  const Run& run = *input.run;
  page.Add("<h1>benchgate report</h1><div class=\"dim\">Run <code>" +
           HtmlEscape(report.run_source) + "</code>, fingerprint <code>" +
           HtmlEscape(report.run_fingerprint) + "</code>");
  if (!run.info.allocator.empty()) {
    page.Add(", allocator <code>" + HtmlEscape(run.info.allocator) + "</code>");
  }
  if (!run.info.revision.empty()) {
    page.Add(", revision <code>" + HtmlEscape(run.info.revision) + "</code>");
  }
  page.Add(", " + std::to_string(run.benchmarks.size()) + " benchmarks");
  if (!report.baseline_source.empty()) {
    page.Add("; baseline <code>" + HtmlEscape(report.baseline_source) +
             "</code>");
  }
  page.Add("</div>");
  page.Add(std::string("<div class=\"verdict ") +
           (report.exit_code == kExitPass ? "good" : "bad") +
           "\" id=\"verdict\">" + HtmlEscape(ResultLine(report)) + "</div>");
  // What the timings are to this verdict, in one sentence, then how
  // tightly they were bounded.
  if (report.comparison && !report.comparison->timing_note.empty()) {
    page.Add("<p class=\"story\" id=\"timings\">" +
             HtmlEscape(report.comparison->timing_note) + ".");
    const std::string timing = TimingLine(report);
    if (!timing.empty()) page.Add(" " + HtmlEscape(timing) + ".");
    page.Add("</p>");
  }
  std::vector<std::string> notes = report.notes;
  if (report.comparison) {
    notes.insert(notes.end(), report.comparison->notes.begin(),
                 report.comparison->notes.end());
  }
  notes.insert(notes.end(), run.notes.begin(), run.notes.end());
  if (!notes.empty()) {
    page.Add("<ul class=\"notes\">");
    for (const std::string& note : notes) {
      page.Add("<li>" + HtmlEscape(note) + "</li>");
    }
    page.Add("</ul>");
  }
  if (!report.failed_benchmarks.empty()) {
    page.Add("<h3 class=\"bad\">Failed benchmarks</h3><ul>");
    for (const std::string& failure : report.failed_benchmarks) {
      page.Add("<li class=\"mono\">" + HtmlEscape(failure) + "</li>");
    }
    page.Add("</ul>");
  }
  page.Add(
      "<nav><a href=\"#targets\">Targets</a><a href=\"#changes\">Against the "
      "baseline</a><a href=\"#pairs\">Pairs</a>");
  if (input.allocators.size() > 1) {
    page.Add("<a href=\"#allocators\">Allocators</a>");
  }
  if (input.profiles != nullptr && !input.profiles->Empty()) {
    page.Add("<a href=\"#sites\">Allocation sites</a>");
  }
  page.Add(
      "<a href=\"#context\">Run context</a><a href=\"#benchmarks\">All "
      "benchmarks</a></nav>");
}

// The measured ratios of a target in one phrase: the single pair's, or the
// range and the worst pair.
std::string MeasuredSummary(const TargetResult& target) {
  const PairResult* worst = nullptr;
  double low = 0.0;
  double high = 0.0;
  int measured = 0;
  for (const PairResult& pair : target.pairs) {
    if (!pair.ratio) continue;
    if (measured == 0) {
      low = high = *pair.ratio;
    } else {
      low = std::min(low, *pair.ratio);
      high = std::max(high, *pair.ratio);
    }
    ++measured;
    const bool worse = worst == nullptr || (target.target.goal == Goal::kAtMost
                                                ? *pair.ratio > *worst->ratio
                                                : *pair.ratio < *worst->ratio);
    if (worse) worst = &pair;
  }
  if (measured == 0) return "no measured pair";
  if (measured == 1) {
    std::string text = "ratio " + FormatRatio(*worst->ratio);
    if (worst->low && worst->high) {
      text += " " + FormatInterval(*worst->low, *worst->high) + " " +
              FormatPercent(worst->confidence);
    }
    return text;
  }
  return std::to_string(measured) + " pairs, ratios " + FormatRatio(low) +
         " to " + FormatRatio(high) + "; worst " + FormatRatio(*worst->ratio) +
         " (" + worst->pair + ")";
}

RatioBar TargetBar(const TargetResult& target, const PairResult& pair) {
  RatioBar bar;
  bar.ratio = pair.ratio.value_or(1.0);
  bar.low = pair.low;
  bar.high = pair.high;
  bar.goal = target.target.ratio;
  bar.css_class = StatusClass(pair.status);
  bar.title =
      target.target.metric + " after/before " +
      (pair.ratio ? FormatRatio(*pair.ratio) : "-") +
      (pair.low && pair.high ? " " + FormatInterval(*pair.low, *pair.high)
                             : std::string()) +
      ", goal " + FormatGoal(target.target) + ": " + ToString(pair.status);
  return bar;
}

void RenderTargets(const HtmlReportInput& input, const Index& index,
                   Page& page) {
  const Report& report = *input.report;
  page.Add("<h2 id=\"targets\">Targets</h2>");
  if (!report.targets) {
    page.Add("<p class=\"dim\">No targets checked (no --targets).</p>");
    return;
  }
  page.Add("<p class=\"legend\">After/before within " +
           HtmlEscape(report.targets->source) +
           ". Bars: the ratio on a log axis (0.001 to 10, solid line at 1), "
           "the interval as a whisker, the goal as a dashed line. PASS only "
           "when the whole interval clears the goal.</p>");
  for (const TargetResult& target : report.targets->targets) {
    page.Add("<div class=\"target\" id=\"target-" +
             HtmlEscape(target.target.name) + "\"><h3>" +
             HtmlEscape(target.target.name) + " " +
             Badge(StatusClass(target.status), ToString(target.status)) +
             "</h3><div><code>" + HtmlEscape(target.target.metric) +
             "</code> after/before " + HtmlEscape(FormatGoal(target.target)) +
             " &middot; measured: " + HtmlEscape(MeasuredSummary(target)) +
             "</div>");
    if (!target.target.description.empty()) {
      page.Add("<div class=\"dim small\">" +
               HtmlEscape(target.target.description) + "</div>");
    }
    if (!target.note.empty()) {
      page.Add("<div class=\"warn\">" + HtmlEscape(target.note) + "</div>");
    }
    if (target.pairs.empty()) {
      page.Add("</div>");
      continue;
    }
    // Long all-PASS tables start folded so the other targets stay in view.
    std::map<TargetStatus, int> counts;
    for (const PairResult& pair : target.pairs) ++counts[pair.status];
    const bool open =
        target.pairs.size() <= 10 ||
        counts[TargetStatus::kPass] != static_cast<int>(target.pairs.size());
    std::string summary;
    for (const auto& [status, count] : counts) {
      summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " +
                 ToString(status);
    }
    page.Add(std::string("<details") + (open ? " open" : "") + "><summary>" +
             std::to_string(target.pairs.size()) + " pairs: " + summary +
             "</summary>");
    page.Add(
        "<table><thead><tr><th>pair</th><th class=\"n\">before</th><th "
        "class=\"n\">after</th><th class=\"n\">ratio</th><th>interval</th>"
        "<th>ratio against the goal</th><th>result</th><th>note</th></tr>"
        "</thead><tbody>");
    for (const PairResult& pair : target.pairs) {
      const std::string& metric = target.target.metric;
      std::string interval = pair.method;
      if (pair.low && pair.high) {
        interval = FormatInterval(*pair.low, *pair.high) + " " +
                   FormatPercent(pair.confidence) + " " + pair.method;
      }
      page.Add(
          "<tr><td class=\"name\">" + PairLink(index, pair.pair) +
          "</td><td class=\"n\">" +
          (pair.before ? HtmlEscape(FormatValue(metric, *pair.before)) : "-") +
          "</td><td class=\"n\">" +
          (pair.after ? HtmlEscape(FormatValue(metric, *pair.after)) : "-") +
          "</td><td class=\"n\">" +
          (pair.ratio ? FormatRatio(*pair.ratio) : "-") + "</td><td>" +
          HtmlEscape(interval) + "</td><td>" +
          RenderRatioBar(TargetBar(target, pair)) + "</td><td>" +
          Badge(StatusClass(pair.status), ToString(pair.status)) +
          "</td><td class=\"dim small\">" + HtmlEscape(pair.note) +
          "</td></tr>");
    }
    page.Add("</tbody></table></details></div>");
  }
}

std::string ChangeOf(const ItemComparison& item) {
  const MetricComparison* time = item.Find(kRealTime);
  if (time == nullptr || time->verdict == Verdict::kNotCompared) return "";
  return FormatChange(time->change);
}

// The metrics of an item worth a line: everything not unchanged.
std::string ItemDetails(const ItemComparison& item) {
  std::string text;
  for (const MetricComparison& m : item.metrics) {
    if (m.verdict == Verdict::kUnchanged ||
        m.verdict == Verdict::kNotCompared) {
      continue;
    }
    const bool ratio = item.kind == ItemKind::kRatio;
    const auto value = [&](double v) {
      return ratio ? FormatRatio(v) : FormatValue(m.metric, v);
    };
    std::string line = m.metric + ": " + value(m.old_value) + " -> " +
                       value(m.new_value) + " (" + FormatChange(m.change) +
                       ") " + ToString(m.verdict);
    const std::string test = DescribeTest(m);
    if (!test.empty()) line += "; " + test;
    if (!m.note.empty()) line += "; " + m.note;
    text += "<div class=\"" + std::string(VerdictClass(m.verdict)) + "\">" +
            HtmlEscape(line) + "</div>";
  }
  if (!item.note.empty()) {
    text += "<div class=\"dim\">" + HtmlEscape(item.note) + "</div>";
  }
  return text;
}

void RenderChanges(const HtmlReportInput& input, const Index& index,
                   Page& page) {
  const Report& report = *input.report;
  page.Add("<h2 id=\"changes\">Against the baseline</h2>");
  if (!report.comparison) {
    page.Add(
        "<p class=\"dim\">No baseline compared (no --baseline, or none "
        "stored).</p>");
    return;
  }
  const Comparison& comparison = *report.comparison;
  page.Add("<p class=\"legend\"><code>" + HtmlEscape(comparison.old_source) +
           "</code> (" + HtmlEscape(comparison.old_fingerprint) +
           ") to <code>" + HtmlEscape(comparison.new_source) + "</code> (" +
           HtmlEscape(comparison.new_fingerprint) + "): " +
           (comparison.mode == CompareMode::kAbsolute
                ? "same fingerprint, absolute values"
                : "different fingerprints, after/before ratios and exact "
                  "metrics only") +
           ". " + std::to_string(report.summary.regressed) + " regressed, " +
           std::to_string(report.summary.improved) + " improved, " +
           std::to_string(report.summary.unchanged) + " unchanged, " +
           std::to_string(report.summary.unstable) + " unstable, " +
           std::to_string(report.summary.not_compared) +
           " not compared. Only the changed ones are listed here; every "
           "benchmark's verdict is in its pair and in the full table.</p>");
  std::vector<const ItemComparison*> changed;
  for (const ItemComparison& item : comparison.items) {
    if (item.verdict == Verdict::kRegressed ||
        item.verdict == Verdict::kImproved || item.verdict == Verdict::kError) {
      changed.push_back(&item);
    }
  }
  // Regressions first: they are why someone opens the page.
  std::stable_sort(changed.begin(), changed.end(),
                   [](const ItemComparison* a, const ItemComparison* b) {
                     return (a->verdict == Verdict::kRegressed) >
                            (b->verdict == Verdict::kRegressed);
                   });
  if (!changed.empty()) {
    page.Add(
        "<table><thead><tr><th>benchmark</th><th>verdict</th><th "
        "class=\"n\">time change</th><th>what changed</th></tr></thead>"
        "<tbody>");
    for (const ItemComparison* item : changed) {
      const std::string key = item->kind == ItemKind::kRatio
                                  ? item->name
                                  : ParseBenchmarkName(item->name).pair_key;
      const std::string anchor = index.Anchor(key);
      const std::string name = anchor.empty()
                                   ? HtmlEscape(item->name)
                                   : "<a href=\"#" + anchor + "\">" +
                                         HtmlEscape(item->name) + "</a>";
      page.Add("<tr><td class=\"name\">" + name + "</td><td>" +
               Badge(VerdictClass(item->verdict), ToString(item->verdict)) +
               "</td><td class=\"n\">" + HtmlEscape(ChangeOf(*item)) +
               "</td><td class=\"small\">" + ItemDetails(*item) + "</td></tr>");
    }
    page.Add("</tbody></table>");
  }
  const auto list = [&](const std::vector<std::string>& names,
                        const char* what) {
    if (names.empty()) return;
    page.Add("<details><summary>" + std::string(what) + " (" +
             std::to_string(names.size()) + ")</summary><ul>");
    for (const std::string& name : names) {
      page.Add("<li class=\"mono\">" + HtmlEscape(name) + "</li>");
    }
    page.Add("</ul></details>");
  };
  list(comparison.only_in_old, "Only in the baseline, not compared");
  list(comparison.only_in_new, "Only in this run, not compared");
}

// The cell "regressed +12.3%" for one benchmark against the baseline.

}  // namespace hotpath::benchgate::html
