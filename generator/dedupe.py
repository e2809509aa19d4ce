"""Dedupe stage: normalized entries -> one cluster per distinct paper.

Entries whose titles have the same :func:`generator.normalize.title_key` (case, spacing,
punctuation, Unicode form and glued words do not matter) are one paper. The canonical title
and abstract are chosen deterministically: the most frequent spelling, ties broken by the
earliest source (data-relative file path, then line), so neither input order nor hash seed
changes the choice. Every other spelling is kept as an alias, and the provenance of a paper is
the union of the sources of all its entries.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.model import Entry, Source
from generator.normalize import title_key


@dataclass(frozen=True, slots=True)
class Cluster:
    """The entries of one distinct paper, before it has a permanent id."""

    key: str
    title: str
    abstract: str
    aliases: tuple[str, ...]
    sources: tuple[Source, ...]
    keys: frozenset[str]
    """Title keys of every spelling, for matching the permalink registry."""

    @property
    def merged(self) -> int:
        """How many entries were folded into this paper beyond the first."""
        return len(self.sources) - 1


def _choose(values: Sequence[tuple[str, Source]]) -> str:
    """Most frequent value; ties go to the value seen at the earliest source."""
    counts = Counter(value for value, _ in values)
    first_seen: dict[str, Source] = {}
    for value, source in sorted(values, key=lambda pair: pair[1]):
        first_seen.setdefault(value, source)
    return min(counts, key=lambda value: (-counts[value], first_seen[value]))


def cluster(entries: Sequence[Entry]) -> Cluster:
    """Fold the entries of one paper into a cluster."""
    ordered = sorted(entries, key=lambda e: e.source)
    title = _choose([(e.title, e.source) for e in ordered])
    abstract = _choose([(e.abstract, e.source) for e in ordered])
    aliases = tuple(dict.fromkeys(e.title for e in ordered if e.title != title))
    return Cluster(
        key=title_key(title),
        title=title,
        abstract=abstract,
        aliases=aliases,
        sources=tuple(e.source for e in ordered),
        keys=frozenset(title_key(e.title) for e in ordered),
    )


def dedupe(entries: Iterable[Entry]) -> list[Cluster]:
    """Group entries into distinct papers, sorted by title key."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[title_key(entry.title)].append(entry)
    return sorted((cluster(group) for group in groups.values()), key=lambda c: c.key)
