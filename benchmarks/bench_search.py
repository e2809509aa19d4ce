"""Benchmark of paperkb's search against Pagefind: bytes and files per query, time to first result.

For each size, makes a synthetic knowledge base with :mod:`benchmarks.synth` (the shipped
taxonomy, titles and abstracts recombined from the shipped listings, 5% planted duplicates),
builds it with ``paperkb build``, then indexes the same built pages with Pagefind (its
``pagefind_extended`` binary, from the PyPI package ``pagefind[extended]``; only the papers'
``<article>`` is indexed, the part paperkb indexes too). Then, in Debian's headless Chromium,
with a fresh browser context (empty cache) per run, side by side in one run:

* **paperkb, http**: open a paper page from a local ``http.server`` (127.0.0.1), click the
  search box, type the exact title of another paper, wait until it is the first result.
* **paperkb, file://**: the same from disk with networking off (every non-file request aborted).
* **Pagefind, http**: a page ``pagefind-bench.html`` (written into the site) that imports
  ``pagefind/pagefind.js`` when the box is focused, runs ``search()`` on input, loads the data
  of the first 10 results (as paperkb loads the rows of its first 10) and shows the first.
  Pagefind needs fetch and WebAssembly: it does not run from ``file://``.

Reported per mode, median over the runs (each a different query): the search data the page
loaded (every file under ``search/`` or ``pagefind/``, each counted gzipped at level 6 as
GitHub Pages sends text, or raw when that is smaller, as for Pagefind's pre-compressed index
files) and how many files; paperkb's own scripts (every ``assets/javascripts/paperkb*.js`` the
page loaded: the two every page carries and the parts a query loads) are reported beside it;
and the time from navigation start to the first result on screen (``performance.now()`` in
the page).

``--baseline REV`` builds the same corpus with the code of git revision ``REV`` too (its tree
exported with ``git archive`` into a temporary folder and built there in a subprocess) and
measures it with the same queries in the same run, as "paperkb REV" modes: the change's cost
per query, measured side by side. ``--skip-pagefind`` leaves Pagefind out.

Usage (from the repository root; the 100k build takes some 6 minutes of mkdocs)::

    .venv/bin/python -m benchmarks.bench_search [--sizes 10000 100000] [--runs 3]
        [--pagefind PATH | --skip-pagefind] [--baseline main]
        [--output benchmarks/results/search.md]
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import http.server
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: paperkb's scripts: the entry every page carries and the parts it loads (paperkb-*.js).
SCRIPTS = "assets/javascripts/paperkb"
PAGEFIND_PAGE = "pagefind-bench.html"
#: The Pagefind page: the JS API, loaded on first focus; the first 10 results' data loaded.
PAGEFIND_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pagefind benchmark</title></head>
<body><input id="q" aria-label="Search"><ol id="r"></ol>
<script>
let pagefind = null;
const box = document.getElementById("q");
function load() {
  if (!pagefind) pagefind = import("./pagefind/pagefind.js").then(async (pf) => {
    await pf.init(); return pf; });
  return pagefind;
}
box.addEventListener("focus", load);
box.addEventListener("input", async () => {
  const query = box.value;
  const pf = await load();
  const found = await pf.search(query);
  const data = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  if (box.value !== query) return;
  const list = document.getElementById("r");
  list.textContent = "";
  for (const d of data) {
    const a = document.createElement("a");
    a.href = new URL(d.url.replace(/^\\//, ""), location.href).href;
    a.textContent = d.meta.title || d.url;
    a.className = "result";
    const li = document.createElement("li");
    li.appendChild(a);
    list.appendChild(li);
  }
});
</script></body></html>
"""


def find_pagefind(given: str | None) -> str:
    """The Pagefind binary: ``--pagefind``, $PAGEFIND, on PATH, or from the PyPI package."""
    for candidate in (given, os.environ.get("PAGEFIND")):
        if candidate:
            return candidate
    for name in ("pagefind_extended", "pagefind"):
        if found := shutil.which(name):
            return found
    try:
        import pagefind_bin_extended  # type: ignore[import-not-found]

        return str(Path(pagefind_bin_extended.__file__).parent / "pagefind_extended")
    except ImportError:
        raise SystemExit(
            "Pagefind not found: pip install 'pagefind[extended]' or pass --pagefind"
        ) from None


def build(size: int, root: Path) -> tuple[Path, float]:
    """A synthetic project of ``size`` listing entries at ``root``, built; (site, seconds)."""
    from benchmarks.synth import corpus, make_project
    from generator.cli import main

    make_project(root, corpus(size).listings)
    started = time.perf_counter()
    code = main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")])
    if code != 0:
        raise SystemExit(f"paperkb build failed with exit code {code}")
    return root / "site", time.perf_counter() - started


def index_pagefind(binary: str, site: Path) -> float:
    """Index the paper pages with Pagefind (not ``papers/index.html``, the A-Z list, which
    paperkb does not index either: it would match every query, a 240 KB fragment)."""
    listing = site / "papers" / "index.html"
    aside = site / "papers-index.html.aside"
    listing.rename(aside)
    started = time.perf_counter()
    try:
        subprocess.run(
            [binary, "--site", str(site), "--glob", "papers/*.html", "--root-selector", "article"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        aside.rename(listing)
    (site / PAGEFIND_PAGE).write_text(PAGEFIND_HTML, encoding="utf-8")
    return time.perf_counter() - started


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def sent_bytes(path: Path) -> int:
    """What a server that gzips text sends for ``path``: gzipped, or raw when that is smaller."""
    raw = path.read_bytes()
    return min(len(raw), len(gzip.compress(raw, 6)))


@dataclass
class Run:
    ms: float
    files: int
    bytes: int
    script_bytes: int
    largest: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Mode:
    runs: list[Run] = field(default_factory=list)

    def median(self, name: str) -> float:
        return float(statistics.median(float(getattr(run, name)) for run in self.runs))


def one_query(
    browser: Any, site: Path, root: str, start: str, query: str, target: str, engine: str
) -> Run:
    """A cold page load of ``start``, ``query`` typed, until ``target`` is the first result."""
    offline = root.startswith("file:")
    context = browser.new_context(offline=offline)
    if offline:
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("file:")
                else route.abort("internetdisconnected")
            ),
        )
    urls: list[str] = []
    context.on("request", lambda r: urls.append(r.url))
    try:
        page = context.new_page()
        page.goto(root + start, wait_until="load")
        box = "#q" if engine == "pagefind" else ".md-search__input"
        link = "a.result" if engine == "pagefind" else ".md-search-result__link"
        page.click(box)
        page.fill(box, query)
        page.wait_for_function(
            "([sel, want]) => document.querySelector(sel)?.href === want",
            arg=[link, root + target],
            polling="raf",
            timeout=60_000,
        )
        elapsed: float = page.evaluate("performance.now()")
        foreign = [u for u in urls if not u.startswith(root)]
        if foreign:
            raise SystemExit(f"requests left the site: {foreign[:3]}")
        folder = "pagefind/" if engine == "pagefind" else "search/"
        data = sorted({u for u in urls if u.startswith(root + folder)})
        paths = [site / unquote(urlparse(u).path.lstrip("/")) for u in data]
        if offline:
            paths = [Path(unquote(urlparse(u).path)) for u in data]
        scripts = sorted({u for u in urls if u.startswith(root + SCRIPTS)})
        sizes = sorted(((sent_bytes(p), p.name) for p in paths), reverse=True)
        return Run(
            ms=elapsed,
            files=len(paths),
            bytes=sum(size for size, _ in sizes),
            script_bytes=sum(sent_bytes(site / u[len(root) :]) for u in scripts),
            largest=[(name, size) for size, name in sizes[:4]],
        )
    finally:
        context.close()


@dataclass
class Row:
    size: int
    papers: int
    build_s: float
    pagefind_s: float
    index_files: int
    index_bytes: int
    modes: dict[str, Mode]


def build_at(revision: str, size: int, root: Path) -> tuple[Path, float]:
    """The same synthetic project built with the code of git ``revision`` (exported into
    ``root/code`` and run there in a subprocess); (site, seconds)."""
    from benchmarks.synth import corpus, make_project

    code = root / "code"
    code.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    project = root / "project"
    make_project(project, corpus(size).listings)
    # the revision's site configuration, theme overrides and hand-written pages and scripts
    for folder in ("overrides", "hooks", "docs/assets"):
        shutil.rmtree(project / folder, ignore_errors=True)
        shutil.copytree(code / folder, project / folder)
    shutil.copy2(code / "mkdocs.yml", project / "mkdocs.yml")
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "build",
            "--data",
            str(project / "data"),
            "--config",
            str(project / "mkdocs.yml"),
        ],
        cwd=code,
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(code)},
    )
    return project / "site", time.perf_counter() - started


def measure(
    size: int, runs: int, browser: Any, pagefind: str | None, baseline: str | None = None
) -> Row:
    with tempfile.TemporaryDirectory(prefix=f"paperkb-bench-{size}-") as tmp:
        site, build_s = build(size, Path(tmp) / "now")
        pagefind_s = index_pagefind(pagefind, site) if pagefind else 0.0
        base = build_at(baseline, size, Path(tmp) / "base") if baseline else None
        papers = json.loads((site / "papers.json").read_text(encoding="utf-8"))["papers"]
        search = list((site / "search").rglob("*.js"))
        names = ["paperkb http", "paperkb file://"]
        names += [f"paperkb {baseline} http", f"paperkb {baseline} file://"] if base else []
        names += ["Pagefind http"] if pagefind else []
        modes = {name: Mode() for name in names}
        with serve(site) as http_root, serve(base[0] if base else site) as base_root:
            for run in range(runs):
                start = papers[(run + 1) * len(papers) // (runs + 2)]["url"]
                wanted = papers[(2 * run + 3) * len(papers) // (2 * runs + 4)]
                plan = [
                    ("paperkb http", site, http_root, "paperkb", start),
                    ("paperkb file://", site, site.as_uri() + "/", "paperkb", start),
                ]
                if base:
                    plan += [
                        (f"paperkb {baseline} http", base[0], base_root, "paperkb", start),
                        (
                            f"paperkb {baseline} file://",
                            base[0],
                            base[0].as_uri() + "/",
                            "paperkb",
                            start,
                        ),
                    ]
                if pagefind:
                    plan.append(("Pagefind http", site, http_root, "pagefind", PAGEFIND_PAGE))
                for name, where, root, engine, page in plan:
                    result = one_query(
                        browser, where, root, page, wanted["title"], wanted["url"], engine
                    )
                    modes[name].runs.append(result)
                    print(f"{size} {name}: {result}", file=sys.stderr)
        return Row(
            size=size,
            papers=len(papers),
            build_s=build_s,
            pagefind_s=pagefind_s,
            index_files=len(search),
            index_bytes=sum(p.stat().st_size for p in search),
            modes=modes,
        )


def report(rows: Sequence[Row], runs: int, command: str, note: str) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        "# Search benchmark: paperkb against Pagefind",
        "",
        "Search data loaded for one query from a cold page, and the time from page load to the",
        "first result, on synthetic knowledge bases (`benchmarks/bench_search.py`, corpora of",
        "`benchmarks/synth.py`), paperkb's sharded index and Pagefind on the same built pages.",
        "",
        f"- Command: `{command}`",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Machine: {platform.system()} {platform.release()}, {cpu}, "
        f"{os.cpu_count()} cores (shared with other jobs), Python {platform.python_version()}, "
        "Debian Chromium headless",
        f"- Each figure is the median of {runs} runs, each a different query (the exact title of "
        "a paper, typed on another paper's page) in a fresh browser context (empty cache). "
        "http is a local `http.server` on 127.0.0.1 (no network latency); `file://` runs have "
        "every non-file request aborted.",
        "- Search data: the files under `search/` (paperkb) or `pagefind/` (Pagefind) the page "
        "loaded, each counted as GitHub Pages sends it (gzip level 6, or raw when smaller, as for "
        "Pagefind's pre-compressed index). paperkb's scripts (the two every page carries and "
        "the parts a query loads, `paperkb*.js`) are shown apart. Pagefind: its JS API, the "
        "data of the first 10 results loaded (paperkb loads the rows of its first 10); it "
        "cannot run from `file://` (fetch, WebAssembly).",
    ]
    if note:
        lines.append(f"- {note}")
    lines += [
        "",
        "| papers | mode | search data (KB) | files | + script (KB) | first result (s) |",
        "| --: | --- | --: | --: | --: | --: |",
    ]
    for row in rows:
        for name, mode in row.modes.items():
            script = f"{mode.median('script_bytes') / 1000:.1f}" if "paperkb" in name else ""
            lines.append(
                f"| {row.papers:,} | {name} | {mode.median('bytes') / 1000:.1f} "
                f"| {mode.median('files'):.0f} | {script} | {mode.median('ms') / 1000:.2f} |"
            )
    lines += [
        "",
        "| papers | paperkb build (s) | Pagefind indexing (s) | paperkb search files | "
        "on disk (MB) |",
        "| --: | --: | --: | --: | --: |",
    ]
    for row in rows:
        lines.append(
            f"| {row.papers:,} | {row.build_s:.0f} | {row.pagefind_s:.0f} | {row.index_files:,} "
            f"| {row.index_bytes / 1e6:.1f} |"
        )
    lines += [
        "",
        "Every run, per mode (KB of search data / files / seconds):",
        "",
    ]
    for row in rows:
        for name, mode in row.modes.items():
            runs_text = ", ".join(
                f"{r.bytes / 1000:.0f} / {r.files} / {r.ms / 1000:.2f}" for r in mode.runs
            )
            lines.append(f"- {row.papers:,}, {name}: {runs_text}")
    lines += ["", "Largest files of the first run, per mode (KB as sent):", ""]
    for row in rows:
        for name, mode in row.modes.items():
            parts = ", ".join(f"`{f}` {b / 1000:.1f}" for f, b in mode.runs[0].largest)
            lines.append(f"- {row.papers:,}, {name}: {parts}")
    lines += [
        "",
        "Targets (issue 19): at 100k papers at most 300 KB of search data per query and at most "
        "1.0 s to the first result, over http and from `file://`; at 10k at most 230 KB. Before "
        "(one `search/index.js`): 10k 1,540 KB gzip per query, 0.93 s; 100k 14,500 KB, "
        "1.3-3.0 s.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pagefind", help="the pagefind_extended binary")
    parser.add_argument("--skip-pagefind", action="store_true", help="leave Pagefind out")
    parser.add_argument("--baseline", help="a git revision measured side by side (e.g. main)")
    parser.add_argument("--note", default="", help="a line added to the results file")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "search.md"
    )
    args = parser.parse_args(argv)
    pagefind = None if args.skip_pagefind else find_pagefind(args.pagefind)
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(ROOT))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rows = [
                measure(size, args.runs, browser, pagefind, args.baseline) for size in args.sizes
            ]
        finally:
            browser.close()
    shown = argv if argv is not None else sys.argv[1:]
    command = ".venv/bin/python -m benchmarks.bench_search " + " ".join(shown)
    text = report(rows, args.runs, command.strip(), args.note)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
