"""What the dedupe stage returns: merged papers, how each spelling joined, near misses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from generator.errors import Problem
from generator.model import Cluster, Source
from generator.stages.dedupe.rules import Kind

# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spelling:
    """One spelling of a merged paper's title, where it was read and how it joined the group.

    ``how`` is ``canonical`` for the chosen title; otherwise the spelling joined the group
    through ``matched`` (another spelling of the group) by the same ``arxiv`` id, ``exact``
    title key, ``fuzzy`` title and abstract similarity, ``retitled`` (identical abstract) or a
    reviewer ``override``.
    Scores are ``fuzz.ratio`` values 0-100 (``None`` where not applicable).
    """

    title: str
    sources: tuple[Source, ...]
    how: Kind
    matched: str | None = None
    title_score: float | None = None
    abstract_score: float | None = None


@dataclass(frozen=True, slots=True)
class MergeGroup:
    """A paper read more than once or under more than one spelling."""

    key: str
    title: str
    spellings: tuple[Spelling, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """How the spellings were merged, without repeats, e.g. ``("exact", "fuzzy")``."""
        return tuple(dict.fromkeys(s.how for s in self.spellings if s.how != "canonical"))

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(sorted(s for sp in self.spellings for s in sp.sources))


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A close candidate pair that was kept apart, and why."""

    title_a: str
    title_b: str
    title_score: float
    abstract_score: float
    reason: str


@dataclass(frozen=True, slots=True)
class DedupeResult(Sequence[Cluster]):
    """Clusters sorted by key, the merge report and override problems.

    Behaves as the sequence of its clusters, so callers of the earlier ``dedupe`` that
    returned a list keep working.
    """

    clusters: tuple[Cluster, ...]
    merges: tuple[MergeGroup, ...] = ()
    kept_apart: tuple[NearMiss, ...] = ()
    problems: tuple[Problem, ...] = ()

    def __len__(self) -> int:
        return len(self.clusters)

    @overload
    def __getitem__(self, index: int) -> Cluster: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Cluster]: ...
    def __getitem__(self, index: int | slice) -> Cluster | Sequence[Cluster]:
        return self.clusters[index]

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self.clusters)
