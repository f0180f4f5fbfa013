#include "benchgate/write/render_html.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "benchgate/judge/stats.h"
#include "benchgate/write/format.h"

namespace hotpath::benchgate {
namespace {

constexpr std::string_view kAllocs = "allocs_per_op";
constexpr std::string_view kBytes = "bytes_per_op";
constexpr std::string_view kP99 = "p99_ns";
constexpr std::string_view kLockWait = "lock_wait_ns_per_op";
constexpr std::string_view kLockAcq = "lock_acquisitions_per_op";
constexpr std::string_view kInstructions = "instructions_per_op";
constexpr std::string_view kItemsPerSecond = "items_per_second";

std::string Fixed(double value, int decimals = 1) {
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
  return groups;
}

// "p12": built by appending, since GCC 12 -O3 warns falsely (-Wrestrict)
// on "literal" + std::string temporaries.
std::string PairAnchor(std::size_t index) {
  std::string anchor(1, 'p');
  anchor += std::to_string(index + 1);
  return anchor;
}

struct TargetHit {
  const TargetResult* target;
  const PairResult* pair;
};

// Everything looked up by name while rendering.
struct Index {
  std::map<std::string, const ItemComparison*, std::less<>> items;
  std::map<std::string, std::vector<TargetHit>, std::less<>> targets;
  std::map<std::string, std::string, std::less<>> pair_anchor;  // by key

  const ItemComparison* Item(std::string_view name) const {
    const auto it = items.find(name);
    return it == items.end() ? nullptr : it->second;
  }
  std::string Anchor(std::string_view key) const {
    const auto it = pair_anchor.find(key);
    return it == pair_anchor.end() ? std::string() : it->second;
  }
};

Index BuildIndex(const Report& report, const std::vector<Group>& groups) {
  Index index;
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
  }
  return index;
}

std::string PairLink(const Index& index, std::string_view key) {
  const std::string anchor = index.Anchor(key);
  if (anchor.empty()) return HtmlEscape(key);
  return "<a href=\"#" + anchor + "\">" + HtmlEscape(key) + "</a>";
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

struct RatioBar {
  double ratio = 1.0;
  std::optional<double> low;
  std::optional<double> high;
  std::optional<double> goal;
  const char* css_class = "dim";  // colour of the bar
  std::string title;
};

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
    title += " " + FormatTime(v);
  }
  return "<svg class=\"strip\" width=\"140\" height=\"16\" "
         "role=\"img\"><title>" +
         HtmlEscape(title) +
         "</title><line x1=\"70\" x2=\"70\" y1=\"1\" y2=\"15\" "
         "class=\"axis1\"/>" +
         dots + "</svg><span class=\"axis-label\">&#177;" +
         Fixed(axis * 100.0, 0) + "%</span>";
}

// ------------------------------------------------------------- flames ---

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

bool IsRunnerFrame(std::string_view frame) {
  return frame == "main" || frame.starts_with("benchmark::") ||
         frame.starts_with("0x") || frame.starts_with("__libc_start") ||
         frame.starts_with("_start");
}

std::string RenderFlame(const std::vector<FlameStack>& stacks) {
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
        FormatNumber(static_cast<double>(node.value)) + " calls (" +
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
           " frames narrower than 0.8% of the calls (or past the cap of " +
           std::to_string(kMaxFlameRects) + " rectangles) are not drawn.</p>";
  }
  return svg;
}

// ------------------------------------------------------------ writer ---

class Page {
 public:
  void Add(std::string_view html) { html_ += html; }
  std::string& Html() { return html_; }

 private:
  std::string html_;
};

constexpr std::string_view kStyle = R"CSS(
:root{--good:#1a7f37;--bad:#cf222e;--warn:#9a6700;--dim:#6e7781;--line:#d8dee4;--bg2:#f6f8fa}
*{box-sizing:border-box}
body{font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0 auto;padding:16px 24px 48px;max-width:1600px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:14px;margin:16px 0 6px}h4{font-size:13px;margin:10px 0 4px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:var(--bg2);padding:8px;border-radius:4px;white-space:pre-wrap;word-break:break-all}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
nav{margin:8px 0;color:var(--dim)}nav a{margin-right:12px}
.verdict{font-size:16px;font-weight:600;padding:8px 12px;border-radius:6px;margin:12px 0;border:1px solid}
.verdict.good{background:#dafbe1;border-color:#4ac26b}.verdict.bad{background:#ffebe9;border-color:#ff8182}
.good{color:var(--good)}.bad{color:var(--bad)}.warn{color:var(--warn)}.dim{color:var(--dim)}.small{font-size:11px}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:11px;font-weight:600;border:1px solid currentColor;white-space:nowrap}
table{border-collapse:collapse;margin:4px 0 8px}
th,td{padding:2px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{background:var(--bg2);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.target{border:1px solid var(--line);border-radius:6px;padding:6px 12px;margin:10px 0}
.target>h3{margin:4px 0}
.pair{border-top:1px solid var(--line);padding:4px 0 6px}
.pair h4 .mono{font-weight:600}.pair h4{margin:6px 0 2px}
.pair-body{display:flex;flex-wrap:wrap;gap:4px 24px;align-items:flex-start}.pair-body table{margin:0}.pair-body>table:first-child{min-width:720px}
.bars td{border:none;padding:0 8px 0 0}
details.area>summary{font-size:15px;font-weight:600;margin:14px 0 4px;cursor:pointer}
svg.ratio .grid{stroke:#eaeef2}svg.ratio .axis1,svg.strip .axis1{stroke:#8c959f}
svg.ratio rect.good{fill:#4ac26b}svg.ratio rect.bad{fill:#ff6a69}svg.ratio rect.warn{fill:#d4a72c}svg.ratio rect.dim{fill:#afb8c1}
svg.ratio .ci{stroke:#1f2328;fill:none}svg.ratio .goal{stroke:#1f2328;stroke-dasharray:3 2;stroke-width:1.5}
svg.strip circle{fill:#0969da;fill-opacity:.55}svg.strip circle.out{fill:var(--bad)}
svg{vertical-align:middle}.axis-label{color:var(--dim);font-size:10px;margin-left:2px}
svg.flame text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#1f2328;pointer-events:none}
svg.flame rect{stroke:#fff;stroke-width:.5}svg.flame g:hover rect{stroke:#1f2328}
.legend{color:var(--dim);font-size:12px;margin:4px 0}
#all th{cursor:pointer;user-select:none}#all th[aria-sort=ascending]::after{content:" \25B2"}#all th[aria-sort=descending]::after{content:" \25BC"}
#filter{font:inherit;padding:3px 6px;width:320px;margin:4px 0}
ol.stack{margin:4px 0;padding-left:24px}
)CSS";

// Sorts the full table on a header click and filters it as one types; the
// state lives in the URL hash (#sort=COLUMN&dir=desc&q=TEXT) so a sorted
// view can be linked. Without script the table is complete, only unsorted.
constexpr std::string_view kScript = R"JS(
(function () {
  var table = document.getElementById('all');
  if (!table) return;
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  var filter = document.getElementById('filter');
  filter.hidden = false;
  function key(cell) {
    var v = cell.getAttribute('data-v');
    if (v !== null) return parseFloat(v);
    return cell.textContent.trim().toLowerCase();
  }
  function save(col, dir) {
    var parts = [];
    if (col) parts.push('sort=' + encodeURIComponent(col) + '&dir=' + dir);
    if (filter.value) parts.push('q=' + encodeURIComponent(filter.value));
    history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname);
  }
  function sortBy(index, dir) {
    var rows = Array.prototype.slice.call(body.rows);
    var sign = dir === 'desc' ? -1 : 1;
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      var xe = x === '' || (typeof x === 'number' && isNaN(x));
      var ye = y === '' || (typeof y === 'number' && isNaN(y));
      if (xe || ye) return xe === ye ? 0 : (xe ? 1 : -1);
      if (typeof x !== typeof y) { x = String(x); y = String(y); }
      return x < y ? -sign : (x > y ? sign : 0);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    heads[index].setAttribute('aria-sort', dir === 'desc' ? 'descending' : 'ascending');
  }
  function apply() {
    var q = filter.value.toLowerCase();
    for (var i = 0; i < body.rows.length; i++) {
      var row = body.rows[i];
      row.hidden = q !== '' && row.textContent.toLowerCase().indexOf(q) < 0;
    }
  }
  Array.prototype.forEach.call(heads, function (head, index) {
    head.addEventListener('click', function () {
      var dir = head.getAttribute('aria-sort') === 'ascending' ? 'desc' : 'asc';
      sortBy(index, dir);
      save(head.getAttribute('data-col'), dir);
    });
  });
  filter.addEventListener('input', function () {
    apply();
    var sorted = table.querySelector('th[aria-sort]');
    save(sorted && sorted.getAttribute('data-col'),
         sorted && sorted.getAttribute('aria-sort') === 'descending' ? 'desc' : 'asc');
  });
  var params = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (part) {
    var eq = part.indexOf('=');
    if (eq > 0) params[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1));
  });
  if (params.q) { filter.value = params.q; apply(); }
  if (params.sort) {
    for (var i = 0; i < heads.length; i++) {
      if (heads[i].getAttribute('data-col') === params.sort) {
        sortBy(i, params.dir === 'desc' ? 'desc' : 'asc');
      }
    }
  }
})();
)JS";

// ----------------------------------------------------------- sections ---

void RenderHeader(const HtmlReportInput& input, Page& page) {
  const Report& report = *input.report;
  const Run& run = *input.run;
  page.Add("<h1>benchgate report</h1><div class=\"dim\">Run <code>" +
           HtmlEscape(report.run_source) + "</code>, fingerprint <code>" +
           HtmlEscape(report.run_fingerprint) + "</code>");
  if (!run.info.allocator.empty()) {
    page.Add(", allocator <code>" + HtmlEscape(run.info.allocator) + "</code>");
  }
  if (!run.info.revision.empty()) {
    page.Add(", revision <code>" + HtmlEscape(run.info.revision) + "</code>");
  }
  page.Add(", " + std::to_string(run.benchmarks.size()) + " benchmarks");
  if (!report.baseline_source.empty()) {
    page.Add("; baseline <code>" + HtmlEscape(report.baseline_source) +
             "</code>");
  }
  page.Add("</div>");
  page.Add(std::string("<div class=\"verdict ") +
           (report.exit_code == kExitPass ? "good" : "bad") +
           "\" id=\"verdict\">" + HtmlEscape(ResultLine(report)) + "</div>");
  // What the timings are to this verdict, in one sentence, then how
  // tightly they were bounded.
  if (report.comparison && !report.comparison->timing_note.empty()) {
    page.Add("<p class=\"story\" id=\"timings\">" +
             HtmlEscape(report.comparison->timing_note) + ".");
    const std::string timing = TimingLine(report);
    if (!timing.empty()) page.Add(" " + HtmlEscape(timing) + ".");
    page.Add("</p>");
  }
  std::vector<std::string> notes = report.notes;
  if (report.comparison) {
    notes.insert(notes.end(), report.comparison->notes.begin(),
                 report.comparison->notes.end());
  }
  notes.insert(notes.end(), run.notes.begin(), run.notes.end());
  if (!notes.empty()) {
    page.Add("<ul class=\"notes\">");
    for (const std::string& note : notes) {
      page.Add("<li>" + HtmlEscape(note) + "</li>");
    }
    page.Add("</ul>");
  }
  if (!report.failed_benchmarks.empty()) {
    page.Add("<h3 class=\"bad\">Failed benchmarks</h3><ul>");
    for (const std::string& failure : report.failed_benchmarks) {
      page.Add("<li class=\"mono\">" + HtmlEscape(failure) + "</li>");
    }
    page.Add("</ul>");
  }
  page.Add(
      "<nav><a href=\"#targets\">Targets</a><a href=\"#changes\">Against the "
      "baseline</a><a href=\"#pairs\">Pairs</a>");
  if (input.allocators.size() > 1) {
    page.Add("<a href=\"#allocators\">Allocators</a>");
  }
  if (input.profiles != nullptr && !input.profiles->Empty()) {
    page.Add("<a href=\"#sites\">Allocation sites</a>");
  }
  page.Add(
      "<a href=\"#context\">Run context</a><a href=\"#benchmarks\">All "
      "benchmarks</a></nav>");
}

// The measured ratios of a target in one phrase: the single pair's, or the
// range and the worst pair.
std::string MeasuredSummary(const TargetResult& target) {
  const PairResult* worst = nullptr;
  double low = 0.0;
  double high = 0.0;
  int measured = 0;
  for (const PairResult& pair : target.pairs) {
    if (!pair.ratio) continue;
    if (measured == 0) {
      low = high = *pair.ratio;
    } else {
      low = std::min(low, *pair.ratio);
      high = std::max(high, *pair.ratio);
    }
    ++measured;
    const bool worse = worst == nullptr || (target.target.goal == Goal::kAtMost
                                                ? *pair.ratio > *worst->ratio
                                                : *pair.ratio < *worst->ratio);
    if (worse) worst = &pair;
  }
  if (measured == 0) return "no measured pair";
  if (measured == 1) {
    std::string text = "ratio " + FormatRatio(*worst->ratio);
    if (worst->low && worst->high) {
      text += " " + FormatInterval(*worst->low, *worst->high) + " " +
              FormatPercent(worst->confidence);
    }
    return text;
  }
  return std::to_string(measured) + " pairs, ratios " + FormatRatio(low) +
         " to " + FormatRatio(high) + "; worst " + FormatRatio(*worst->ratio) +
         " (" + worst->pair + ")";
}

RatioBar TargetBar(const TargetResult& target, const PairResult& pair) {
  RatioBar bar;
  bar.ratio = pair.ratio.value_or(1.0);
  bar.low = pair.low;
  bar.high = pair.high;
  bar.goal = target.target.ratio;
  bar.css_class = StatusClass(pair.status);
  bar.title =
      target.target.metric + " after/before " +
      (pair.ratio ? FormatRatio(*pair.ratio) : "-") +
      (pair.low && pair.high ? " " + FormatInterval(*pair.low, *pair.high)
                             : std::string()) +
      ", goal " + FormatGoal(target.target) + ": " + ToString(pair.status);
  return bar;
}

void RenderTargets(const HtmlReportInput& input, const Index& index,
                   Page& page) {
  const Report& report = *input.report;
  page.Add("<h2 id=\"targets\">Targets</h2>");
  if (!report.targets) {
    page.Add("<p class=\"dim\">No targets checked (no --targets).</p>");
    return;
  }
  page.Add("<p class=\"legend\">After/before within " +
           HtmlEscape(report.targets->source) +
           ". Bars: the ratio on a log axis (0.001 to 10, solid line at 1), "
           "the interval as a whisker, the goal as a dashed line. PASS only "
           "when the whole interval clears the goal.</p>");
  for (const TargetResult& target : report.targets->targets) {
    page.Add("<div class=\"target\" id=\"target-" +
             HtmlEscape(target.target.name) + "\"><h3>" +
             HtmlEscape(target.target.name) + " " +
             Badge(StatusClass(target.status), ToString(target.status)) +
             "</h3><div><code>" + HtmlEscape(target.target.metric) +
             "</code> after/before " + HtmlEscape(FormatGoal(target.target)) +
             " &middot; measured: " + HtmlEscape(MeasuredSummary(target)) +
             "</div>");
    if (!target.target.description.empty()) {
      page.Add("<div class=\"dim small\">" +
               HtmlEscape(target.target.description) + "</div>");
    }
    if (!target.note.empty()) {
      page.Add("<div class=\"warn\">" + HtmlEscape(target.note) + "</div>");
    }
    if (target.pairs.empty()) {
      page.Add("</div>");
      continue;
    }
    // Long all-PASS tables start folded so the other targets stay in view.
    std::map<TargetStatus, int> counts;
    for (const PairResult& pair : target.pairs) ++counts[pair.status];
    const bool open =
        target.pairs.size() <= 10 ||
        counts[TargetStatus::kPass] != static_cast<int>(target.pairs.size());
    std::string summary;
    for (const auto& [status, count] : counts) {
      summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " +
                 ToString(status);
    }
    page.Add(std::string("<details") + (open ? " open" : "") + "><summary>" +
             std::to_string(target.pairs.size()) + " pairs: " + summary +
             "</summary>");
    page.Add(
        "<table><thead><tr><th>pair</th><th class=\"n\">before</th><th "
        "class=\"n\">after</th><th class=\"n\">ratio</th><th>interval</th>"
        "<th>ratio against the goal</th><th>result</th><th>note</th></tr>"
        "</thead><tbody>");
    for (const PairResult& pair : target.pairs) {
      const std::string& metric = target.target.metric;
      std::string interval = pair.method;
      if (pair.low && pair.high) {
        interval = FormatInterval(*pair.low, *pair.high) + " " +
                   FormatPercent(pair.confidence) + " " + pair.method;
      }
      page.Add(
          "<tr><td class=\"name\">" + PairLink(index, pair.pair) +
          "</td><td class=\"n\">" +
          (pair.before ? HtmlEscape(FormatValue(metric, *pair.before)) : "-") +
          "</td><td class=\"n\">" +
          (pair.after ? HtmlEscape(FormatValue(metric, *pair.after)) : "-") +
          "</td><td class=\"n\">" +
          (pair.ratio ? FormatRatio(*pair.ratio) : "-") + "</td><td>" +
          HtmlEscape(interval) + "</td><td>" +
          RenderRatioBar(TargetBar(target, pair)) + "</td><td>" +
          Badge(StatusClass(pair.status), ToString(pair.status)) +
          "</td><td class=\"dim small\">" + HtmlEscape(pair.note) +
          "</td></tr>");
    }
    page.Add("</tbody></table></details></div>");
  }
}

std::string ChangeOf(const ItemComparison& item) {
  const MetricComparison* time = item.Find(kRealTime);
  if (time == nullptr || time->verdict == Verdict::kNotCompared) return "";
  return FormatChange(time->change);
}

// The metrics of an item worth a line: everything not unchanged.
std::string ItemDetails(const ItemComparison& item) {
  std::string text;
  for (const MetricComparison& m : item.metrics) {
    if (m.verdict == Verdict::kUnchanged ||
        m.verdict == Verdict::kNotCompared) {
      continue;
    }
    const bool ratio = item.kind == ItemKind::kRatio;
    const auto value = [&](double v) {
      return ratio ? FormatRatio(v) : FormatValue(m.metric, v);
    };
    std::string line = m.metric + ": " + value(m.old_value) + " -> " +
                       value(m.new_value) + " (" + FormatChange(m.change) +
                       ") " + ToString(m.verdict);
    const std::string test = DescribeTest(m);
    if (!test.empty()) line += "; " + test;
    if (!m.note.empty()) line += "; " + m.note;
    text += "<div class=\"" + std::string(VerdictClass(m.verdict)) + "\">" +
            HtmlEscape(line) + "</div>";
  }
  if (!item.note.empty()) {
    text += "<div class=\"dim\">" + HtmlEscape(item.note) + "</div>";
  }
  return text;
}

void RenderChanges(const HtmlReportInput& input, const Index& index,
                   Page& page) {
  const Report& report = *input.report;
  page.Add("<h2 id=\"changes\">Against the baseline</h2>");
  if (!report.comparison) {
    page.Add(
        "<p class=\"dim\">No baseline compared (no --baseline, or none "
        "stored).</p>");
    return;
  }
  const Comparison& comparison = *report.comparison;
  page.Add("<p class=\"legend\"><code>" + HtmlEscape(comparison.old_source) +
           "</code> (" + HtmlEscape(comparison.old_fingerprint) +
           ") to <code>" + HtmlEscape(comparison.new_source) + "</code> (" +
           HtmlEscape(comparison.new_fingerprint) + "): " +
           (comparison.mode == CompareMode::kAbsolute
                ? "same fingerprint, absolute values"
                : "different fingerprints, after/before ratios and exact "
                  "metrics only") +
           ". " + std::to_string(report.summary.regressed) + " regressed, " +
           std::to_string(report.summary.improved) + " improved, " +
           std::to_string(report.summary.unchanged) + " unchanged, " +
           std::to_string(report.summary.unstable) + " unstable, " +
           std::to_string(report.summary.not_compared) +
           " not compared. Only the changed ones are listed here; every "
           "benchmark's verdict is in its pair and in the full table.</p>");
  std::vector<const ItemComparison*> changed;
  for (const ItemComparison& item : comparison.items) {
    if (item.verdict == Verdict::kRegressed ||
        item.verdict == Verdict::kImproved || item.verdict == Verdict::kError) {
      changed.push_back(&item);
    }
  }
  // Regressions first: they are why someone opens the page.
  std::stable_sort(changed.begin(), changed.end(),
                   [](const ItemComparison* a, const ItemComparison* b) {
                     return (a->verdict == Verdict::kRegressed) >
                            (b->verdict == Verdict::kRegressed);
                   });
  if (!changed.empty()) {
    page.Add(
        "<table><thead><tr><th>benchmark</th><th>verdict</th><th "
        "class=\"n\">time change</th><th>what changed</th></tr></thead>"
        "<tbody>");
    for (const ItemComparison* item : changed) {
      const std::string key = item->kind == ItemKind::kRatio
                                  ? item->name
                                  : ParseBenchmarkName(item->name).pair_key;
      const std::string anchor = index.Anchor(key);
      const std::string name = anchor.empty()
                                   ? HtmlEscape(item->name)
                                   : "<a href=\"#" + anchor + "\">" +
                                         HtmlEscape(item->name) + "</a>";
      page.Add("<tr><td class=\"name\">" + name + "</td><td>" +
               Badge(VerdictClass(item->verdict), ToString(item->verdict)) +
               "</td><td class=\"n\">" + HtmlEscape(ChangeOf(*item)) +
               "</td><td class=\"small\">" + ItemDetails(*item) + "</td></tr>");
    }
    page.Add("</tbody></table>");
  }
  const auto list = [&](const std::vector<std::string>& names,
                        const char* what) {
    if (names.empty()) return;
    page.Add("<details><summary>" + std::string(what) + " (" +
             std::to_string(names.size()) + ")</summary><ul>");
    for (const std::string& name : names) {
      page.Add("<li class=\"mono\">" + HtmlEscape(name) + "</li>");
    }
    page.Add("</ul></details>");
  };
  list(comparison.only_in_old, "Only in the baseline, not compared");
  list(comparison.only_in_new, "Only in this run, not compared");
}

// The cell "regressed +12.3%" for one benchmark against the baseline.
std::string BaselineCell(const Index& index, const Benchmark& benchmark) {
  const ItemComparison* item = index.Item(benchmark.name);
  if (item == nullptr) return "<td class=\"dim\">-</td>";
  std::string cell =
      "<td>" + Badge(VerdictClass(item->verdict), ToString(item->verdict));
  const std::string change = ChangeOf(*item);
  if (!change.empty()) cell += " <span class=\"mono\">" + change + "</span>";
  return cell + "</td>";
}

struct Column {
  std::string_view metric;
  const char* label;
};

void RenderGroup(const Group& group, const Index& index,
                 const std::string& anchor, Page& page) {
  const auto variants = group.Variants();
  page.Add("<div class=\"pair\" id=\"" + anchor +
           "\"><h4><span class=\"mono\">" + HtmlEscape(group.key) + "</span>");
  const ItemComparison* ratio_item = index.Item(group.key);
  if (ratio_item != nullptr && ratio_item->kind == ItemKind::kRatio) {
    page.Add(" &middot; vs baseline (after/before) " +
             Badge(VerdictClass(ratio_item->verdict),
                   ToString(ratio_item->verdict)) +
             " <span class=\"mono\">" + HtmlEscape(ChangeOf(*ratio_item)) +
             "</span>");
  }
  page.Add("</h4><div class=\"pair-body\">");

  // Ratio bars: time, allocations, and every target that covers the pair.
  std::string bars;
  const auto add_bar = [&](const std::string& label, const RatioBar& bar,
                           const std::string& value,
                           const std::string& status) {
    bars += "<tr><td class=\"small\">" + HtmlEscape(label) + "</td><td>" +
            RenderRatioBar(bar) + "</td><td class=\"n mono\">" + value +
            "</td><td>" + status + "</td></tr>";
  };
  const auto plain_bar = [&](std::string_view metric, const char* label) {
    const std::optional<double> before = MedianOf(group.before, metric);
    const std::optional<double> after = MedianOf(group.after, metric);
    if (!before || !after || *before <= 0.0) return;
    RatioBar bar;
    bar.ratio = *after / *before;
    bar.css_class =
        bar.ratio < 1.0 ? "good" : (bar.ratio > 1.0 ? "bad" : "dim");
    bar.title = std::string(metric) + " after/before " + FormatRatio(bar.ratio);
    add_bar(label, bar, FormatRatio(bar.ratio), "");
  };
  const auto hits = index.targets.find(group.key);
  bool allocs_target = false;
  plain_bar(kRealTime, "time a/b");
  if (hits != index.targets.end()) {
    for (const TargetHit& hit : hits->second) {
      allocs_target |= hit.target->target.metric == kAllocs;
      add_bar(hit.target->target.name + " (" + hit.target->target.metric + ")",
              TargetBar(*hit.target, *hit.pair),
              hit.pair->ratio ? FormatRatio(*hit.pair->ratio) : "-",
              Badge(StatusClass(hit.pair->status), ToString(hit.pair->status)) +
                  " <span class=\"dim small\">goal " +
                  HtmlEscape(FormatGoal(hit.target->target)) + "</span>");
    }
  }
  if (!allocs_target) plain_bar(kAllocs, "allocs a/b");

  // Optional columns only when some variant has the metric.
  std::vector<Column> columns;
  for (const Column& column :
       {Column{kP99, "p99"}, Column{kLockWait, "lock wait/op"},
        Column{kLockAcq, "lock acq/op"},
        Column{kInstructions, "instructions/op"}}) {
    for (const auto& [name, benchmark] : variants) {
      if (benchmark->Find(column.metric) != nullptr) {
        columns.push_back(column);
        break;
      }
    }
  }
  if (hits != index.targets.end()) {
    for (const TargetHit& hit : hits->second) {
      if (hit.target->target.metric == kItemsPerSecond) {
        columns.push_back(Column{kItemsPerSecond, "items/s"});
        break;
      }
    }
  }
  page.Add(
      "<table><thead><tr><th>variant</th><th class=\"n\">median time</th><th "
      "class=\"n\">&#177;MAD</th><th>repetitions</th><th class=\"n\">CPU</th>"
      "<th class=\"n\">allocs/op</th><th class=\"n\">bytes/op</th>");
  for (const Column& column : columns) {
    page.Add(std::string("<th class=\"n\">") + column.label + "</th>");
  }
  page.Add("<th>vs baseline</th></tr></thead><tbody>");
  for (const auto& [variant, benchmark] : variants) {
    const Observations* time = benchmark->Find(kRealTime);
    const auto cell = [&](std::string_view metric) {
      const std::optional<double> value = MedianOf(benchmark, metric);
      return "<td class=\"n\">" +
             (value ? HtmlEscape(FormatValue(metric, *value)) : "-") + "</td>";
    };
    page.Add("<tr><td class=\"name\">" + HtmlEscape(variant) +
             (benchmark->error ? " <span class=\"bad\">failed</span>" : "") +
             "</td>" + cell(kRealTime) + "<td class=\"n\">" +
             (time != nullptr && time->HasReps()
                  ? FormatPercent(RelativeMad(*time))
                  : "-") +
             "</td><td>" + (time != nullptr ? RenderStrip(*time) : "") +
             "</td>" + cell(kCpuTime) + cell(kAllocs) + cell(kBytes));
    for (const Column& column : columns) page.Add(cell(column.metric));
    page.Add(BaselineCell(index, *benchmark) + "</tr>");
  }
  page.Add("</tbody></table>");
  if (!bars.empty()) page.Add("<table class=\"bars\">" + bars + "</table>");
  page.Add("</div></div>");
}

void RenderPairs(const std::vector<Group>& groups, const Index& index,
                 Page& page) {
  page.Add(
      "<h2 id=\"pairs\">Pairs</h2><p class=\"legend\">Per operation: before, "
      "after and peers side by side. Time is the median real time per "
      "operation over the repetitions, &#177; its median absolute deviation "
      "(MAD) as a share of the median; each dot is one repetition, placed "
      "relative to the median (red: beyond the axis). Allocations and bytes "
      "per op are exact counts from the timed loop.</p>");
  std::string area;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::string group_area =
        std::string(ParseBenchmarkName(groups[i].key).area);
    if (group_area != area) {
      if (!area.empty()) page.Add("</details>");
      area = group_area;
      page.Add("<details class=\"area\" open><summary>" + HtmlEscape(area) +
               "</summary>");
    }
    RenderGroup(groups[i], index, PairAnchor(i), page);
  }
  if (!area.empty()) page.Add("</details>");
  if (groups.empty()) {
    page.Add("<p class=\"dim\">No before/after pairs in this run.</p>");
  }
}

void RenderAllocators(const HtmlReportInput& input, Page& page) {
  if (input.allocators.size() < 2) return;
  page.Add(
      "<h2 id=\"allocators\">Allocator matrix</h2><p class=\"legend\">The "
      "same binaries with each allocator preloaded: median real time and "
      "allocations per op, before and after.</p><table><thead><tr><th "
      "rowspan=\"2\">pair</th>");
  for (const AllocatorRun& each : input.allocators) {
    page.Add("<th colspan=\"4\">" + HtmlEscape(each.allocator) + "</th>");
  }
  page.Add("</tr><tr>");
  for (std::size_t i = 0; i < input.allocators.size(); ++i) {
    page.Add(
        "<th class=\"n\">before</th><th class=\"n\">after</th><th "
        "class=\"n\">a/b</th><th class=\"n\">allocs b&#8594;a</th>");
  }
  page.Add("</tr></thead><tbody>");
  std::vector<std::string> keys;
  std::set<std::string> seen;
  std::vector<std::map<std::string, VariantPair>> pairs;
  for (const AllocatorRun& each : input.allocators) {
    std::map<std::string, VariantPair> by_key;
    for (const VariantPair& pair : each.run.Pairs()) {
      if (seen.insert(pair.key).second) keys.push_back(pair.key);
      by_key.emplace(pair.key, pair);
    }
    pairs.push_back(std::move(by_key));
  }
  for (const std::string& key : keys) {
    page.Add("<tr><td class=\"name\">" + HtmlEscape(key) + "</td>");
    for (const auto& by_key : pairs) {
      const auto it = by_key.find(key);
      if (it == by_key.end()) {
        page.Add("<td colspan=\"4\" class=\"dim\">not run</td>");
        continue;
      }
      const VariantPair& pair = it->second;
      const std::optional<double> before = MedianOf(pair.before, kRealTime);
      const std::optional<double> after = MedianOf(pair.after, kRealTime);
      const std::optional<double> allocs_before =
          MedianOf(pair.before, kAllocs);
      const std::optional<double> allocs_after = MedianOf(pair.after, kAllocs);
      page.Add(
          "<td class=\"n\">" +
          (before ? HtmlEscape(FormatTime(*before)) : "-") +
          "</td><td class=\"n\">" +
          (after ? HtmlEscape(FormatTime(*after)) : "-") +
          "</td><td class=\"n\">" +
          (before && after && *before > 0 ? FormatRatio(*after / *before)
                                          : "-") +
          "</td><td class=\"n\">" +
          (allocs_before ? HtmlEscape(FormatNumber(*allocs_before)) : "-") +
          " &#8594; " +
          (allocs_after ? HtmlEscape(FormatNumber(*allocs_after)) : "-") +
          "</td>");
    }
    page.Add("</tr>");
  }
  page.Add("</tbody></table>");
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

}  // namespace

std::string HtmlEscape(std::string_view raw) {
  // Control characters shown, not passed on (C0 is not even allowed in
  // XML, which RenderJunit writes with this function).
  const std::string text = Printable(raw);
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderHtml(const HtmlReportInput& input) {
  const std::vector<Group> groups = GroupsOf(*input.run);
  const Index index = BuildIndex(*input.report, groups);
  Page page;
  page.Html().reserve(1 << 20);
  page.Add(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<link rel=\"icon\" href=\"data:,\"><title>benchgate: " +
      HtmlEscape(ResultLine(*input.report)) + "</title><style>");
  page.Add(kStyle);
  page.Add("</style></head><body>\n");
  RenderHeader(input, page);
  RenderTargets(input, index, page);
  RenderChanges(input, index, page);
  RenderPairs(groups, index, page);
  RenderAllocators(input, page);
  RenderProfiles(input, index, page);
  RenderContext(input, page);
  RenderAllBenchmarks(input, index, page);
  page.Add("\n<script>");
  page.Add(kScript);
  page.Add("</script></body></html>\n");
  return std::move(page.Html());
}

}  // namespace hotpath::benchgate
