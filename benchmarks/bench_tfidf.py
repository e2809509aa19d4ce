"""Benchmark of :func:`generator.text.tfidf.tfidf` against scikit-learn (not a test: run by hand).

    .venv/bin/python -m benchmarks.bench_tfidf                 # 10k and 100k entries
    .venv/bin/python -m benchmarks.bench_tfidf --sizes 10000

Texts are what the link stage vectorizes, ``f"{title}\\n{abstract}"``, of every entry of a
``benchmarks/synth.py`` corpus (parsed and normalized as the pipeline does; the planted
duplicate spellings are kept as texts of their own, so 100k entries give 100k texts where the
pipeline would have ~95k papers). The texts are made once and saved to a temporary file; each
measurement runs in a fresh process that loads them, so its peak RSS is its own:

* ``time``: :func:`generator.text.tfidf.tfidf`, scikit-learn's vectorizer (the configuration of
  :func:`sklearn_reference`), then ``tfidf`` again, back to back in one process (wall clock
  and CPU time), and whether the matrices and terms are identical. The second ``tfidf`` runs
  in a heap that scikit-learn's millions of small objects left behind, as in a pipeline run;
* ``sklearn`` / ``ours``: one of the two alone: its time, peak RSS (``VmHWM``, see
  :func:`peak_rss_mb`) and the RSS before it started.

One process at a time: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import synth
from benchmarks.bench_dedupe import child_json
from generator.inputs.listings import parse_all
from generator.stages.link import MAX_DF, MIN_DF, STOP_WORDS, TOKEN_PATTERN
from generator.stages.normalize import normalize
from generator.text.tfidf import Tfidf, tfidf


def texts_of(size: int) -> list[str]:
    entries, _ = parse_all(synth.corpus(size).listings)
    return [f"{e.title}\n{e.abstract}" for e in normalize(entries)]


def max_df_of(texts: Sequence[str]) -> int:
    return max(MIN_DF, int(MAX_DF * len(texts)))


def sklearn_vectorizer(
    max_df: int,
    min_df: int = MIN_DF,
    stop_words: Collection[str] = STOP_WORDS,
    token_pattern: str = TOKEN_PATTERN,
) -> Any:
    """The vectorizer the link stage used before generator/text/tfidf.py, which must equal it (the
    reference of this benchmark and of tests/test_tfidf.py)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        strip_accents="unicode",
        lowercase=True,
        token_pattern=token_pattern,
        stop_words=sorted(stop_words),
        ngram_range=(1, 2),
        min_df=min_df,
        max_df=max_df,
        sublinear_tf=True,
        norm=None,
        dtype=np.float64,
    )


def sklearn_reference(texts: Sequence[str]) -> tuple[Any, Any]:
    vectorizer = sklearn_vectorizer(max_df_of(texts))
    return vectorizer.fit_transform(texts).tocsr(), vectorizer


def ours(texts: Sequence[str]) -> tuple[Any, Tfidf]:
    result = tfidf(
        texts,
        token_pattern=TOKEN_PATTERN,
        stop_words=STOP_WORDS,
        min_df=MIN_DF,
        max_df=max_df_of(texts),
    )
    return result.matrix, result


def peak_rss_mb() -> float:
    """Peak RSS of this process image: ``VmHWM``, not ``ru_maxrss``.

    Linux keeps ``ru_maxrss`` across ``execve``, so a child started by a parent holding a
    large corpus would report the parent's RSS at the fork as its own peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def timed(run: Any, texts: Sequence[str]) -> tuple[Any, Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    matrix, fitted = run(texts)
    return matrix, fitted, time.perf_counter() - wall, time.process_time() - cpu


def child(mode: str, path: Path) -> dict[str, Any]:
    texts = json.loads(path.read_text(encoding="utf-8"))
    if mode == "time":
        b, result, b_wall, b_cpu = timed(ours, texts)
        a, vectorizer, a_wall, a_cpu = timed(sklearn_reference, texts)
        del result
        c, result, c_wall, c_cpu = timed(ours, texts)
        a.sort_indices()  # scikit-learn keeps each row in first-seen term order
        a_terms = [str(t) for t in vectorizer.get_feature_names_out()]
        same = all(
            a.shape == m.shape
            and a.indptr.dtype == m.indptr.dtype
            and a.indices.dtype == m.indices.dtype
            and np.array_equal(a.indptr, m.indptr)
            and np.array_equal(a.indices, m.indices)
            and a.data.tobytes() == m.data.tobytes()
            for m in (b, c)
        )
        return {
            "sklearn_s": a_wall,
            "sklearn_cpu": a_cpu,
            "ours_s": b_wall,
            "ours_cpu": b_cpu,
            "ours_after_s": c_wall,
            "ours_after_cpu": c_cpu,
            "identical": same and a_terms == result.terms(),
            "terms": len(a_terms),
            "nnz": int(c.nnz),
        }
    before = current_rss_mb()
    run = sklearn_reference if mode == "sklearn" else ours
    _, _, wall, _ = timed(run, texts)
    return {"rss_before_mb": before, "peak_mb": peak_rss_mb(), "seconds": wall}


def run_child(mode: str, path: Path) -> dict[str, Any]:
    return child_json("benchmarks.bench_tfidf", mode, str(path))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "texts.json"
            texts = texts_of(size)
            path.write_text(json.dumps(texts), encoding="utf-8")
            del texts
            figures = {mode: run_child(mode, path) for mode in ("time", "sklearn", "ours")}
        t, a, b = figures["time"], figures["sklearn"], figures["ours"]
        print(
            f"{size:,} entries ({t['terms']:,} terms, {t['nnz']:,} entries, identical: "
            f"{t['identical']}). One process: tfidf {t['ours_s']:.2f} s "
            f"({t['ours_cpu']:.2f} s CPU), then scikit-learn {t['sklearn_s']:.2f} s "
            f"({t['sklearn_cpu']:.2f} s CPU), then tfidf again {t['ours_after_s']:.2f} s "
            f"({t['ours_after_cpu']:.2f} s CPU): {t['sklearn_s'] / t['ours_s']:.1f}x and "
            f"{t['sklearn_s'] / t['ours_after_s']:.1f}x. Alone: scikit-learn "
            f"{a['seconds']:.2f} s, peak RSS {a['peak_mb']:.0f} MB; tfidf {b['seconds']:.2f} s, "
            f"peak RSS {b['peak_mb']:.0f} MB ({a['rss_before_mb']:.0f} / "
            f"{b['rss_before_mb']:.0f} MB with the texts loaded)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
