"""Annotations: hand-written records that name a paper without an abstract, to add what a curator
knows of it (arXiv id, authors, date, note, topics).

An annotation names its paper by its title (the same title key as an entry's: case, spacing and
punctuation aside) or by its arXiv id (an entry with the same id). It joins that paper like any
entry, through the same rules, but never gives it a title or an abstract
(:func:`generator.stages.dedupe.precedence.title_and_abstract`). Two mistakes are problems at the
annotation's line, never a merge:

* it names no paper: no entry has its title or its arXiv id (an annotation alone would be a
  paper without an abstract; a new paper needs a record with one);
* its title names one paper and its arXiv id another: joining them would merge two papers.
"""

from __future__ import annotations

from collections import defaultdict

from generator.errors import Problem
from generator.model import ANNOTATION, NO_METADATA, Entry
from generator.stages.dedupe.components import Joining
from generator.stages.dedupe.features import Node


def only_annotations(node: Node) -> bool:
    """Whether every entry of ``node`` is an annotation (its title names no entry's paper)."""
    return all(entry.origin == ANNOTATION for entry in node.entries)


def _ids(entry: Entry) -> str | None:
    return entry.meta.arxiv if entry.meta is not NO_METADATA else None


def crossed(work: Joining) -> None:
    """A problem for each annotation whose title and arXiv id name two different papers."""
    holders: dict[str, set[int]] = defaultdict(set)
    for node in work.nodes:
        if only_annotations(node):
            continue
        for entry in node.entries:
            if entry.origin != ANNOTATION and (arxiv := _ids(entry)) is not None:
                holders[arxiv].add(node.index)
    for node in work.nodes:
        if only_annotations(node):
            continue
        for entry in node.entries:
            arxiv = _ids(entry) if entry.origin == ANNOTATION else None
            others = sorted(holders.get(arxiv, set()) - {node.index}) if arxiv else []
            if others:
                other = work.nodes[others[0]]
                work.problems.append(
                    Problem(
                        entry.source.file,
                        entry.source.line,
                        f"this annotation's title names {node.title!r} but its arXiv id {arxiv} "
                        f"is that of {other.title!r}: correct the title or the id (two papers "
                        "are never merged by an annotation)",
                    )
                )


def orphans(work: Joining) -> None:
    """A problem for each annotation left in a paper of annotations only: it named no paper."""
    members: dict[int, list[int]] = defaultdict(list)
    for node in work.nodes:
        members[work.components.find(node.index)].append(node.index)
    for group in members.values():
        nodes = [work.nodes[i] for i in group]
        if not all(only_annotations(node) for node in nodes):
            continue
        for node in nodes:
            for entry in node.entries:
                work.problems.append(
                    Problem(
                        entry.source.file,
                        entry.source.line,
                        f"this record has no abstract, so it must name a paper of the knowledge "
                        f"base by its title or arXiv id, and none has the title {entry.title!r}"
                        + (f" or the arXiv id {_ids(entry)}" if _ids(entry) else "")
                        + " (a new paper needs its abstract)",
                    )
                )
