// Markdown for a PR comment or a CI step summary: the verdict first, the
// benchmarks that changed in a table, everything else folded away.

#include <algorithm>
#include <cstddef>
#include <sstream>

#include "benchgate/write/format.h"
#include "benchgate/write/render.h"

namespace hotpath::benchgate {
namespace {

// Text outside code spans: control characters shown visibly (a line end
// would end the table row), then Markdown's own characters escaped.
std::string Escape(const std::string& text) {
  std::string out;
  for (const char c : Printable(text)) {
    if (c == '|' || c == '*' || c == '_' || c == '<' || c == '>' || c == '`' ||
        c == '\\' || c == '[' || c == ']') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

// Untrusted text as a code span that it cannot close: the fence is one
// backtick longer than the longest run of backticks inside, padded with
// spaces when the text holds a backtick or starts or ends with a space
// (CommonMark strips one of each). In a table cell a pipe is escaped as
// \|, which GFM resolves before the code span, so it shows as |.
std::string Code(const std::string& text, bool in_table) {
  std::string inner;
  std::size_t run = 0;
  std::size_t longest = 0;
  for (const char c : Printable(text)) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
    if (c == '|' && in_table) inner += '\\';
    inner += c;
  }
  const std::string fence(longest + 1, '`');
  const bool pad =
      longest > 0 ||
      (!inner.empty() && (inner.front() == ' ' || inner.back() == ' '));
  const std::string space = pad ? " " : "";
  return fence + space + inner + space + fence;
}

std::string MetricCells(const ItemComparison& item, std::string_view metric,
                        bool as_ratio) {
  const MetricComparison* m = item.Find(metric);
  if (m == nullptr || m->verdict == Verdict::kNotCompared)
    return " - | - | - |";
  const auto value = [&](double v) {
    return as_ratio ? FormatRatio(v) : FormatMetric(metric, v);
  };
  std::string change = FormatChange(m->change);
  if (m->verdict == Verdict::kRegressed || m->verdict == Verdict::kImproved) {
    change = "**" + change + "**";
  }
  std::string cells = " ";
  cells += value(m->old_value);
  cells += " | ";
  cells += value(m->new_value);
  cells += " | ";
  cells += change;
  cells += " |";
  return cells;
}

std::string Details(const ItemComparison& item) {
  std::string details = Escape(item.note);
  for (const MetricComparison& m : item.metrics) {
    if (m.verdict == Verdict::kUnchanged && m.note.empty()) continue;
    std::string line = Code(m.metric, true) + ": " + ToString(m.verdict);
    if (m.verdict != Verdict::kNotCompared) {
      line += ' ';
      line += FormatChange(m.change);
      const std::string test = DescribeTest(m);
      if (!test.empty()) line += " (" + Escape(test) + ")";
    }
    if (!m.note.empty()) line += "; " + Escape(m.note);
    details += (details.empty() ? "" : "<br>") + line;
  }
  return details;
}

void ComparisonTable(const Comparison& comparison, bool changed_only,
                     std::ostream& out) {
  const bool absolute = comparison.mode == CompareMode::kAbsolute;
  bool header = false;
  for (const ItemComparison& item : comparison.items) {
    const bool is_ratio = item.kind == ItemKind::kRatio;
    if (changed_only && (item.verdict == Verdict::kUnchanged ||
                         item.verdict == Verdict::kNotCompared)) {
      continue;
    }
    if (!header) {
      out << "| Benchmark | Time old | Time new | Change | CPU old | CPU new | "
             "Change | Verdict | Details |\n"
          << "|---|--:|--:|--:|--:|--:|--:|---|---|\n";
      header = true;
    }
    out << "| " << Code(item.name + (is_ratio ? " (after/before)" : ""), true)
        << " |";
    if (absolute || is_ratio) {
      out << MetricCells(item, kRealTime, is_ratio)
          << MetricCells(item, kCpuTime, is_ratio);
    } else {
      out << " - | - | - | - | - | - |";
    }
    out << ' ' << ToString(item.verdict) << " | " << Details(item) << " |\n";
  }
  if (!header) out << "_No benchmark changed._\n";
}

}  // namespace

std::string RenderMarkdown(const Report& report) {
  std::ostringstream out;
  const bool pass = report.exit_code == kExitPass;
  out << "### benchgate " << report.command << ": " << (pass ? "✅ " : "❌ ")
      << Escape(ResultLine(report)) << "\n\n";
  if (report.comparison) {
    const Comparison& comparison = *report.comparison;
    out << Code(comparison.new_source, false) << " against "
        << Code(comparison.old_source, false);
    out << ".\n\n";
    if (!comparison.timing_note.empty()) {
      out << Escape(comparison.timing_note) << ".\n\n";
    }
    const std::string timing = TimingLine(report);
    if (!timing.empty()) out << Escape(timing) << ".\n\n";
  }
  for (const std::string& note : report.notes)
    out << "> " << Escape(note) << "\n";
  if (report.comparison) {
    for (const std::string& note : report.comparison->notes) {
      out << "> " << Escape(note) << "\n";
    }
  }
  out << '\n';
  if (report.comparison) {
    const Comparison& comparison = *report.comparison;
    ComparisonTable(comparison, true, out);
    out << "\n<details><summary>All " << comparison.items.size()
        << " comparisons</summary>\n\n";
    ComparisonTable(comparison, false, out);
    out << "\n</details>\n\n";
    for (const auto& [names, what] :
         {std::pair{&comparison.only_in_old, "Only in the old run"},
          std::pair{&comparison.only_in_new, "Only in the new run"}}) {
      if (names->empty()) continue;
      out << "**" << what << "** (" << names->size() << "): ";
      for (std::size_t i = 0; i < names->size(); ++i) {
        out << (i == 0 ? "" : ", ") << Code((*names)[i], false);
      }
      out << "\n\n";
    }
  }
  if (!report.failed_benchmarks.empty()) {
    out << "**Failed benchmarks**\n\n";
    for (const std::string& failure : report.failed_benchmarks) {
      out << "- " << Escape(failure) << '\n';
    }
    out << '\n';
  }
  if (report.targets) {
    out << "#### Targets (after/before)\n\n"
        << "| Target | Pair | Metric | Ratio | Interval | Goal | Result |\n"
        << "|---|---|---|--:|---|---|---|\n";
    for (const TargetResult& target : report.targets->targets) {
      out << "| **" << Escape(target.target.name) << "** | "
          << Escape(target.note) << " | " << Escape(target.target.metric)
          << " | | | " << FormatGoal(target.target) << " | **"
          << ToString(target.status) << "** |\n";
      for (const PairResult& pair : target.pairs) {
        std::string interval = pair.method;
        if (pair.low && pair.high) {
          interval = FormatInterval(*pair.low, *pair.high) + " " +
                     FormatPercent(pair.confidence);
        }
        if (!pair.note.empty()) interval += " " + pair.note;
        out << "| | " << Code(pair.pair, true) << " | | "
            << (pair.ratio ? FormatRatio(*pair.ratio) : "-") << " | "
            << Escape(interval) << " | | " << ToString(pair.status) << " |\n";
      }
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace hotpath::benchgate
