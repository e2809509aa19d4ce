"""The dedupe result: one cluster per component, how each spelling joined its paper (the merge
report), and the closest pairs kept apart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from generator.errors import Problem
from generator.model import ANNOTATION, Cluster, Entry, Source
from generator.stages.dedupe.annotations import only_annotations
from generator.stages.dedupe.components import Edge, Joining
from generator.stages.dedupe.features import Node, abstract_verdict, node_key
from generator.stages.dedupe.precedence import cluster, combine
from generator.stages.dedupe.results import DedupeResult, MergeGroup, NearMiss, Spelling
from generator.stages.dedupe.rules import MAX_NEAR_MISSES


def result(work: Joining) -> DedupeResult:
    """Clusters and merge groups by key, and the closest near misses."""
    nodes, components = work.nodes, work.components
    groups: dict[int, list[int]] = defaultdict(list)
    for node in nodes:
        groups[components.find(node.index)].append(node.index)
    adjacency: dict[int, list[tuple[int, Edge]]] = defaultdict(list)
    for edge in work.edges:
        adjacency[edge.a].append((edge.b, edge))
        adjacency[edge.b].append((edge.a, edge))

    clusters: list[Cluster] = []
    merges: list[MergeGroup] = []
    for members in groups.values():
        if len(members) == 1:
            node = nodes[members[0]]
            entries = node.entries
            item = Cluster(
                key=node.key,
                title=node.title,
                abstract=node.abstract,
                aliases=_aliases(entries, node.title),
                sources=tuple(e.source for e in entries),
                meta=combine(entries),
                keys=frozenset({node.key}),
            )
        else:
            entries = [e for i in members for e in nodes[i].entries]
            item = cluster(entries)
        clusters.append(item)
        if sum(1 for e in entries if e.origin != ANNOTATION) > 1:  # a merge of spellings
            real = [i for i in members if not only_annotations(nodes[i])]
            merges.append(_merge_group(item, real, nodes, adjacency))
    clusters.sort(key=lambda c: (c.key, c.title))
    merges.sort(key=lambda m: (m.key, m.title))
    return DedupeResult(
        tuple(clusters), tuple(merges), _near_misses(work), _sorted_problems(work.problems)
    )


def _near_misses(work: Joining) -> tuple[NearMiss, ...]:
    """The closest rejected pair of each pair of clusters, closest first, at most
    :data:`MAX_NEAR_MISSES`."""
    nodes, components = work.nodes, work.components

    closest: dict[tuple[int, int], NearMiss] = {}
    for (i, j), (score, reason) in sorted(work.misses.items()):
        ri, rj = components.find(i), components.find(j)
        if ri == rj:
            continue
        a, b = sorted((nodes[i].title, nodes[j].title))
        miss = NearMiss(a, b, score, 0.0, reason)
        pair = (min(ri, rj), max(ri, rj))
        if pair not in closest or _miss_order(miss) < _miss_order(closest[pair]):
            closest[pair] = miss
    near = sorted(closest.values(), key=_miss_order)
    near = near[:MAX_NEAR_MISSES]
    abstract_of = {node.title: node.abstract for node in nodes}
    return tuple(
        NearMiss(
            m.title_a,
            m.title_b,
            m.title_score,
            abstract_verdict(abstract_of[m.title_a], abstract_of[m.title_b])[1],
            m.reason,
        )
        for m in near
    )


def _aliases(entries: Sequence[Entry], title: str) -> tuple[str, ...]:
    """The other spellings of the title (an annotation's title only names the paper)."""
    if len(entries) == 1:
        return ()
    return tuple(
        dict.fromkeys(e.title for e in entries if e.title != title and e.origin != ANNOTATION)
    )


def _miss_order(miss: NearMiss) -> tuple[float, str, str, str]:
    return (-miss.title_score, miss.title_a, miss.title_b, miss.reason)


def _sorted_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message)))


def _merge_group(
    item: Cluster,
    members: Sequence[int],
    nodes: Sequence[Node],
    adjacency: Mapping[int, list[tuple[int, Edge]]],
) -> MergeGroup:
    """How each spelling joined the group: a breadth-first walk from the canonical title."""
    start = next(i for i in members if nodes[i].key == node_key(item.title))
    joined: dict[int, tuple[int, Edge] | None] = {start: None}
    queue = [start]
    while queue:
        current = queue.pop(0)
        for other, edge in sorted(adjacency.get(current, []), key=lambda pair: pair[0]):
            if other not in joined:
                joined[other] = (current, edge)
                queue.append(other)
    spellings: list[Spelling] = []
    for i in sorted(members, key=lambda i: (i != start, nodes[i].key)):
        node = nodes[i]
        by_title: dict[str, list[Source]] = defaultdict(list)
        for entry in node.entries:
            if entry.origin != ANNOTATION:  # an annotation names the paper: no spelling
                by_title[entry.title].append(entry.source)
        for title in sorted(by_title, key=lambda t: (t != node.title, min(by_title[t]))):
            sources = tuple(sorted(by_title[title]))
            if title != node.title:
                spellings.append(Spelling(title, sources, "exact", node.title))
            elif i == start:
                spellings.append(Spelling(title, sources, "canonical"))
            else:
                link = joined.get(i)
                if link is None:  # unreachable: every member is joined by some edge
                    spellings.append(Spelling(title, sources, "override"))
                    continue
                parent, edge = link
                spellings.append(
                    Spelling(
                        title,
                        sources,
                        edge.kind,
                        nodes[parent].title,
                        edge.title_score,
                        edge.abstract_score,
                    )
                )
    return MergeGroup(item.key, item.title, tuple(spellings))
