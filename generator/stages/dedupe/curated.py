"""The reviewers' word: ``keep_apart`` and ``merge`` overrides applied to the nodes.

Names are titles (any spelling, by title key) or permanent ids (through the registry's rows,
``ids``). A name that matches no paper, a pair that is one paper, and a merge that joins two
arXiv ids are problems at the name's line in the overrides file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator.errors import Problem
from generator.inputs.overrides import Name, Overrides
from generator.stages.dedupe.components import Edge, Joining
from generator.stages.dedupe.features import node_key

#: A keep-apart pair that was applied: its two nodes and the line that asked for it.
KeptApart = tuple[int, int, int | None]


def _line(name: str) -> int | None:
    """The line of the overrides file that names ``name`` (a :class:`Name`), if known."""
    return getattr(name, "line", None)


@dataclass(frozen=True, slots=True)
class Names:
    """How an override's names find their nodes: title keys, and permanent ids (the
    registry's rows, id -> title key); problems are reported under the overrides' file."""

    by_key: Mapping[str, int]
    ids: Mapping[str, str]
    overrides: Overrides

    def problem(self, name: str, message: str) -> Problem:
        return Problem(self.overrides.file, _line(name), message)

    def resolve(self, name: Name, problems: list[Problem]) -> int | None:
        """The node ``name`` names (a title or an id), or ``None`` with a problem."""
        if name in self.ids:
            node = self.by_key.get(self.ids[name])
            if node is None:
                problems.append(
                    self.problem(
                        name, f"override names id {str(name)!r}, whose paper is in no listing"
                    )
                )
            return node
        node = self.by_key.get(node_key(name))
        if node is None:
            problems.append(
                self.problem(
                    name,
                    f"override names {str(name)!r}, which is neither a paper title in the "
                    "listings nor a paper id",
                )
            )
        return node


def keep_apart(work: Joining, names: Names) -> list[KeptApart]:
    """Forbid each ``keep_apart`` pair from ever joining (before anything else is joined)."""
    pairs: list[KeptApart] = []
    overrides = names.overrides
    for a_name, b_name in overrides.keep_apart:
        a = names.resolve(a_name, work.problems)
        b = names.resolve(b_name, work.problems)
        if a is None or b is None:
            continue
        if a == b:
            work.problems.append(
                names.problem(
                    a_name,
                    f"keep_apart: {str(a_name)!r} and {str(b_name)!r} are spellings of the same "
                    "title and cannot be kept apart",
                )
            )
            continue
        work.components.forbid(a, b)
        pairs.append((a, b, _line(a_name)))
    return pairs


def force_merges(work: Joining, names: Names, kept_apart: Sequence[KeptApart]) -> None:
    """Join each ``merge`` group; a group that also holds a keep-apart pair is a problem."""
    nodes, components, overrides = work.nodes, work.components, names.overrides
    for group in overrides.merge:
        resolved = [names.resolve(name, work.problems) for name in group]
        members = sorted({i for i in resolved if i is not None})
        if None not in resolved and len(members) < len(resolved):
            work.problems.append(
                names.problem(
                    group[0],
                    f"merge: {' and '.join(repr(str(name)) for name in group)} name "
                    f"{'one paper' if len(members) == 1 else 'the same paper more than once'} "
                    "(a title and its id, or two spellings of one title): nothing to merge",
                )
            )
            continue
        if len(members) != len(resolved):
            continue
        for other in members[1:]:
            ids_a, ids_b = components.ids_of(members[0]), components.ids_of(other)
            if ids_a and ids_b and ids_a != ids_b:
                work.problems.append(
                    names.problem(
                        group[0],
                        f"merge: {nodes[members[0]].title!r} and {nodes[other].title!r} have "
                        f"different arXiv ids ({', '.join(sorted(ids_a))} and "
                        f"{', '.join(sorted(ids_b))}), so they are different papers",
                    )
                )
            work.edges.append(Edge("override", members[0], other, None, None))
            components.union(members[0], other)
    for a, b, line in kept_apart:
        if components.find(a) == components.find(b):
            work.problems.append(
                Problem(
                    overrides.file,
                    line,
                    f"keep_apart: {nodes[a].title!r} and {nodes[b].title!r} are also forced "
                    "together by a merge override",
                )
            )
