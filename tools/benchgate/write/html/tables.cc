// The run context and the table of every benchmark of the HTML report.
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

void RenderContext(const HtmlReportInput& input, Page& page) {
  const Run& run = *input.run;
  page.Add("<h2 id=\"context\">Run context</h2>");
  if (!input.command_line.empty()) {
    page.Add("<h4>Reproduce the run</h4><pre id=\"command\">" +
             HtmlEscape(input.command_line) + "</pre>");
  }
  if (!input.generated_by.empty()) {
    page.Add("<h4>This report</h4><pre>" + HtmlEscape(input.generated_by) +
             "</pre>");
  }
  page.Add("<table><tbody>");
  const auto row = [&](const std::string& key, const nlohmann::json& value) {
    page.Add("<tr><th>" + HtmlEscape(key) + "</th><td class=\"mono\">" +
             HtmlEscape(value.is_string() ? value.get<std::string>()
                                          : value.dump()) +
             "</td></tr>");
  };
  if (run.context.is_object()) {
    // hotpath_* first: they decide what may be compared.
    for (const auto& [key, value] : run.context.items()) {
      if (key.rfind("hotpath_", 0) == 0) row(key, value);
    }
    for (const auto& [key, value] : run.context.items()) {
      if (key.rfind("hotpath_", 0) != 0) row(key, value);
    }
  }
  page.Add("</tbody></table><details><summary>" +
           std::to_string(run.files.size()) + " result files</summary><ul>");
  for (const std::string& file : run.files) {
    page.Add("<li class=\"mono\">" + HtmlEscape(file) + "</li>");
  }
  page.Add("</ul></details>");
}

void RenderAllBenchmarks(const HtmlReportInput& input, const Index& index,
                         Page& page) {
  const Run& run = *input.run;
  page.Add(
      "<h2 id=\"benchmarks\">All benchmarks</h2><p class=\"legend\">Click a "
      "header to sort (names in natural order: batch:16 before batch:100), "
      "type to filter (names, variants, verdicts: try "
      "<code>regressed</code>). Change: the benchmark's deciding change, "
      "else its real time's, else its pair's after/before ratio's; (info) "
      "marks one shown but not counted.</p><input id=\"filter\" "
      "type=\"search\" placeholder=\"filter benchmarks\" hidden> <span "
      "id=\"shown\" class=\"dim\">" +
      std::to_string(run.benchmarks.size()) + " of " +
      std::to_string(run.benchmarks.size()) +
      " benchmarks</span><p id=\"empty\" class=\"warn\" hidden>No "
      "benchmark matches the filter.</p><table "
      "id=\"all\"><thead><tr><th data-col=\"name\">benchmark</th><th "
      "data-col=\"variant\">variant</th><th class=\"n\" data-col=\"time\">"
      "median time</th><th class=\"n\" data-col=\"mad\">&#177;MAD</th><th "
      "class=\"n\" data-col=\"cpu\">CPU</th><th class=\"n\" "
      "data-col=\"allocs\">allocs/op</th><th class=\"n\" data-col=\"bytes\">"
      "bytes/op</th><th class=\"n\" data-col=\"p99\">p99</th><th class=\"n\" "
      "data-col=\"reps\">reps</th><th data-col=\"verdict\">vs baseline</th>"
      "<th class=\"n\" data-col=\"change\">change</th></tr></thead><tbody>");
  for (const Benchmark& benchmark : run.benchmarks) {
    const auto cell = [&](std::string_view metric) {
      const Observations* obs = benchmark.Find(metric);
      if (obs == nullptr) return std::string("<td class=\"n\"></td>");
      return "<td class=\"n\" data-v=\"" + SortKey(obs->median) + "\">" +
             HtmlEscape(FormatValue(metric, obs->median)) + "</td>";
    };
    const Observations* time = benchmark.Find(kRealTime);
    const std::string key = benchmark.parsed.pair_key;
    const std::string anchor = index.Anchor(key);
    const std::string name = anchor.empty()
                                 ? NameHtml(benchmark.name)
                                 : "<a href=\"#" + anchor + "\">" +
                                       NameHtml(benchmark.name) + "</a>";
    std::string row = "<tr><td class=\"name\">" + name + "</td><td>" +
                      HtmlEscape(benchmark.parsed.variant) + "</td>" +
                      cell(kRealTime);
    if (time != nullptr && time->HasReps()) {
      const double mad = RelativeMad(*time);
      row += "<td class=\"n\" data-v=\"" + SortKey(mad) + "\">" +
             FormatPercent(mad) + "</td>";
    } else {
      row += "<td class=\"n\"></td>";
    }
    row += cell(kCpuTime) + cell(kAllocs) + cell(kBytes) + cell(kP99);
    const int reps = time != nullptr ? time->n : 0;
    row += "<td class=\"n\" data-v=\"" + std::to_string(reps) + "\">" +
           std::to_string(reps) + "</td>";
    // Verdict and change: the benchmark's own, and its pair's after/before
    // ratio when that was compared (across machines only the ratio is).
    const ItemComparison* item = index.Item(benchmark.name);
    const ItemComparison* pair = index.Item(key);
    if (pair != nullptr && pair->kind != ItemKind::kRatio) pair = nullptr;
    std::string verdicts;
    if (item != nullptr) {
      verdicts += Badge(VerdictClass(item->verdict), ToString(item->verdict));
    }
    if (pair != nullptr && pair->verdict != Verdict::kNotCompared) {
      verdicts += " <span class=\"small dim\">pair</span> " +
                  Badge(VerdictClass(pair->verdict), ToString(pair->verdict));
    }
    if (benchmark.error) {
      // In the row, so sorting and filtering keep it with its benchmark.
      verdicts +=
          " <span class=\"bad\">failed: " + HtmlEscape(*benchmark.error) +
          "</span>";
    }
    row += "<td>" + verdicts + "</td>";
    const MetricComparison* shown = item != nullptr ? Shown(*item) : nullptr;
    const ItemComparison* owner = item;
    if (shown == nullptr && pair != nullptr) {
      shown = Shown(*pair);
      owner = pair;
    }
    if (shown != nullptr && std::isfinite(shown->change)) {
      row += "<td class=\"n\" data-v=\"" + SortKey(shown->change) + "\">" +
             HtmlEscape(ChangeOf(*owner)) + "</td>";
    } else if (shown != nullptr) {
      row += "<td class=\"n\" data-v=\"" +
             std::string(shown->change > 0 ? "1e300" : "-1e300") + "\">" +
             HtmlEscape(ChangeOf(*owner)) + "</td>";
    } else {
      row += "<td class=\"n\"></td>";
    }
    page.Add(row + "</tr>");
  }
  page.Add("</tbody></table>");
}

}  // namespace hotpath::benchgate::html
