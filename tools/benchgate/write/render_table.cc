// The terminal table. Columns follow compare.py (name, old, new, change for
// time and CPU) so the output reads familiar; the verdict column and the
// indented lines under a benchmark say what compare.py never did: whether
// the change is real, and why.

#include <algorithm>
#include <cstddef>
#include <variant>
#include <vector>

#include "benchgate/write/format.h"
#include "benchgate/write/render.h"

namespace hotpath::benchgate {
namespace {

constexpr const char* kRed = "\033[31m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

struct Cell {
  std::string text;
  const char* color = nullptr;
};

struct FreeLine {
  std::string text;
  const char* color = nullptr;
};

// Aligns columns on the plain text, then adds colour, so escape codes
// never shift a column. Every cell and line is made Printable first: a
// name from the input cannot move the cursor, recolour the screen or
// start a line of its own.
class TextTable {
 public:
  TextTable(std::vector<std::string> header, std::vector<bool> right_aligned)
      : header_(std::move(header)), right_aligned_(std::move(right_aligned)) {}

  void AddRow(std::vector<Cell> cells) {
    for (Cell& cell : cells) cell.text = Printable(cell.text);
    rows_.emplace_back(std::move(cells));
  }
  void AddLine(const std::string& text, const char* color = nullptr) {
    rows_.emplace_back(FreeLine{Printable(text), color});
  }
  bool Empty() const { return rows_.empty(); }

  void Print(std::ostream& out, bool color) const {
    std::vector<std::size_t> widths(header_.size());
    for (std::size_t i = 0; i < header_.size(); ++i)
      widths[i] = header_[i].size();
    for (const Row& row : rows_) {
      if (const auto* cells = std::get_if<std::vector<Cell>>(&row)) {
        for (std::size_t i = 0; i < cells->size(); ++i) {
          widths[i] = std::max(widths[i], (*cells)[i].text.size());
        }
      }
    }
    std::vector<Cell> header_cells;
    for (const std::string& title : header_)
      header_cells.push_back({title, kBold});
    PrintCells(out, header_cells, widths, color);
    std::size_t total = 0;
    for (const std::size_t width : widths) total += width + 2;
    out << std::string(total > 2 ? total - 2 : 0, '-') << '\n';
    for (const Row& row : rows_) {
      if (const auto* cells = std::get_if<std::vector<Cell>>(&row)) {
        PrintCells(out, *cells, widths, color);
      } else {
        const FreeLine& line = std::get<FreeLine>(row);
        out << Paint(line.text, line.color, color) << '\n';
      }
    }
  }

 private:
  using Row = std::variant<std::vector<Cell>, FreeLine>;

  static std::string Paint(const std::string& text, const char* code,
                           bool color) {
    if (!color || code == nullptr) return text;
    return code + text + kReset;
  }

  void PrintCells(std::ostream& out, const std::vector<Cell>& cells,
                  const std::vector<std::size_t>& widths, bool color) const {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string padding(widths[i] - cells[i].text.size(), ' ');
      const std::string painted = Paint(cells[i].text, cells[i].color, color);
      line += right_aligned_[i] ? padding + painted : painted + padding;
      if (i + 1 < cells.size()) line += "  ";
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }

  std::vector<std::string> header_;
  std::vector<bool> right_aligned_;
  std::vector<Row> rows_;
};

const char* VerdictColor(Verdict verdict) {
  switch (verdict) {
    case Verdict::kRegressed:
    case Verdict::kError:
      return kRed;
    case Verdict::kImproved:
      return kGreen;
    case Verdict::kUnstable:
      return kYellow;
    case Verdict::kUnchanged:
    case Verdict::kNotCompared:
      return kDim;
  }
  return nullptr;
}

const char* StatusColor(TargetStatus status) {
  switch (status) {
    case TargetStatus::kPass:
      return kGreen;
    case TargetStatus::kFail:
      return kRed;
    case TargetStatus::kInconclusive:
    case TargetStatus::kMissing:
      return kYellow;
  }
  return nullptr;
}

// Old, new and change cells of one metric; dashes when it is absent.
void AddMetricCells(const ItemComparison& item, std::string_view metric,
                    bool as_ratio, std::vector<Cell>& cells) {
  const MetricComparison* m = item.Find(metric);
  if (m == nullptr || m->verdict == Verdict::kNotCompared) {
    cells.insert(cells.end(), {{"-"}, {"-"}, {"-"}});
    return;
  }
  const auto value = [&](double v) {
    return as_ratio ? FormatRatio(v) : FormatMetric(metric, v);
  };
  const char* color = m->informational                    ? nullptr
                      : m->verdict == Verdict::kRegressed ? kRed
                      : m->verdict == Verdict::kImproved  ? kGreen
                                                          : nullptr;
  cells.push_back({value(m->old_value)});
  cells.push_back({value(m->new_value)});
  cells.push_back({FormatChange(m->change), color});
}

// allocs_per_op, or for a suite with Google Benchmark's memory hook only
// its allocs_per_iter (per iteration, set-up included), marked "/iter".
std::string AllocsCell(const ItemComparison& item) {
  const MetricComparison* m = item.Find("allocs_per_op");
  std::string suffix;
  if (m == nullptr || m->verdict == Verdict::kNotCompared) {
    m = item.Find("allocs_per_iter");
    suffix = "/iter";
  }
  if (m == nullptr || m->verdict == Verdict::kNotCompared) return "-";
  const std::string old_text = FormatNumber(m->old_value);
  const std::string new_text = FormatNumber(m->new_value);
  return (old_text == new_text ? new_text : old_text + " -> " + new_text) +
         suffix;
}

bool Notable(const MetricComparison& m, const TableOptions& options) {
  // Summed up in the comparison's notes (SummariseOneSidedMetrics).
  if (m.verdict == Verdict::kNotCompared && !options.all_metrics) return false;
  if (m.informational) {
    return options.all_metrics || m.verdict == Verdict::kRegressed ||
           m.verdict == Verdict::kImproved;
  }
  return options.all_metrics || m.verdict != Verdict::kUnchanged ||
         !m.note.empty();
}

// "regressed", "unchanged within +-4.1%", "slower (information)".
std::string VerdictText(const MetricComparison& m) {
  std::string text = ToString(m.verdict);
  if (m.informational) {
    text = m.verdict == Verdict::kRegressed  ? "worse"
           : m.verdict == Verdict::kImproved ? "better"
                                             : text;
  }
  if (m.bound) text += " within +-" + FormatPercent(*m.bound);
  return m.informational ? text + " (information)" : text;
}

// Unstable metrics of one benchmark share one cause (its noise), so they
// share one line unless every metric was asked for.
std::string UnstableSummary(const ItemComparison& item) {
  std::string names;
  const MetricComparison* noisiest = nullptr;
  for (const MetricComparison& m : item.metrics) {
    if (m.verdict != Verdict::kUnstable || m.informational) continue;
    names += (names.empty() ? "" : ", ") + m.metric;
    if (noisiest == nullptr || (m.p && !noisiest->p) ||
        m.threshold > noisiest->threshold) {
      noisiest = &m;
    }
  }
  if (noisiest == nullptr) return "";
  std::string line = "    - unstable: " + names;
  if (!noisiest->p || noisiest->change_low) {
    return line + " (" + noisiest->note + ")";
  }
  return line + " (noise up to " + FormatPercent(noisiest->threshold) +
         ", from " + noisiest->threshold_source + ", hides smaller changes)";
}

void AddDetails(const ItemComparison& item, bool as_ratio,
                const TableOptions& options, TextTable& table) {
  if (!item.note.empty()) {
    table.AddLine("    " + item.note, VerdictColor(item.verdict));
  }
  for (const MetricComparison& m : item.metrics) {
    if (!Notable(m, options)) continue;
    if (m.verdict == Verdict::kUnstable && !options.all_metrics &&
        !m.informational) {
      continue;
    }
    std::string line = "    - " + m.metric + ": ";
    if (m.verdict == Verdict::kNotCompared) {
      line += "not compared";
    } else {
      const auto value = [&](double v) {
        return as_ratio ? FormatRatio(v) : FormatMetric(m.metric, v);
      };
      line += value(m.old_value) + " -> " + value(m.new_value) + " (" +
              FormatChange(m.change) + ") " + VerdictText(m);
      const std::string test = DescribeTest(m);
      if (!test.empty()) line += "; " + test;
    }
    if (!m.note.empty()) line += "; " + m.note;
    table.AddLine(line, m.verdict == Verdict::kUnchanged || m.informational
                            ? kDim
                            : VerdictColor(m.verdict));
  }
  if (!options.all_metrics) {
    const std::string unstable = UnstableSummary(item);
    if (!unstable.empty()) table.AddLine(unstable, kYellow);
  }
}

void RenderComparison(const Comparison& comparison, const TableOptions& options,
                      std::ostream& out) {
  const bool absolute = comparison.mode == CompareMode::kAbsolute;
  TextTable benchmarks(
      absolute ? std::vector<std::string>{"Benchmark", "Time old", "Time new",
                                          "Change", "CPU old", "CPU new",
                                          "Change", "Allocs/op", "Verdict"}
               : std::vector<std::string>{"Benchmark", "Allocs/op", "Verdict"},
      absolute ? std::vector<bool>{false, true, true, true, true, true, true,
                                   true, false}
               : std::vector<bool>{false, true, false});
  TextTable ratios({"Pair (after/before)", "Time old", "Time new", "Change",
                    "CPU old", "CPU new", "Change", "Verdict"},
                   {false, true, true, true, true, true, true, false});
  for (const ItemComparison& item : comparison.items) {
    const bool is_ratio = item.kind == ItemKind::kRatio;
    TextTable& table = is_ratio ? ratios : benchmarks;
    std::vector<Cell> cells = {{item.name}};
    if (absolute || is_ratio) {
      AddMetricCells(item, kRealTime, is_ratio, cells);
      AddMetricCells(item, kCpuTime, is_ratio, cells);
    }
    if (!is_ratio) cells.push_back({AllocsCell(item)});
    const MetricComparison* time = item.Find(kRealTime);
    if (item.verdict == Verdict::kNotCompared && time != nullptr &&
        time->informational && time->verdict != Verdict::kNotCompared) {
      cells.push_back({VerdictText(*time), kDim});
    } else {
      cells.push_back({ToString(item.verdict), VerdictColor(item.verdict)});
    }
    table.AddRow(std::move(cells));
    AddDetails(item, is_ratio, options, table);
  }
  if (!benchmarks.Empty()) {
    benchmarks.Print(out, options.color);
    out << '\n';
  }
  if (!ratios.Empty()) {
    out << "After/before ratios (timings across fingerprints, for "
           "information):\n";
    ratios.Print(out, options.color);
    out << '\n';
  }
  const auto list = [&](const std::vector<std::string>& names,
                        const char* what) {
    if (names.empty()) return;
    out << what << " (" << names.size() << "):\n";
    for (const std::string& name : names) {
      out << "    " << Printable(name) << '\n';
    }
    out << '\n';
  };
  list(comparison.only_in_old, "Only in the old run, not compared");
  list(comparison.only_in_new, "Only in the new run, not compared");
}

void RenderTargets(const TargetReport& targets, const TableOptions& options,
                   std::ostream& out) {
  out << "Targets (after/before within " << Printable(targets.source) << "):\n";
  TextTable table(
      {"Target / pair", "Metric", "Ratio", "Interval", "Goal", "Result"},
      {false, false, true, false, false, false});
  for (const TargetResult& target : targets.targets) {
    table.AddRow({{target.target.name, kBold},
                  {target.target.metric},
                  {""},
                  {""},
                  {FormatGoal(target.target)},
                  {ToString(target.status), StatusColor(target.status)}});
    if (!target.note.empty()) table.AddLine("    " + target.note, kYellow);
    for (const PairResult& pair : target.pairs) {
      std::string interval = pair.method;
      if (pair.low && pair.high) {
        interval = FormatInterval(*pair.low, *pair.high) + " " +
                   FormatPercent(pair.confidence) + " " + pair.method;
      }
      table.AddRow({{"  " + pair.pair},
                    {""},
                    {pair.ratio ? FormatRatio(*pair.ratio) : "-"},
                    {interval},
                    {""},
                    {ToString(pair.status), StatusColor(pair.status)}});
      if (!pair.note.empty()) table.AddLine("      " + pair.note, kDim);
    }
  }
  table.Print(out, options.color);
  out << '\n';
}

}  // namespace

void RenderTable(const Report& report, const TableOptions& options,
                 std::ostream& out) {
  if (report.comparison) {
    const Comparison& comparison = *report.comparison;
    out << "Comparing " << Printable(comparison.old_source) << " to "
        << Printable(comparison.new_source) << '\n';
    if (!comparison.timing_note.empty()) {
      out << Printable(comparison.timing_note) << ".\n";
    }
    if (!report.noise_source.empty()) {
      out << "Run-to-run noise of the baseline: "
          << Printable(report.noise_source) << ".\n";
    }
  }
  for (const std::string& note : report.notes) {
    out << "note: " << Printable(note) << '\n';
  }
  if (report.comparison) {
    for (const std::string& note : report.comparison->notes) {
      out << "note: " << Printable(note) << '\n';
    }
  }
  out << '\n';
  if (report.comparison) RenderComparison(*report.comparison, options, out);
  if (!report.failed_benchmarks.empty()) {
    out << "Failed benchmarks in " << Printable(report.run_source) << ":\n";
    for (const std::string& failure : report.failed_benchmarks) {
      out << "    " << Printable(failure) << '\n';
    }
    out << '\n';
  }
  if (report.targets) RenderTargets(*report.targets, options, out);
  const std::string timing = TimingLine(report);
  if (!timing.empty()) out << Printable(timing) << '\n';
  const std::string result =
      Printable("benchgate " + report.command + ": " + ResultLine(report));
  if (options.color) {
    out << kBold << (report.exit_code == kExitPass ? kGreen : kRed) << result
        << kReset << '\n';
  } else {
    out << result << '\n';
  }
}

}  // namespace hotpath::benchgate
