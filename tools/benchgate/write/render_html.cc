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
#include "benchgate/write/html/parts.h"

namespace hotpath::benchgate {
namespace {

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
svg{vertical-align:middle}svg.chart .grid{stroke:#eaeef2}svg.chart text{font:10px system-ui,sans-serif;fill:#57606a}
svg.chart text.tick{text-anchor:middle}svg.chart circle{fill-opacity:.6}svg.chart circle.before{fill:#bc4c00}
svg.chart circle.after{fill:#0969da}svg.chart circle.peer{fill:#8250df}svg.chart .median{stroke:#1f2328;stroke-width:1.5}
svg.trend .trend-line{fill:none;stroke:#8c959f}svg.trend circle.trend-run{fill:#57606a}svg.trend circle.trend-current{fill:#0969da;fill-opacity:1;stroke:#1f2328}
svg.trend .trend-step{stroke:var(--bad);stroke-dasharray:3 2;stroke-width:1.5}
details.pair>summary{cursor:pointer;list-style-position:outside}details.pair>summary h4{display:inline}.axis-label{color:var(--dim);font-size:10px;margin-left:2px}
svg.flame text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#1f2328;pointer-events:none}
svg.flame rect{stroke:#fff;stroke-width:.5}svg.flame g:hover rect{stroke:#1f2328}
.legend{color:var(--dim);font-size:12px;margin:4px 0}
#all th{cursor:pointer;user-select:none}#all th[aria-sort=ascending]::after{content:" \25B2"}#all th[aria-sort=descending]::after{content:" \25BC"}
#filter{font:inherit;padding:3px 6px;width:320px;margin:4px 0}
ol.stack{margin:4px 0;padding-left:24px}
.cpu-sides{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(560px,100%),1fr));gap:4px 24px}.cpu-side h4{margin:4px 0 0}
code{overflow-wrap:anywhere}nav{display:flex;flex-wrap:wrap;gap:2px 12px}nav a{margin:0}
#story{margin:8px 0 12px}#story p{margin:6px 0}#failed ol,#shifted ul,#next ul{margin:4px 0;padding-left:22px}
#failed li{margin:3px 0}.flag{margin:2px 0}table.env td,table.env th{font-size:12px}
details.notes>summary,#passing-targets>summary{cursor:pointer;margin:6px 0}
/* Below 700 px: tables become cards (a label before each value), wide
   ones scroll inside the page; names break at "/". */
@media (max-width:700px){
body{padding:8px 10px 32px}h1{font-size:18px}.verdict{font-size:14px;padding:6px 8px}
table{display:block;max-width:100%;overflow-x:auto}
#all,#all tbody,#all tr,#all td,table.changes,table.changes tbody,table.changes tr,table.changes td{display:block}
#all thead,table.changes thead{display:none}
#all tr,table.changes tr{border:1px solid var(--line);border-radius:6px;margin:6px 0;padding:4px 8px}
#all tr[hidden]{display:none}
#all td,table.changes td{border:none;padding:1px 0;text-align:left}#all td:empty{display:none}
#all td.n{display:inline-block;margin-right:12px}
#all td:nth-child(2)::before{content:"variant: "}#all td:nth-child(3)::before{content:"median "}
#all td:nth-child(4)::before{content:"\B1"}#all td:nth-child(5)::before{content:"CPU "}
#all td:nth-child(6)::before{content:"allocs/op "}#all td:nth-child(7)::before{content:"bytes/op "}
#all td:nth-child(8)::before{content:"p99 "}#all td:nth-child(9)::before{content:"reps "}
#all td:nth-child(11)::before{content:"change "}
#all td::before,table.changes td::before{color:var(--dim)}
.pair-body>table:first-child{min-width:0}#filter{width:100%}
svg.ratio{max-width:100%}
table.env{display:table;width:100%}table.env td{overflow-wrap:anywhere}
}
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
  var shown = document.getElementById('shown');
  var empty = document.getElementById('empty');
  var total = body.rows.length;
  function key(cell) {
    var v = cell.getAttribute('data-v');
    if (v !== null) return parseFloat(v);
    return cell.textContent.trim().toLowerCase();
  }
  // Natural order for names: batch:16 before batch:100.
  function compareText(x, y) {
    return x.localeCompare(y, 'en', {numeric: true});
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
      if (typeof x !== 'number' || typeof y !== 'number') {
        return sign * compareText(String(x), String(y));
      }
      return x < y ? -sign : (x > y ? sign : 0);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    for (var i = 0; i < heads.length; i++) heads[i].removeAttribute('aria-sort');
    heads[index].setAttribute('aria-sort', dir === 'desc' ? 'descending' : 'ascending');
  }
  function apply() {
    var q = filter.value.toLowerCase();
    var count = 0;
    for (var i = 0; i < body.rows.length; i++) {
      var row = body.rows[i];
      row.hidden = q !== '' && row.textContent.toLowerCase().indexOf(q) < 0;
      if (!row.hidden) count++;
    }
    shown.textContent = count + ' of ' + total + ' benchmarks';
    empty.hidden = count !== 0;
    empty.textContent = 'No benchmark matches \u201c' + filter.value + '\u201d.';
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
  using namespace html;  // NOLINT(build/namespaces): the page's parts
  const std::vector<Group> groups = GroupsOf(*input.run);
  Index index = BuildIndex(*input.report, groups, input.baseline);
  if (!input.history_path.empty()) index.history = &input.history;
  Page page;
  page.Html().reserve(1 << 20);
  page.Add(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<link rel=\"icon\" href=\"data:,\"><title>benchgate: " +
      HtmlEscape(ResultLine(*input.report)) + "</title><style>");
  page.Add(kStyle);
  page.Add("</style></head><body>\n");
  RenderHeader(input, index, page);
  RenderTargets(input, index, page);
  RenderChanges(input, index, page);
  RenderPairs(groups, index, page);
  RenderAllocators(input, page);
  RenderProfiles(input, index, page);
  RenderCpuProfiles(input, index, page);
  RenderContext(input, page);
  RenderAllBenchmarks(input, index, page);
  page.Add("\n<script>");
  page.Add(kScript);
  page.Add("</script></body></html>\n");
  return std::move(page.Html());
}

}  // namespace hotpath::benchgate
