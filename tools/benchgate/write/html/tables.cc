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
      "header to sort, type to filter.</p><input id=\"filter\" "
      "type=\"search\" placeholder=\"filter benchmarks\" hidden><table "
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
                                 ? HtmlEscape(benchmark.name)
                                 : "<a href=\"#" + anchor + "\">" +
                                       HtmlEscape(benchmark.name) + "</a>";
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
    const ItemComparison* item = index.Item(benchmark.name);
    if (item == nullptr) {
      row += "<td></td><td class=\"n\"></td>";
    } else {
      const MetricComparison* change = item->Find(kRealTime);
      row += "<td>" +
             Badge(VerdictClass(item->verdict), ToString(item->verdict)) +
             "</td>";
      if (change != nullptr && change->verdict != Verdict::kNotCompared &&
          std::isfinite(change->change)) {
        row += "<td class=\"n\" data-v=\"" + SortKey(change->change) + "\">" +
               FormatChange(change->change) + "</td>";
      } else {
        row += "<td class=\"n\"></td>";
      }
    }
    if (benchmark.error) {
      row += "</tr><tr><td colspan=\"11\" class=\"bad\">" +
             HtmlEscape(*benchmark.error) + "</td>";
    }
    page.Add(row + "</tr>");
  }
  page.Add("</tbody></table>");
}

}  // namespace hotpath::benchgate::html
