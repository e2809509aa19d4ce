"""A run's account: what it read and made (entries read = papers + merged + rejected), and the
related-paper figures. Reported by the CLI, kept in the run manifest and in ``papers.json``, and
shown on the page about the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass


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
    annotations: int = 0
    """Hand-written records that name a paper and add facts to it (not entries read)."""

    @property
    def shared_topic_rate(self) -> float | None:
        return self.related_shared_topic / self.related_links if self.related_links else None
