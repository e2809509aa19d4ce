"""Permanent paper ids, kept in the append-only registry ``data/permalinks.tsv``.

A paper's id is its URL slug (``papers/<id>.html``). It is made once, from the title the paper
had when it was first published, with python-slugify (at most :data:`MAX_ID_LENGTH` characters,
never empty, never a reserved name), and recorded in the registry together with the paper's
title key. On every later run a paper keeps the id of the earliest registry row whose key is one
of its spellings' keys, so adding papers never changes an existing URL, even when a new paper's
title slugifies the same or a new spelling becomes the canonical title. Only papers with no row
get new ids, in title-key order, and their rows are appended.

The registry is plain text so that a pull request shows a one-line diff per new paper::

    # comment lines
    <id>\t<title key>\t<title when first published>
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from slugify import slugify

from generator.datafiles import REGISTRY_FILE
from generator.errors import Problem
from generator.inputs.registry import Row
from generator.layout import MAX_ID_LENGTH, RESERVED_NAMES
from generator.model import Cluster, Paper


def make_slug(title: str) -> str:
    """The slug a new paper with this title would get, before collision handling."""
    slug = slugify(title, max_length=MAX_ID_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        return "paper"
    if slug in RESERVED_NAMES:
        return f"{slug}-paper"
    return slug


def _unique(slug: str, taken: set[str], tried: dict[str, int]) -> str:
    """``slug``, or the first ``slug-N`` (N from 2) not ``taken``.

    ``tried`` remembers, per slug, the number after the last one handed out: every smaller
    number was taken then and stays taken (``taken`` only grows), so counting resumes there.
    50,000 papers whose titles make one slug cost 50,000 look-ups, not 1.25 billion.
    """
    if slug not in taken:
        return slug
    number = tried.get(slug, 2)
    while True:
        suffix = f"-{number}"
        candidate = slug[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
        number += 1
        if candidate not in taken:
            tried[slug] = number
            return candidate


@dataclass(frozen=True, slots=True)
class Assignment:
    """The outcome of matching clusters against the registry.

    ``moved`` maps ids that no longer have a page of their own to the id of the paper that now
    holds them: a paper matched several registry rows (it was merged with another paper later),
    so it keeps the earliest id and the others redirect to it. ``retired`` are registry rows
    whose paper is gone from the data; each needs an explicit redirect (``check`` fails
    otherwise), because a published URL must never break.
    """

    papers: tuple[Paper, ...]
    new_rows: tuple[Row, ...]
    moved: Mapping[str, str]
    retired: tuple[Row, ...]


def redirects_for(
    assignment: Assignment,
    explicit: Mapping[str, str],
    overrides_file: str = "overrides.yaml",
) -> tuple[dict[str, str], list[Problem]]:
    """Every published id without a page, mapped to the id of a paper that has one.

    Merged ids redirect to their survivor; retired ids to the target a curator gave in
    ``explicit`` (``redirects:`` in the overrides file). A retired id without one is a problem:
    its URL would break. So is an explicit redirect that is not needed or leads nowhere; those
    are reported at the override's line when the names carry one (``line`` attribute).
    """
    current = {p.id for p in assignment.papers}
    retired = {row.id: row for row in assignment.retired}
    redirects = dict(assignment.moved)
    problems: list[Problem] = []
    for old, target in sorted(explicit.items()):
        line = getattr(target, "line", None)
        if old not in retired:
            why = "it still has a page" if old in current or old in redirects else "no such id"
            problems.append(
                Problem(overrides_file, line, f"redirect of {old!r} is not needed: {why}")
            )
        elif target not in current:
            problems.append(
                Problem(overrides_file, line, f"redirect of {old!r}: no current paper {target!r}")
            )
        else:
            redirects[old] = target
    for row in assignment.retired:
        if row.id not in explicit:
            problems.append(
                Problem(
                    REGISTRY_FILE,
                    row.line or None,
                    f"id {row.id!r} was published but no paper in data/ has it any more: "
                    f"give its URL a new home under `redirects:` in data/{overrides_file} "
                    f"({row.id}: <id of a current paper>)",
                )
            )
    return dict(sorted(redirects.items())), problems


def assign_ids(clusters: Sequence[Cluster], rows: Sequence[Row]) -> Assignment:
    """Papers with permanent ids, the registry rows to append, and ids without a page.

    Pure: the registry is given, the new rows are returned for the write stage to append.
    """
    row_of_key = {row.key: (index, row) for index, row in enumerate(rows)}
    taken = {row.id for row in rows}
    tried: dict[str, int] = {}
    papers: list[Paper] = []
    new_rows: list[Row] = []
    moved: dict[str, str] = {}
    matched: set[str] = set()
    for item in sorted(clusters, key=lambda c: c.key):
        matches = sorted(row_of_key[k] for k in item.keys if k in row_of_key)
        if matches:
            paper_id = matches[0][1].id
            matched.update(row.id for _, row in matches)
            moved.update((row.id, paper_id) for _, row in matches[1:])
        else:
            paper_id = _unique(make_slug(item.title), taken, tried)
            taken.add(paper_id)
            new_rows.append(Row(paper_id, item.key, item.title))
        papers.append(
            Paper(
                paper_id,
                item.key,
                item.title,
                item.abstract,
                item.aliases,
                item.sources,
                meta=item.meta,
            )
        )
    papers.sort(key=lambda p: p.id)
    retired = tuple(row for row in rows if row.id not in matched)
    return Assignment(tuple(papers), tuple(new_rows), dict(sorted(moved.items())), retired)
