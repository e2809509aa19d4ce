"""The pipeline benchmark end to end at a tiny size, and its pieces that decide met / missed.

The harness is run rarely and by hand at full size, so a change to the pipeline's API or
output layout would otherwise break it unnoticed until the next benchmark run: this runs the
real thing (synthetic corpus, child process, generate, no-op, mkdocs build, add a listing) on
60 entries, without writing the results file.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import bench_pipeline, synth
from generator.inputs.listings import parse_all
from generator.pipeline import STAGES


def test_tiny_run_end_to_end(tmp_path: Path) -> None:
    record = bench_pipeline.run_size(60, tmp_path)

    assert "error" not in record, record
    assert "error" not in record["mkdocs"], record["mkdocs"]
    assert record["entries"] == 60
    assert record["planted"] == 3
    assert 0 < record["papers"] <= 60
    assert set(record["stages"]) == set(STAGES)
    assert all(seconds > 0 for seconds in record["stages"].values())
    assert record["generate_s"] >= sum(record["stages"].values())
    assert record["generate_rss_mb"] >= record["generate_pss_mb"] > 0
    assert record["mkdocs"]["seconds"] > 0
    assert (bench_pipeline.per_paper(record, "site_bytes") or 0) > 0
    assert (bench_pipeline.per_paper(record, "search_bytes") or 0) > 0
    assert record["site_bytes"] > record["search_bytes"] > 0
    # A second generate on unchanged data touches nothing, not even the registry.
    assert record["noop"]["written"] == 0
    assert record["noop"]["deleted"] == 0
    assert record["noop"]["registry_written"] is False
    added = record["add_listing"]
    assert added["new_papers"] == synth.PER_LISTING
    assert added["kinds"]["new page"] >= synth.PER_LISTING
    assert added["kinds"]["not written"] == 0
    # The projects are removed unless asked to keep them.
    assert list(tmp_path.iterdir()) == []

    text = bench_pipeline.report([record], "cmd", "today", "machine")
    assert "| **generate** (all stages, wall) |" in text
    assert "| no-op regenerate: files written | 0 |" in text


def test_tree_memory_counts_child_processes() -> None:
    """A child holding 300 MB shows in the sum: ru_maxrss of this process would not see it."""
    hold = "b = bytearray(300 * 2**20); import time; time.sleep(1.0)"
    with bench_pipeline.TreeMemory(interval=0.02) as memory:
        subprocess.run([sys.executable, "-c", hold], check=True)
    assert memory.pss_kib > 300 * 1024
    assert memory.rss_kib >= memory.pss_kib


def test_synthetic_corpus_is_deterministic_and_parses_cleanly() -> None:
    stuff = synth.material()
    first = synth.corpus(250, stuff=stuff)
    assert synth.corpus(250, stuff=stuff) == first
    assert first.entries == 250
    assert len(first.listings) == 3  # 100 per listing
    assert len({path for path, _ in first.listings}) == 3
    entries, problems = parse_all(first.listings)
    assert problems == []
    assert len(entries) == 250
    assert len({e.source.date for e in entries}) == 3
    path, text = synth.next_listing(250, stuff=stuff)
    assert path not in dict(first.listings)
    new, problems = parse_all([(path, text)])
    assert problems == []
    assert len(new) == synth.PER_LISTING


def test_rewrites_are_sorted_by_why_they_changed() -> None:
    related = "# C\n\n## Related papers\n\n- [{0}]({0}.md)\n\n## Cite\n\nx\n"
    before = {
        "papers/a.md": "old",
        "papers/b.md": "see [x](c-d.md)",
        "papers/c.md": related.format("a"),
        "papers/d.md": related.format("a"),
        "index.md": "1",
    }
    after = {
        "papers/a.md": "old, reworded",
        "papers/b.md": "see [y](new-one.md)",
        "papers/c.md": related.format("b"),
        "papers/d.md": related.format("b").replace("x\n", "y\n"),
        "papers/new-one.md": "new",
        "papers/new-two.md": "new",
        "index.md": "2",
        "dates/2024-08-11.md": "Next day: [Aug 12, 2024](2024-08-12.md)",
        "dates/2024-08-12.md": "new",
    }
    before["dates/2024-08-11.md"] = "the newest day"
    written = ["index.md", *(f"papers/{n}.md" for n in ("a", "b", "c", "d", "new-one"))]
    written += ["dates/2024-08-11.md", "dates/2024-08-12.md"]
    kinds = bench_pipeline.sort_rewrites(
        before, after, written, ["new-one", "new-two"], {"index.md"}
    )
    assert kinds == {
        "new page": ["dates/2024-08-12.md", "papers/new-one.md"],
        "links to a new paper": ["dates/2024-08-11.md", "papers/b.md"],
        "index": ["index.md"],
        "related papers re-ranked": ["papers/c.md"],
        "unexpected": ["papers/a.md", "papers/d.md"],
        "not written": ["papers/new-two.md"],
    }


def _record(size: int, papers: int, site: int, search: int, generate: float) -> dict[str, object]:
    return {
        "size": size,
        "entries": size,
        "papers": papers,
        "site_bytes": site,
        "search_bytes": search,
        "generate_s": generate,
        "mkdocs": {"seconds": generate * 2},
        "noop": {"written": 0, "deleted": 0, "registry_written": False, "seconds": 1.0},
    }


def test_targets_mark_met_and_missed() -> None:
    fixed = 3_000_000
    records = [
        _record(1_000, 1_000, fixed + 10_000 * 1_000, 500 * 1_000, 1.0),
        _record(10_000, 10_000, fixed + 10_000 * 10_000, 500 * 10_000, 12.0),
    ]
    verdicts = {v.target: v for v in bench_pipeline.targets(records)}
    assert verdicts["generate, 10k entries: <= 8 s"].met is False
    assert verdicts["generate time ratio 10k / 1k <= 11"].met is False
    assert verdicts["generate, 100k entries: <= 60 s"].met is None
    assert verdicts["site <= 16 KB per paper (at each of 1k, 10k, 100k)"].met is True
    linear = next(v for k, v in verdicts.items() if k.startswith("site size linear"))
    assert linear.met is True
    assert verdicts["no-op regenerate, 10k: writes 0 files"].met is True
    # 10 KB per paper plus 3 MB of theme: (1e9 - 3e6) / 1e4 papers fit in 1 GB.
    assert bench_pipeline.pages_capacity(records) == (99_700, 99_700)


def test_superlinear_site_is_not_linear() -> None:
    records = [
        _record(1_000, 1_000, 10_000 * 1_000, 1, 1.0),
        _record(10_000, 10_000, 20_000 * 10_000, 1, 10.0),
    ]
    linear = next(
        v for v in bench_pipeline.targets(records) if v.target.startswith("site size linear")
    )
    assert linear.met is False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_only_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert bench_pipeline.progress_wanted() is False
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert bench_pipeline.progress_wanted() is True
    monkeypatch.setenv("CI", "true")
    assert bench_pipeline.progress_wanted() is False


def test_a_child_out_of_time_is_stopped() -> None:
    sleeper = [sys.executable, "-c", "import time; time.sleep(30)"]
    started = time.perf_counter()
    assert bench_pipeline.run_child(sleeper, timeout=0.5) is None
    assert time.perf_counter() - started < 10
    assert bench_pipeline.run_child([sys.executable, "-c", "raise SystemExit(3)"], 30) == 3


def test_the_fetch_bounds_benchmark_runs_small() -> None:
    from benchmarks import bench_fetch_bounds

    rows, budget, bomb_bytes = bench_fetch_bounds.run(per_request=0.5, body_mb=40, bomb_mib=64)
    assert [r.answer for r in rows] == ["drip", "big", "bomb"]
    assert all("not bounded" not in r.outcome for r in rows)
    assert rows[0].seconds < 0.5 + 1.5 and "within 0.5 s" in rows[0].outcome
    assert "larger than" in rows[1].outcome and "larger than" in rows[2].outcome
    report = bench_fetch_bounds.report(rows, budget, bomb_bytes, "cmd")
    assert "| drip |" in report and "Command: `cmd`" in report


@pytest.mark.slow
def test_the_build_benchmark_end_to_end(tmp_path: Path) -> None:
    """benchmarks/bench_build.py at 60 entries: every step, the sites compared, the report."""
    from benchmarks import bench_build

    record = bench_build.run_size(60, tmp_path, timeout=600, keep=False)
    assert "error" not in record, record
    assert record["identical"] is True and record["files"] > 50
    assert record["pipeline"]["generate_seconds"] > 0 and record["pipeline"]["pages"] > 10
    assert record["serial"]["processes"] == 1
    assert record["parallel"]["processes"] >= 1
    assert record["pipeline"]["pss_mb"] > 0
    text = bench_build.report([record], "cmd", "today", "machine")
    assert "| serial and parallel sites byte-identical | True |" in text
    assert list(tmp_path.iterdir()) == []
