"""Result rows: what a search result shows of a paper (``search/d``), and the author pages
(``search/a``); and the order papers are numbered in, newest first."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence

from generator.model import UNSORTED, Paper
from generator.render.rows import first_authors
from generator.stages.authors import Author
from generator.text.dates import date_label, listing_date_key
from generator.text.folding import sort_key
from generator.text.sentences import first_sentence

#: Result rows per ``search/d`` file, and author pages per ``search/a`` file.
DOCS_PER_SHARD = 16
AUTHORS_PER_SHARD = 64
#: A one-line snippet is cut at about this many characters (the authors of a result row are
#: those of a list's row: :func:`generator.render.rows.first_authors`).
SNIPPET_CHARS = 140

DateKey = tuple[int, int, int]


def paper_date(
    paper: Paper, key_of: Callable[[str | None], tuple[int, int, int]] = listing_date_key
) -> tuple[int, int, int]:
    """The newest date a paper is known by (listing dates and published date), as a key."""
    return max(map(key_of, (*paper.dates, paper.meta.published)))


def snippet(abstract: str) -> str:
    """The abstract's first sentence, cut at a word near :data:`SNIPPET_CHARS` characters."""
    return first_sentence(abstract, SNIPPET_CHARS)


def paper_order(
    papers: Iterable[Paper], dates: dict[str, tuple[int, int, int]] | None = None
) -> list[Paper]:
    """Papers as the index numbers them: newest date first, then A-Z, then id."""

    def key(paper: Paper) -> tuple[int, int, int, tuple[str, str], str]:
        year, month, day = dates[paper.id] if dates is not None else paper_date(paper)
        return (-year, -month, -day, sort_key(paper.title), paper.id)

    return sorted(papers, key=key)


def result_rows(
    ordered: Sequence[Paper], dates: Mapping[str, DateKey], topic_number: Mapping[str, int]
) -> dict[str, list[list[object]]]:
    """``d/<n>`` -> its rows ``[id, title, date, first authors, snippet, topic numbers]``."""
    label = functools.cache(date_label)
    numbers = functools.cache(lambda slugs: [topic_number[s] for s in slugs or (UNSORTED.slug,)])
    shards: dict[str, list[list[object]]] = {}
    for start in range(0, len(ordered), DOCS_PER_SHARD):
        shards[f"d/{start // DOCS_PER_SHARD}"] = [
            [
                p.id,
                p.title,
                label(dates[p.id]),
                first_authors(p) if p.meta.authors else "",
                snippet(p.abstract),
                numbers(p.topics),
            ]
            for p in ordered[start : start + DOCS_PER_SHARD]
        ]
    return shards


def author_rows(people: Sequence[Author]) -> dict[str, list[list[object]]]:
    """``a/<n>`` -> its author pages ``[id, name, papers]``."""
    return {
        f"a/{start // AUTHORS_PER_SHARD}": [
            [a.id, a.name, len(a.papers)] for a in people[start : start + AUTHORS_PER_SHARD]
        ]
        for start in range(0, len(people), AUTHORS_PER_SHARD)
    }
