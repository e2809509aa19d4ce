"""The records that flow through the pipeline. All are frozen: a stage returns new records.

``Entry`` is one title/abstract pair as read from one listing; ``Paper`` is one distinct paper
after deduplication, with every entry that spelled it; ``Topic`` comes from the taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Source:
    """Where an entry was read: data-relative POSIX path, 1-based title line, listing date."""

    file: str
    line: int
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One title / abstract pair from one listing."""

    title: str
    abstract: str
    source: Source


@dataclass(frozen=True, slots=True)
class Paper:
    """One distinct paper, however many entries spelled it.

    ``key`` is the normalized title key the paper was grouped by; ``aliases`` are the other
    spellings of the title that were merged into it; ``sources`` are all the places it was read,
    sorted. ``topics`` are topic slugs, ``related`` paper ids, both filled in by later stages.
    """

    id: str
    key: str
    title: str
    abstract: str
    aliases: tuple[str, ...]
    sources: tuple[Source, ...]
    topics: tuple[str, ...] = ()
    related: tuple[str, ...] = ()

    @property
    def dates(self) -> tuple[str, ...]:
        """Listing dates the paper appeared under, in source order, without repeats."""
        return tuple(dict.fromkeys(s.date for s in self.sources if s.date))


@dataclass(frozen=True, slots=True)
class Rule:
    """Match rules of a topic: phrases looked up case-insensitively on word boundaries.

    A paper matches when any ``title`` phrase occurs in its title, or when ``abstract``
    phrases occur at least ``min_abstract_hits`` times in its abstract; ``exclude`` phrases
    anywhere in title or abstract veto the match.
    """

    title: tuple[str, ...] = ()
    abstract: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    min_abstract_hits: int = 2


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic of the reviewable taxonomy in ``data/topics.yaml``."""

    slug: str
    name: str
    description: str
    rule: Rule = field(default_factory=Rule)


UNSORTED = Topic(
    slug="unsorted",
    name="Unsorted",
    description="Papers that no topic rule matched yet. Extend data/topics.yaml to sort them.",
)
