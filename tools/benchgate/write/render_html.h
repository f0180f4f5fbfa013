// The self-contained HTML report: one file a performance engineer can open
// offline, mail or attach to CI, with everything the gate decided and the
// numbers behind it.
//
// The page is plain HTML with inline CSS and inline SVG; a few lines of
// inline script only sort and filter the benchmark table, so every number is
// in the document without script. Every string that comes from the input
// (benchmark names, context values, notes, stack frames) goes through
// HtmlEscape, and nothing is fetched: no external script, style, font or
// image. Size stays bounded for a full suite because the per-repetition
// plots are a few circles each and the flame graphs are capped in the
// number of rectangles they draw.

#ifndef HOTPATH_TOOLS_BENCHGATE_WRITE_RENDER_HTML_H_
#define HOTPATH_TOOLS_BENCHGATE_WRITE_RENDER_HTML_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "benchgate/model.h"
#include "benchgate/read/profiles.h"
#include "benchgate/write/report.h"

namespace hotpath::benchgate {

// The same run measured under another allocator (RUN/<allocator>/).
struct AllocatorRun {
  std::string allocator;
  Run run;
};

// One benchmark's real time over the last runs on this fingerprint
// (report --history): values in history order, the steps found in them
// (benchgate history changes' method) and which point is this run.
struct HistoryTrend {
  std::vector<double> values;
  std::vector<std::string> revisions;
  std::vector<std::size_t> steps;  // the first run after each step
  bool creep = false;
  std::size_t current = 0;  // this run's point
};

struct HtmlReportInput {
  const Report* report = nullptr;        // finalised
  const Run* run = nullptr;              // the run the report is about
  std::vector<AllocatorRun> allocators;  // every allocator, RUN's included
  const ProfileSet* profiles = nullptr;  // may be null or empty
  const CpuProfileSet* cpu_profiles = nullptr;  // may be null or empty
  std::string command_line;                     // RUN/command.txt, may be empty
  std::string generated_by;  // "benchgate report RUN ..." line
  // The run compared with (stored baseline, another machine's, --against);
  // null without one. Its environment is shown beside the run's.
  const Run* baseline = nullptr;
  std::string baseline_dir;  // --baseline, for the accept command shown
  std::string run_path;      // RUN as given, for the commands shown
  // report --history: by benchmark name; empty without it.
  std::map<std::string, HistoryTrend, std::less<>> history;
  std::string history_path;
};

// Text as HTML: & < > " ' replaced by entities, safe in element content
// and in quoted attribute values (SVG <title> included); control
// characters shown visibly as by Printable (format.h), never passed raw.
std::string HtmlEscape(std::string_view text);

// Most rectangles one flame graph draws; narrower frames are merged.
inline constexpr int kMaxFlameRects = 30;

std::string RenderHtml(const HtmlReportInput& input);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_WRITE_RENDER_HTML_H_
