#include "benchgate/write/format.h"

#include <cmath>
#include <cstdio>

namespace hotpath::benchgate {
namespace {

std::string Printf(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string ThreeDigits(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude >= 100.0) return Printf("%.0f", value);
  if (magnitude >= 10.0) return Printf("%.1f", value);
  return Printf("%.2f", value);
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

bool IsTimeMetric(std::string_view metric) {
  return metric == "real_time" || metric == "cpu_time" ||
         EndsWith(metric, "_ns") ||
         metric.find("_ns_") != std::string_view::npos;
}

}  // namespace

std::string FormatTime(double nanoseconds) {
  if (!std::isfinite(nanoseconds)) return Printf("%g", nanoseconds);
  const double magnitude = std::fabs(nanoseconds);
  if (magnitude < 1e3) return ThreeDigits(nanoseconds) + " ns";
  if (magnitude < 1e6) return ThreeDigits(nanoseconds / 1e3) + " us";
  if (magnitude < 1e9) return ThreeDigits(nanoseconds / 1e6) + " ms";
  return ThreeDigits(nanoseconds / 1e9) + " s";
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return Printf("%g", value);
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e9) return ThreeDigits(value / 1e9) + "G";
  if (magnitude >= 1e6) return ThreeDigits(value / 1e6) + "M";
  if (magnitude >= 1e4) return ThreeDigits(value / 1e3) + "k";
  if (value == std::round(value)) return Printf("%.0f", value);
  return Printf("%.3g", value);
}

std::string FormatMetric(std::string_view metric, double value) {
  if (IsTimeMetric(metric)) return FormatTime(value);
  if (EndsWith(metric, "_per_second")) return FormatNumber(value) + "/s";
  return FormatNumber(value);
}

std::string FormatChange(double change) {
  if (std::isinf(change)) return change > 0 ? "+inf%" : "-inf%";
  if (change == 0.0) return "0.0%";
  return Printf("%+.1f%%", change * 100.0);
}

std::string FormatRatio(double ratio) { return Printf("%.3f", ratio); }

std::string FormatInterval(double low, double high) {
  // Built left to right: GCC 12 -O3 warns falsely (-Wrestrict) on
  // "literal" + std::string temporaries.
  std::string text(1, '[');
  text += FormatRatio(low);
  text += ", ";
  text += FormatRatio(high);
  text += ']';
  return text;
}

std::string FormatP(double p) {
  if (p < 1e-4) return "<0.0001";
  return Printf("%.4f", p);
}

std::string FormatPercent(double fraction) {
  return Printf("%.1f%%", fraction * 100.0);
}

std::string FormatGoal(const Target& target) {
  return std::string(target.goal == Goal::kAtMost ? "<= " : ">= ") +
         Printf("%g", target.ratio);
}

std::string DescribeTest(const MetricComparison& comparison) {
  if (comparison.method == Method::kExact) {
    return "exact, tolerance " + FormatNumber(comparison.threshold);
  }
  std::string text;
  if (comparison.change_low && comparison.change_high) {
    text = "change [" + FormatChange(*comparison.change_low) + ", " +
           FormatChange(*comparison.change_high) + "] at " +
           Printf("%.0f%%", comparison.confidence * 100.0) + ", ";
  }
  if (comparison.q) {
    text += "q=" + FormatP(*comparison.q) + " (" + ToString(comparison.method) +
            ", " + std::to_string(comparison.n_old) + " vs " +
            std::to_string(comparison.n_new) +
            (comparison.method == Method::kPairedRounds ? " rounds"
             : comparison.method == Method::kProcesses  ? " processes"
                                                        : " repetitions") +
            ")";
  }
  // Without a test the minimum effect explains nothing.
  if (!comparison.threshold_source.empty() && comparison.p) {
    text += (text.empty() ? "" : ", ") + std::string("min effect ") +
            FormatPercent(comparison.threshold) + " (" +
            comparison.threshold_source + ")";
  }
  return text;
}

}  // namespace hotpath::benchgate
