"""Benchmark of the site build on every core (issue 28); not a test.

    .venv/bin/python -m benchmarks.bench_build                         # 1k and 10k; results
    .venv/bin/python -m benchmarks.bench_build --sizes 100000 \
        --output benchmarks/results/build-100k.md                    # the 100k case alone
    options: --sizes N ..., --rounds N (default 2), --no-write, --keep, --size-timeout S

For each size a synthetic knowledge base (:mod:`benchmarks.synth`, as in ``bench_pipeline``)
is laid out as a project in a temporary folder, and each step runs in a child process of its
own (its memory its own), timed (wall, CPU of all its processes, time it waited for a CPU),
with the peak memory of all its processes together (RSS and PSS summed,
:class:`benchmarks.bench_pipeline.TreeMemory`):

1. **pipeline**: ``paperkb build`` itself (``generator.cli.main``) from an empty ``docs/``:
   ``generate`` in a process of its own, then the site build on every core; the build's share
   is the time ``paperkb build`` prints for it;
2. **serial**: the site build again with ``processes=1`` (MkDocs' own one-process build);
3. **parallel**: the site build again on every core, with each worker's CPU time, pages and
   time waiting for a CPU (``/proc/<pid>/schedstat``: other processes' load, not the build);
   steps 2 and 3 alternate for ``--rounds`` rounds and the fastest of each is reported (every
   round is listed), so that both meet the same moments of a shared machine;
4. the serial and parallel sites compared file by file (SHA-256 of every file).

The ratio serial / parallel is measured in one run, from the fastest serial and parallel builds;
a second ratio leaves out the time each waited for a processor (what an idle machine would
show, an estimate). The figure for
4 cores is estimated from step 3: the workers' CPU seconds spread over 4 workers, plus the time
the parent spent before and after them (which does not shrink with more cores). The machine is
shared: the load average (``/proc/loadavg``) is recorded before and after each size.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import io
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "build.md"
DEFAULT_SIZES = (1_000, 10_000)
DEFAULT_SIZE_TIMEOUT = 2 * 3600
#: 3 GB (the memory target) in MiB, the unit of the measurements.
THREE_GB_MIB = 3e9 / 2**20

Record = dict[str, Any]
#: How often the memory of the processes is polled: a walk of /proc costs CPU the build needs,
#: and the memory of a build lasting seconds to minutes does not peak for less than this.
POLL_SECONDS = 0.25


def load() -> str:
    """The load averages over 1, 5 and 15 minutes."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (the build's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _waited() -> float:
    """Seconds this process has waited, ready to run, for a processor (Linux schedstat)."""
    return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9


@contextmanager
def step(record: Record, name: str) -> Iterator[Record]:
    """Time the block (wall, CPU) and its processes' peak memory into ``record[name]``."""
    from benchmarks.bench_pipeline import TreeMemory

    out: Record = {}
    with TreeMemory(interval=POLL_SECONDS) as memory:
        wall, cpu, waited = time.perf_counter(), _cpu(), _waited()
        yield out
        out["seconds"] = time.perf_counter() - wall
        out["cpu_seconds"] = _cpu() - cpu
        out["wait_seconds"] = _waited() - waited
    out["rss_mb"] = memory.rss_kib / 1024
    out["pss_mb"] = memory.pss_kib / 1024
    record[name] = out


def digests(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file()
    }


def _timing(built: Any) -> Record:
    timing = built.timing
    if timing is None:
        return {"processes": built.processes, "serial_reason": built.serial_reason}
    return {
        "processes": built.processes,
        "pages": timing.pages,
        "worker_cpu_seconds": list(timing.worker_seconds),
        "worker_pages": list(timing.worker_pages),
        "worker_wait_seconds": list(timing.worker_waits),
        "before_seconds": timing.before_seconds,
        "workers_seconds": timing.workers_seconds,
        "after_seconds": timing.after_seconds,
    }


#: Rounds of the serial and the parallel build (alternating): the fastest of each counts.
DEFAULT_ROUNDS = 2
_BUILT = re.compile(r"site build: ([0-9]+) pages in .*, ([0-9.]+) s")


def measure(step_name: str, project: Path) -> Record:
    """One step of the module docstring, in a child process."""
    from generator.cli import main
    from generator.sitebuild.engine import build_site

    config = project / "mkdocs.yml"
    record: Record = {"load_before": load()}
    with step(record, step_name) as out:
        if step_name == "pipeline":  # exactly `paperkb build`, from an empty docs/
            printed = io.StringIO()
            argv = ["build", "--data", str(project / "data"), "--config", str(config)]
            with contextlib.redirect_stdout(printed):
                code = main(argv)
            match = _BUILT.search(printed.getvalue())
            if code != 0 or match is None:
                raise SystemExit(f"paperkb build failed ({code}): {printed.getvalue()[-2000:]}")
            out["pages"], out["build_seconds"] = int(match.group(1)), float(match.group(2))
        else:
            site = project / f"site-{step_name}"
            processes = 1 if step_name == "serial" else None
            out |= _timing(build_site(config, site, processes=processes, show=False))
    if step_name == "pipeline":
        out["generate_seconds"] = out["seconds"] - out["build_seconds"]
        papers = json.loads((project / "docs" / "papers.json").read_text(encoding="utf-8"))
        record["papers"] = len(papers["papers"])
    record["load_after"] = load()
    return record


def compare(project: Path) -> Record:
    """The serial and parallel sites, file by file."""
    serial, split = digests(project / "site-serial"), digests(project / "site-parallel")
    differing = sorted(k for k in serial.keys() | split.keys() if serial.get(k) != split.get(k))
    site = project / "site"
    return {
        "files": len(serial),
        "identical": not differing,
        "differing": differing[:20],
        "site_bytes": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()),
    }


def estimate(parallel: Record, cores: int) -> float | None:
    """Wall seconds of the parallel site build with ``cores`` workers, from its CPU figures."""
    workers: list[float] = parallel.get("worker_cpu_seconds") or []
    if not workers:
        return None
    around: float = parallel["before_seconds"] + parallel["after_seconds"]
    return around + sum(workers) / cores


def run_size(
    size: int, workdir: Path, *, timeout: float, keep: bool, rounds: int = DEFAULT_ROUNDS
) -> Record:
    """Make the corpus of ``size`` entries and run every step on it, each in a child process:
    the pipeline, then ``rounds`` rounds of the serial and the parallel build, alternating; the
    fastest of each is the one reported (``rounds`` keeps every round)."""
    from benchmarks import synth

    folder = Path(tempfile.mkdtemp(prefix=f"paperkb-build-{size}-", dir=workdir))
    record: Record = {"size": size, "cores": len(os.sched_getaffinity(0)), "rounds": []}
    try:
        made = synth.corpus(size, stuff=synth.material())
        project = synth.make_project(folder / "project", made.listings)
        for name in ("pipeline", *(["serial", "parallel"] * rounds)):
            out = folder / f"{name}.json"
            command = [sys.executable, "-m", "benchmarks.bench_build", "--child", name]
            command += [str(project), str(out)]
            try:
                code = subprocess.run(command, cwd=ROOT, timeout=timeout, check=False).returncode
            except subprocess.TimeoutExpired:
                record["error"] = f"{name}: timed out after {timeout:.0f} s"
                break
            if code != 0 or not out.is_file():
                record["error"] = f"{name}: exit code {code}"
                break
            child = json.loads(out.read_text(encoding="utf-8"))
            measured = child.pop(name)
            if name == "serial":
                record["rounds"].append({})
            if name != "pipeline":
                record["rounds"][-1][name] = measured
            if name not in record or measured["seconds"] < record[name]["seconds"]:
                record[name] = measured
            record.setdefault("load_before", child["load_before"])
            record["load_after"] = child["load_after"]
            record.update(child)
        else:
            record |= compare(project)
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        return record
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} MiB"


def table(records: Sequence[Record]) -> list[str]:
    sizes = [r["size"] for r in records]
    rows: list[tuple[str, Callable[[Record], str]]] = [
        ("distinct papers", lambda r: f"{r.get('papers', 0):,}"),
        ("site files", lambda r: f"{r.get('files', 0):,}"),
        (
            "load average before / after",
            lambda r: f"{r.get('load_before')} / {r.get('load_after')}",
        ),
        ("**generate**", lambda r: _s(r.get("pipeline", {}).get("generate_seconds"))),
        (
            "site build in the pipeline (all cores)",
            lambda r: _s(r.get("pipeline", {}).get("build_seconds")),
        ),
        (
            "**whole pipeline** (generate + build), wall",
            lambda r: _s(r.get("pipeline", {}).get("seconds")),
        ),
        (
            "whole pipeline: peak RSS, all processes summed",
            lambda r: _mib(r.get("pipeline", {}).get("rss_mb")),
        ),
        (
            "whole pipeline: peak PSS, all processes summed",
            lambda r: _mib(r.get("pipeline", {}).get("pss_mb")),
        ),
        (
            "**site build, serial** (MkDocs' own, one process), wall",
            lambda r: _s(r.get("serial", {}).get("seconds")),
        ),
        ("site build, serial: CPU", lambda r: _s(r.get("serial", {}).get("cpu_seconds"))),
        (
            "site build, serial: time waiting for a CPU (other processes' load)",
            lambda r: _s(r.get("serial", {}).get("wait_seconds")),
        ),
        ("site build, serial: peak RSS", lambda r: _mib(r.get("serial", {}).get("rss_mb"))),
        ("**site build, parallel**, wall", lambda r: _s(r.get("parallel", {}).get("seconds"))),
        (
            "site build, parallel: CPU, all processes",
            lambda r: _s(r.get("parallel", {}).get("cpu_seconds")),
        ),
        (
            "site build, parallel: workers",
            lambda r: str(r.get("parallel", {}).get("processes", "—")),
        ),
        ("site build, parallel: CPU per worker (pages; time waiting for a CPU)", _workers),
        (
            "site build, parallel: parent before / after the workers",
            lambda r: " / ".join(
                _s(r.get("parallel", {}).get(k)) for k in ("before_seconds", "after_seconds")
            ),
        ),
        (
            "site build, parallel: peak RSS (PSS), all processes",
            lambda r: "{} ({})".format(
                *(_mib(r.get("parallel", {}).get(k)) for k in ("rss_mb", "pss_mb"))
            ),
        ),
        ("site builds, each round: serial / parallel (wall)", _rounds),
        ("**speed-up serial / parallel** (fastest of each, wall, same run)", _speedup),
        ("speed-up without the time spent waiting for a CPU (an idle machine's)", _idle_speedup),
        (
            "site build with 4 cores (estimated from the workers' CPU)",
            lambda r: _s(estimate(r.get("parallel", {}), 4)),
        ),
        ("serial and parallel sites byte-identical", lambda r: str(r.get("identical", "—"))),
    ]
    lines = [
        "| | " + " | ".join(f"{s:,}" for s in sizes) + " |",
        "| --- |" + " ---: |" * len(sizes),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in records) + " |")
    return lines


def _workers(record: Record) -> str:
    parallel = record.get("parallel", {})
    cpu, pages = parallel.get("worker_cpu_seconds") or [], parallel.get("worker_pages") or []
    waits = parallel.get("worker_wait_seconds") or [0.0] * len(cpu)
    return (
        ", ".join(
            f"{c:.1f} s ({p:,} pages; waited {w:.1f} s for a CPU)"
            for c, p, w in zip(cpu, pages, waits, strict=False)
        )
        or "—"
    )


def _idle_speedup(record: Record) -> str:
    """The speed-up without the time the builds waited for a processor (others' load)."""
    serial, split = record.get("serial", {}), record.get("parallel", {})
    waits = split.get("worker_wait_seconds") or []
    if not serial.get("seconds") or not split.get("seconds") or not waits:
        return "—"
    busy_serial = serial["seconds"] - serial.get("wait_seconds", 0.0)
    busy_split = split["seconds"] - sum(waits) / len(waits)
    return f"{busy_serial / busy_split:.2f}x"


def _rounds(record: Record) -> str:
    return (
        "; ".join(
            " / ".join(_s(r.get(k, {}).get("seconds")) for k in ("serial", "parallel"))
            for r in record.get("rounds", [])
        )
        or "—"
    )


def _speedup(record: Record) -> str:
    serial, split = (
        record.get("serial", {}).get("seconds"),
        record.get("parallel", {}).get("seconds"),
    )
    return f"{serial / split:.2f}x" if serial and split else "—"


def targets(records: Sequence[Record]) -> list[str]:
    by = {r["size"]: r for r in records}
    lines = ["| target | measured | |", "| --- | --- | --- |"]

    def verdict(target: str, value: float | None, ok: bool | None, shown: str) -> None:
        mark = "—" if value is None or ok is None else ("met" if ok else "**missed**")
        lines.append(f"| {target} | {shown if value is not None else 'not measured'} | {mark} |")

    for size in (10_000, 100_000):
        r = by.get(size, {})
        serial, split = r.get("serial", {}).get("seconds"), r.get("parallel", {}).get("seconds")
        ratio = serial / split if serial and split else None
        verdict(
            f"site build at {size // 1000}k: >= 1.7x faster than serial (2 cores)",
            ratio,
            ratio is not None and ratio >= 1.7,
            f"{ratio or 0:.2f}x",
        )
    r = by.get(100_000, {})
    whole = r.get("pipeline", {}).get("seconds")
    verdict(
        "whole pipeline at 100k: <= 150 s (2 cores)",
        whole,
        whole is not None and whole <= 150,
        _s(whole),
    )
    peaks = [x.get(k, {}).get("rss_mb") for x in records for k in ("pipeline", "parallel")]
    peak = max((p for p in peaks if p is not None), default=None)
    verdict(
        "peak memory of all processes <= 3 GB (RSS summed)",
        peak,
        peak is not None and peak <= THREE_GB_MIB,
        _mib(peak),
    )
    same = [x.get("identical") for x in records]
    verdict(
        "parallel site byte-identical to the serial one",
        1.0 if same else None,
        all(same) if same else None,
        ", ".join(str(s) for s in same),
    )
    return lines


def report(records: Sequence[Record], command: str, when: str, machine: str) -> str:
    out = [
        "# Site build on every core (issue 28)",
        "",
        f"- Command: `{command}` (from the repository root)",
        f"- Date: {when}",
        f"- Machine: {machine}",
        f"- Revision: {revision()}",
        "- Corpora: `benchmarks/synth.py` (as the pipeline benchmark: 100 entries per listing, 5% "
        "planted duplicates, the shipped taxonomy). Each step in a child process of its own: "
        "`paperkb build` from an empty docs/ (the pipeline), then the serial and the parallel "
        "site builds, alternating for the rounds asked for (the fastest of each counts); times "
        "are wall unless marked CPU. The machine is shared: compare ratios within a run, and "
        "read the load averages and the time the builds waited for a CPU.",
        "",
        *table(records),
        "",
        "## Targets",
        "",
        *targets(records),
        "",
        "## Raw",
        "",
        "```json",
        json.dumps(list(records), indent=1, sort_keys=True),
        "```",
        "",
    ]
    return "\n".join(out)


def revision() -> str:
    """The checked-out commit, and whether the working tree has changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    changed = (
        " with uncommitted changes"
        if git(
            "status",
            "--porcelain",
            "--",
            "generator",
            "hooks",
            "overrides",
            "benchmarks/bench_build.py",
        )
        else ""
    )
    return (git("rev-parse", "--short", "HEAD") or "unknown") + changed


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.platform()}, {model}, {os.cpu_count()} CPUs, {memory:.0f} GiB RAM, "
        f"Python {platform.python_version()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the projects (printed)")
    parser.add_argument("--size-timeout", type=float, default=DEFAULT_SIZE_TIMEOUT)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="serial/parallel rounds")
    parser.add_argument(
        "--child", nargs=3, metavar=("STEP", "PROJECT", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        name, project, out = args.child[0], Path(args.child[1]), Path(args.child[2])
        record = measure(name, project)
        out.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        return 0
    command = "python -m benchmarks.bench_build " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    when = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    records = []
    with tempfile.TemporaryDirectory(prefix="paperkb-bench-build-") as tmp:
        for size in args.sizes:
            print(f"size {size:,}: load {load()}", file=sys.stderr)
            records.append(
                run_size(
                    size, Path(tmp), timeout=args.size_timeout, keep=args.keep, rounds=args.rounds
                )
            )
            print(json.dumps(records[-1], sort_keys=True)[:2000], file=sys.stderr)
    text = report(records, command.strip(), when, machine())
    if args.no_write:
        print(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
