// CPU profiles of the HTML report: where each benchmark's time goes, the
// variants of a pair side by side, and what the after no longer spends time
// in.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/read/benchmark_name.h"
#include "benchgate/write/format.h"
#include "benchgate/write/html/parts.h"

namespace hotpath::benchgate::html {
namespace {

constexpr std::size_t kSelfShown = 6;
constexpr std::size_t kDiffShown = 8;
constexpr double kDiffMinShare = 0.01;  // a function under 1% on both sides
constexpr std::size_t kCpuFrameChars = 80;

double Share(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0
                    : static_cast<double>(part) / static_cast<double>(whole);
}

// before, after, then the peers by name.
int VariantRank(const std::string& variant) {
  if (variant == kBefore) return 0;
  if (variant == kAfter) return 1;
  return 2;
}

std::string SamplesLine(const CpuProfile& profile) {
  std::string line =
      FormatNumber(static_cast<double>(profile.samples)) + " samples";
  if (profile.iterations > 0) {
    line += " over " + FormatNumber(static_cast<double>(profile.iterations)) +
            " iterations";
  }
  line += "; " + FormatPercent(profile.unwound) + " unwound to the entry";
  return line;
}

std::string SelfTable(const CpuProfile& profile) {
  const std::vector<SelfTime> top = SelfTimes(profile.flame, kSelfShown);
  if (top.empty()) return "";
  std::string out =
      "<table class=\"cpu-self\"><thead><tr><th>self time in</th><th "
      "class=\"n\">share</th><th class=\"n\">samples</th></tr></thead><tbody>";
  for (const SelfTime& entry : top) {
    out += "<tr><td class=\"name\">" +
           HtmlEscape(ShortFrame(entry.function, kCpuFrameChars)) +
           "</td><td class=\"n\">" +
           FormatPercent(Share(entry.samples, profile.samples)) +
           "</td><td class=\"n\">" +
           FormatNumber(static_cast<double>(entry.samples)) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

// A frame with the side's own names made common, so that the same function
// of the two sides is one row: "metrics::before::Record" and
// "metrics::after::Record" both read "metrics::[side]::Record", a template
// argument "...::Before>" or "...::After>" reads "...::[Side]>".
std::string SideFree(std::string frame) {
  const auto replace = [&frame](std::string_view from, std::string_view to) {
    for (std::size_t at = frame.find(from); at != std::string::npos;
         at = frame.find(from, at + to.size())) {
      frame.replace(at, from.size(), to);
    }
  };
  replace("::before::", "::[side]::");
  replace("::after::", "::[side]::");
  replace("::Before>", "::[Side]>");
  replace("::After>", "::[Side]>");
  return frame;
}

// Functions whose share of self time moved most between the two sides:
// "gone" when the after has no sample in them, "new" when the before had
// none.
std::string Differential(const CpuProfile& before, const CpuProfile& after) {
  struct Row {
    std::string function;
    uint64_t before = 0;
    uint64_t after = 0;
    double delta = 0.0;
  };
  const auto all = std::numeric_limits<std::size_t>::max();
  std::map<std::string, Row> rows;
  for (const SelfTime& entry : SelfTimes(before.flame, all)) {
    rows[SideFree(entry.function)].before += entry.samples;
  }
  for (const SelfTime& entry : SelfTimes(after.flame, all)) {
    rows[SideFree(entry.function)].after += entry.samples;
  }
  std::vector<Row> shown;
  for (auto& [function, row] : rows) {
    const double b = Share(row.before, before.samples);
    const double a = Share(row.after, after.samples);
    if (std::max(a, b) < kDiffMinShare) continue;
    row.function = function;
    row.delta = a - b;
    shown.push_back(row);
  }
  if (shown.empty()) return "";
  std::stable_sort(shown.begin(), shown.end(), [](const Row& x, const Row& y) {
    return std::fabs(x.delta) > std::fabs(y.delta);
  });
  if (shown.size() > kDiffShown) shown.resize(kDiffShown);
  std::string out =
      "<table class=\"cpu-diff\"><thead><tr><th>function (self time, share "
      "of each side's samples)</th><th class=\"n\">before</th><th "
      "class=\"n\">after</th><th>change</th></tr></thead><tbody>";
  for (const Row& row : shown) {
    std::string change;
    if (row.after == 0) {
      change = "<span class=\"good\">gone</span>";
    } else if (row.before == 0) {
      change = "<span class=\"bad\">new</span>";
    } else {
      char points[32];
      std::snprintf(points, sizeof points, "%+.1f points", row.delta * 100.0);
      change = points;
    }
    out += "<tr><td class=\"name\">" +
           HtmlEscape(ShortFrame(row.function, kCpuFrameChars)) +
           "</td><td class=\"n\">" +
           FormatPercent(Share(row.before, before.samples)) + " (" +
           FormatNumber(static_cast<double>(row.before)) +
           ")</td><td class=\"n\">" +
           FormatPercent(Share(row.after, after.samples)) + " (" +
           FormatNumber(static_cast<double>(row.after)) + ")</td><td>" +
           change + "</td></tr>";
  }
  return out + "</tbody></table>";
}

}  // namespace

void RenderCpuProfiles(const HtmlReportInput& input, const Index& index,
                       Page& page) {
  if (input.cpu_profiles == nullptr || !input.cpu_profiles->present) return;
  const CpuProfileSet& set = *input.cpu_profiles;
  page.Add("<h2 id=\"cpu\">CPU profiles</h2><p class=\"legend\">From " +
           HtmlEscape(set.profiler.empty() ? "perf" : set.profiler) +
           ", one process per benchmark after the timed runs (its timings "
           "are not used). A sample is one tick of CPU time of the whole "
           "process, set-up and Google Benchmark's runs that size the loop "
           "included; a share from N samples is good to about "
           "&#177;1/&#8730;N (&#177;3% at 1,000). Self time is the innermost "
           "frame's; inlined functions have no frame of their own, so their "
           "time is their caller's. ");
  page.Add(set.kernel_visible
               ? "Kernel time shows as kernel frames. "
               : "Only user space was sampled (perf_event_paranoid): kernel "
                 "time is not seen. ");
  page.Add(
      "Before and after side by side; the table under them lists the "
      "functions whose share of self time moved most.</p>");
  if (!set.unavailable.empty()) {
    page.Add(
        "<p class=\"warn\">No CPU profiles: " + HtmlEscape(set.unavailable) +
        ". (No callgrind fallback: callgrind's counts are instructions, "
        "not time; see bench-all --instructions.)</p>");
  }
  for (const std::string& note : set.notes) {
    page.Add("<p class=\"warn\">" + HtmlEscape(note) + "</p>");
  }
  // Pair key -> its variants' profiles; benchmarks outside a pair alone.
  std::map<std::string, std::vector<const CpuProfile*>> groups;
  for (const CpuProfile& profile : set.profiles) {
    const BenchmarkName name = ParseBenchmarkName(profile.benchmark);
    groups[name.pair_key.empty() ? profile.benchmark : name.pair_key].push_back(
        &profile);
  }
  for (auto& [key, profiles] : groups) {
    std::stable_sort(
        profiles.begin(), profiles.end(),
        [](const CpuProfile* a, const CpuProfile* b) {
          return VariantRank(ParseBenchmarkName(a->benchmark).variant) <
                 VariantRank(ParseBenchmarkName(b->benchmark).variant);
        });
    const std::string anchor = index.Anchor(key);
    page.Add("<h3 class=\"mono\">" +
             (anchor.empty()
                  ? HtmlEscape(key)
                  : "<a href=\"#" + anchor + "\">" + HtmlEscape(key) + "</a>") +
             "</h3><div class=\"cpu-sides\">");
    const CpuProfile* before = nullptr;
    const CpuProfile* after = nullptr;
    for (const CpuProfile* profile : profiles) {
      const std::string variant =
          ParseBenchmarkName(profile->benchmark).variant;
      if (variant == kBefore) before = profile;
      if (variant == kAfter) after = profile;
      page.Add("<div class=\"cpu-side\"><h4 class=\"mono\">" +
               HtmlEscape(variant.empty() ? profile->benchmark : variant) +
               "</h4><div class=\"dim small\">" + SamplesLine(*profile) +
               "</div>" + SelfTable(*profile) +
               RenderFlame(profile->flame, "samples") + "</div>");
    }
    page.Add("</div>");
    if (before != nullptr && after != nullptr) {
      page.Add(Differential(*before, *after));
    }
  }
}

}  // namespace hotpath::benchgate::html
