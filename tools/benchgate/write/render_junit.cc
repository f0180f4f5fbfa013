// JUnit XML: one test case per benchmark comparison and per target pair,
// so CI test views list regressions and missed targets by name.

#include <sstream>

#include "benchgate/write/format.h"
#include "benchgate/write/render.h"
#include "benchgate/write/render_html.h"

namespace hotpath::benchgate {
namespace {

// XML text and attribute values need the same five entities as HTML, and
// no control characters: XML 1.0 forbids most of C0 even as character
// references, and a line end in an attribute is normalised to a space.
// HtmlEscape shows them all as text ("\x1b", "\n").
std::string Xml(const std::string& text) { return HtmlEscape(text); }

struct Case {
  std::string classname;
  std::string name;
  enum class Outcome { kPass, kFailure, kSkipped } outcome = Outcome::kPass;
  std::string message;
};

void WriteSuite(const std::string& name, const std::vector<Case>& cases,
                std::ostream& out) {
  int failures = 0;
  int skipped = 0;
  for (const Case& c : cases) {
    failures += c.outcome == Case::Outcome::kFailure ? 1 : 0;
    skipped += c.outcome == Case::Outcome::kSkipped ? 1 : 0;
  }
  out << "  <testsuite name=\"" << Xml(name) << "\" tests=\"" << cases.size()
      << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\">\n";
  for (const Case& c : cases) {
    out << "    <testcase classname=\"" << Xml(c.classname) << "\" name=\""
        << Xml(c.name) << "\"";
    if (c.outcome == Case::Outcome::kPass) {
      out << "/>\n";
      continue;
    }
    out << ">\n";
    if (c.outcome == Case::Outcome::kFailure) {
      out << "      <failure message=\"" << Xml(c.message) << "\">"
          << Xml(c.message) << "</failure>\n";
    } else {
      out << "      <skipped message=\"" << Xml(c.message) << "\"/>\n";
    }
    out << "    </testcase>\n";
  }
  out << "  </testsuite>\n";
}

std::string Summarise(const ItemComparison& item) {
  std::string message = ToString(item.verdict);
  if (!item.note.empty()) message += ": " + item.note;
  for (const MetricComparison& m : item.metrics) {
    if (m.verdict != item.verdict) continue;
    message += "; " + m.metric + " " + FormatChange(m.change);
    const std::string test = DescribeTest(m);
    if (!test.empty()) message += " (" + test + ")";
  }
  return message;
}

}  // namespace

std::string RenderJunit(const Report& report) {
  std::vector<Case> comparisons;
  if (report.comparison) {
    for (const ItemComparison& item : report.comparison->items) {
      Case c{"benchgate.compare", item.name, Case::Outcome::kPass, ""};
      if (item.verdict == Verdict::kRegressed ||
          item.verdict == Verdict::kError) {
        c.outcome = Case::Outcome::kFailure;
      } else if (item.verdict == Verdict::kUnstable ||
                 item.verdict == Verdict::kNotCompared) {
        c.outcome = Case::Outcome::kSkipped;
      }
      if (c.outcome != Case::Outcome::kPass) c.message = Summarise(item);
      comparisons.push_back(std::move(c));
    }
  }
  for (const std::string& failure : report.failed_benchmarks) {
    comparisons.push_back({"benchgate.run",
                           failure.substr(0, failure.find(": ")),
                           Case::Outcome::kFailure, failure});
  }
  std::vector<Case> targets;
  if (report.targets) {
    for (const TargetResult& target : report.targets->targets) {
      const std::string classname = "benchgate.targets." + target.target.name;
      if (target.pairs.empty()) {
        const bool fails = report.options.require_all_targets;
        targets.push_back(
            {classname, "(no pairs)",
             fails ? Case::Outcome::kFailure : Case::Outcome::kSkipped,
             "MISSING: " + target.note});
      }
      for (const PairResult& pair : target.pairs) {
        Case c{classname, pair.pair, Case::Outcome::kPass, ""};
        std::string message = std::string(ToString(pair.status)) + ": " +
                              target.target.metric + " after/before " +
                              (pair.ratio ? FormatRatio(*pair.ratio) : "-");
        if (pair.low && pair.high) {
          message += ' ';
          message += FormatInterval(*pair.low, *pair.high);
        }
        message += ", goal " + FormatGoal(target.target);
        if (!pair.note.empty()) message += "; " + pair.note;
        if (pair.status == TargetStatus::kFail ||
            (pair.status == TargetStatus::kInconclusive &&
             report.options.fail_inconclusive)) {
          c.outcome = Case::Outcome::kFailure;
        } else if (pair.status != TargetStatus::kPass) {
          c.outcome = Case::Outcome::kSkipped;
        }
        if (c.outcome != Case::Outcome::kPass) c.message = message;
        targets.push_back(std::move(c));
      }
    }
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"benchgate " << Xml(report.command) << "\">\n";
  WriteSuite("benchgate.compare", comparisons, out);
  if (report.targets) WriteSuite("benchgate.targets", targets, out);
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace hotpath::benchgate
