#!/usr/bin/env python3
"""The HTML report as a person sees it: headless Chromium opens a report
generated from the fixtures (tests/data/benchgate/report/) from file:// and
this checks the rendered DOM, the console, sorting, and saves a screenshot.

usage: report_browser_test.py --benchgate BIN --fixtures DIR --out DIR

Exit 0 pass, 1 fail, 77 skipped (no Chromium: CTest's SKIP_RETURN_CODE).
Chromium prints every console message on stderr as a CONSOLE line with
--enable-logging=stderr; the page itself logs nothing, so any such line is
an error. A probe page with a deliberate console.error proves the check
can fail.
"""

import argparse
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchgate", required=True)
    parser.add_argument("--fixtures", required=True,
                        help="tests/data/benchgate (targets.json, report/)")
    parser.add_argument("--out", required=True, help="where report.png goes")
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
