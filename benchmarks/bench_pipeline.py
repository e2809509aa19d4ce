"""Benchmark of the whole pipeline at 1k, 10k and 100k entries (issue 8); not a test.

    .venv/bin/python -m benchmarks.bench_pipeline                 # 1k, 10k, 100k; writes results
    .venv/bin/python -m benchmarks.bench_pipeline --sizes 1000 10000 --no-write
    options: --skip-mkdocs-above N, --mkdocs-timeout S, --size-timeout S, --json FILE, --keep

For each size, a synthetic knowledge base (:mod:`benchmarks.synth`: listings recombined from the
shipped ones, with planted duplicate spellings, the shipped taxonomy, an empty registry) is laid
out as a project in a temporary folder. A child process per size (so peak RSS is its own) then:

1. runs ``generate`` with a stage hook that times each stage of :data:`generator.pipeline.STAGES`
   (pages are rendered while they are written, :mod:`generator.render.files`: the writer's
   ``make_seconds`` is counted as render, not write; the related papers are computed in a
   second process during ``classify`` and ``index``, so ``link`` is only the wait for them);
   its peak memory is that of all its processes together (:class:`TreeMemory`: the sum of their
   resident sets, polled, and at least this process's own ``ru_maxrss``), and the same sum of
   proportional sets (PSS: a page two processes share counts half in each);
2. runs ``generate`` again on the same data (no-op regenerate: must write nothing);
3. runs ``mkdocs build --strict`` as its only child process, timed, peak RSS from
   ``RUSAGE_CHILDREN``; site bytes are all files under ``site/``, search bytes
   ``site/search/index.js``;
4. adds one more listing (the next day's, new papers only) and regenerates, sorting every
   rewritten file into: new page, a page that links to a new paper, an index, a paper page whose
   related papers were re-ranked, or unexpected.

The child saves what it has measured after every stage, so a size stopped by ``--size-timeout``
(default 3 h; the whole process group, mkdocs included, is killed) still reports the stages
that finished and where it stopped. The parent writes ``benchmarks/results/pipeline.md``: per
size and per stage, ratios between sizes, every target marked met or missed, and the raw JSON.
Progress bars (one per stage) go to stderr on a terminal; with stderr not a terminal, or ``CI``
set, the run is quiet.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import os
import platform
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "pipeline.md"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
#: GitHub Pages refuses a published site over 1 GB.
PAGES_LIMIT = 1_000_000_000
KB = 1000
#: A 100k mkdocs build may take long; past this it is stopped and reported as timed out.
DEFAULT_MKDOCS_TIMEOUT = 3600
#: One size's child (three generates and the mkdocs build) is stopped after this long; what it
#: measured until then is reported. Meeting the targets, 100k takes well under an hour.
DEFAULT_SIZE_TIMEOUT = 3 * 3600

Record = dict[str, Any]
"""One size's measurements, as the child process reports them (JSON)."""


# --- progress --------------------------------------------------------------------------------


def progress_wanted() -> bool:
    """Progress bars on a terminal; quiet in CI (``CI`` set) or when stderr is not a TTY."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def ticking(desc: str, enabled: bool) -> Iterator[None]:
    """A one-step progress bar for ``desc`` whose elapsed time keeps moving until it is done.

    Stages report only their start and end, so the bar cannot know how far along a stage is;
    a refresh every half second shows that a long stage is still running and for how long.
    """
    if not enabled:
        yield
        return
    from tqdm import tqdm

    bar = tqdm(total=1, desc=desc, bar_format="{desc:<44} |{bar:10}| {elapsed}{postfix}")
    stop = threading.Event()
    start = time.perf_counter()

    def refresh() -> None:
        while not stop.wait(0.5):
            bar.refresh()

    thread = threading.Thread(target=refresh, daemon=True)
    thread.start()
    try:
        yield
        bar.set_postfix_str(f"{time.perf_counter() - start:.2f} s", refresh=False)
        bar.update(1)
    finally:
        stop.set()
        thread.join()
        bar.close()


class StageClock:
    """A :data:`generator.pipeline.StageHook` that times each stage (and shows its bar).

    ``notify`` is called with the stage's name when it starts and with None when it ends, so
    the child can save what it has measured so far: a run stopped by the parent's timeout in
    a stage that never ends still reports the stages before it.
    """

    def __init__(
        self,
        label: str,
        progress: bool,
        notify: Callable[[str | None], object] = lambda stage: None,
    ) -> None:
        self.label = label
        self.progress = progress
        self.notify = notify
        self.times: dict[str, float] = {}
        self.running: str | None = None

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        self.notify(name)
        with ticking(f"{self.label}: {name}", self.progress):
            start = time.perf_counter()
            try:
                yield
            finally:
                self.times[name] = self.times.get(name, 0.0) + time.perf_counter() - start
        self.notify(None)


# --- the child: one size -----------------------------------------------------------------------


def _vm_hwm_kib(status: Path) -> int:
    """A live process's peak resident set (``VmHWM``) in KiB, 0 once it is gone."""
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeMemory:
    """Peak memory of this process and its child processes together, polled from ``/proc``.

    A run may fork workers (:mod:`generator.runtime.background`), whose memory ``ru_maxrss``
    does not add up: every ``interval`` a thread sums ``Rss`` and ``Pss``
    (``/proc/<pid>/smaps_rollup``) over this process and its descendants. The RSS sum counts
    pages a fork shares with its parent twice, so it is an upper bound; the PSS sum is the
    memory the processes really use. Polling can miss a peak shorter than the interval.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.rss_kib = 0
        self.pss_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        # This process's own peak, which polling may miss. VmHWM, not ru_maxrss: exec keeps
        # the parent's ru_maxrss, and the benchmark's parent holds the corpus.
        self.rss_kib = max(self.rss_kib, _vm_hwm_kib(Path("/proc/self/status")))

    def _poll(self) -> None:
        while True:
            rss = pss = 0
            for pid in self._tree(os.getpid()):
                got = self._rollup(pid)
                rss, pss = rss + got[0], pss + got[1]
            self.rss_kib, self.pss_kib = max(self.rss_kib, rss), max(self.pss_kib, pss)
            if self._stop.wait(self.interval):
                return

    @staticmethod
    def _tree(root: int) -> list[int]:
        parents: dict[int, int] = {}
        for folder in Path("/proc").iterdir():
            if folder.name.isdigit():
                try:
                    stat = (folder / "stat").read_text()
                except OSError:
                    continue
                parents[int(folder.name)] = int(stat.rpartition(")")[2].split()[1])
        tree, frontier = [root], [root]
        while frontier:
            frontier = [pid for pid, parent in parents.items() if parent in frontier]
            tree += frontier
        return tree

    @staticmethod
    def _rollup(pid: int) -> tuple[int, int]:
        """(Rss, Pss) of one process in KiB; zeros if it has gone."""
        rss = pss = 0
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return rss, pss


class Child:
    """The child's measurements so far, saved to ``out`` after every stage and step."""

    def __init__(self, project: Path, out: Path, label: str) -> None:
        self.project = project
        self.out = out
        self.label = label
        self.progress = progress_wanted()
        self.record: Record = {}
        self.memory = TreeMemory()

    def save(self) -> None:
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.record, sort_keys=True), encoding="utf-8")
        tmp.replace(self.out)

    def running(self, step: str | None, clock: StageClock | None = None) -> None:
        """Record which step (and stage) is running, with the stage times so far."""
        if step is None:
            self.record.pop("running", None)
        else:
            stage = clock.running if clock else None
            times = dict(clock.times) if clock else {}
            self.record["running"] = {"step": step, "stage": stage, "stages": times}
        self.save()

    def generate(self, step: str) -> tuple[Any, float, dict[str, float]]:
        """Run ``generate`` timed, stage by stage; return its result, wall time, stage times.

        The peak memory of its processes (:class:`TreeMemory`) is kept in ``self.memory``.
        """
        from generator.pipeline import STAGES, generate

        def notify(stage: str | None) -> None:
            clock.running = stage
            self.running(step, clock)

        clock = StageClock(f"{self.label} {step}", self.progress, notify)
        with TreeMemory() as self.memory:
            start = time.perf_counter()
            result = generate(self.project / "data", self.project / "docs", stage=clock)
            seconds = time.perf_counter() - start
        stages = {name: clock.times.get(name, 0.0) for name in STAGES}
        # Pages are made while they are written (generator.render.files): that time is rendering.
        made = result.report.make_seconds
        stages["render"] += made
        stages["write"] = max(0.0, stages["write"] - made)
        return result, seconds, stages


def tree_bytes(folder: Path) -> tuple[int, int]:
    """Total bytes and number of files under ``folder``."""
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
    return sum(sizes), len(sizes)


def mkdocs_build(project: Path, site: Path, timeout: float, progress: bool, label: str) -> Record:
    """Time ``mkdocs build --strict`` like ``paperkb build`` runs it; peak RSS of that child."""
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--quiet",
        "-f",
        str(project / "mkdocs.yml"),
        "-d",
        str(site),
    ]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    peak_kib = 0
    with (
        ticking(f"{label}: mkdocs build", progress),
        tempfile.TemporaryFile("w+") as out,
    ):
        # Peak RSS from /proc/<pid>/status VmHWM, polled: ru_maxrss of a child is useless here,
        # because subprocess uses vfork and exec carries the parent's high-water mark over.
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            peak_kib = max(peak_kib, _vm_hwm_kib(status))
            if timeout is not None and time.perf_counter() - start > timeout:
                process.kill()
                process.wait()
                return {"error": f"timed out after {timeout:.0f} s", "seconds": timeout}
            time.sleep(0.1)
        out.seek(0)
        output = out.read()
    seconds = time.perf_counter() - start
    record: Record = {"seconds": seconds, "rss_mb": peak_kib / 1024 if peak_kib else None}
    done = subprocess.CompletedProcess(command, process.returncode, output, output)
    if done.returncode != 0:
        record["error"] = f"exit code {done.returncode}: {(done.stderr or done.stdout)[-2000:]}"
    return record


#: Files that change whenever the set of papers does (counts, A-Z list, search, JSON).
def index_files() -> frozenset[str]:
    from generator import layout
    from generator.render import search

    return frozenset(
        {
            layout.HOME_PAGE,
            layout.ALL_PAPERS,
            layout.TOPICS_INDEX,
            layout.PAPERS_JSON,
            layout.MERGE_REPORT,
            layout.KB_PAGE,
            layout.DATES_INDEX,
            search.META_FILE,
        }
    )


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
#: A paper page's related-papers section (render.render_paper), up to the next section.
_RELATED = re.compile(r"^## Related papers\n.*?(?=^## |\Z)", re.S | re.M)


def sort_rewrites(
    before: Mapping[str, str],
    after: Mapping[str, str],
    written: Collection[str],
    new_ids: Collection[str],
    indexes: Collection[str],
) -> dict[str, list[str]]:
    """Why each rewritten file was rewritten, after new papers ``new_ids`` were added.

    ``new page``: it did not exist; ``links to a new paper``: it names a new paper's id (a link,
    a JSON record) or a new page (a date page's link to the new day after it); ``index``: one
    of ``indexes``; ``related papers re-ranked``: a paper page whose only change is its list of
    related papers among old papers (TF-IDF weights are corpus-wide, so new papers shift scores
    of old pairs: the content did change);
    ``unexpected``: none of these, so its content changed although nothing it shows is new.
    ``not written`` lists new files that were not written (should be none).
    """
    ids = set(new_ids) | {posixpath.splitext(posixpath.basename(rel))[0] for rel in after}
    ids -= {posixpath.splitext(posixpath.basename(rel))[0] for rel in before}
    kinds: dict[str, list[str]] = {
        "new page": [],
        "links to a new paper": [],
        "index": [],
        "related papers re-ranked": [],
        "unexpected": [],
    }
    for rel in sorted(written):
        if rel not in before:
            kind = "new page"
        elif rel in indexes or rel.startswith("search/"):  # every search shard is an index
            kind = "index"
        elif ids.intersection(_TOKEN.findall(after.get(rel, ""))):
            kind = "links to a new paper"
        elif _RELATED.sub("", before[rel]) == _RELATED.sub("", after.get(rel, "")):
            kind = "related papers re-ranked"
        else:
            kind = "unexpected"
        kinds[kind].append(rel)
    kinds["not written"] = sorted(set(after) - set(before) - set(written))
    return kinds


def site_breakdown(site: Path) -> dict[str, int]:
    """Bytes per top-level folder of the site (top-level files together as ``(files)``)."""
    parts: dict[str, int] = {}
    for path in site.rglob("*"):
        if path.is_file():
            rel = path.relative_to(site).parts
            key = rel[0] + "/" if len(rel) > 1 else "(files)"
            parts[key] = parts.get(key, 0) + path.stat().st_size
    return dict(sorted(parts.items()))


def measure(child: Child, extra: Path, mkdocs_timeout: float | None) -> Record:
    """Steps 1-4 of the module docstring on a laid-out project; runs in the child process."""
    project, record = child.project, child.record
    cold, cold_s, cold_stages = child.generate("generate")
    plan = cold.plan
    record.update(
        {
            "entries": plan.account.entries,
            "listings": plan.account.listings,
            "papers": plan.account.papers,
            "merged": plan.account.merged,
            "rejected": plan.account.rejected,
            "topics": plan.account.topics,
            "unsorted": plan.account.unsorted,
            "generated_files": len(plan.files),
            "stages": cold_stages,
            "generate_s": cold_s,
            "generate_rss_mb": child.memory.rss_kib / 1024,
            "generate_pss_mb": child.memory.pss_kib / 1024,
            "written": len(cold.report.written),
            "docs_bytes": sum((project / "docs" / rel).stat().st_size for rel in plan.files),
        }
    )

    noop, noop_s, noop_stages = child.generate("no-op")
    record["noop"] = {
        "seconds": noop_s,
        "stages": noop_stages,
        "written": len(noop.report.written),
        "deleted": len(noop.report.deleted),
        "registry_written": noop.registry_written,
        "written_files": list(noop.report.written[:20]),
    }

    site = project / "site"
    if mkdocs_timeout is None:
        record["mkdocs"] = {"skipped": True}
    else:
        child.running("mkdocs build")
        record["mkdocs"] = mkdocs_build(project, site, mkdocs_timeout, child.progress, child.label)
        if "error" not in record["mkdocs"]:
            site_bytes, site_files = tree_bytes(site)
            record["site_bytes"] = site_bytes
            record["site_files"] = site_files
            record["search_bytes"] = tree_bytes(site / "search")[0]  # every shard of the index
            record["site_breakdown"] = site_breakdown(site)

    shutil.copy2(extra, project / "data" / "listings" / extra.name)
    added, added_s, added_stages = child.generate("add listing")
    new_ids = [row.id for row in added.plan.new_rows]
    kinds = sort_rewrites(
        plan.files, added.plan.files, added.report.written, new_ids, index_files()
    )
    record["add_listing"] = {
        "seconds": added_s,
        "stages": added_stages,
        "new_papers": len(new_ids),
        "written": len(added.report.written),
        "deleted": len(added.report.deleted),
        "registry_written": added.registry_written,
        "kinds": {kind: len(files) for kind, files in kinds.items()},
        "unexpected_files": kinds["unexpected"][:20],
        "not_written_files": kinds["not written"][:20],
    }
    record["child_rss_mb"] = _vm_hwm_kib(Path("/proc/self/status")) / 1024
    child.running(None)
    return record


# --- the parent: make each corpus, run each child ---------------------------------------------


def _describe(running: Record | None) -> str:
    if not running:
        return "an unknown step"
    stage = running.get("stage")
    return f"step {running['step']}" + (f", stage {stage}" if stage else "")


def run_child(command: Sequence[str], timeout: float) -> int | None:
    """Run a child process in its own process group; None if it ran out of time.

    On timeout (or Ctrl-C) the whole group is killed, the child's mkdocs build included.
    """
    child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    try:
        return child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def run_size(
    size: int,
    workdir: Path,
    *,
    timeout: float = DEFAULT_SIZE_TIMEOUT,
    mkdocs_timeout: float | None = DEFAULT_MKDOCS_TIMEOUT,
    progress: bool = False,
    keep: bool = False,
) -> Record:
    """Make the corpus of ``size`` entries under ``workdir`` and measure it in a child process.

    ``mkdocs_timeout`` None skips the mkdocs build; ``timeout`` bounds the whole child. A failed
    or stopped child is reported in the record (``error``, with what it measured before)
    rather than raised, so one bad size does not lose the others' figures.
    """
    from benchmarks import synth

    project = Path(tempfile.mkdtemp(prefix=f"paperkb-pipeline-{size}-", dir=workdir))
    label = f"{size:,}"
    try:
        start = time.perf_counter()
        stuff = synth.material()
        if progress:
            from tqdm import tqdm

            with tqdm(total=size, desc=f"{label}: synthesize", leave=True, unit=" entries") as bar:
                made = synth.corpus(size, stuff=stuff, tick=bar.update)
        else:
            made = synth.corpus(size, stuff=stuff)
        synth.make_project(project / "project", made.listings)
        extra_rel, extra_text = synth.next_listing(size, stuff=stuff)
        extra = project / "extra" / Path(extra_rel).name
        extra.parent.mkdir()
        extra.write_text(extra_text, encoding="utf-8")
        synth_s = time.perf_counter() - start
        out = project / "record.json"
        command = [
            sys.executable,
            "-m",
            "benchmarks.bench_pipeline",
            "--child",
            str(project / "project"),
            str(extra),
            str(out),
            label,
            "none" if mkdocs_timeout is None else str(mkdocs_timeout),
        ]
        record: Record = {"size": size, "planted": made.planted, "synth_s": synth_s}
        code = run_child(command, timeout)
        if out.is_file():
            record |= json.loads(out.read_text(encoding="utf-8"))
        running = record.pop("running", None)
        if code is None:
            record["error"] = f"timed out after {timeout:.0f} s, in {_describe(running)}"
        elif code != 0:
            record["error"] = f"child process failed with exit code {code}"
            if running:
                record["error"] += f", in {_describe(running)}"
        if running and running.get("step") == "generate" and "stages" not in record:
            record["stages"] = running["stages"]  # the stages that finished before the stop
            record["stages_partial"] = True
        return record
    finally:
        if not keep:
            shutil.rmtree(project, ignore_errors=True)


# --- the report --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    target: str
    measured: str
    met: bool | None
    """None: not measured in this run (size not run, or its step failed)."""


def _get(record: Record | None, *keys: str) -> Any:
    value: Any = record
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def per_paper(record: Record, key: str) -> float | None:
    value, papers = record.get(key), record.get("papers")
    return value / papers if isinstance(value, int) and papers else None


def linear_fit(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares ``(intercept, slope)`` of y over x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx if sxx else 0.0
    return mean_y - slope * mean_x, slope


def pages_capacity(records: Sequence[Record]) -> tuple[int, int] | None:
    """Papers (and entries, at the measured entries per paper) whose site fits in 1 GB.

    From a least-squares line of site bytes over papers across the measured sizes (with one
    size, bytes per paper through the origin). The intercept is the fixed part (theme assets).
    """
    points = [(float(r["papers"]), float(r["site_bytes"])) for r in records if "site_bytes" in r]
    if not points:
        return None
    if len(points) == 1:
        intercept, slope = 0.0, points[0][1] / points[0][0]
    else:
        intercept, slope = linear_fit(points)
    if slope <= 0:
        return None
    papers = math.floor((PAGES_LIMIT - intercept) / slope)
    largest = max((r for r in records if "site_bytes" in r), key=lambda r: r["papers"])
    return papers, math.floor(papers * largest["entries"] / largest["papers"])


def linear_growth(records: Sequence[Record], key: str) -> list[tuple[int, int, float, float]]:
    """For consecutive sizes: the added bytes per added paper against bytes per paper before.

    A site whose size is linear in papers (plus fixed assets) adds at most what it already
    spends per paper; one that grows faster (a nav on every page) adds more with every paper.
    """
    measured = sorted((r for r in records if key in r), key=lambda r: r["papers"])
    steps = []
    for small, big in itertools.pairwise(measured):
        added = (big[key] - small[key]) / (big["papers"] - small["papers"])
        steps.append((small["size"], big["size"], added, small[key] / small["papers"]))
    return steps


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _ratio(big: float | None, small: float | None) -> float | None:
    return big / small if big is not None and small else None


def targets(records: Sequence[Record]) -> list[Verdict]:
    """Every target of issue 8 against the measurements (sizes in entries)."""
    by = {r["size"]: r for r in records}
    small, ten, hundred = by.get(1_000), by.get(10_000), by.get(100_000)
    verdicts: list[Verdict] = []

    def at_most(target: str, value: float | None, limit: float, shown: str) -> None:
        verdicts.append(
            Verdict(
                target,
                shown if value is not None else "not measured",
                None if value is None else value <= limit,
            )
        )

    gen100 = _get(hundred, "generate_s")
    at_most("generate, 100k entries: <= 60 s", gen100, 60, _seconds(gen100))
    rss100 = _get(hundred, "generate_rss_mb")
    at_most(
        "generate, 100k entries: peak RSS <= 2 GiB (all its processes, summed)",
        rss100,
        2048,
        f"{rss100 or 0:,.0f} MiB",
    )
    gen10 = _get(ten, "generate_s")
    at_most("generate, 10k entries: <= 8 s", gen10, 8, _seconds(gen10))
    mk10 = None if _get(ten, "mkdocs", "error") else _get(ten, "mkdocs", "seconds")
    at_most("mkdocs build, 10k entries (with topic pages): <= 30 s", mk10, 30, _seconds(mk10))
    gen_ratio = _ratio(gen10, _get(small, "generate_s"))
    at_most("generate time ratio 10k / 1k <= 11", gen_ratio, 11, f"{gen_ratio or 0:.1f}")
    mk1 = None if _get(small, "mkdocs", "error") else _get(small, "mkdocs", "seconds")
    mk_ratio = _ratio(mk10, mk1)
    at_most("mkdocs build time ratio 10k / 1k <= 11", mk_ratio, 11, f"{mk_ratio or 0:.1f}")

    # Per-paper targets at the sizes: a tiny corpus is mostly fixed theme assets.
    standard = [r for r in records if r["size"] in DEFAULT_SIZES]
    sites = [(r["size"], per_paper(r, "site_bytes")) for r in standard if "site_bytes" in r]
    worst_site = max((b for _, b in sites if b is not None), default=None)
    at_most(
        "site <= 16 KB per paper (at each of 1k, 10k, 100k)",
        worst_site,
        16 * KB,
        ", ".join(f"{b / KB:.1f} KB at {s:,}" for s, b in sites if b is not None),
    )
    steps = linear_growth(standard, "site_bytes")
    verdicts.append(
        Verdict(
            "site size linear in papers (added bytes per added paper <= 1.1 x bytes per "
            "paper at the smaller size)",
            "; ".join(
                f"{a:,}->{b:,}: {added / KB:.1f} KB added per paper vs {before / KB:.1f} KB"
                for a, b, added, before in steps
            )
            or "needs two sizes with a site",
            all(added <= 1.1 * before for _, _, added, before in steps) if steps else None,
        )
    )
    searches = [(r["size"], per_paper(r, "search_bytes")) for r in standard if "search_bytes" in r]
    worst_search = max((b for _, b in searches if b is not None), default=None)
    at_most(
        "search data <= 1 KB per paper (at each of 1k, 10k, 100k)",
        worst_search,
        KB,
        ", ".join(f"{b:.0f} B at {s:,}" for s, b in searches if b is not None),
    )
    noop_written = _get(ten, "noop", "written")
    noop_deleted = _get(ten, "noop", "deleted") or 0
    noop_registry = bool(_get(ten, "noop", "registry_written"))
    noop_total = None if noop_written is None else noop_written + noop_deleted + noop_registry
    at_most(
        "no-op regenerate, 10k: writes 0 files",
        noop_total,
        0,
        f"{noop_total} files written or deleted",
    )
    noop_s = _get(ten, "noop", "seconds")
    at_most("no-op regenerate, 10k: <= 3 s", noop_s, 3, _seconds(noop_s))
    kinds = _get(ten, "add_listing", "kinds")
    if kinds is None:
        verdicts.append(
            Verdict(
                "add one listing, 10k: rewrites only the files whose content changed",
                "not measured",
                None,
            )
        )
    else:
        wrong = kinds.get("unexpected", 0) + kinds.get("not written", 0)
        verdicts.append(
            Verdict(
                "add one listing, 10k: rewrites only the files whose content changed "
                "(none unexpected, every new page written)",
                f"{_get(ten, 'add_listing', 'written')} written for "
                f"{_get(ten, 'add_listing', 'new_papers')} new papers: "
                + ", ".join(f"{n} {k}" for k, n in kinds.items()),
                wrong == 0,
            )
        )
    capacity = pages_capacity(records)
    verdicts.append(
        Verdict(
            "largest corpus within GitHub Pages' 1 GB (linear fit over sizes; report only)",
            "not measured"
            if capacity is None
            else f"{capacity[0]:,} papers (~{capacity[1]:,} entries)",
            None,
        )
    )
    return verdicts


def _cell(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "MB":
        return f"{value / 1e6:,.1f} MB"
    return f"{value:,.0f}"


def _stage_time(name: str) -> Callable[[Record], float | None]:
    return lambda record: _get(record, "stages", name)


def table(records: Sequence[Record]) -> str:
    """Metrics as rows, sizes as columns, then the ratio of each size to the one before."""
    from generator.pipeline import STAGES

    ordered = sorted(records, key=lambda r: r["size"])
    rows: list[tuple[str, str, Callable[[Record], float | None], bool]] = [
        ("entries (planted duplicate spellings)", "", lambda r: r.get("entries"), False),
        ("listings", "", lambda r: r.get("listings"), False),
        ("distinct papers", "", lambda r: r.get("papers"), True),
        ("generated files", "", lambda r: r.get("generated_files"), True),
    ]
    rows += [(name, "s", _stage_time(name), True) for name in STAGES]
    rows += [
        ("**generate** (all stages, wall)", "s", lambda r: r.get("generate_s"), True),
        (
            "generate peak RSS (its processes summed)",
            "MiB",
            lambda r: r.get("generate_rss_mb"),
            True,
        ),
        (
            "generate peak PSS (its processes summed)",
            "MiB",
            lambda r: r.get("generate_pss_mb"),
            True,
        ),
        ("no-op regenerate", "s", lambda r: _get(r, "noop", "seconds"), True),
        ("no-op regenerate: files written", "", lambda r: _get(r, "noop", "written"), False),
        ("add one listing: regenerate", "s", lambda r: _get(r, "add_listing", "seconds"), True),
        ("add one listing: files written", "", lambda r: _get(r, "add_listing", "written"), False),
        (
            "add one listing: related papers re-ranked",
            "",
            lambda r: _get(r, "add_listing", "kinds", "related papers re-ranked"),
            False,
        ),
        (
            "add one listing: unexpected rewrites",
            "",
            lambda r: _get(r, "add_listing", "kinds", "unexpected"),
            False,
        ),
        (
            "**mkdocs build**",
            "s",
            lambda r: None if _get(r, "mkdocs", "error") else _get(r, "mkdocs", "seconds"),
            True,
        ),
        ("mkdocs build peak RSS", "MiB", lambda r: _get(r, "mkdocs", "rss_mb"), True),
        ("site files", "", lambda r: r.get("site_files"), True),
        ("site size", "MB", lambda r: r.get("site_bytes"), True),
        ("site bytes per paper", "B", lambda r: per_paper(r, "site_bytes"), True),
        ("search bytes per paper", "B", lambda r: per_paper(r, "search_bytes"), True),
    ]
    pairs = list(itertools.pairwise(ordered))
    head = ["", *(f"{r['size']:,}" for r in ordered)]
    head += [f"{b['size'] // 1000:,}k / {a['size'] // 1000:,}k" for a, b in pairs]
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for name, unit, get, ratio in rows:
        cells = [name, *(_cell(get(r), unit) for r in ordered)]
        for a, b in pairs:
            value = _ratio(get(b), get(a)) if ratio else None
            cells.append("—" if value is None else f"{value:.1f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict_table(verdicts: Sequence[Verdict]) -> str:
    lines = ["| target | measured | |", "| --- | --- | --- |"]
    for v in verdicts:
        mark = {True: "met", False: "**missed**", None: "—"}[v.met]
        lines.append(f"| {v.target} | {v.measured} | {mark} |")
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.platform()}, {model}, {os.cpu_count()} CPUs, {ram:.0f} GiB RAM, "
        f"Python {platform.python_version()}; load average at start "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )


def revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head + (" with uncommitted changes" if dirty else "")


def report(records: Sequence[Record], command: str, started: str, about: str) -> str:
    failures = [
        f"- {r['size']:,}: {r.get('error') or _get(r, 'mkdocs', 'error')}"
        for r in records
        if r.get("error") or _get(r, "mkdocs", "error")
    ]
    raw = json.dumps(sorted(records, key=lambda r: r["size"]), indent=1, sort_keys=True)
    return "\n".join(
        [
            "# Pipeline benchmark",
            "",
            f"- Command: `{command}` (from the repository root)",
            f"- Date: {started}; revision {revision()}",
            f"- Machine: {about}",
            "- Corpora: synthetic listings from the shipped ones (`benchmarks/synth.py`, fixed "
            "seed), 100 entries per listing, one listing per day, 5% planted duplicate "
            "spellings, the shipped `data/topics.yaml`, empty registry. One run per size, "
            "each in its own process; the machine is shared, so compare ratios within a run.",
            "- Steps per size: generate into an empty `docs/` (time per stage and wall), peak "
            "RSS of that process after it; generate again (no-op); `mkdocs build --strict` "
            "(peak RSS of the mkdocs process); add the next day's listing (100 new papers) "
            "and generate. Site bytes: every file under `site/`; search bytes: "
            "every file under `site/search/`; KB = 1,000 bytes.",
            "",
            table(records),
            "",
            "Ratios are each size's figure over the previous size's.",
            "",
            "## Targets",
            "",
            verdict_table(targets(records)),
            "",
            *(["## Failures", "", *failures, ""] if failures else []),
            "<details><summary>Raw measurements (JSON per size)</summary>",
            "",
            "```json",
            raw,
            "```",
            "",
            "</details>",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--child"]:
        project, extra, out, label, limit = args_list[1:6]
        child = Child(Path(project), Path(out), label)
        measure(child, Path(extra), None if limit == "none" else float(limit))
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    parser.add_argument("--output", type=Path, default=RESULTS, help="results file")
    parser.add_argument(
        "--skip-mkdocs-above", type=int, metavar="N", help="no mkdocs build above N entries"
    )
    parser.add_argument(
        "--mkdocs-timeout", type=float, default=DEFAULT_MKDOCS_TIMEOUT, metavar="SECONDS"
    )
    parser.add_argument(
        "--size-timeout",
        type=float,
        default=DEFAULT_SIZE_TIMEOUT,
        metavar="SECONDS",
        help="stop a size's run after this long and report what it measured",
    )
    parser.add_argument("--workdir", type=Path, help="where the projects go (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep each size's project")
    parser.add_argument("--json", type=Path, help="also write the raw records here")
    args = parser.parse_args(args_list)

    started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    about = machine()
    progress = progress_wanted()
    workdir = args.workdir or Path(tempfile.gettempdir())
    workdir.mkdir(parents=True, exist_ok=True)
    records = []
    for size in sorted(set(args.sizes)):
        skip = args.skip_mkdocs_above is not None and size > args.skip_mkdocs_above
        timeout = None if skip else args.mkdocs_timeout
        records.append(
            run_size(
                size,
                workdir,
                timeout=args.size_timeout,
                mkdocs_timeout=timeout,
                progress=progress,
                keep=args.keep,
            )
        )
        if args.json:  # after every size: a long run that dies keeps what it measured
            args.json.write_text(json.dumps(records, indent=1), encoding="utf-8")
    command = " ".join([".venv/bin/python -m benchmarks.bench_pipeline", *args_list])
    text = report(records, command, started, about)
    print(text)
    if not args.no_write:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 1 if any(r.get("error") for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
