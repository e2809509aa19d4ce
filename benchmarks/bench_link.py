"""Benchmark of the link stage's related papers on synthetic corpora (not a test: run by hand).

    .venv/bin/python -m benchmarks.bench_link            # 10k and 100k, writes the results
    .venv/bin/python -m benchmarks.bench_link --sizes 10000 --no-write

Corpora come from ``benchmarks/bench_dedupe.py`` (``material()`` / ``corpus()``, fixed seed):
titles recombine real title words plus invented compound words, abstracts recombine real
abstract sentences, and 10% of the entries are planted near-copies of another entry. Every
entry becomes one paper (no dedupe run), so the near-copies stay as papers of their own, as if
kept apart, and exercise papers with (almost) identical text. No shared-topic rate is given
for them: their abstracts mix sentences of unrelated papers, so their topics are noise.

Each size runs in its own process, sequentially (peak RSS is its own). ``related_papers`` is
timed alone, wall clock and CPU time of the process, median of :data:`REPEATS` runs; CPU time is
the steadier figure on a shared machine. At 10k the top-5 lists are also compared with those of
an unbudgeted run (:data:`generator.stages.link.WORK_PER_PAPER` lifted), the cost of keeping the
comparison linear. The shipped corpus's figures (``make_plan(data)``) are reported alongside:
papers with at least :data:`generator.stages.link.MIN_RELATED` related papers, and links and
shared-topic rate by reason (similar abstract, same topics, shared terms).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import generator.stages.link as link
from benchmarks import bench_dedupe
from benchmarks.bench_dedupe import corpus, material
from generator.model import Paper
from generator.pipeline import make_plan

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RESULTS = ROOT / "benchmarks" / "results" / "link.md"
REPEATS = 3
EXACT_CHECK_UP_TO = 10_000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_papers(size: int) -> list[Paper]:
    entries, _ = corpus(size, material())
    return [
        Paper(f"s{n:06d}", f"s{n:06d}", e.title, e.abstract, (), (e.source,))
        for n, e in enumerate(entries)
    ]


def overlap(a: Sequence[Paper], b: Sequence[Paper]) -> float:
    """Share of ``b``'s related links that ``a`` has too."""
    total = sum(len(p.related) for p in b)
    same = sum(len(set(p.related) & set(q.related)) for p, q in zip(a, b, strict=True))
    return same / total if total else 1.0


def measure(size: int) -> dict[str, float]:
    papers = synthetic_papers(size)
    rss_before = rss_mb()
    walls, cpus = [], []
    result: list[Paper] = []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        result = link.related_papers(papers)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    peak = rss_mb()
    cpu = time.process_time()
    vectors = link.tfidf_vectors(papers)
    vectors_cpu = time.process_time() - cpu
    df = np.diff(vectors.tocsc().indptr)
    figures = {
        "size": size,
        "median": statistics.median(walls),
        "best": min(walls),
        "cpu": statistics.median(cpus),
        "vectors_cpu": vectors_cpu,
        "rss_before_mb": rss_before,
        "rss_mb": peak,
        "terms": vectors.shape[1],
        "max_df": int(df.max(initial=0)),
        "linked": sum(1 for p in result if p.related),
        "three": sum(1 for p in result if len(p.related) >= link.MIN_RELATED),
        "links": sum(len(p.related) for p in result),
        "weaker": sum(r != link.SIMILAR_ABSTRACT for p in result for r in p.related_reasons),
        "exact_overlap": -1.0,
    }
    if size <= EXACT_CHECK_UP_TO:
        link.WORK_PER_PAPER = link.WORK_FLOOR = 1 << 62
        figures["exact_overlap"] = overlap(result, link.related_papers(papers))
    return figures


def shipped() -> dict[str, float]:
    papers = make_plan(DATA).papers
    shared, links = link.shared_topic_rate(papers)
    by_reason = {reason: link.shared_topic_rate(papers, reason) for reason in link.REASONS}
    vectors = link.tfidf_vectors(papers)
    rank = np.empty(len(papers), dtype=np.int64)
    rank[sorted(range(len(papers)), key=lambda i: papers[i].id)] = np.arange(len(papers))
    best = link.nearest(vectors, rank, 1, 0.0)
    scores = [
        float((vectors[i] @ vectors[near[0]].T).toarray()[0, 0]) if near else 0.0
        for i, near in enumerate(best)
    ]
    return {
        "papers": len(papers),
        "linked": sum(1 for p in papers if p.related),
        "three": sum(1 for p in papers if len(p.related) >= link.MIN_RELATED),
        "links": links,
        "shared": shared,
        "median_best": statistics.median(scores),
        **{f"{reason}:links": total for reason, (_, total) in by_reason.items()},
        **{f"{reason}:shared": same for reason, (same, _) in by_reason.items()},
    }


def run_child(size: int) -> dict[str, float]:
    return bench_dedupe.run_child(size, "benchmarks.bench_link")


def table(rows: Sequence[dict[str, float]]) -> str:
    head = (
        "papers",
        f"related_papers (median of {REPEATS})",
        "best",
        "CPU time (median)",
        "of which TF-IDF",
        "peak RSS (before the stage)",
        "terms kept (max df)",
        "papers with related",
        f"with >= {link.MIN_RELATED}",
        "links (weaker)",
        "same top-5 as unbudgeted",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + " ---: |" * len(head)]
    for r in rows:
        exact = r["exact_overlap"]
        cells = (
            f"{int(r['size']):,}",
            f"{r['median']:.1f} s",
            f"{r['best']:.1f} s",
            f"{r['cpu']:.1f} s",
            f"{r['vectors_cpu']:.1f} s",
            f"{r['rss_mb']:.0f} MB ({r['rss_before_mb']:.0f} MB)",
            f"{int(r['terms']):,} ({int(r['max_df']):,})",
            f"{int(r['linked']):,}",
            f"{int(r['three']):,}",
            f"{int(r['links']):,} ({int(r['weaker']):,})",
            "-" if exact < 0 else f"{exact:.1%}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    rows = [run_child(size) for size in args.sizes]  # sequential: one core per run
    text = table(rows)
    by_size = {int(r["size"]): r for r in rows}
    ratio = ""
    if 10_000 in by_size and 100_000 in by_size:
        wall = by_size[100_000]["median"] / by_size[10_000]["median"]
        cpu = by_size[100_000]["cpu"] / by_size[10_000]["cpu"]
        ratio = (
            f"100k / 10k time ratio: **{wall:.1f}** wall clock, **{cpu:.1f}** CPU time "
            "(linear: 10)."
        )
    s = shipped()
    reasons = "; ".join(
        f"{reason}: {int(s[reason + ':links']):,} links, "
        f"{int(s[reason + ':shared']):,} sharing a topic"
        + (f" ({s[reason + ':shared'] / s[reason + ':links']:.1%})" if s[reason + ":links"] else "")
        for reason in link.REASONS
    )
    own = (
        f"Shipped corpus (`make_plan(Path('data'))`): {int(s['papers'])} papers, "
        f"{int(s['linked'])} with at least one related paper, **{int(s['three'])}** "
        f"(**{s['three'] / s['papers']:.1%}**, target >= 97%) with at least "
        f"{link.MIN_RELATED}, {int(s['links'])} links, "
        f"{int(s['shared'])} of them between papers sharing a topic: shared-topic rate "
        f"**{s['shared'] / s['links']:.1%}** (target >= 80%). By reason: {reasons}. Median "
        f"best score {s['median_best']:.3f} (floor {link.RELATED_FLOOR}, weaker links from "
        f"{link.FALLBACK_FLOOR}, the best {link.POOL} under the floor)."
    )
    print(text, ratio, own, sep="\n")
    if not args.no_write:
        command = ".venv/bin/python -m benchmarks.bench_link " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        machine = (
            f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.processor() or 'unknown'}), "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
        )
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        RESULTS.write_text(
            "# Link benchmark: related papers\n\n"
            f"Command: `{command.strip()}` (run from the repository root)\n\n"
            f"Date: {datetime.date.today().isoformat()}; machine: {machine}; load average "
            f"at the end of the run: {load}.\n\n"
            "Synthetic corpora from the shipped listings (`benchmarks/bench_dedupe.py`'s "
            "`corpus()`, one paper per entry, so its 10% planted near-copies stay papers of "
            "their own); `related_papers` alone is timed, each size in its own process, "
            "sequentially. Of the CPU time, making the TF-IDF matrix (one run) takes the part "
            "shown; the rest is the neighbour search. Peak RSS is the whole process, the "
            "synthetic corpus included (in "
            "brackets: before the stage ran). Terms kept: words and bigrams left after the "
            f"document-frequency bounds (min_df {link.MIN_DF}, max_df {link.MAX_DF:.0%}, and "
            f"the comparison budget of {link.WORK_PER_PAPER:,} multiply-adds per paper, at "
            f"least {link.WORK_FLOOR:,} in all), with the largest document frequency kept. "
            "Same top-5: share of an unbudgeted run's links that the budgeted run "
            f"also makes. With >= {link.MIN_RELATED}: papers with at least that many related "
            "papers; links (weaker): all links, and in brackets those under the floor that "
            "top a short list up (synthetic papers have no topics, so all of these are "
            "'shared terms').\n\n"
            f"{text}\n\n{ratio}\n\n{own}\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
