"""Benchmark of the dedupe stage on synthetic corpora (not a test: run it by hand).

    .venv/bin/python -m benchmarks.bench_dedupe            # 10k and 100k, writes the results
    .venv/bin/python -m benchmarks.bench_dedupe --sizes 10000 --no-write

Corpora are made from the shipped listings with a fixed seed: titles recombine real title words
(plus invented names and compound words made of real word halves, so the vocabulary grows with
the corpus like a real one), abstracts recombine real abstract sentences. Into them go planted
duplicates of every kind the dedupe stage must catch (case, spacing, punctuation, NFD, en dash,
curly quotes, trailing period, glued words, dropped or swapped letters, revised abstracts,
retitled papers, a letter dropped from a short word with the abstract revised) and planted hard
negatives it must keep apart (``v2``, ``X-2``, ``Towards X``, same name before the colon, a
changed number, close titles with different abstracts). Each size runs in its own process (so
peak RSS is its own), sequentially; the dedupe call is timed alone. Precision and recall are
over pairs of entries, against the planted labels.

The results also give precision and recall on the labelled hard set of
``benchmarks/dedupe_hard.py`` (variants of the shipped papers: acronym and name typos,
British / American spelling, hyphens, ligatures, HTML entities, invisible and non-breaking
spaces, each with a revised abstract, and their hard negatives), kind by kind.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from benchmarks import dedupe_hard
from generator.inputs.listings import read_listings
from generator.model import Entry, Source
from generator.stages.dedupe import VERSION_WORDS, dedupe
from generator.stages.normalize import normalize
from generator.text.folding import title_key

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "dedupe.md"
SEED = 20240812
DUPLICATE_SHARE = 0.10  # planted duplicate entries per base paper
NEGATIVE_SHARE = 0.04  # planted hard negatives per base paper
REPEATS = 3

POSITIVE_KINDS = (
    "case",
    "spacing",
    "punctuation",
    "nfd",
    "en dash",
    "curly quotes",
    "trailing period",
    "glued words",
    "one letter dropped",
    "two letters dropped",
    "letters swapped",
    "typo, abstract revised",
    "short-word typo, abstract revised",
    "abstract revised",
    "retitled",
)
NEGATIVE_KINDS = (
    "v2",
    "X-2",
    "towards",
    "same name before the colon",
    "number differs",
    "close title, different abstract",
)


@dataclass(frozen=True)
class Material:
    words: list[str]  # title words with their corpus frequency (a Zipf-like sample)
    halves: list[str]
    sentences: list[str]


def material() -> Material:
    entries, _ = read_listings(ROOT / "data")
    entries = normalize(entries)
    words = [w for e in entries for w in re.findall(r"[A-Za-z][A-Za-z'-]*", e.title)]
    halves = sorted(
        {w[: len(w) // 2] for w in words if len(w) >= 6}
        | {w[len(w) // 2 :].lower() for w in words if len(w) >= 6}
    )
    sentences = sorted(
        {s for e in entries for s in re.split(r"(?<=[.!?])\s+", e.abstract) if len(s) > 40}
    )
    return Material(words, halves, sentences)


class Maker:
    def __init__(self, stuff: Material, rng: random.Random) -> None:
        self.m = stuff
        self.rng = rng

    def name(self) -> str:
        r = self.rng
        return (r.choice(self.m.halves) + r.choice(self.m.halves)).capitalize() + r.choice(
            ["", "", "X", "Net", str(r.randint(2, 9))]
        )

    def word(self) -> str:
        if self.rng.random() < 0.08:  # a compound word: the vocabulary keeps growing
            return self.rng.choice(self.m.halves).lower() + self.rng.choice(self.m.halves)
        return self.rng.choice(self.m.words)

    def title(self) -> str:
        words = " ".join(self.word() for _ in range(self.rng.randint(5, 11)))
        words = words[0].upper() + words[1:]
        return f"{self.name()}: {words}" if self.rng.random() < 0.6 else words

    def abstract(self) -> str:
        return " ".join(self.rng.sample(self.m.sentences, self.rng.randint(6, 10)))

    def revised(self, abstract: str) -> str:
        sentences = re.split(r"(?<=[.!?])\s+", abstract)
        at = self.rng.randrange(len(sentences))
        new = self.rng.choice(self.m.sentences)
        while new == sentences[at]:  # a revision changes the abstract
            new = self.rng.choice(self.m.sentences)
        sentences[at] = new
        return " ".join(sentences)


def _long_word(title: str, rng: random.Random) -> str | None:
    words = sorted({w for w in re.findall(r"[A-Za-z]+", title) if len(w) >= 7})
    return rng.choice(words) if words else None


def positive(kind: str, title: str, abstract: str, make: Maker) -> tuple[str, str] | None:
    r = make.rng
    if kind == "case":
        return title.upper() if r.random() < 0.5 else title.lower(), abstract
    if kind == "spacing":
        return "  ".join(title.split(" ")), abstract
    if kind == "punctuation":
        return title.replace(":", " -") + "!", abstract
    if kind == "nfd":
        return unicodedata.normalize("NFD", title.replace("e", "é", 1)), abstract
    if kind == "en dash":
        return (title.replace("-", "–") if "-" in title else title.replace(": ", " – ")), abstract
    if kind == "curly quotes":
        return f"“{title}”", abstract
    if kind == "trailing period":
        return title + ".", abstract
    if kind == "glued words":
        words = title.split(" ")
        if len(words) < 3:
            return None
        i = r.randrange(1, len(words) - 1)
        return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2 :]]), abstract
    if kind in ("one letter dropped", "two letters dropped", "typo, abstract revised"):
        word = _long_word(title, r)
        if word is None:
            return None
        cut = 2 if kind == "two letters dropped" else 1
        i = r.randrange(1, len(word) - cut)
        text = title.replace(word, word[:i] + word[i + cut :], 1)
        return text, make.revised(abstract) if kind.endswith("revised") else abstract
    if kind == "short-word typo, abstract revised":  # issue 16: UI-JEPA -> UI-JPA
        words = sorted({w for w in re.findall(r"[A-Za-z]+", title) if 3 <= len(w) <= 7})
        if not words:
            return None
        word = r.choice(words)
        i = r.randrange(len(word))
        typo = word[:i] + word[i + 1 :]
        if {typo.lower(), word.lower()} & VERSION_WORDS:  # "via" -> "vi", "Next" -> "Net"
            return None  # are kept apart by design (the version guard): not planted
        return title.replace(word, typo, 1), make.revised(abstract)
    if kind == "letters swapped":
        word = _long_word(title, r)
        if word is None:
            return None
        i = r.randrange(1, len(word) - 2)
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return title.replace(word, swapped, 1), abstract
    if kind == "abstract revised":
        return title, make.revised(abstract)
    if kind == "retitled":
        return make.title(), abstract
    raise ValueError(kind)


def negative(kind: str, title: str, abstract: str, make: Maker) -> tuple[str, str] | None:
    r = make.rng
    near = make.revised(abstract)  # agrees with the original's: only title guards can help
    head, colon, rest = title.partition(": ")
    if kind == "v2":
        return (f"{head} v2: {rest}" if colon else f"{title} v2"), near
    if kind == "X-2":
        return (f"{head}-2: {rest}" if colon else f"{title}-2"), near
    if kind == "towards":
        return f"Towards {title}", near
    if kind == "same name before the colon":
        if not colon:
            return None
        words = rest.split(" ")
        i = r.randrange(len(words))
        new = make.word()
        if Levenshtein.distance(title_key(new), title_key(words[i])) <= 2:
            return None
        words[i] = new
        return f"{head}: {' '.join(words)}", near
    if kind == "number differs":
        digits = re.search(r"\d", title)
        if digits:
            d = str((int(digits.group()) + 1) % 10)
            return title[: digits.start()] + d + title[digits.end() :], near
        return f"{title} 3", near
    if kind == "close title, different abstract":
        word = _long_word(title, r)
        if word is None:
            return None
        return title.replace(word, word[:2] + word[3:], 1), make.revised(make.abstract())
    raise ValueError(kind)


def corpus(size: int, stuff: Material) -> tuple[list[Entry], list[str]]:
    """``size`` entries and, for each, the label of the paper it truly is."""
    rng = random.Random(SEED + size)
    make = Maker(stuff, rng)
    bases = round(size / (1 + DUPLICATE_SHARE + NEGATIVE_SHARE))
    entries: list[Entry] = []
    labels: list[str] = []
    papers: list[tuple[str, str]] = []
    for n in range(bases):
        title, abstract = make.title(), make.abstract()
        papers.append((title, abstract))
        entries.append(Entry(title, abstract, Source(f"listings/{n // 50:05}.txt", 1 + n % 50)))
        labels.append(f"p{n}")
    extra: list[Entry] = []
    negatives: set[tuple[int, str]] = set()
    n = 0
    while len(entries) + len(extra) < size:
        base = rng.randrange(bases)
        title, abstract = papers[base]
        if rng.random() < DUPLICATE_SHARE / (DUPLICATE_SHARE + NEGATIVE_SHARE):
            made = positive(rng.choice(POSITIVE_KINDS), title, abstract, make)
            label = f"p{base}"
        else:
            kind = rng.choice(NEGATIVE_KINDS)
            if (base, kind) in negatives:  # the same negative twice would be one paper
                continue
            negatives.add((base, kind))
            made = negative(kind, title, abstract, make)
            label = f"n{n}"
        if made is None:
            continue
        extra.append(Entry(made[0], made[1], Source("listings/planted.txt", 1 + 3 * n)))
        labels.append(label)
        n += 1
    return entries + normalize(extra), labels


def pair_count(counts: Counter[object]) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


def measure(size: int) -> dict[str, float]:
    stuff = material()
    entries, labels = corpus(size, stuff)
    label_of = {e.source: label for e, label in zip(entries, labels, strict=True)}
    times = []
    result = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = dedupe(entries)
        times.append(time.perf_counter() - start)
    assert result is not None
    cluster_of = {s: i for i, c in enumerate(result.clusters) for s in c.sources}
    predicted = pair_count(Counter(cluster_of.values()))
    actual = pair_count(Counter(label_of.values()))
    both = pair_count(Counter((cluster_of[s], label_of[s]) for s in label_of))
    return {
        "size": size,
        "papers": len(result.clusters),
        "median": statistics.median(times),
        "best": min(times),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "precision": both / predicted if predicted else 1.0,
        "recall": both / actual if actual else 1.0,
        "planted_pairs": actual,
        "kept_apart": len(result.kept_apart),
    }


def run_child(size: int, module: str = "benchmarks.bench_dedupe") -> dict[str, float]:
    """Run ``module --child size`` in its own process (so peak RSS is its own)."""
    return child_json(module, str(size))


def child_json(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module --child *args`` from the repository root; its last stdout line is
    a JSON object of figures."""
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def table(rows: Sequence[dict[str, float]]) -> str:
    head = (
        "entries",
        "papers found",
        "dedupe time (median of 3)",
        "best of 3",
        "peak RSS",
        "precision",
        "recall",
        "planted duplicate pairs",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + " ---: |" * len(head)]
    for r in rows:
        cells = (
            f"{int(r['size']):,}",
            f"{int(r['papers']):,}",
            f"{r['median']:.2f} s",
            f"{r['best']:.2f} s",
            f"{r['rss_mb']:.0f} MB",
            f"{r['precision']:.4f}",
            f"{r['recall']:.4f}",
            f"{int(r['planted_pairs']):,}",
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def hard_table() -> str:
    """Precision and recall on the labelled hard set, kind by kind, and in all."""
    found = dedupe_hard.scores()
    lines = [
        "| kind | variants | pairs predicted | true pairs | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in [*found, dedupe_hard.total(found)]:
        name = f"**{s.kind}**" if s.kind == "all" else s.kind
        sign = "+" if s.kind in dedupe_hard.POSITIVE_KINDS else "-" if s.kind != "all" else ""
        lines.append(
            f"| {sign} {name} | {s.variants:,} | {s.predicted:,} | {s.actual:,} | "
            f"{s.precision:.4f} | {s.recall:.4f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    rows = [run_child(size) for size in args.sizes]  # sequential: one core per run
    text = table(rows)
    hard = hard_table()
    by_size = {int(r["size"]): r for r in rows}
    ratio = ""
    if 10_000 in by_size and 100_000 in by_size:
        value = by_size[100_000]["median"] / by_size[10_000]["median"]
        ratio = f"100k / 10k time ratio: **{value:.1f}** (target <= 15)."
    print(text)
    print(ratio)
    print(hard)
    if not args.no_write:
        command = ".venv/bin/python -m benchmarks.bench_dedupe " + " ".join(
            argv if argv is not None else sys.argv[1:]
        )
        machine = (
            f"{os.cpu_count()} CPUs ({platform.machine()}, {platform.processor() or 'unknown'}), "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
        )
        RESULTS.write_text(
            "# Dedupe benchmark\n\n"
            f"Command: `{command.strip()}` (run from the repository root)\n\n"
            f"Date: {datetime.date.today().isoformat()}; machine: {machine}.\n\n"
            f"Synthetic corpora from the shipped listings (seed {SEED}): "
            f"{DUPLICATE_SHARE:.0%} planted duplicates of every kind and "
            f"{NEGATIVE_SHARE:.0%} planted hard negatives per base paper; "
            "the `dedupe` call alone is timed, each size in its own process, sequentially. "
            "Precision and recall count pairs of entries against the planted labels. Peak RSS "
            "is the whole benchmark process, the synthetic corpus included.\n\n"
            f"{text}\n\n{ratio}\n\n"
            "## The labelled hard set (issue 16)\n\n"
            "`benchmarks/dedupe_hard.py`: variants of every shipped paper (+: spellings that "
            "must join their paper, each with its abstract revised by one sentence; -: hard "
            "negatives that must join nothing), one kind at a time with the whole shipped "
            "corpus around them. Pairs of entries that involve a variant.\n\n"
            f"{hard}\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
