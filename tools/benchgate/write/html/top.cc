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

void RenderHeader(const HtmlReportInput& input, const Index& index,
                  Page& page) {
  const Report& report = *input.report;
  const Run& run = *input.run;
  page.Add(std::string("<h1>benchgate report</h1><div class=\"verdict ") +
           (report.exit_code == kExitPass ? "good" : "bad") +
           "\" id=\"verdict\">" + HtmlEscape(ResultLine(report)) + "</div>");
  RenderStory(input, index, page);
  // What the timings are to this verdict, then how tightly they were
  // bounded.
  if (report.comparison && !report.comparison->timing_note.empty()) {
    page.Add("<p class=\"dim small\" id=\"timings\">" +
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
    page.Add("<details class=\"notes\"><summary>" +
             std::to_string(notes.size()) + " notes</summary><ul>");
    for (const std::string& note : notes) {
      page.Add("<li>" + HtmlEscape(note) + "</li>");
    }
    page.Add("</ul></details>");
  }
  page.Add("<div class=\"dim small\">Run <code>" +
           HtmlEscape(report.run_source) + "</code>");
  if (!run.info.allocator.empty()) {
    page.Add(", allocator <code>" + HtmlEscape(run.info.allocator) + "</code>");
  }
  page.Add(", " + std::to_string(run.benchmarks.size()) + " benchmarks");
  if (!report.baseline_source.empty()) {
    page.Add("; baseline <code>" + HtmlEscape(report.baseline_source) +
             "</code>");
  }
  page.Add("</div>");
  page.Add(
      "<nav><a href=\"#targets\">Targets</a><a href=\"#changes\">Against the "
      "baseline</a><a href=\"#pairs\">Pairs</a>");
  if (input.allocators.size() > 1) {
    page.Add("<a href=\"#allocators\">Allocators</a>");
  }
  if (input.profiles != nullptr && !input.profiles->Empty()) {
    page.Add("<a href=\"#sites\">Allocation sites</a>");
  }
  if (input.cpu_profiles != nullptr && input.cpu_profiles->present) {
    page.Add("<a href=\"#cpu\">CPU profiles</a>");
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
           "when the whole interval clears the goal." +
           std::string(StatsLegend(report).empty()
                           ? ""
                           : " <a href=\"#stats-legend\">How the interval "
                             "is made</a>.") +
           "</p>");
  // What failed first; passing targets fold into one line.
  std::vector<const TargetResult*> open_targets;
  std::vector<const TargetResult*> passing;
  for (const TargetResult& target : report.targets->targets) {
    (target.status == TargetStatus::kPass ? passing : open_targets)
        .push_back(&target);
  }
  std::stable_sort(open_targets.begin(), open_targets.end(),
                   [](const TargetResult* a, const TargetResult* b) {
                     return (a->status == TargetStatus::kFail) >
                            (b->status == TargetStatus::kFail);
                   });
  const auto render = [&](const TargetResult& target) {
    RenderTarget(target, index, page);
  };
  for (const TargetResult* target : open_targets) render(*target);
  if (!passing.empty()) {
    std::string names;
    for (const TargetResult* target : passing) {
      names += (names.empty() ? "" : ", ") + HtmlEscape(target->target.name);
    }
    page.Add("<details id=\"passing-targets\"><summary>" +
             Badge("good", "PASS") + " " + std::to_string(passing.size()) +
             (passing.size() == 1 ? " target passes: " : " targets pass: ") +
             names + "</summary>");
    for (const TargetResult* target : passing) render(*target);
    page.Add("</details>");
  }
}

void RenderTarget(const TargetResult& target, const Index& index, Page& page) {
  {
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
      return;
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
          "</td><td class=\"n\">" + (pair.ratio ? Sig(*pair.ratio) : "-") +
          "</td><td>" + HtmlEscape(interval) + "</td><td>" +
          RenderRatioBar(TargetBar(target, pair)) + "</td><td>" +
          Badge(StatusClass(pair.status), ToString(pair.status)) +
          "</td><td class=\"dim small\">" + HtmlEscape(pair.note) +
          "</td></tr>");
    }
    page.Add("</tbody></table></details></div>");
  }
}

// The change that decided, named when it is not the real time: what the
// headline number of an item is ("+inf% allocs_per_op", "+4.1% (info)").
std::string ChangeOf(const ItemComparison& item) {
  const MetricComparison* m = Shown(item);
  if (m == nullptr || (!std::isfinite(m->change) && m->old_value != 0.0)) {
    return "";
  }
  std::string text =
      std::isinf(m->change) ? std::string("from 0") : FormatChange(m->change);
  if (m->metric != kRealTime || item.kind == ItemKind::kRatio) {
    text += " " + m->metric;
    if (item.kind == ItemKind::kRatio) text += " a/b";
  }
  if (m->informational) text += " (info)";
  return text;
}

// The metrics of an item worth a line, each as a plain sentence: the
// deciding one first, then everything else not unchanged.
std::string ItemDetails(const ItemComparison& item, const Index& index) {
  std::string text;
  const MetricComparison* deciding = Deciding(item);
  const auto line = [&](const MetricComparison& m) {
    const std::string test = DescribeTest(m);
    text += "<div class=\"" + std::string(VerdictClass(m.verdict)) + "\">" +
            VerdictSentence(item, m, index) +
            (test.empty() ? std::string()
                          : " <span class=\"dim small\" title=\"the test\">(" +
                                HtmlEscape(test) + ")</span>") +
            "</div>";
  };
  if (deciding != nullptr) line(*deciding);
  for (const MetricComparison& m : item.metrics) {
    if (&m == deciding || m.verdict == Verdict::kUnchanged ||
        m.verdict == Verdict::kNotCompared) {
      continue;
    }
    line(m);
  }
  if (!item.note.empty()) {
    text += "<div class=\"dim\">" + HtmlEscape(item.note) + "</div>";
  }
  return text;
}

// How large an item's deciding (or shown) change is, for the order.
double ChangeSize(const ItemComparison& item) {
  const MetricComparison* m = Shown(item);
  return m == nullptr ? 0.0 : std::fabs(m->change);
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
  // Honest counts: "unchanged" only for items whose deciding metrics were
  // all compared; items whose timings were information are said so.
  int exact_only = 0;
  for (const ItemComparison& item : comparison.items) {
    if (item.verdict != Verdict::kUnchanged) continue;
    const MetricComparison* time = item.Find(kRealTime);
    if (time == nullptr || time->informational ||
        time->verdict == Verdict::kNotCompared) {
      ++exact_only;
    }
  }
  const Summary& sum = report.summary;
  page.Add("<p class=\"legend\" id=\"counts\"><code>" +
           HtmlEscape(comparison.old_source) + "</code> to <code>" +
           HtmlEscape(comparison.new_source) + "</code>: " +
           (comparison.mode == CompareMode::kAbsolute
                ? "same fingerprint, absolute values"
                : "different fingerprints, after/before ratios and exact "
                  "metrics only") +
           ". <b>" + std::to_string(sum.regressed) + " regressed</b>, " +
           std::to_string(sum.improved) + " improved, " +
           std::to_string(sum.unchanged - exact_only) + " unchanged, " +
           std::to_string(exact_only) +
           " with exact counts unchanged and timings not compared, " +
           std::to_string(sum.unstable) + " unstable, " +
           std::to_string(sum.not_compared + sum.information) +
           " not compared (" + std::to_string(sum.information) +
           " of them shown for information). Listed: what changed, the "
           "largest first; every benchmark is in its pair and in the full "
           "table." +
           std::string(StatsLegend(report).empty()
                           ? ""
                           : " The dim brackets give the test, its q and "
                             "the min effect: <a href=\"#stats-legend\">how "
                             "to read them</a>.") +
           "</p>");
  std::vector<const ItemComparison*> changed;
  std::vector<const ItemComparison*> shifts;  // information only
  for (const ItemComparison& item : comparison.items) {
    if (item.verdict == Verdict::kRegressed ||
        item.verdict == Verdict::kImproved || item.verdict == Verdict::kError) {
      changed.push_back(&item);
    } else if (item.kind == ItemKind::kRatio) {
      const MetricComparison* time = item.Find(kRealTime);
      if (time != nullptr && time->informational &&
          (time->verdict == Verdict::kRegressed ||
           time->verdict == Verdict::kImproved)) {
        shifts.push_back(&item);
      }
    }
  }
  // Regressions first, largest first: they are why someone opens the page.
  const auto order = [](const ItemComparison* a, const ItemComparison* b) {
    const bool ra = a->verdict == Verdict::kRegressed;
    const bool rb = b->verdict == Verdict::kRegressed;
    if (ra != rb) return ra;
    return ChangeSize(*a) > ChangeSize(*b);
  };
  std::stable_sort(changed.begin(), changed.end(), order);
  std::stable_sort(shifts.begin(), shifts.end(), order);
  const auto table = [&](const std::vector<const ItemComparison*>& items,
                         const char* id) {
    page.Add(std::string("<table class=\"changes\" id=\"") + id +
             "\"><thead><tr><th>benchmark</th><th>verdict</th><th "
             "class=\"n\">change</th><th>what changed</th></tr></thead>"
             "<tbody>");
    for (const ItemComparison* item : items) {
      page.Add("<tr><td class=\"name\">" +
               PairLink(index, ItemKey(*item), item->name) + "</td><td>" +
               Badge(VerdictClass(item->verdict), ToString(item->verdict)) +
               "</td><td class=\"n\">" + HtmlEscape(ChangeOf(*item)) +
               "</td><td class=\"small\">" + ItemDetails(*item, index) +
               "</td></tr>");
    }
    page.Add("</tbody></table>");
  };
  if (!changed.empty()) table(changed, "changed");
  if (!shifts.empty()) {
    page.Add(
        "<h3>After/before ratios that moved (information, not judged)"
        "</h3>");
    table(shifts, "shifts");
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
