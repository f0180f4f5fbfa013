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

void RenderGroup(const Group& group, const Index& index,
                 const std::string& anchor, Page& page) {
  const auto variants = group.Variants();
  page.Add("<div class=\"pair\" id=\"" + anchor +
           "\"><h4><span class=\"mono\">" + NameHtml(group.key) + "</span>");
  const ItemComparison* ratio_item = index.Item(group.key);
  if (ratio_item != nullptr && ratio_item->kind == ItemKind::kRatio) {
    page.Add(" &middot; vs baseline (after/before) " +
             Badge(VerdictClass(ratio_item->verdict),
                   ToString(ratio_item->verdict)) +
             " <span class=\"mono\">" + HtmlEscape(ChangeOf(*ratio_item)) +
             "</span>");
  }
  page.Add("</h4><div class=\"pair-body\">");

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
    add_bar(label, bar, FormatRatio(bar.ratio), "");
  };
  const auto hits = index.targets.find(group.key);
  bool allocs_target = false;
  plain_bar(kRealTime, "time a/b");
  if (hits != index.targets.end()) {
    for (const TargetHit& hit : hits->second) {
      allocs_target |= hit.target->target.metric == kAllocs;
      add_bar(hit.target->target.name + " (" + hit.target->target.metric + ")",
              TargetBar(*hit.target, *hit.pair),
              hit.pair->ratio ? FormatRatio(*hit.pair->ratio) : "-",
              Badge(StatusClass(hit.pair->status), ToString(hit.pair->status)) +
                  " <span class=\"dim small\">goal " +
                  HtmlEscape(FormatGoal(hit.target->target)) + "</span>");
    }
  }
  if (!allocs_target) plain_bar(kAllocs, "allocs a/b");

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
      "class=\"n\">&#177;MAD</th><th>repetitions</th><th class=\"n\">CPU</th>"
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
             "</td><td>" + (time != nullptr ? RenderStrip(*time) : "") +
             "</td>" + cell(kCpuTime) + cell(kAllocs) + cell(kBytes));
    for (const Column& column : columns) page.Add(cell(column.metric));
    page.Add(BaselineCell(index, *benchmark) + "</tr>");
  }
  page.Add("</tbody></table>");
  if (!bars.empty()) page.Add("<table class=\"bars\">" + bars + "</table>");
  page.Add("</div></div>");
}

void RenderPairs(const std::vector<Group>& groups, const Index& index,
                 Page& page) {
  page.Add(
      "<h2 id=\"pairs\">Pairs</h2><p class=\"legend\">Per operation: before, "
      "after and peers side by side. Time is the median real time per "
      "operation over the repetitions, &#177; its median absolute deviation "
      "(MAD) as a share of the median; each dot is one repetition, placed "
      "relative to the median (red: beyond the axis). Allocations and bytes "
      "per op are exact counts from the timed loop.</p>");
  std::string area;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string group_area =
        std::string(ParseBenchmarkName(groups[i].key).area);
    if (group_area != area) {
      if (!area.empty()) page.Add("</details>");
      area = group_area;
      page.Add("<details class=\"area\" open><summary>" + HtmlEscape(area) +
               "</summary>");
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
