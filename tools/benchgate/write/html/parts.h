// The pieces of the HTML report that its sections share: metric names,
// the index of pairs and targets, number and badge formatting, the ratio
// bar and the repetition strip, and the page being written. Internal to
// write/render_html.cc and write/html/*.cc, one file per part of the page:
// parts.cc (these helpers), top.cc (header, targets, what changed),
// pairs.cc (every pair, the allocator matrix), flame.cc (allocation sites
// and flame graphs), tables.cc (run context, every benchmark).

#ifndef HOTPATH_TOOLS_BENCHGATE_WRITE_HTML_PARTS_H_
#define HOTPATH_TOOLS_BENCHGATE_WRITE_HTML_PARTS_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/model.h"
#include "benchgate/write/render_html.h"
#include "benchgate/write/report.h"

namespace hotpath::benchgate::html {

inline constexpr std::string_view kAllocs = "allocs_per_op";
inline constexpr std::string_view kBytes = "bytes_per_op";
inline constexpr std::string_view kP99 = "p99_ns";
inline constexpr std::string_view kLockWait = "lock_wait_ns_per_op";
inline constexpr std::string_view kLockAcq = "lock_acquisitions_per_op";
inline constexpr std::string_view kInstructions = "instructions_per_op";
inline constexpr std::string_view kItemsPerSecond = "items_per_second";

// All variants of one operation: before, after and named peers.
struct Group {
  std::string key;
  const Benchmark* before = nullptr;
  const Benchmark* after = nullptr;
  std::vector<const Benchmark*> peers;

  std::vector<std::pair<std::string, const Benchmark*>> Variants() const {
    std::vector<std::pair<std::string, const Benchmark*>> variants;
    if (before != nullptr) variants.emplace_back(kBefore, before);
    if (after != nullptr) variants.emplace_back(kAfter, after);
    for (const Benchmark* peer : peers) {
      variants.emplace_back(peer->parsed.variant, peer);
    }
    return variants;
  }
};

struct TargetHit {
  const TargetResult* target;
  const PairResult* pair;
};

// Everything looked up by name while rendering.
struct Index {
  std::map<std::string, const ItemComparison*, std::less<>> items;
  std::map<std::string, std::vector<TargetHit>, std::less<>> targets;
  std::map<std::string, std::string, std::less<>> pair_anchor;  // by key
  std::map<std::string, const Group*, std::less<>> groups;      // by key
  // The baseline's before/after by key, for absolute times of both sides.
  std::map<std::string, VariantPair, std::less<>> baseline_pairs;
  // report --history: each benchmark's series; null without it.
  const std::map<std::string, HistoryTrend, std::less<>>* history = nullptr;

  const ItemComparison* Item(std::string_view name) const {
    const auto it = items.find(name);
    return it == items.end() ? nullptr : it->second;
  }
  std::string Anchor(std::string_view key) const {
    const auto it = pair_anchor.find(key);
    return it == pair_anchor.end() ? std::string() : it->second;
  }
};

struct RatioBar {
  double ratio = 1.0;
  std::optional<double> low;
  std::optional<double> high;
  std::optional<double> goal;
  const char* css_class = "dim";  // colour of the bar
  std::string title;
};

class Page {
 public:
  void Add(std::string_view html) { html_ += html; }
  std::string& Html() { return html_; }

 private:
  std::string html_;
};

std::string Fixed(double value, int decimals = 1);
std::string SortKey(double value);
std::string FormatBytes(double bytes);
std::string FormatValue(std::string_view metric, double value);
const char* VerdictClass(Verdict verdict);
const char* StatusClass(TargetStatus status);
std::string Badge(const char* css_class, std::string_view text);
double Median(const Observations& obs);
double RelativeMad(const Observations& obs);
std::optional<double> MedianOf(const Benchmark* benchmark,
                               std::string_view metric);
std::vector<Group> GroupsOf(const Run& run);
std::string PairAnchor(std::size_t index);
Index BuildIndex(const Report& report, const std::vector<Group>& groups,
                 const Run* baseline);
std::string PairLink(const Index& index, std::string_view key);
std::string PairLink(const Index& index, std::string_view key,
                     std::string_view label);
// A benchmark name as HTML, escaped, with a break opportunity after each
// "/" so narrow screens break names between their parts.
std::string NameHtml(std::string_view name);
// Three significant figures, no exponent for ordinary magnitudes.
std::string Sig(double value);
// A ratio as a speedup: 0.043 -> "23x", 0.6 -> "1.7x".
std::string Speedup(double ratio);
// The pair key of an item (its own name for ratio items).
std::string ItemKey(const ItemComparison& item);
// The metric that decided the item's verdict: of the counted metrics with
// that verdict, the largest change; null when none decided.
const MetricComparison* Deciding(const ItemComparison& item);
// The metric to show for an item: the deciding one, else real time.
const MetricComparison* Shown(const ItemComparison& item);
// One plain sentence on a metric's verdict, HTML: "slower by 18% [+12%,
// +25%], beyond the noise of &#177;6%", or for ratio items the speedup
// before and now with absolute times of both sides.
std::string VerdictSentence(const ItemComparison& item,
                            const MetricComparison& m, const Index& index);
// The statistics in plain sentences, from what the report holds: the
// interval of a change, the noise it is beyond, q, exact counts, a
// target's simultaneous interval. Empty when nothing needs explaining.
std::string StatsLegend(const Report& report);
void RenderStory(const HtmlReportInput& input, const Index& index, Page& page);
double RatioX(double ratio);
std::string RenderRatioBar(const RatioBar& bar);
std::string RenderStrip(const Observations& obs);
std::string RenderPairChart(
    const std::vector<std::pair<std::string, const Benchmark*>>& variants);
// A benchmark's real time over its last runs: a line on a log axis, each
// step flagged by a dashed line, this run a filled dot.
std::string RenderTrend(const HistoryTrend& trend, std::string_view label);
std::string FlameColour(std::string_view name);
std::string Truncate(std::string_view text, std::size_t chars);
std::string ShortFrame(std::string_view frame, std::size_t chars);
std::string TopFrame(const AllocationSite& site);
bool IsRunnerFrame(std::string_view frame);
// `unit`: what a stack's value counts ("calls", "samples").
std::string RenderFlame(const std::vector<FlameStack>& stacks,
                        std::string_view unit = "calls");
void RenderProfiles(const HtmlReportInput& input, const Index& index,
                    Page& page);
void RenderCpuProfiles(const HtmlReportInput& input, const Index& index,
                       Page& page);
void RenderHeader(const HtmlReportInput& input, const Index& index, Page& page);
std::string MeasuredSummary(const TargetResult& target);
RatioBar TargetBar(const TargetResult& target, const PairResult& pair);
void RenderTarget(const TargetResult& target, const Index& index, Page& page);
void RenderTargets(const HtmlReportInput& input, const Index& index,
                   Page& page);
std::string ChangeOf(const ItemComparison& item);
std::string ItemDetails(const ItemComparison& item, const Index& index);
double ChangeSize(const ItemComparison& item);
void RenderChanges(const HtmlReportInput& input, const Index& index,
                   Page& page);
std::string BaselineCell(const Index& index, const Benchmark& benchmark);
bool GroupChanged(const Group& group, const Index& index);
void RenderGroup(const Group& group, const Index& index,
                 const std::string& anchor, Page& page);
void RenderPairs(const std::vector<Group>& groups, const Index& index,
                 Page& page);
void RenderAllocators(const HtmlReportInput& input, Page& page);
void RenderContext(const HtmlReportInput& input, Page& page);
void RenderAllBenchmarks(const HtmlReportInput& input, const Index& index,
                         Page& page);

}  // namespace hotpath::benchgate::html

#endif  // HOTPATH_TOOLS_BENCHGATE_WRITE_HTML_PARTS_H_
