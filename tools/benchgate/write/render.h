// Renderers of a Report: the terminal table (in the layout people know
// from compare.py), Markdown for a PR comment or step summary, JUnit XML
// for CI test views and JSON for machines.

#ifndef HOTPATH_TOOLS_BENCHGATE_WRITE_RENDER_H_
#define HOTPATH_TOOLS_BENCHGATE_WRITE_RENDER_H_

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "benchgate/write/report.h"

namespace hotpath::benchgate {

struct TableOptions {
  bool color = false;
  bool all_metrics = false;  // list every metric, not only notable ones
};

void RenderTable(const Report& report, const TableOptions& options,
                 std::ostream& out);
std::string RenderMarkdown(const Report& report);
std::string RenderJunit(const Report& report);
nlohmann::json RenderJson(const Report& report);

}  // namespace hotpath::benchgate

#endif  // HOTPATH_TOOLS_BENCHGATE_WRITE_RENDER_H_
