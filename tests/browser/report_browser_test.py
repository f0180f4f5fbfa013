#!/usr/bin/env python3
"""The HTML report as a person sees it: headless Chromium opens reports
generated from the fixtures (tests/data/benchgate/report/) from file:// and
this checks the rendered DOM, the console, sorting and filtering, and saves
screenshots.

Three reports: the gate against a stored baseline (the DOM checks of
--dump-dom), a failing gate against a run measured back to back (timings
decide: a regression with its interval), and a cross-machine gate (the
baseline of another CPU: timings cannot be judged). The last two are
opened through the DevTools protocol (--remote-debugging-pipe: no network,
no extra package) at 1440 and 390 px to ask the laid-out page what a
reader sees on the first screen, whether regressions precede passing
targets, what filtering "regressed" shows, and whether the page is wider
than a phone; screenshots of each are written to --out.

usage: report_browser_test.py --benchgate BIN --fixtures DIR --out DIR

Exit 0 pass, 1 fail, 77 skipped (no Chromium: CTest's SKIP_RETURN_CODE).
Chromium prints every console message on stderr as a CONSOLE line with
--enable-logging=stderr; the page itself logs nothing, so any such line is
an error. A probe page with a deliberate console.error proves the check
can fail.
"""

import argparse
import base64
import html.parser
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


class Failure(Exception):
    pass


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, binary, scratch):
        self.binary = binary
        self.scratch = scratch

    def run(self, url, *extra):
        """Loads url; returns (stdout, console lines)."""
        command = [self.binary, "--headless=new", "--no-sandbox", "--disable-gpu",
                   "--no-first-run", "--hide-scrollbars",
                   "--user-data-dir=" + os.path.join(self.scratch, "profile"),
                   "--enable-logging=stderr", "--v=0", *extra, url]
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=180)
        if result.returncode != 0:
            raise Failure("chromium exited %d: %s" % (result.returncode,
                                                      result.stderr[-2000:]))
        console = [line for line in result.stderr.splitlines()
                   if ":CONSOLE" in line]
        return result.stdout, console


class Devtools:
    """Chromium driven over --remote-debugging-pipe: commands on fd 3,
    answers on fd 4, each a JSON message ended by a NUL byte."""

    TIMEOUT = 60

    def __init__(self, binary, scratch):
        to_child, self.out = os.pipe()
        self.inp, from_child = os.pipe()

        def child_fds():
            a, b = os.dup(to_child), os.dup(from_child)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--hide-scrollbars", "--remote-debugging-pipe",
             "--user-data-dir=" + os.path.join(scratch, "devtools-profile"),
             "about:blank"],
            pass_fds=(3, 4), preexec_fn=child_fds,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self.buffer = b""
        self.next_id = 0
        self.session = None
        self.errors = []

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method,
                   "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.TIMEOUT
        while True:
            while b"\0" not in self.buffer:
                left = deadline - time.monotonic()
                ready, _, _ = select.select([self.inp], [], [], max(left, 0))
                if not ready:
                    raise Failure("no answer from chromium to " + method)
                chunk = os.read(self.inp, 1 << 20)
                if not chunk:
                    raise Failure("chromium closed the pipe during " + method)
                self.buffer += chunk
            raw, self.buffer = self.buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("method") == "Runtime.exceptionThrown":
                self.errors.append(answer["params"])
            if answer.get("method") == "Runtime.consoleAPICalled":
                self.errors.append(answer["params"])
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise Failure("%s: %s" % (method, answer["error"]))
                return answer.get("result", {})

    def open(self, url, width, height, mobile):
        """A fresh tab of width x height CSS px showing url, loaded."""
        if self.session:
            self.send("Target.closeTarget", {"targetId": self.target})
            self.session = None
        self.target = self.send("Target.createTarget",
                                {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": self.target,
                                  "flatten": True})["sessionId"]
        self.send("Runtime.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1,
                   "mobile": mobile})
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.TIMEOUT
        while self.eval("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise Failure("page did not load: " + url)
            time.sleep(0.05)

    def eval(self, expression):
        result = self.send("Runtime.evaluate",
                           {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise Failure("script failed: %s: %s" % (
                expression[:80], result["exceptionDetails"].get("text")))
        return result["result"].get("value")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Failure:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.out)
        os.close(self.inp)


# What the first screen shows: each element's text and whether it starts
# inside the viewport (the reader sees it without scrolling).
FIRST_SCREEN = """(function () {
  function seen(id) {
    var e = document.getElementById(id);
    if (!e) return null;
    var r = e.getBoundingClientRect();
    return {text: e.textContent.replace(/\\s+/g, ' ').trim(),
            visible: r.top >= 0 && r.top < innerHeight};
  }
  return {verdict: seen('verdict'), failed: seen('failed'),
          judged: seen('judged'), compared: seen('compared'),
          environments: seen('environments'), next: seen('next'),
          legend: seen('stats-legend'),
          width: document.documentElement.scrollWidth, viewport: innerWidth};
})()"""

# Whether every failure comes before the passing targets in the page.
ORDER = """(function () {
  var failures = document.querySelectorAll('#failed .failure');
  var passing = document.getElementById('passing-targets');
  if (!failures.length || !passing) return null;
  var last = failures[failures.length - 1];
  return !!(last.compareDocumentPosition(passing) &
            Node.DOCUMENT_POSITION_FOLLOWING) &&
         passing.getBoundingClientRect().top >
             last.getBoundingClientRect().top;
})()"""

# The full table after the URL's filter: visible rows and the count line.
FILTERED = """(function () {
  var rows = Array.prototype.slice.call(
      document.querySelectorAll('#all tbody tr'));
  var shown = rows.filter(function (r) { return !r.hidden; });
  return {total: rows.length, shown: shown.length,
          texts: shown.map(function (r) {
            return r.textContent.replace(/\\s+/g, ' ');
          }),
          count: document.getElementById('shown').textContent,
          empty: !document.getElementById('empty').hidden,
          emptyText: document.getElementById('empty').textContent};
})()"""


def check_layout(tools, page, name, out_dir):
    """The first screen at 1440 and 390 px; screenshots of both."""
    seen = {}
    for width, height, mobile in ((1440, 900, False), (390, 844, True)):
        tools.open(page, width, height, mobile)
        screen = tools.eval(FIRST_SCREEN)
        expect(screen["width"] <= width,
               "%s at %d px: the page is %d px wide, no wider than the "
               "viewport" % (name, width, screen["width"]))
        shot = os.path.join(out_dir, "report-%s-%d.png" % (name, width))
        if os.path.exists(shot):
            os.remove(shot)
        tools.screenshot(shot)
        expect(os.path.getsize(shot) > 10000,
               "screenshot saved: %s (%d bytes)" % (shot,
                                                     os.path.getsize(shot)))
        seen[width] = screen
    expect(not tools.errors, "%s: no console messages or script errors: %s"
           % (name, tools.errors[:2]))
    return seen


class Table(html.parser.HTMLParser):
    """Rows of <table id="all">: per row, each cell's (data-v, text)."""

    def __init__(self):
        super().__init__()
        self.rows, self.heads = [], []
        self.inside = False
        self.depth = 0
        self.cell = None
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            if attrs.get("id") == "all":
                self.inside, self.depth = True, 0
            if self.inside:
                self.depth += 1
        if not self.inside:
            return
        if tag == "thead":
            self.in_head = True
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr" and not self.in_head:
            self.rows.append([])
        elif tag == "th" and self.in_head:
            self.heads.append(attrs)
        elif tag == "td" and self.rows:
            self.cell = [attrs.get("data-v"), ""]
            self.rows[-1].append(self.cell)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "td":
            self.cell = None
        if tag == "table":
            self.depth -= 1
            if self.depth == 0:
                self.inside = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def expect(condition, what):
    if not condition:
        raise Failure(what)
    print("ok: " + what)


def time_column(heads):
    for index, attrs in enumerate(heads):
        if attrs.get("data-col") == "time":
            return index
    raise Failure("no time column in the benchmark table")


def check_sorted(browser, page, direction):
    dom, console = browser.run(page + "#sort=time&dir=" + direction, "--dump-dom")
    expect(not console, "no console messages on the sorted page (%s)" % direction)
    table = Table()
    table.feed(dom)
    column = time_column(table.heads)
    values = [float(row[column][0]) for row in table.rows
              if len(row) > column and row[column][0] is not None]
    expect(len(values) >= 20, "the sorted table has its rows (%d)" % len(values))
    wanted = sorted(values, reverse=(direction == "desc"))
    expect(values == wanted, "rows sorted by median time, %s" % direction)
    sorted_head = table.heads[column].get("aria-sort")
    expect(sorted_head == ("descending" if direction == "desc" else "ascending"),
           "the time header is marked %s" % sorted_head)
    return values


def check_failing_and_cross_machine(args, browser, chromium, scratch):
    fixtures = os.path.join(args.fixtures, "report")
    targets = os.path.join(args.fixtures, "targets.json")
    # A failing gate whose timings decide: against a run measured back to
    # back (the fixture baseline, faster in routing/Envelope).
    failing = os.path.join(scratch, "failing.html")
    made = subprocess.run(
        [args.benchgate, "report", os.path.join(fixtures, "run"), "--against",
         os.path.join(fixtures, "baseline"), "--targets", targets,
         "-o", failing], capture_output=True, text=True)
    expect(made.returncode == 1, "the failing gate's report exits 1 (%d: %s)"
           % (made.returncode, made.stderr.strip()))
    # Against another machine's stored baseline: timings not comparable.
    other = os.path.join(scratch, "other-baselines")
    os.makedirs(other)
    subprocess.run([args.benchgate, "accept",
                    os.path.join(fixtures, "baseline_other"), "--baseline",
                    other], check=True, stdout=subprocess.DEVNULL)
    cross = os.path.join(scratch, "cross-machine.html")
    made = subprocess.run(
        [args.benchgate, "report", os.path.join(fixtures, "run"), "--baseline",
         other, "--targets", targets, "-o", cross],
        capture_output=True, text=True)
    expect(made.returncode == 0, "the cross-machine report exits 0 (%d: %s)"
           % (made.returncode, made.stderr.strip()))
    for path in (failing, cross):
        shutil.copy(path, os.path.join(args.out, os.path.basename(path)))

    tools = Devtools(chromium, scratch)
    try:
        # The layout probe must be able to fail: a page 1000 px wide is
        # wider than a phone.
        probe = os.path.join(scratch, "wide.html")
        with open(probe, "w") as out:
            out.write('<!DOCTYPE html><meta name="viewport" '
                      'content="width=device-width,initial-scale=1">'
                      '<div style="width:1000px">wide</div>')
        tools.open("file://" + probe, 390, 844, True)
        expect(tools.eval(FIRST_SCREEN)["width"] > 390,
               "a page 1000 px wide is caught as wider than 390 px")

        page = "file://" + failing
        seen = check_layout(tools, page, "failing", args.out)
        for width, screen in seen.items():
            failed = screen["failed"]
            expect(failed is not None and failed["visible"],
                   "failing at %d px: what failed is on the first screen"
                   % width)
            expect("routing/Envelope" in failed["text"] and
                   "0 \u2192 1 per op" in failed["text"],
                   "failing at %d px: it names the regression and its size "
                   "(%s)" % (width, failed["text"][:160]))
            expect(re.search(r"slower by \d+(\.\d)?% \[\+[\d.]+%, "
                             r"\+[\d.]+%\], beyond the noise of \u00b1",
                             failed["text"]) is not None,
                   "failing at %d px: a timing regression with its interval "
                   "and the noise it is beyond" % width)
            expect(screen["verdict"]["visible"] and
                   screen["verdict"]["text"].startswith("FAIL"),
                   "failing at %d px: the verdict is on the first screen"
                   % width)
        tools.open(page, 1440, 900, False)
        expect(tools.eval(ORDER) is True,
               "failing: every regression precedes the passing targets")
        tools.open(page + "#q=regressed", 1440, 900, False)
        table = tools.eval(FILTERED)
        expect(table["shown"] >= 2 and
               all("regressed" in text for text in table["texts"]),
               "filtering \"regressed\" shows the regressions (%d of %d)"
               % (table["shown"], table["total"]))
        expect(any("routing/Envelope/after/1024" in text
                   for text in table["texts"]),
               "the filtered table has the regressed benchmark")
        expect(table["count"] == "%d of %d benchmarks" % (table["shown"],
                                                           table["total"]),
               "the filter says how many it shows: " + table["count"])
        expect(not table["empty"], "no empty-state message when rows match")
        tools.open(page + "#q=no-such-benchmark", 1440, 900, False)
        table = tools.eval(FILTERED)
        expect(table["shown"] == 0 and table["empty"] and
               "no-such-benchmark" in table["emptyText"],
               "a filter matching nothing says so: " + table["emptyText"])
        # Natural order of names: two rows added, the name header clicked.
        order = tools.eval("""(function () {
          var body = document.querySelector('#all tbody');
          ['zz/batch:100/after', 'zz/batch:16/after'].forEach(function (n) {
            var row = body.rows[0].cloneNode(true);
            row.cells[0].textContent = n;
            body.appendChild(row);
          });
          document.querySelector('#all th[data-col=name]').click();
          return Array.prototype.map.call(body.rows, function (r) {
            return r.cells[0].textContent;
          }).filter(function (n) { return n.indexOf('zz/') === 0; });
        })()""")
        expect(order == ["zz/batch:16/after", "zz/batch:100/after"],
               "names sort in natural order: %s" % order)

        page = "file://" + cross
        seen = check_layout(tools, page, "cross-machine", args.out)
        for width, screen in seen.items():
            judged = screen["judged"]
            expect(judged is not None and judged["visible"] and
                   "Not judged: timings: measured on another CPU"
                   in judged["text"],
                   "cross-machine at %d px: the first screen says timings "
                   "were not judged and why" % width)
            compared = screen["compared"]["text"]
            expect("AMD EPYC 7763" in compared and "Xeon" in compared and
                   "revision 70b9b1b" in compared and
                   "14 days before this run" in compared,
                   "cross-machine at %d px: both CPUs, the baseline's "
                   "revision and age" % width)
            expect(screen["environments"] is not None and
                   "load average" in screen["environments"]["text"],
                   "cross-machine: the environments side by side")
    finally:
        tools.close()


def check_examples(folder, chromium, scratch):
    """The committed examples (reports/regenerate.sh) open cleanly, tell
    their story on the first screen and fit a phone: the two made from the
    fixtures and the one made from a real quick run."""
    pages = sorted(p for p in os.listdir(folder) if p.endswith(".html"))
    for wanted in ("failing-gate.html", "cross-machine.html",
                   "quick-run.html"):
        expect(wanted in pages, "reports/example has %s: %s" % (wanted, pages))
    tools = Devtools(chromium, scratch)
    try:
        for name in pages:
            for width, height, mobile in ((1440, 900, False),
                                          (390, 844, True)):
                tools.open("file://" + os.path.join(folder, name), width,
                           height, mobile)
                screen = tools.eval(FIRST_SCREEN)
                expect(screen["verdict"]["visible"] and
                       screen["compared"]["visible"] and
                       screen["width"] <= width,
                       "example %s at %d px: verdict and story on the first "
                       "screen, %d px wide" % (name, width, screen["width"]))
                if width == 1440:
                    expect(screen["failed"] and screen["failed"]["visible"],
                           "example %s: what failed (or that nothing did) "
                           "on the first screen" % name)
                    expect(screen["legend"] is not None,
                           "example %s: the statistics explained" % name)
            if name == "quick-run.html":
                # Made from a real run (bench-all --quick), not a fixture.
                text = tools.eval("document.body.textContent")
                expect("results/example-quick/" in text and
                       "tests/data/" not in text,
                       "quick-run.html: the report of a real quick run")
        expect(not tools.errors, "examples: no console messages or errors")
    finally:
        tools.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchgate", required=True)
    parser.add_argument("--fixtures", required=True,
                        help="tests/data/benchgate (targets.json, report/)")
    parser.add_argument("--out", required=True, help="where report.png goes")
    parser.add_argument("--examples",
                        help="reports/example: the committed example reports")
    args = parser.parse_args()

    chromium = find_chromium()
    if chromium is None:
        print("SKIP: no chromium on PATH (scripts/test installs the Debian "
              "package chromium via HOTPATH_EXTRA_PACKAGES)")
        return SKIP

    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotpath_browser_") as scratch:
        browser = Browser(chromium, scratch)
        baseline = os.path.join(scratch, "baselines")
        os.makedirs(baseline)
        subprocess.run([args.benchgate, "accept",
                        os.path.join(args.fixtures, "report", "baseline"),
                        "--baseline", baseline], check=True,
                       stdout=subprocess.DEVNULL)
        report = os.path.join(scratch, "report.html")
        generated = subprocess.run(
            [args.benchgate, "report", os.path.join(args.fixtures, "report", "run"),
             "--baseline", baseline, "--targets",
             os.path.join(args.fixtures, "targets.json"), "-o", report],
            capture_output=True, text=True)
        expect(generated.returncode == 1,
               "benchgate report exits 1 on the fixture's regression (%d: %s)"
               % (generated.returncode, generated.stderr.strip()))
        expect(generated.stdout.startswith("benchgate report: wrote "),
               "benchgate report prints the file it wrote")
        shutil.copy(report, os.path.join(args.out, "report.html"))

        # The console check must be able to fail.
        probe = os.path.join(scratch, "probe.html")
        with open(probe, "w") as out:
            out.write("<!DOCTYPE html><title>probe</title>"
                      "<script>console.error('hotpath-probe')</script>")
        _, console = browser.run("file://" + probe, "--dump-dom")
        expect(any("hotpath-probe" in line for line in console),
               "a deliberate console.error is caught")

        page = "file://" + report
        dom, console = browser.run(page, "--dump-dom")
        expect(not console, "no console messages: %s" % console[:3])
        expect('id="verdict">FAIL (exit 1): 1 regressed' in dom,
               "the verdict line is in the rendered DOM")
        for target in ("allocations", "throughput", "p99-latency",
                       "lock-contention"):
            expect('id="target-%s"' % target in dom, "target row " + target)
        expect("&lt;script&gt;alert(1)&lt;/script&gt;" in dom and
               "<script>alert(1)" not in dom,
               "a benchmark named <script>alert(1)</script> is text")
        expect("&lt;b&gt;x&lt;/b&gt;" in dom and "<b>x</b>" not in dom,
               "a benchmark named <b>x</b> is text, not an element")
        expect('<input id="filter" type="search" placeholder="filter benchmarks">'
               in dom, "the script ran (it shows the filter box)")
        # CPU profiles (the fixture's cpuprofile/): a flame graph per side,
        # the difference, and frames that are markup shown as text.
        start = dom.find('<h2 id="cpu">CPU profiles</h2>')
        expect(start >= 0, "the CPU profiles section is rendered")
        cpu = dom[start:dom.find("<h2", start + 1)]
        expect(cpu.count('<svg class="flame"') == 2,
               "a CPU flame graph for the before and one for the after")
        expect('<table class="cpu-diff">' in cpu and ">gone<" in cpu,
               "the difference table names what the after no longer runs")
        expect("&lt;img src=x onerror=alert(" in cpu and "<img" not in cpu,
               "a frame named <img ...> is text, in tables and flame graphs")
        expect("x::Name&lt;&lt;b&gt;bold&lt;/b&gt;&gt;" in cpu and "<b>bold" not in cpu,
               "a frame holding <b> is text")

        ascending = check_sorted(browser, page, "asc")
        descending = check_sorted(browser, page, "desc")
        expect(ascending == list(reversed(descending)) and
               ascending != descending, "the two orders differ and mirror")

        dom, console = browser.run(page + "#q=markup", "--dump-dom")
        table = Table()
        table.feed(dom)
        expect(not console, "no console messages on the filtered page")
        shown = [row for row in table.rows if row and "markup" in row[0][1]]
        expect(len(shown) == 2, "the filter keeps the markup pair's rows")
        expect(dom.count("<tr hidden") == len(table.rows) - 2,
               "the filter hides every other row")

        check_failing_and_cross_machine(args, browser, chromium, scratch)
        if args.examples:
            check_examples(args.examples, chromium, scratch)

        screenshot = os.path.join(args.out, "report.png")
        if os.path.exists(screenshot):
            os.remove(screenshot)
        browser.run(page, "--screenshot=" + screenshot, "--window-size=1400,2000")
        expect(os.path.getsize(screenshot) > 20000,
               "screenshot saved: %s (%d bytes)" % (screenshot,
                                                     os.path.getsize(screenshot)))
    print("report_browser_test: PASS")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (Failure, subprocess.SubprocessError) as error:
        print("report_browser_test: FAIL: %s" % error)
        sys.exit(1)
