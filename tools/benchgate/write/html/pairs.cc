// Every before/after pair and the allocator matrix of the HTML report.
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

std::string BaselineCell(const Index& index, const Benchmark& benchmark) {
  const ItemComparison* item = index.Item(benchmark.name);
  if (item == nullptr) return "<td class=\"dim\">-</td>";
  std::string cell =
      "<td>" + Badge(VerdictClass(item->verdict), ToString(item->verdict));
  const std::string change = ChangeOf(*item);
  if (!change.empty()) cell += " <span class=\"mono\">" + change + "</span>";
  return cell + "</td>";
}

struct Column {
  std::string_view metric;
  const char* label;
};

// Whether anything about a pair is worth a look: a verdict other than
// unchanged, a timing shift shown for information, a target not passed.
bool GroupChanged(const Group& group, const Index& index) {
  const auto changed = [](Verdict verdict) {
    return verdict == Verdict::kRegressed || verdict == Verdict::kImproved ||
           verdict == Verdict::kUnstable || verdict == Verdict::kError;
  };
  const ItemComparison* ratio_item = index.Item(group.key);
  if (ratio_item != nullptr) {
    if (changed(ratio_item->verdict)) return true;
    const MetricComparison* time = ratio_item->Find(kRealTime);
    if (time != nullptr && changed(time->verdict)) return true;
  }
  for (const auto& [variant, benchmark] : group.Variants()) {
    const ItemComparison* item = index.Item(benchmark->name);
    if ((item != nullptr && changed(item->verdict)) || benchmark->error) {
      return true;
    }
  }
  const auto hits = index.targets.find(group.key);
  if (hits != index.targets.end()) {
    for (const TargetHit& hit : hits->second) {
      if (hit.pair->status != TargetStatus::kPass) return true;
    }
  }
  return false;
}

void RenderGroup(const Group& group, const Index& index,
                 const std::string& anchor, Page& page) {
  const auto variants = group.Variants();
  // What changed stays open; the rest folds to its heading.
  page.Add("<details class=\"pair\" id=\"" + anchor + "\"" +
           (GroupChanged(group, index) ? " open" : "") +
           "><summary><h4><span class=\"mono\">" + NameHtml(group.key) +
           "</span>");
  const ItemComparison* ratio_item = index.Item(group.key);
  if (ratio_item != nullptr && ratio_item->kind == ItemKind::kRatio) {
    const MetricComparison* shown = Shown(*ratio_item);
    page.Add(
        " &middot; <span class=\"small\">after/before against the "
        "baseline</span> " +
        Badge(VerdictClass(ratio_item->verdict),
              ToString(ratio_item->verdict)) +
        "</h4></summary>");
    if (shown != nullptr) {
      page.Add("<div class=\"small " +
               std::string(VerdictClass(shown->verdict)) + "\">" +
               VerdictSentence(*ratio_item, *shown, index) + "</div>");
    }
  } else {
    page.Add("</h4></summary>");
  }
  page.Add("<div class=\"pair-body\">");

  // Ratio bars: time, allocations, and every target that covers the pair.
  std::string bars;
  const auto add_bar = [&](const std::string& label, const RatioBar& bar,
                           const std::string& value,
                           const std::string& status) {
    bars += "<tr><td class=\"small\">" + HtmlEscape(label) + "</td><td>" +
            RenderRatioBar(bar) + "</td><td class=\"n mono\">" + value +
            "</td><td>" + status + "</td></tr>";
  };
  const auto plain_bar = [&](std::string_view metric, const char* label) {
    const std::optional<double> before = MedianOf(group.before, metric);
    const std::optional<double> after = MedianOf(group.after, metric);
    if (!before || !after || *before <= 0.0) return;
    RatioBar bar;
    bar.ratio = *after / *before;
    bar.css_class =
        bar.ratio < 1.0 ? "good" : (bar.ratio > 1.0 ? "bad" : "dim");
    bar.title = std::string(metric) + " after/before " + FormatRatio(bar.ratio);
    add_bar(label, bar, Sig(bar.ratio), "");
  };
  const auto hits = index.targets.find(group.key);
  bool allocs_target = false;
  plain_bar(kRealTime, "time a/b, this run");
  const auto old_pair = index.baseline_pairs.find(group.key);
  if (old_pair != index.baseline_pairs.end()) {
    const std::optional<double> before =
        MedianOf(old_pair->second.before, kRealTime);
    const std::optional<double> after =
        MedianOf(old_pair->second.after, kRealTime);
    if (before && after && *before > 0.0) {
      RatioBar bar;
      bar.ratio = *after / *before;
      bar.css_class = "dim";
      bar.title = "real_time after/before in the baseline " + Sig(bar.ratio);
      add_bar("time a/b, baseline", bar, Sig(bar.ratio), "");
    }
  }
  if (hits != index.targets.end()) {
    for (const TargetHit& hit : hits->second) {
      allocs_target |= hit.target->target.metric == kAllocs;
      add_bar(hit.target->target.name + " (" + hit.target->target.metric + ")",
              TargetBar(*hit.target, *hit.pair),
              hit.pair->ratio ? Sig(*hit.pair->ratio) : "-",
              Badge(StatusClass(hit.pair->status), ToString(hit.pair->status)) +
                  " <span class=\"dim small\">goal " +
                  HtmlEscape(FormatGoal(hit.target->target)) + "</span>");
    }
  }
  if (!allocs_target) plain_bar(kAllocs, "allocs a/b, this run");

  // Optional columns only when some variant has the metric.
  std::vector<Column> columns;
  for (const Column& column :
       {Column{kP99, "p99"}, Column{kLockWait, "lock wait/op"},
        Column{kLockAcq, "lock acq/op"},
        Column{kInstructions, "instructions/op"}}) {
    for (const auto& [name, benchmark] : variants) {
      if (benchmark->Find(column.metric) != nullptr) {
        columns.push_back(column);
        break;
      }
    }
  }
  if (hits != index.targets.end()) {
    for (const TargetHit& hit : hits->second) {
      if (hit.target->target.metric == kItemsPerSecond) {
        columns.push_back(Column{kItemsPerSecond, "items/s"});
        break;
      }
    }
  }
  page.Add(
      "<table><thead><tr><th>variant</th><th class=\"n\">median time</th><th "
      "class=\"n\">&#177;MAD</th><th class=\"n\">CPU</th>"
      "<th class=\"n\">allocs/op</th><th class=\"n\">bytes/op</th>");
  for (const Column& column : columns) {
    page.Add(std::string("<th class=\"n\">") + column.label + "</th>");
  }
  page.Add("<th>vs baseline</th></tr></thead><tbody>");
  for (const auto& [variant, benchmark] : variants) {
    const Observations* time = benchmark->Find(kRealTime);
    const auto cell = [&](std::string_view metric) {
      const std::optional<double> value = MedianOf(benchmark, metric);
      return "<td class=\"n\">" +
             (value ? HtmlEscape(FormatValue(metric, *value)) : "-") + "</td>";
    };
    page.Add("<tr><td class=\"name\">" + HtmlEscape(variant) +
             (benchmark->error ? " <span class=\"bad\">failed</span>" : "") +
             "</td>" + cell(kRealTime) + "<td class=\"n\">" +
             (time != nullptr && time->HasReps()
                  ? FormatPercent(RelativeMad(*time))
                  : "-") +
             "</td>" + cell(kCpuTime) + cell(kAllocs) + cell(kBytes));
    for (const Column& column : columns) page.Add(cell(column.metric));
    page.Add(BaselineCell(index, *benchmark) + "</tr>");
  }
  page.Add("</tbody></table>");
  page.Add("<div>");
  if (!bars.empty()) page.Add("<table class=\"bars\">" + bars + "</table>");
  page.Add(RenderPairChart(variants));
  if (index.history != nullptr) {
    for (const auto& [variant, benchmark] : variants) {
      if (variant != kBefore && variant != kAfter) continue;
      const auto trend = index.history->find(benchmark->name);
      if (trend != index.history->end()) {
        page.Add(RenderTrend(trend->second, variant));
      }
    }
  }
  page.Add("</div></div></details>");
}

void RenderPairs(const std::vector<Group>& groups, const Index& index,
                 Page& page) {
  page.Add(
      "<h2 id=\"pairs\">Pairs</h2><p class=\"legend\">Per operation: before, "
      "after and peers side by side. Time is the median real time per "
      "operation over the repetitions, &#177; its median absolute deviation "
      "(MAD) as a share of the median. The chart puts every variant's "
      "repetitions on one log axis of time (dots: repetitions, bar: "
      "median; before orange, after blue, peers purple). Ratio bars: "
      "after/before on a log axis (0.001 to 10, solid line at 1), this "
      "run's and the baseline's. Pairs where nothing changed are folded. "
      "Allocations and bytes per op are exact counts from the timed "
      "loop.</p>");
  // Per area: how many pairs and how many changed, in its header.
  std::map<std::string, std::pair<int, int>> counts;  // pairs, changed
  for (const Group& group : groups) {
    auto& [pairs, changed] =
        counts[std::string(ParseBenchmarkName(group.key).area)];
    ++pairs;
    changed += GroupChanged(group, index) ? 1 : 0;
  }
  std::string area;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string group_area =
        std::string(ParseBenchmarkName(groups[i].key).area);
    if (group_area != area) {
      if (!area.empty()) page.Add("</details>");
      area = group_area;
      const auto [pairs, changed] = counts[area];
      page.Add("<details class=\"area\" open><summary>" + HtmlEscape(area) +
               " <span class=\"dim small\">" + std::to_string(pairs) +
               (pairs == 1 ? " pair" : " pairs") + ", " +
               std::to_string(changed) + " to look at, " +
               std::to_string(pairs - changed) +
               " folded (nothing changed)</span></summary>");
    }
    RenderGroup(groups[i], index, PairAnchor(i), page);
  }
  if (!area.empty()) page.Add("</details>");
  if (groups.empty()) {
    page.Add("<p class=\"dim\">No before/after pairs in this run.</p>");
  }
}

void RenderAllocators(const HtmlReportInput& input, Page& page) {
  if (input.allocators.size() < 2) return;
  page.Add(
      "<h2 id=\"allocators\">Allocator matrix</h2><p class=\"legend\">The "
      "same binaries with each allocator preloaded: median real time and "
      "allocations per op, before and after.</p><table><thead><tr><th "
      "rowspan=\"2\">pair</th>");
  for (const AllocatorRun& each : input.allocators) {
    page.Add("<th colspan=\"4\">" + HtmlEscape(each.allocator) + "</th>");
  }
  page.Add("</tr><tr>");
  for (std::size_t i = 0; i < input.allocators.size(); ++i) {
    page.Add(
        "<th class=\"n\">before</th><th class=\"n\">after</th><th "
        "class=\"n\">a/b</th><th class=\"n\">allocs b&#8594;a</th>");
  }
  page.Add("</tr></thead><tbody>");
  std::vector<std::string> keys;
  std::set<std::string> seen;
  std::vector<std::map<std::string, VariantPair>> pairs;
  for (const AllocatorRun& each : input.allocators) {
    std::map<std::string, VariantPair> by_key;
    for (const VariantPair& pair : each.run.Pairs()) {
      if (seen.insert(pair.key).second) keys.push_back(pair.key);
      by_key.emplace(pair.key, pair);
    }
    pairs.push_back(std::move(by_key));
  }
  for (const std::string& key : keys) {
    page.Add("<tr><td class=\"name\">" + HtmlEscape(key) + "</td>");
    for (const auto& by_key : pairs) {
      const auto it = by_key.find(key);
      if (it == by_key.end()) {
        page.Add("<td colspan=\"4\" class=\"dim\">not run</td>");
        continue;
      }
      const VariantPair& pair = it->second;
      const std::optional<double> before = MedianOf(pair.before, kRealTime);
      const std::optional<double> after = MedianOf(pair.after, kRealTime);
      const std::optional<double> allocs_before =
          MedianOf(pair.before, kAllocs);
      const std::optional<double> allocs_after = MedianOf(pair.after, kAllocs);
      page.Add(
          "<td class=\"n\">" +
          (before ? HtmlEscape(FormatTime(*before)) : "-") +
          "</td><td class=\"n\">" +
          (after ? HtmlEscape(FormatTime(*after)) : "-") +
          "</td><td class=\"n\">" +
          (before && after && *before > 0 ? FormatRatio(*after / *before)
                                          : "-") +
          "</td><td class=\"n\">" +
          (allocs_before ? HtmlEscape(FormatNumber(*allocs_before)) : "-") +
          " &#8594; " +
          (allocs_after ? HtmlEscape(FormatNumber(*allocs_after)) : "-") +
          "</td>");
    }
    page.Add("</tr>");
  }
  page.Add("</tbody></table>");
}

}  // namespace hotpath::benchgate::html
