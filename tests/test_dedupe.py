"""Dedupe stage (exact pass): one cluster per paper, deterministic canonical spelling."""

from __future__ import annotations

import random

from conftest import DATA

from generator.dedupe import dedupe
from generator.model import Entry, Source
from generator.normalize import normalize
from generator.parse import read_listings


def entry(title: str, abstract: str = "An abstract.", file: str = "a.txt", line: int = 1) -> Entry:
    return Entry(title, abstract, Source(file, line, None))


def test_spellings_differing_in_case_spacing_punctuation_merge() -> None:
    clusters = dedupe(
        [
            entry("Scaling Laws: A Study", line=1),
            entry("scaling laws - a study", line=3),
            entry("Scaling  Laws: A Study", file="b.txt", line=1),
            entry("Scaling Laws: A Study", file="b.txt", line=5),
            entry("Other Paper", line=7),
        ]
    )
    assert len(clusters) == 2
    merged = next(c for c in clusters if c.merged)
    assert merged.title == "Scaling Laws: A Study"  # the most frequent spelling
    assert merged.aliases == ("scaling laws - a study", "Scaling  Laws: A Study")
    assert [(s.file, s.line) for s in merged.sources] == [
        ("a.txt", 1),
        ("a.txt", 3),
        ("b.txt", 1),
        ("b.txt", 5),
    ]


def test_tie_goes_to_the_earliest_source_whatever_the_input_order() -> None:
    entries = [entry("Deep Nets", line=9), entry("deep nets", file="0.txt", line=4)]
    for order in (entries, entries[::-1]):
        (only,) = dedupe(order)
        assert only.title == "deep nets"
        assert only.aliases == ("Deep Nets",)


def test_different_titles_stay_apart() -> None:
    titles = ["Hydra: Sequence Models", "Hydra: Multi-head Attention", "X v2: Foo", "X: Foo"]
    assert len(dedupe([entry(t) for t in titles])) == 4


def test_shipped_corpus_gives_313_papers_in_any_order() -> None:
    entries, _ = read_listings(DATA)
    clusters = dedupe(normalize(entries))
    assert len(clusters) == 313
    assert sum(c.merged for c in clusters) == 378 - 313
    shuffled = list(entries)
    random.Random(7).shuffle(shuffled)
    assert dedupe(normalize(shuffled)) == clusters
