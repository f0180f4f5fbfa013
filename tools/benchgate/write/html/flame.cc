// Allocation sites and flame graphs of the HTML report.
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

struct FlameNode {
  std::string name;
  uint64_t value = 0;
  std::vector<std::size_t> children;
};

// Deterministic warm colour per frame name, so one function keeps its
// colour across graphs.
std::string FlameColour(std::string_view name) {
  uint32_t hash = 2166136261u;
  for (const char c : name) {
    hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  }
  const int hue = static_cast<int>(hash % 50u);  // red to yellow
  const int light = 58 + static_cast<int>((hash >> 8) % 16u);
  return "hsl(" + std::to_string(hue) + ",80%," + std::to_string(light) + "%)";
}

// Cuts to at most `chars` characters without splitting a UTF-8 sequence.
std::string Truncate(std::string_view text, std::size_t chars) {
  if (text.size() <= chars) return std::string(text);
  if (chars < 2) return "";
  std::size_t cut = chars - 1;
  while (cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0u) == 0x80u) --cut;
  return std::string(text.substr(0, cut)) + "\u2026";
}

constexpr std::size_t kFrameChars = 100;
constexpr std::size_t kSitesShown = 5;
constexpr std::size_t kFramesShown = 6;

// A frame as the report shows it: without its parameter list (C++ names
// repeat their namespaces and templates there) and cut to `chars`. Keeps
// the page small: a full suite has ~270 profiles.
std::string ShortFrame(std::string_view frame, std::size_t chars) {
  constexpr std::string_view kAnonymous = "(anonymous namespace)";
  std::string out;
  out.reserve(std::min(frame.size(), chars));
  int depth = 0;
  for (std::size_t i = 0; i < frame.size(); ++i) {
    const char c = frame[i];
    if (depth == 0 && frame.substr(i).starts_with(kAnonymous)) {
      out += "{anonymous}";
      i += kAnonymous.size() - 1;
      continue;
    }
    if (c == '(') {
      if (depth++ == 0) out += "(\u2026)";
      continue;
    }
    if (c == ')' && depth > 0) {
      --depth;
      continue;
    }
    if (depth == 0) out += c;
  }
  return Truncate(out, chars);
}

// The allocating function of a site, as the report shows it.
std::string TopFrame(const AllocationSite& site) {
  return ShortFrame(site.stack.empty() ? "?" : site.stack.front(), kFrameChars);
}

// Frames above the benchmark: the process's and threads' entries, main,
// Google Benchmark's runner, and frames with no symbol (heaptrack's
// "0x...", perf's "[unknown] (libbenchmark.so...)").
bool IsRunnerFrame(std::string_view frame) {
  return frame == "main" || frame.starts_with("benchmark::") ||
         frame.starts_with("0x") || frame.starts_with("[unknown]") ||
         frame.starts_with("__libc_start") || frame.starts_with("_start") ||
         frame == "clone" || frame == "clone3" || frame == "start_thread" ||
         frame.starts_with("std::thread::") ||
         frame.starts_with("execute_native_thread_routine");
}

std::string RenderFlame(const std::vector<FlameStack>& stacks,
                        std::string_view unit) {
  std::vector<FlameNode> nodes(1);
  nodes[0].name = "all";
  for (const FlameStack& stack : stacks) {
    std::size_t at = 0;
    nodes[0].value += stack.value;
    bool in_runner = true;
    for (const std::string& frame : stack.frames) {
      // The harness's frames above the benchmark (main, Google Benchmark's
      // runner, unsymbolised library addresses) are the same in every graph.
      if (in_runner && IsRunnerFrame(frame)) continue;
      in_runner = false;
      std::size_t next = nodes.size();
      for (const std::size_t child : nodes[at].children) {
        if (nodes[child].name == frame) {
          next = child;
          break;
        }
      }
      if (next == nodes.size()) {
        nodes.push_back(FlameNode{frame, 0, {}});
        nodes[at].children.push_back(next);
      }
      nodes[next].value += stack.value;
      at = next;
    }
  }
  if (nodes[0].value == 0) return "";
  for (FlameNode& node : nodes) {
    std::sort(node.children.begin(), node.children.end(),
              [&](std::size_t a, std::size_t b) {
                return nodes[a].value > nodes[b].value;
              });
  }
  // Breadth first so that the cap drops the deepest, narrowest frames.
  constexpr double kWidth = 1000.0;
  constexpr double kRow = 17.0;
  constexpr double kMinWidth = 8.0;  // 0.8% of the calls
  struct Placed {
    std::size_t node;
    double x;
    int depth;
  };
  std::vector<Placed> queue = {{0, 0.0, 0}};
  std::string rects;
  int drawn = 0;
  int max_depth = 0;
  int merged = 0;
  const double total = static_cast<double>(nodes[0].value);
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const Placed placed = queue[head];
    const FlameNode& node = nodes[placed.node];
    const double width = static_cast<double>(node.value) / total * kWidth;
    if (drawn >= kMaxFlameRects || width < kMinWidth) {
      ++merged;
      continue;
    }
    ++drawn;
    max_depth = std::max(max_depth, placed.depth);
    const double y = placed.depth * kRow;
    const std::string title =
        ShortFrame(node.name, kFrameChars) + ": " +
        FormatNumber(static_cast<double>(node.value)) + " " +
        std::string(unit) + " (" +
        FormatPercent(static_cast<double>(node.value) / total) + ")";
    rects += "<g><title>" + HtmlEscape(title) + "</title><rect x=\"" +
             Fixed(placed.x) + "\" y=\"" + Fixed(y) + "\" width=\"" +
             Fixed(width) + "\" height=\"16\" fill=\"" +
             FlameColour(node.name) + "\"/>";
    const auto chars =
        static_cast<std::size_t>(std::max(0.0, (width - 6) / 6.6));
    if (chars >= 3) {
      rects += "<text x=\"" + Fixed(placed.x + 3) + "\" y=\"" + Fixed(y + 12) +
               "\">" +
               HtmlEscape(Truncate(ShortFrame(node.name, kFrameChars), chars)) +
               "</text>";
    }
    rects += "</g>";
    double x = placed.x;
    for (const std::size_t child : node.children) {
      queue.push_back(Placed{child, x, placed.depth + 1});
      x += static_cast<double>(nodes[child].value) / total * kWidth;
    }
  }
  const double height = (max_depth + 1) * kRow;
  std::string svg = "<svg class=\"flame\" viewBox=\"0 0 1000 " +
                    Fixed(height, 0) + "\" width=\"100%\" role=\"img\">" +
                    rects + "</svg>";
  if (merged > 0) {
    svg += "<p class=\"dim small\">" + std::to_string(merged) +
           " frames narrower than 0.8% of the " + std::string(unit) +
           " (or past the cap of " + std::to_string(kMaxFlameRects) +
           " rectangles) are not drawn.</p>";
  }
  return svg;
}

void RenderProfiles(const HtmlReportInput& input, const Index& index,
                    Page& page) {
  if (input.profiles == nullptr) return;
  const ProfileSet& profiles = *input.profiles;
  if (profiles.Empty() && profiles.notes.empty()) return;
  page.Add(
      "<h2 id=\"sites\">Allocation sites</h2><p class=\"legend\">From "
      "heaptrack, per benchmark process (set-up included): the sites with the "
      "most calls to allocation functions, calls per benchmark iteration (a "
      "site in the timed loop makes one or more, a set-up site nearly 0), and "
      "an allocation flame graph "
      "(width: calls along the stack; hover for counts).</p>");
  for (const std::string& note : profiles.notes) {
    page.Add("<p class=\"warn\">" + HtmlEscape(note) + "</p>");
  }
  for (const BenchmarkProfile& profile : profiles.profiles) {
    const std::string key = ParseBenchmarkName(profile.benchmark).pair_key;
    const std::string anchor = index.Anchor(key);
    page.Add("<h3 class=\"mono\">" +
             (anchor.empty() ? HtmlEscape(profile.benchmark)
                             : "<a href=\"#" + anchor + "\">" +
                                   HtmlEscape(profile.benchmark) + "</a>") +
             "</h3><div class=\"dim\">" +
             FormatNumber(static_cast<double>(profile.total_calls)) +
             " allocation calls");
    if (profile.iterations > 0) {
      page.Add(" over " +
               FormatNumber(static_cast<double>(profile.iterations)) +
               " iterations (" +
               FormatNumber(static_cast<double>(profile.total_calls) /
                            static_cast<double>(profile.iterations)) +
               " per iteration)");
    }
    page.Add("; <code>" + HtmlEscape(profile.source) + "</code></div>");
    // A benchmark whose timed loop allocates nothing (the exact count) has
    // only set-up sites: one line for it, the table and graph for the rest.
    const Benchmark* measured = input.run->Find(profile.benchmark);
    const Observations* allocs =
        measured == nullptr ? nullptr : measured->Find(kAllocs);
    if (allocs != nullptr && allocs->median < 0.005) {
      page.Add("<p class=\"dim small\">" + FormatNumber(allocs->median) +
               " allocations per op in the timed loop: every call above is "
               "set-up" +
               (profile.sites.empty()
                    ? std::string()
                    : " (busiest: " +
                          HtmlEscape(TopFrame(profile.sites.front())) + ", " +
                          FormatNumber(static_cast<double>(
                              profile.sites.front().calls)) +
                          " calls)") +
               ".</p>");
      continue;
    }
    if (!profile.sites.empty()) {
      page.Add(
          "<table><thead><tr><th class=\"n\">#</th><th class=\"n\">calls</th>"
          "<th class=\"n\">per iteration</th><th class=\"n\">peak</th><th>"
          "site and call stack</th></tr></thead><tbody>");
      int rank = 0;
      for (const AllocationSite& site : profile.sites) {
        if (static_cast<std::size_t>(rank) == kSitesShown) break;
        const std::string top = TopFrame(site);
        page.Add("<tr><td class=\"n\">" + std::to_string(++rank) +
                 "</td><td class=\"n\">" +
                 FormatNumber(static_cast<double>(site.calls)) +
                 "</td><td class=\"n\">" +
                 (profile.iterations > 0
                      ? FormatNumber(static_cast<double>(site.calls) /
                                     static_cast<double>(profile.iterations))
                      : "-") +
                 "</td><td class=\"n\">" +
                 FormatBytes(static_cast<double>(site.peak_bytes)) +
                 "</td><td class=\"name\"><details><summary>" +
                 HtmlEscape(top) + "</summary><ol class=\"stack\">");
        std::size_t shown = 0;
        for (const std::string& frame : site.stack) {
          if (shown++ == kFramesShown) {
            page.Add("<li class=\"dim\">\u2026</li>");
            break;
          }
          page.Add("<li>" + HtmlEscape(ShortFrame(frame, kFrameChars)) +
                   "</li>");
        }
        page.Add("</ol></details></td></tr>");
      }
      page.Add("</tbody></table>");
    }
    page.Add(RenderFlame(profile.flame));
  }
}

}  // namespace hotpath::benchgate::html
