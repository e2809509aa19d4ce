"""Result rows: what a search result shows of a paper (``search/d``), and the author pages
(``search/a``); and the order papers are numbered in, newest first.

A paper's result row holds the fields of its row in the site's lists
(:func:`generator.render.rows.row_fields`), which the browser writes as that row
(``paperkb-rows.js``) in the search panel and on the reading list, and a one-line snippet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from generator.inputs.fields import web_url
from generator.model import Paper
from generator.render.rows import DateKind, first_authors, placement
from generator.stages.authors import Author
from generator.text.dates import listing_date_key
from generator.text.folding import sort_key
from generator.text.sentences import first_sentence

#: Result rows per ``search/d`` file, and author pages per ``search/a`` file.
DOCS_PER_SHARD = 16
AUTHORS_PER_SHARD = 64
#: A one-line snippet is cut at about this many characters (the authors of a result row are
#: those of a list's row: :func:`generator.render.rows.first_authors`).
SNIPPET_CHARS = 140


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


#: How a result row spells what its date is, before the ISO day.
KIND_CODES: dict[DateKind, str] = {"on Daily Papers": "d", "listed": "l", "published": "p"}


def result_row(paper: Paper, topic_number: Mapping[str, int]) -> list[object]:
    """``[id, title, authors, date, snippet, topics, upvotes, comments, code]``: the fields of
    the paper's row in the site's lists, the trailing unknown ones left out (``None`` in the
    middle). ``date`` is ``""`` or a :data:`KIND_CODES` letter and the ISO day of its
    :func:`placement`; ``topics`` the topics' numbers, ``-(n + 1)`` for one assigned by
    similarity."""
    placed = placement(paper)
    learned = paper.learned_slugs
    row: list[object] = [
        paper.id,
        paper.title,
        first_authors(paper) if paper.meta.authors else "",
        "" if placed is None else KIND_CODES[placed.kind] + placed.iso,
        snippet(paper.abstract),
        [~topic_number[s] if s in learned else topic_number[s] for s in paper.topics],
        paper.meta.upvotes,
        paper.meta.comments,
        web_url(paper.meta.github),
    ]
    while row[-1] is None:
        row.pop()
    return row


def result_rows(
    ordered: Sequence[Paper], topic_number: Mapping[str, int]
) -> dict[str, list[list[object]]]:
    """``d/<n>`` -> its rows (:func:`result_row`), :data:`DOCS_PER_SHARD` a file."""
    return {
        f"d/{start // DOCS_PER_SHARD}": [
            result_row(p, topic_number) for p in ordered[start : start + DOCS_PER_SHARD]
        ]
        for start in range(0, len(ordered), DOCS_PER_SHARD)
    }


def author_rows(people: Sequence[Author]) -> dict[str, list[list[object]]]:
    """``a/<n>`` -> its author pages ``[id, name, papers]``."""
    return {
        f"a/{start // AUTHORS_PER_SHARD}": [
            [a.id, a.name, len(a.papers)] for a in people[start : start + AUTHORS_PER_SHARD]
        ]
        for start in range(0, len(people), AUTHORS_PER_SHARD)
    }
