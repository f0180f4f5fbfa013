// Shared helpers of the HTML report (parts.h).
#include "benchgate/write/html/parts.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "benchgate/judge/stats.h"
#include "benchgate/write/format.h"

namespace hotpath::benchgate::html {

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// A sort key for data-v: plain, locale-free, full precision.
std::string SortKey(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string FormatBytes(double bytes) {
  if (bytes < 1024.0) return FormatNumber(bytes) + " B";
  if (bytes < 1024.0 * 1024.0) return Fixed(bytes / 1024.0) + " KiB";
  if (bytes < 1024.0 * 1024.0 * 1024.0) {
    return Fixed(bytes / (1024.0 * 1024.0)) + " MiB";
  }
  return Fixed(bytes / (1024.0 * 1024.0 * 1024.0)) + " GiB";
}

std::string FormatValue(std::string_view metric, double value) {
  if (metric == kBytes) return FormatBytes(value);
  return FormatMetric(metric, value);
}

const char* VerdictClass(Verdict verdict) {
  switch (verdict) {
    case Verdict::kImproved:
      return "good";
    case Verdict::kRegressed:
    case Verdict::kError:
      return "bad";
    case Verdict::kUnstable:
      return "warn";
    case Verdict::kUnchanged:
    case Verdict::kNotCompared:
      break;
  }
  return "dim";
}

const char* StatusClass(TargetStatus status) {
  switch (status) {
    case TargetStatus::kPass:
      return "good";
    case TargetStatus::kFail:
      return "bad";
    case TargetStatus::kInconclusive:
      return "warn";
    case TargetStatus::kMissing:
      break;
  }
  return "dim";
}

std::string Badge(const char* css_class, std::string_view text) {
  return std::string("<span class=\"badge ") + css_class + "\">" +
         HtmlEscape(text) + "</span>";
}

double Median(const Observations& obs) { return obs.median; }

// Relative median absolute deviation; 0 without repetitions.
double RelativeMad(const Observations& obs) {
  if (obs.reps.size() < 2 || obs.median == 0.0) return 0.0;
  return MedianAbsoluteDeviation(obs.reps) / std::fabs(obs.median);
}

std::optional<double> MedianOf(const Benchmark* benchmark,
                               std::string_view metric) {
  if (benchmark == nullptr) return std::nullopt;
  const Observations* obs = benchmark->Find(metric);
  if (obs == nullptr) return std::nullopt;
  return Median(*obs);
}

// Pairs in Run::Pairs() order with their peers, then groups of peers only
// (for example lock implementations compared side by side).
std::vector<Group> GroupsOf(const Run& run) {
  std::vector<Group> groups;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const VariantPair& pair : run.Pairs()) {
    index.emplace(pair.key, groups.size());
    groups.push_back(Group{pair.key, pair.before, pair.after, {}});
  }
  for (const Benchmark& benchmark : run.benchmarks) {
    const BenchmarkName& name = benchmark.parsed;
    if (name.pair_key.empty() || name.variant == kBefore ||
        name.variant == kAfter) {
      continue;
    }
    auto [it, inserted] = index.emplace(name.pair_key, groups.size());
    if (inserted) groups.push_back(Group{name.pair_key, nullptr, nullptr, {}});
    groups[it->second].peers.push_back(&benchmark);
  }
  // A lone named variant is not a comparison; the full table lists it.
  std::erase_if(groups, [](const Group& group) {
    return group.before == nullptr && group.after == nullptr &&
           group.peers.size() < 2;
  });
  // One place per area, in the order areas first appear: a run merged
  // from several binaries, or an area's peer-only groups found after the
  // pairs, would otherwise open an area twice.
  std::map<std::string, std::size_t, std::less<>> area_rank;
  for (const Group& group : groups) {
    area_rank.emplace(std::string(ParseBenchmarkName(group.key).area),
                      area_rank.size());
  }
  std::stable_sort(
      groups.begin(), groups.end(), [&](const Group& a, const Group& b) {
        return area_rank.find(ParseBenchmarkName(a.key).area)->second <
               area_rank.find(ParseBenchmarkName(b.key).area)->second;
      });
  return groups;
}

// "p12": built by appending, since GCC 12 -O3 warns falsely (-Wrestrict)
// on "literal" + std::string temporaries.
std::string PairAnchor(std::size_t index) {
  std::string anchor(1, 'p');
  anchor += std::to_string(index + 1);
  return anchor;
}

Index BuildIndex(const Report& report, const std::vector<Group>& groups,
                 const Run* baseline) {
  Index index;
  if (baseline != nullptr) {
    for (const VariantPair& pair : baseline->Pairs()) {
      index.baseline_pairs.emplace(pair.key, pair);
    }
  }
  if (report.comparison) {
    for (const ItemComparison& item : report.comparison->items) {
      index.items.emplace(item.name, &item);
    }
  }
  if (report.targets) {
    for (const TargetResult& target : report.targets->targets) {
      for (const PairResult& pair : target.pairs) {
        index.targets[pair.pair].push_back(TargetHit{&target, &pair});
      }
    }
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    index.pair_anchor.emplace(groups[i].key, PairAnchor(i));
    index.groups.emplace(groups[i].key, &groups[i]);
  }
  return index;
}

std::string PairLink(const Index& index, std::string_view key) {
  return PairLink(index, key, key);
}

std::string PairLink(const Index& index, std::string_view key,
                     std::string_view label) {
  const std::string anchor = index.Anchor(key);
  if (anchor.empty()) return NameHtml(label);
  return "<a href=\"#" + anchor + "\">" + NameHtml(label) + "</a>";
}

std::string NameHtml(std::string_view name) {
  const std::string escaped = HtmlEscape(name);
  std::string out;
  out.reserve(escaped.size() + escaped.size() / 4);
  // Only between name parts ("routing/Envelope"): an escaped "&lt;/x"
  // stays one piece of text.
  const auto part = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
           c == ':';
  };
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    out += escaped[i];
    if (escaped[i] == '/' && i > 0 && i + 1 < escaped.size() &&
        part(escaped[i - 1]) && part(escaped[i + 1])) {
      out += "<wbr>";
    }
  }
  return out;
}

std::string Sig(double value) {
  if (!std::isfinite(value)) return FormatNumber(value);
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e4 || value == std::round(value)) {
    return FormatNumber(value);
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

std::string Speedup(double ratio) {
  if (!(ratio > 0.0) || !std::isfinite(ratio)) return "-";
  const double speedup = 1.0 / ratio;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, speedup >= 10.0 ? "%.0fx" : "%.2gx",
                speedup);
  return buffer;
}

std::string ItemKey(const ItemComparison& item) {
  return item.kind == ItemKind::kRatio ? item.name
                                       : ParseBenchmarkName(item.name).pair_key;
}

const MetricComparison* Deciding(const ItemComparison& item) {
  if (item.verdict != Verdict::kRegressed &&
      item.verdict != Verdict::kImproved &&
      item.verdict != Verdict::kUnstable) {
    return nullptr;
  }
  const MetricComparison* best = nullptr;
  for (const MetricComparison& m : item.metrics) {
    if (m.informational || m.verdict != item.verdict) continue;
    if (best == nullptr || std::fabs(m.change) > std::fabs(best->change)) {
      best = &m;
    }
  }
  return best;
}

const MetricComparison* Shown(const ItemComparison& item) {
  const MetricComparison* deciding = Deciding(item);
  if (deciding != nullptr) return deciding;
  const MetricComparison* time = item.Find(kRealTime);
  if (time != nullptr && time->verdict != Verdict::kNotCompared) return time;
  return nullptr;
}

namespace {

bool IsTime(std::string_view metric) {
  return metric == kRealTime || metric == kCpuTime ||
         (metric.size() > 3 && metric.substr(metric.size() - 3) == "_ns") ||
         metric.find("_ns_") != std::string_view::npos;
}

std::string Percent(double fraction) {
  const double pct = std::fabs(fraction) * 100.0;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pct >= 10.0 ? "%.0f%%" : "%.1f%%", pct);
  return buffer;
}

std::string SignedPercent(double fraction) {
  if (std::isinf(fraction)) return fraction > 0 ? "+inf" : "-inf";
  // Appended: GCC 12 -O3 warns falsely (-Wrestrict) on "literal" + string.
  std::string text(1, fraction < 0 ? '-' : '+');
  text += Percent(fraction);
  return text;
}

// "before 3.1 us, after 900 ns"
std::string Sides(const Benchmark* before, const Benchmark* after,
                  std::string_view metric) {
  const std::optional<double> b = MedianOf(before, metric);
  const std::optional<double> a = MedianOf(after, metric);
  if (!b || !a) return "";
  return "before " + FormatValue(metric, *b) + ", after " +
         FormatValue(metric, *a);
}

}  // namespace

std::string VerdictSentence(const ItemComparison& item,
                            const MetricComparison& m, const Index& index) {
  std::string text;
  if (item.kind == ItemKind::kRatio) {
    // The after/before ratio moved: say it as speedups, with the times.
    // For a rate (higher is better) the ratio is the speedup itself.
    const bool rate = m.policy.better == Better::kHigher;
    const auto speedup = [&](double ratio) {
      return rate ? (ratio > 0.0 ? Speedup(1.0 / ratio) : std::string("-"))
                  : Speedup(ratio);
    };
    text = "<code>" + HtmlEscape(m.metric) + "</code> after/before " +
           Sig(m.old_value) + " &#8594; " + Sig(m.new_value) + ": speedup " +
           speedup(m.old_value) + " &#8594; " + speedup(m.new_value) +
           " (the ratio " + SignedPercent(m.change) + ")";
    const auto old_pair = index.baseline_pairs.find(item.name);
    const auto group = index.groups.find(item.name);
    std::string sides;
    if (old_pair != index.baseline_pairs.end()) {
      const std::string old_sides =
          Sides(old_pair->second.before, old_pair->second.after, m.metric);
      if (!old_sides.empty()) sides += "baseline " + old_sides;
    }
    if (group != index.groups.end()) {
      const std::string new_sides =
          Sides(group->second->before, group->second->after, m.metric);
      if (!new_sides.empty()) {
        sides +=
            (sides.empty() ? "" : "; ") + std::string("this run ") + new_sides;
      }
    }
    if (!sides.empty()) text += "; " + HtmlEscape(sides);
  } else if (m.method == Method::kExact) {
    text = "<code>" + HtmlEscape(m.metric) + "</code> " +
           HtmlEscape(FormatValue(m.metric, m.old_value)) + " &#8594; " +
           HtmlEscape(FormatValue(m.metric, m.new_value)) + " per op";
    if (std::isfinite(m.change) && m.change != 0.0) {
      text += " (" + SignedPercent(m.change) + ")";
    }
    text += ", an exact count (tolerance " + Sig(m.threshold) + ")";
  } else {
    const bool up = m.change > 0.0;
    const char* word = IsTime(m.metric) ? (up ? "slower" : "faster")
                                        : (up ? "higher" : "lower");
    text = "<code>" + HtmlEscape(m.metric) + "</code> " +
           HtmlEscape(FormatValue(m.metric, m.old_value)) + " &#8594; " +
           HtmlEscape(FormatValue(m.metric, m.new_value)) + ": ";
    if (m.verdict == Verdict::kUnchanged && m.bound) {
      text += "no change beyond the noise, within &#177;" + Percent(*m.bound);
    } else {
      text += std::string(word) + " by " + Percent(m.change);
      if (m.change_low && m.change_high) {
        text += " [" + SignedPercent(*m.change_low) + ", " +
                SignedPercent(*m.change_high) + "]";
      }
      if (m.threshold > 0.0) {
        text +=
            m.verdict == Verdict::kRegressed || m.verdict == Verdict::kImproved
                ? ", beyond the noise of &#177;"
                : ", the noise is &#177;";
        text += Percent(m.threshold);
      }
    }
  }
  if (m.informational) {
    text += " <span class=\"dim\">(information, not judged)</span>";
  }
  return text;
}

// ---------------------------------------------------------------- SVG ---

// A ratio on a log axis from 1/1000 to 10: improvements of 1000x and
// regressions of 10x both stay visible.
constexpr double kLogMin = -3.0;
constexpr double kLogMax = 1.0;
constexpr double kBarWidth = 220.0;
constexpr double kBarHeight = 16.0;

double RatioX(double ratio) {
  const double clamped =
      ratio <= 0.0 ? kLogMin : std::clamp(std::log10(ratio), kLogMin, kLogMax);
  return 2.0 + (clamped - kLogMin) / (kLogMax - kLogMin) * (kBarWidth - 4.0);
}

std::string RenderRatioBar(const RatioBar& bar) {
  std::string svg = "<svg class=\"ratio\" width=\"" + Fixed(kBarWidth, 0) +
                    "\" height=\"" + Fixed(kBarHeight, 0) +
                    "\" role=\"img\"><title>" + HtmlEscape(bar.title) +
                    "</title>";
  for (int decade = -3; decade <= 1; ++decade) {
    const double x = RatioX(std::pow(10.0, decade));
    svg += "<line x1=\"" + Fixed(x) + "\" x2=\"" + Fixed(x) +
           "\" y1=\"0\" y2=\"16\" class=\"" + (decade == 0 ? "axis1" : "grid") +
           "\"/>";
  }
  const double one = RatioX(1.0);
  const double x = RatioX(bar.ratio);
  svg += "<rect x=\"" + Fixed(std::min(one, x)) + "\" y=\"4\" width=\"" +
         Fixed(std::max(std::fabs(x - one), 1.0)) + "\" height=\"8\" class=\"" +
         bar.css_class + "\"/>";
  if (bar.low && bar.high) {
    const double l = RatioX(*bar.low);
    const double h = RatioX(*bar.high);
    svg += "<path d=\"M" + Fixed(l) + " 5V11M" + Fixed(l) + " 8H" + Fixed(h) +
           "M" + Fixed(h) + " 5V11\" class=\"ci\"/>";
  }
  if (bar.goal) {
    const double g = RatioX(*bar.goal);
    svg += "<line x1=\"" + Fixed(g) + "\" x2=\"" + Fixed(g) +
           "\" y1=\"0\" y2=\"16\" class=\"goal\"/>";
  }
  return svg + "</svg>";
}

// Each repetition's time as a dot, relative to the median, on an axis
// wide enough for the widest deviation (at least +-5%): spread and
// outliers are visible at a glance and comparable across variants.
std::string RenderStrip(const Observations& obs) {
  if (obs.reps.empty() || obs.median <= 0.0) return "";
  double widest = 0.05;
  for (const double v : obs.reps) {
    widest = std::max(widest, std::fabs(v / obs.median - 1.0));
  }
  double axis = 0.05;
  for (const double step : {0.05, 0.1, 0.25, 0.5, 1.0}) {
    axis = step;
    if (widest <= step) break;
  }
  constexpr double kWidth = 140.0;
  constexpr double kHalf = (kWidth - 8.0) / 2.0;
  std::string title = std::to_string(obs.reps.size()) +
                      " repetitions, axis +-" + FormatPercent(axis) +
                      " of the median " + FormatTime(obs.median) + ":";
  std::string dots;
  for (const double v : obs.reps) {
    const double dev = v / obs.median - 1.0;
    const bool clipped = std::fabs(dev) > axis;
    const double x = kWidth / 2.0 + std::clamp(dev / axis, -1.0, 1.0) * kHalf;
    dots += "<circle cx=\"" + Fixed(x) + "\" cy=\"8\" r=\"2.5\"" +
            (clipped ? " class=\"out\"" : "") + "/>";
    title += ' ';  // two appends: GCC 12 warns (-Wrestrict) on " " + ...
    title += FormatTime(v);
  }
  return "<svg class=\"strip\" width=\"140\" height=\"16\" "
         "role=\"img\"><title>" +
         HtmlEscape(title) +
         "</title><line x1=\"70\" x2=\"70\" y1=\"1\" y2=\"15\" "
         "class=\"axis1\"/>" +
         dots + "</svg><span class=\"axis-label\">&#177;" +
         Fixed(axis * 100.0, 0) + "%</span>";
}

}  // namespace hotpath::benchgate::html

namespace hotpath::benchgate::html {

// Every variant's repetitions on one shared log axis of time, one row per
// variant, ticks labelled: before and after compare at a glance, spread
// included, whatever their ratio.
namespace {

// Widens [low, high] to take in the positive `values`; `any` says whether
// it holds a value yet (a log axis has no place for 0 or less).
void WidenPositiveRange(const std::vector<double>& values, double& low,
                        double& high, bool& any) {
  for (const double v : values) {
    if (!(v > 0.0)) continue;
    low = any ? std::min(low, v) : v;
    high = any ? std::max(high, v) : v;
    any = true;
  }
}

// log10 bounds of [low, high], padded by `pad` decades each side and
// widened around their middle to at least `min_span` decades.
std::pair<double, double> LogBounds(double low, double high, double pad,
                                    double min_span) {
  double lo = std::log10(low) - pad;
  double hi = std::log10(high) + pad;
  if (hi - lo < min_span) {
    const double mid = (hi + lo) / 2.0;
    lo = mid - min_span / 2.0;
    hi = mid + min_span / 2.0;
  }
  return {lo, hi};
}

}  // namespace

std::string RenderPairChart(
    const std::vector<std::pair<std::string, const Benchmark*>>& variants) {
  double low = 0.0;
  double high = 0.0;
  bool any = false;
  for (const auto& [name, benchmark] : variants) {
    const Observations* obs = benchmark->Find(kRealTime);
    if (obs == nullptr) continue;
    WidenPositiveRange(
        obs->HasReps() ? obs->reps : std::vector<double>{obs->median}, low,
        high, any);
  }
  if (!any) return "";
  // Padded to whole 1-2-5 steps so the ticks land inside.
  // Plain doubles, not a structured binding: the lambdas below capture
  // them (clang before 16 cannot capture a binding).
  const std::pair<double, double> bounds = LogBounds(low, high, 0.05, 0.3);
  const double lo = bounds.first;
  const double hi = bounds.second;
  constexpr double kLeft = 56.0;
  constexpr double kWidth = 300.0;
  constexpr double kRow = 14.0;
  const double plot = kWidth - kLeft - 8.0;
  const auto x = [&](double v) {
    return kLeft + (std::log10(v) - lo) / (hi - lo) * plot;
  };
  const double height = kRow * static_cast<double>(variants.size()) + 16.0;
  std::string svg = "<svg class=\"chart\" width=\"" + Fixed(kWidth, 0) +
                    "\" height=\"" + Fixed(height, 0) +
                    "\" role=\"img\"><title>median real time per op of "
                    "each repetition, one log axis for every variant</title>";
  // Ticks inside the range: 1-2-5 per decade on a short axis, fewer on a
  // long one so the labels never overlap.
  const double span = hi - lo;
  const std::vector<double> steps =
      span > 1.6 ? std::vector<double>{1.0}
                 : (span > 0.8 ? std::vector<double>{1.0, 3.0}
                               : std::vector<double>{1.0, 2.0, 5.0});
  const auto label = [](double v) {
    std::string text = FormatTime(v);
    for (const char* zeros : {".00 ", ".0 "}) {
      const std::size_t at = text.find(zeros);
      if (at != std::string::npos) text.erase(at, std::strlen(zeros) - 1);
    }
    return text;
  };
  int ticks = 0;
  for (int decade = static_cast<int>(std::floor(lo)) - 1;
       decade <= static_cast<int>(std::ceil(hi)); ++decade) {
    for (const double step : steps) {
      const double v = step * std::pow(10.0, decade);
      const double lv = std::log10(v);
      if (lv < lo || lv > hi) continue;
      const double tx = x(v);
      svg += "<line x1=\"" + Fixed(tx) + "\" x2=\"" + Fixed(tx) +
             "\" y1=\"0\" y2=\"" + Fixed(height - 14.0) +
             "\" class=\"grid\"/><text x=\"" + Fixed(tx) + "\" y=\"" +
             Fixed(height - 3.0) + "\" class=\"tick\">" + HtmlEscape(label(v)) +
             "</text>";
      ++ticks;
    }
  }
  if (ticks == 0) {
    svg += "<text x=\"" + Fixed(kLeft) + "\" y=\"" + Fixed(height - 3.0) +
           "\" class=\"tick\">" + HtmlEscape(FormatTime(low)) +
           "</text><text x=\"" + Fixed(kWidth - 8.0) + "\" y=\"" +
           Fixed(height - 3.0) + "\" class=\"tick\">" +
           HtmlEscape(FormatTime(high)) + "</text>";
  }
  double y = 8.0;
  for (const auto& [name, benchmark] : variants) {
    svg += "<text x=\"0\" y=\"" + Fixed(y + 4.0) + "\" class=\"label\">" +
           HtmlEscape(Truncate(name, 9)) + "</text>";
    const Observations* obs = benchmark->Find(kRealTime);
    if (obs != nullptr) {
      const char* colour = name == kBefore  ? "before"
                           : name == kAfter ? "after"
                                            : "peer";
      for (const double v : obs->reps) {
        if (!(v > 0.0)) continue;
        svg += std::string("<circle class=\"") + colour + "\" cx=\"" +
               Fixed(x(v)) + "\" cy=\"" + Fixed(y) + "\" r=\"2.5\"/>";
      }
      if (obs->median > 0.0) {
        const double mx = x(obs->median);
        svg += "<line x1=\"" + Fixed(mx) + "\" x2=\"" + Fixed(mx) + "\" y1=\"" +
               Fixed(y - 5.0) + "\" y2=\"" + Fixed(y + 5.0) +
               "\" class=\"median\"/>";
      }
    }
    y += kRow;
  }
  return svg + "</svg>";
}

std::string RenderTrend(const HistoryTrend& trend, std::string_view label) {
  const std::size_t n = trend.values.size();
  double low = 0.0;
  double high = 0.0;
  bool any = false;
  WidenPositiveRange(trend.values, low, high, any);
  if (!any || n < 2) return "";
  // A flat series gets +-2.3% around it.
  const std::pair<double, double> bounds = LogBounds(low, high, 0.0, 0.02);
  const double lo = bounds.first;
  const double hi = bounds.second;
  constexpr double kLeft = 56.0;
  constexpr double kWidth = 300.0;
  constexpr double kTop = 6.0;
  constexpr double kPlot = 40.0;
  const double step = (kWidth - kLeft - 8.0) / static_cast<double>(n - 1);
  const auto x = [&](std::size_t i) {
    return kLeft + step * static_cast<double>(i);
  };
  const auto y = [&](double v) {
    return kTop + (hi - std::log10(v)) / (hi - lo) * kPlot;
  };
  const auto text = [](double tx, double ty, const std::string& content) {
    return "<text x=\"" + Fixed(tx) + "\" y=\"" + Fixed(ty) +
           "\" class=\"label\">" + HtmlEscape(content) + "</text>";
  };
  std::string svg = "<svg class=\"chart trend\" width=\"" + Fixed(kWidth, 0) +
                    "\" height=\"" + Fixed(kTop + kPlot + 16.0, 0) +
                    "\" role=\"img\"><title>" + HtmlEscape(label) +
                    ": median real time of the last " + std::to_string(n) +
                    " runs on this fingerprint, oldest first; dashed: a step "
                    "(benchgate history changes), filled dot: this "
                    "run</title>";
  svg += text(0.0, kTop + 4.0, Truncate(label, 9)) +
         text(0.0, kTop + 16.0, FormatTime(high)) +
         text(0.0, kTop + kPlot, FormatTime(low));
  for (const std::size_t at : trend.steps) {
    if (at == 0 || at >= n) continue;
    const double sx = (x(at - 1) + x(at)) / 2.0;
    svg += "<line class=\"trend-step\" x1=\"" + Fixed(sx) + "\" x2=\"" +
           Fixed(sx) + "\" y1=\"" + Fixed(kTop - 4.0) + "\" y2=\"" +
           Fixed(kTop + kPlot + 4.0) + "\"><title>step between " +
           HtmlEscape(trend.revisions[at - 1]) + " and " +
           HtmlEscape(trend.revisions[at]) + "</title></line>";
  }
  std::string points;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(trend.values[i] > 0.0)) continue;
    points += Fixed(x(i)) + "," + Fixed(y(trend.values[i])) + " ";
  }
  svg += "<polyline class=\"trend-line\" points=\"" + points + "\"/>";
  for (std::size_t i = 0; i < n; ++i) {
    if (!(trend.values[i] > 0.0)) continue;
    const bool current = i == trend.current;
    svg += std::string("<circle class=\"") +
           (current ? "trend-current" : "trend-run") + "\" cx=\"" +
           Fixed(x(i)) + "\" cy=\"" + Fixed(y(trend.values[i])) + "\" r=\"" +
           (current ? "3.5" : "1.8") + "\"><title>" +
           HtmlEscape(trend.revisions[i]) + ": " +
           HtmlEscape(FormatTime(trend.values[i])) +
           (current ? " (this run)" : "") + "</title></circle>";
  }
  const std::size_t steps = trend.steps.size();
  svg += text(kLeft, kTop + kPlot + 14.0,
              std::to_string(n) + " runs" +
                  (steps == 0 ? ""
                              : ", " + std::to_string(steps) +
                                    (steps == 1 ? " step" : " steps")) +
                  (trend.creep ? ", creeping" : ""));
  return svg + "</svg>";
}

}  // namespace hotpath::benchgate::html
