"""The records that flow through the pipeline. All are frozen: a stage returns new records.

``Entry`` is one title/abstract pair as read from one listing; ``Paper`` is one distinct paper
after deduplication, with every entry that spelled it; ``Topic`` comes from the taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Origin = Literal["record", "annotation", "api", "listing"]
"""What kind of input an entry was read from: a hand-written YAML record (``record``), one that
names a paper of the knowledge base without an abstract to add what it knows (``annotation``),
the Hub's daily papers API JSON (``api``) or a listing's text (``listing``)."""

#: Field precedence when entries of one paper disagree: lower wins.
PRECEDENCE: dict[Origin, int] = {"record": 0, "annotation": 0, "api": 1, "listing": 2}
#: Entries that name a paper without an abstract of their own: a hand-written record that only
#: adds facts (an *annotation*). They never give a paper its title or abstract.
ANNOTATION: Origin = "annotation"


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
    verified: tuple[str, ...] = ()
    """Where a curator checked the facts a hand-written record gives (http(s) URLs: the page
    whose title and abstract matched, the pages authors and date were taken from)."""


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
    def learned_slugs(self) -> frozenset[str]:
        """The slugs of :attr:`learned_topics`."""
        return frozenset(slug for slug, _ in self.learned_topics)

    @property
    def rule_topics(self) -> tuple[str, ...]:
        """``topics`` without the learned ones: the rules' and the pins'."""
        if not self.learned_topics:
            return self.topics
        learned = self.learned_slugs
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
