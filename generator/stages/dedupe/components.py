"""Union-find with keep-apart constraints: which spellings end up as one paper."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from generator.errors import Problem
from generator.stages.dedupe.features import Node
from generator.stages.dedupe.rules import Kind

# --- union-find with keep-apart constraints -------------------------------------------------


class Components:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.apart: dict[int, set[int]] = {}
        self.ids: dict[int, frozenset[str]] = {}
        """Root -> arXiv ids of its component's entries (roots of components with ids only)."""

    def identify(self, i: int, ids: Iterable[str]) -> None:
        """Record the arXiv ids of node ``i`` (before any union)."""
        self.ids[i] = frozenset(ids)

    def ids_of(self, i: int) -> frozenset[str]:
        return self.ids.get(self.find(i), frozenset())

    def conflict(self, i: int, j: int) -> str | None:
        """Why ``i`` and ``j`` may not be joined automatically, or ``None`` if they may."""
        if self.blocked(i, j):
            return "keep-apart override"
        ids_i, ids_j = self.ids_of(i), self.ids_of(j)
        if ids_i and ids_j and ids_i != ids_j:
            return "different arXiv ids"
        return None

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def forbid(self, i: int, j: int) -> None:
        self.apart.setdefault(i, set()).add(j)
        self.apart.setdefault(j, set()).add(i)

    def blocked(self, i: int, j: int) -> bool:
        """Would joining ``i`` and ``j`` put a keep-apart pair in one component?"""
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        members_i = self._forbidden(ri)
        return any(self.find(x) == rj for x in members_i)

    def _forbidden(self, root: int) -> list[int]:
        return [x for node, xs in self.apart.items() if self.find(node) == root for x in xs]

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        low, high = min(ri, rj), max(ri, rj)
        self.parent[high] = low
        if high in self.ids:
            self.ids[low] = self.ids.get(low, frozenset()) | self.ids.pop(high)
        return True


@dataclass(frozen=True, slots=True)
class Edge:
    kind: Kind
    a: int
    b: int
    title_score: float | None
    abstract_score: float | None


EDGE_ORDER = {"override": 0, "fuzzy": 1, "retitled": 2}


@dataclass(slots=True)
class Joining:
    """The state of one dedupe run as its steps join nodes: the components, the edges that
    joined them (for the merge report), the pairs refused (near misses: ``(i, j)`` -> title score
    and reason) and the problems found."""

    nodes: Sequence[Node]
    components: Components
    edges: list[Edge] = field(default_factory=list)
    misses: dict[tuple[int, int], tuple[float, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def join(self, edge: Edge) -> None:
        """Join ``edge``'s nodes unless already one component; keep the edge if it joined."""
        if self.components.union(edge.a, edge.b):
            self.edges.append(edge)
