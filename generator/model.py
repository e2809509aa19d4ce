"""The records that flow through the pipeline. All are frozen: a stage returns new records.

``Entry`` is one title/abstract pair as read from one listing; ``Paper`` is one distinct paper
after deduplication, with every entry that spelled it; ``Topic`` comes from the taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Origin = Literal["record", "api", "listing"]
"""What kind of input an entry was read from: a hand-written YAML record (``record``), the Hub's
daily papers API JSON (``api``) or a listing's text (``listing``)."""

#: Field precedence when entries of one paper disagree: lower wins.
PRECEDENCE: dict[Origin, int] = {"record": 0, "api": 1, "listing": 2}


@dataclass(frozen=True, slots=True, order=True)
class Source:
    """Where an entry was read: data-relative POSIX path, 1-based title line, listing date."""

    file: str
    line: int
    date: str | None = None


@dataclass(frozen=True, slots=True)
class Metadata:
    """What structured records know beyond title and abstract; listings know none of it.

    ``arxiv`` is the arXiv id without a version (``2401.04081``); ``authors`` are names as
    written; ``published`` is an ISO date (``YYYY-MM-DD``); ``topics`` are topic slugs a curator
    pinned the paper to; ``note`` is a curator's remark. Unknown fields are ``None`` / empty.

    What only the Hub's daily papers API tells (:mod:`generator.inputs.records`), all untrusted
    text:
    ``listed`` is the ISO date the paper was on Daily Papers; ``comments`` the number of
    comments in its Hub discussion; ``organization`` the name of the organization it was
    submitted for; ``github`` and ``stars`` its code repository (an http(s) URL) and that
    repository's star count; ``project`` its project page (an http(s) URL); ``ai_summary`` and
    ``ai_keywords`` the Hub's machine-written summary and keywords (never the abstract);
    ``withdrawn`` the ISO date the paper was withdrawn.
    """

    arxiv: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    upvotes: int | None = None
    note: str | None = None
    topics: tuple[str, ...] = ()
    listed: str | None = None
    comments: int | None = None
    organization: str | None = None
    github: str | None = None
    stars: int | None = None
    project: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    withdrawn: str | None = None


NO_METADATA = Metadata()


@dataclass(frozen=True, slots=True)
class Entry:
    """One title / abstract pair from one listing or structured record."""

    title: str
    abstract: str
    source: Source
    origin: Origin = "listing"
    meta: Metadata = NO_METADATA


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
    meta: Metadata = NO_METADATA
    """Combined from the paper's entries by :data:`PRECEDENCE` (see
    :mod:`generator.stages.dedupe`)."""
    related_reasons: tuple[str, ...] = ()
    """Why each of ``related`` is listed, in the same order (:data:`generator.stages.link.REASONS`:
    ``similar abstract``, ``same topics``, ``shared terms``); filled in with ``related``."""
    learned_topics: tuple[tuple[str, float], ...] = ()
    """Topics assigned by similarity, not by a rule or a pin (:mod:`generator.stages.learn`):
    (slug, confidence) pairs, in ``topics`` too. Only a paper the rules left unsorted has any."""

    @property
    def rule_topics(self) -> tuple[str, ...]:
        """``topics`` without the learned ones: the rules' and the pins'."""
        if not self.learned_topics:
            return self.topics
        learned = {slug for slug, _ in self.learned_topics}
        return tuple(slug for slug in self.topics if slug not in learned)

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
    learned: bool = True
    """Whether papers the rules leave unsorted may be assigned to it by similarity
    (:mod:`generator.stages.learn`); ``learned: false`` in the taxonomy turns it off."""


UNSORTED = Topic(
    slug="unsorted",
    name="Unsorted",
    description="Papers that no topic rule matched yet. Extend data/topics.yaml to sort them.",
)


@dataclass(frozen=True, slots=True)
class Cluster:
    """The entries of one distinct paper, before it has a permanent id."""

    key: str
    title: str
    abstract: str
    aliases: tuple[str, ...]
    sources: tuple[Source, ...]
    meta: Metadata = field(default=NO_METADATA, kw_only=True)
    """Combined from the entries by precedence (see the module docstring). Keyword-only, so the
    positional fields keep their order."""
    keys: frozenset[str]
    """Title keys of every spelling, for matching the permalink registry."""

    @property
    def merged(self) -> int:
        """How many entries were folded into this paper beyond the first."""
        return len(self.sources) - 1


@dataclass(frozen=True, slots=True)
class Account:
    """What a run read and made: entries read = papers + merged + rejected."""

    listings: int
    entries: int
    papers: int
    merged: int
    rejected: int
    topics: int
    unsorted: int
    """Papers in no topic, after the learned assignment."""
    records: int = 0
    """Structured record files read (API JSON and hand-written YAML)."""
    authors: int = 0
    related_links: int = 0
    """Related-paper links shown, and how many of them join papers that share a topic."""
    related_shared_topic: int = 0
    related_three: int = 0
    """Papers with at least three related papers (:data:`generator.stages.link.MIN_RELATED`)."""
    related_similar: int = 0
    """Links for a similar abstract (the rest are weaker), and how many of them share a topic:
    the independent check on content similarity."""
    related_similar_shared: int = 0
    learned: int = 0
    """Papers the rules left unsorted that got topics by similarity
    (:mod:`generator.stages.learn`)."""

    @property
    def shared_topic_rate(self) -> float | None:
        return self.related_shared_topic / self.related_links if self.related_links else None


#: The overrides file in data/ (:mod:`generator.inputs.overrides` reads it).
OVERRIDES_FILE = "overrides.yaml"


class Name(str):
    """A paper named by an override: a ``str`` that remembers its line in the file."""

    line: int | None

    def __new__(cls, text: str, line: int | None = None) -> Name:
        name = super().__new__(cls, text)
        name.line = line
        return name

    def __getnewargs__(self) -> tuple[str, int | None]:  # type: ignore[override]
        return (str(self), self.line)


@dataclass(frozen=True, slots=True)
class Overrides:
    """Reviewed corrections to deduplication; names are :class:`Name` (titles or ids)."""

    merge: tuple[tuple[str, ...], ...] = ()
    keep_apart: tuple[tuple[str, str], ...] = ()
    redirects: tuple[tuple[Name, Name], ...] = ()
    """Retired paper ids (gone from the data) -> id of the paper their URL now leads to."""
    file: str = OVERRIDES_FILE
    """The name problems about these overrides are reported under."""


NO_OVERRIDES = Overrides()
