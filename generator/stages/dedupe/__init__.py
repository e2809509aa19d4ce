"""Dedupe stage: normalized entries -> one cluster per distinct paper, and an audit report.

Two entries are one paper when

* **arxiv**: they carry the same arXiv id (:attr:`generator.model.Metadata.arxiv`, read from
  structured records by :mod:`generator.inputs.records`), whatever their titles: the other titles
  become aliases. These unions come first;
* **exact**: their titles have the same :func:`generator.text.folding.title_key` (case, spacing,
  punctuation, dashes, quotes, Unicode form and glued words such as ``Recipefor`` do not
  matter). The permalink registry identifies papers by title key, so entries with one key are
  always one paper, whatever their abstracts;
* **fuzzy**: their title keys differ by at most :data:`TITLE_MAX_EDITS` letters dropped, added,
  or changed (a swap is two), each inside a word of at least :data:`LONG_WORD_MIN` letters,
  no guard below objects, *and* their abstracts agree (identical, revised by one sentence, or
  at least :data:`ABSTRACT_MIN_RATIO` similar). When the abstracts are closer still (they
  agree *and* score at least :data:`CLOSE_ABSTRACT_MIN_RATIO`, both at least
  :data:`RETITLE_MIN_ABSTRACT_CHARS` long), the edits may fall anywhere, in a short acronym
  or name too (``UI-JEPA`` -> ``UI-JPA``, ``KMM`` -> ``KM``): two different papers do not share
  nine tenths of an abstract. The version and ``Towards`` guards apply either way. Titles are
  compared with HTML entities decoded (``&amp;``, ``&#39;``, ``&nbsp;``) and in American
  spelling (``optimisation``, ``modelling``, ``behaviour`` count as ``optimization``,
  ``modeling``, ``behavior``), so neither costs an edit. This rule only judges the pairs
  blocking proposes (below), so it costs one abstract comparison per such pair;
* **retitled**: their titles differ but their (normalized) abstracts are identical and at least
  :data:`RETITLE_MIN_ABSTRACT_CHARS` long. No title guard applies: two different papers never
  share a whole abstract, and a retitle may well drop a number (``ERNIE 3.0: ...`` ->
  ``Knowledge-Enhanced Pre-training ...``);
* **override**: a reviewer said so in ``data/overrides.yaml`` (:mod:`generator.inputs.overrides`),
  which can also keep two papers apart.

An arXiv id also keeps papers apart: each group of entries remembers the ids of its members, and
no fuzzy or retitled match may join two groups with different ids (the refusal is listed among
the pairs kept apart, "different arXiv ids"). A merge override that joins two ids, and one title
key read with two ids, are problems: the permalink registry keys papers by title key, so such
entries cannot be split automatically and the data must be fixed.

Guards against hard negatives, checked before any title similarity counts: titles whose digit
runs or version words (``v2``, ``X-2``, ``1.5``, ``II``, ``Pro``; ``X v2`` is not ``X-2``
either) differ, ``Towards X`` vs ``X``,
and ``Name: A`` vs ``Name: B`` (same name before the colon, different rest, unless only a
small edit apart with close abstracts) never merge on their titles; close titles with
disagreeing abstracts never merge.

Fuzzy matching never compares all pairs. Each title is blocked on its rarest tokens (document
frequency over all papers, ties broken by the token): every pair of its
:data:`BLOCK_PAIR_TOKENS` rarest tokens is a block key, and so is each of its
:data:`BLOCK_SINGLE_TOKENS` rarest tokens when that token is rare (df <=
:data:`BLOCK_SINGLE_MAX_DF`). Two titles that differ only inside at most two words share every
other token, so both pick the two rarest shared tokens among their four rarest and meet in that
pair's block. Short titles (at most :data:`SHORT_TITLE_TOKENS` tokens) are also blocked on
every token among short titles. Within a block, ``rapidfuzz`` scores the candidates in C.

Precedence. Entries come from hand-written YAML records (``record``), the Hub's daily papers API
JSON (``api``) and listings (``listing``), in that order of trust
(:data:`generator.model.PRECEDENCE`). A paper's fields are chosen deterministically:

* **title** and **abstract**: among the entries of the most trusted origin present, the most
  frequent spelling, ties broken by the earliest source (data-relative file path, then line);
* **arxiv**, **published**, **note**, and the Hub's **organization**, **github** (code
  repository), **project** (page), **ai_summary**, **withdrawn**: from the most trusted entry
  that has the field, ties broken by the earliest source;
* **ai_keywords**: the whole list of the most trusted entry that has one, like authors;
* **listed** (the day on Daily Papers): the earliest day of any entry, so a paper listed on
  two days keeps its first;
* **authors**: the whole list of the most trusted entry that has one (ties: earliest source),
  never names mixed from several entries;
* **topics**: the union of every entry's pinned topic slugs, sorted;
* **upvotes**, **comments**: from the most trusted origin that has a count; among entries of
  that origin, the highest count (counts only grow, so the highest is the latest);
* **stars**: the count of the chosen code repository, by the same rule among the entries
  that name that repository.

Every title that is not the chosen one is an alias and the provenance of a paper is the union of
its entries' sources. A paper's title keys include every spelling's, so a paper that gains a
record with a new title keeps its permanent id (:mod:`generator.stages.permalinks` matches on keys).

Nothing depends on input order or the hash seed: nodes, blocks, candidates and edges are all
processed in sorted order.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import combinations

from rapidfuzz import fuzz, process

from generator.errors import Problem
from generator.inputs.overrides import NO_OVERRIDES, Overrides
from generator.model import NO_METADATA, Cluster, Entry, Source
from generator.stages.dedupe.components import _EDGE_ORDER, _Components, _Edge
from generator.stages.dedupe.features import (
    _GUARDS,
    _abstracts,
    _close_abstracts,
    _key,
    _Node,
    _small_edit,
    _title_verdict,
    _tokens,
    _unescape,
)
from generator.stages.dedupe.precedence import _title_and_abstract, cluster, combine
from generator.stages.dedupe.results import DedupeResult, MergeGroup, NearMiss, Spelling
from generator.stages.dedupe.rules import (
    _BLOCK_C_LOOP,
    ABSTRACT_MAX_CHANGED_SENTENCES,
    ABSTRACT_MIN_RATIO,
    ABSTRACT_MIN_SHARED_SENTENCES,
    BLOCK_PAIR_TOKENS,
    BLOCK_SINGLE_MAX_DF,
    BLOCK_SINGLE_TOKENS,
    CLOSE_ABSTRACT_MIN_RATIO,
    HEDGE_WORDS,
    LONG_WORD_MIN,
    MAX_NEAR_MISSES,
    NEAR_MISS_MIN_RATIO,
    RETITLE_MIN_ABSTRACT_CHARS,
    SHORT_TITLE_TOKENS,
    TITLE_MAX_EDITS,
    TITLE_MIN_RATIO,
    VERSION_WORDS,
)

__all__ = [
    "ABSTRACT_MAX_CHANGED_SENTENCES",
    "ABSTRACT_MIN_RATIO",
    "ABSTRACT_MIN_SHARED_SENTENCES",
    "BLOCK_PAIR_TOKENS",
    "BLOCK_SINGLE_MAX_DF",
    "BLOCK_SINGLE_TOKENS",
    "CLOSE_ABSTRACT_MIN_RATIO",
    "HEDGE_WORDS",
    "LONG_WORD_MIN",
    "MAX_NEAR_MISSES",
    "NEAR_MISS_MIN_RATIO",
    "RETITLE_MIN_ABSTRACT_CHARS",
    "SHORT_TITLE_TOKENS",
    "TITLE_MAX_EDITS",
    "TITLE_MIN_RATIO",
    "VERSION_WORDS",
    "DedupeResult",
    "MergeGroup",
    "NearMiss",
    "Spelling",
    "cluster",
    "combine",
    "dedupe",
]

# --- the stage ------------------------------------------------------------------------------


def _nodes(entries: Sequence[Entry]) -> list[_Node]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[_key(entry.title)].append(entry)
    nodes: list[_Node] = []
    for index, key in enumerate(sorted(groups)):
        members = groups[key]
        if len(members) == 1:
            (only,) = members
            plain = _unescape(only.title)
            tokens = _tokens(plain)
            nodes.append(
                _Node(
                    index,
                    key,
                    only.title,
                    only.abstract,
                    tokens,
                    frozenset(tokens),
                    members,
                    "".join(tokens) or key,
                    plain,
                )
            )
            continue
        members.sort(key=lambda e: e.source)
        title, abstract = _title_and_abstract(members)
        token_set: set[str] = set()
        for spelling in dict.fromkeys(e.title for e in members):
            token_set.update(_tokens(_unescape(spelling)))
        plain = _unescape(title)
        tokens = _tokens(plain)
        nodes.append(
            _Node(
                index,
                key,
                title,
                abstract,
                tokens,
                frozenset(token_set),
                members,
                "".join(tokens) or key,
                plain,
            )
        )
    return nodes


def _blocks(nodes: Sequence[_Node]) -> list[list[int]]:
    """Candidate blocks (lists of node indices) from each title's rarest tokens."""
    df: Counter[str] = Counter()
    for node in nodes:
        df.update(node.token_set)
    # rank of each token by (document frequency, token): a C-level sort key below
    rank = {token: n for n, token in enumerate(sorted(df, key=lambda t: (df[t], t)))}
    # Block keys: a token pair is a tuple, a rare token a str, a short title's token ("s", t).
    blocks: dict[tuple[str, ...] | str, list[int]] = defaultdict(list)
    for node in nodes:
        rarest = sorted(node.token_set, key=rank.__getitem__)
        index = node.index
        for pair in combinations(sorted(rarest[:BLOCK_PAIR_TOKENS]), 2):
            blocks[pair].append(index)
        for token in rarest[:BLOCK_SINGLE_TOKENS]:
            if 1 < df[token] <= BLOCK_SINGLE_MAX_DF:
                blocks[token].append(index)
        if len(node.tokens) <= SHORT_TITLE_TOKENS:
            for token in sorted(node.token_set):
                blocks[("s", token)].append(index)
    return [members for members in blocks.values() if len(members) > 1]


def _candidates(nodes: Sequence[_Node]) -> dict[tuple[int, int], float]:
    """Node pairs in a common block whose title keys score at least NEAR_MISS_MIN_RATIO."""
    found: dict[tuple[int, int], float] = {}
    for members in _blocks(nodes):
        keys = [nodes[i].match for i in members]
        size = len(members)
        for x in range(size - 1):
            if size - x > _BLOCK_C_LOOP:
                hits = process.extract(
                    keys[x],
                    keys[x + 1 :],
                    scorer=fuzz.ratio,
                    score_cutoff=NEAR_MISS_MIN_RATIO,
                    limit=None,
                )
                scored = [(x + 1 + offset, score) for _, score, offset in hits]
            else:
                scored = []
                for y in range(x + 1, size):
                    score = fuzz.ratio(keys[x], keys[y], score_cutoff=NEAR_MISS_MIN_RATIO)
                    if score:
                        scored.append((y, score))
            for y, score in scored:
                i, j = members[x], members[y]
                found[(min(i, j), max(i, j))] = round(score, 1)
    return found


def _resolve(
    name: str,
    nodes_by_key: Mapping[str, int],
    ids: Mapping[str, str],
    overrides: Overrides,
    problems: list[Problem],
) -> int | None:
    line = getattr(name, "line", None)
    if name in ids:
        node = nodes_by_key.get(ids[name])
        if node is None:
            problems.append(
                Problem(
                    overrides.file,
                    line,
                    f"override names id {str(name)!r}, whose paper is in no listing",
                )
            )
        return node
    node = nodes_by_key.get(_key(name))
    if node is None:
        problems.append(
            Problem(
                overrides.file,
                line,
                f"override names {str(name)!r}, which is neither a paper title in the listings "
                "nor a paper id",
            )
        )
    return node


def dedupe(
    entries: Sequence[Entry],
    overrides: Overrides = NO_OVERRIDES,
    ids: Mapping[str, str] | None = None,
) -> DedupeResult:
    """Group entries into distinct papers; see the module docstring for the rules.

    ``ids`` maps permanent ids to title keys (the permalink registry's rows), so overrides can
    name papers by id. Problems with the overrides are returned, not raised.
    """
    with _gc_paused():
        return _dedupe(entries, overrides, ids or {})


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored afterwards, even on error).

    The stage allocates a few objects per entry and makes no reference cycles, but each
    allocation burst makes the collector rescan every live object, the whole corpus included:
    measured at 100k entries, 6.9 s with the collector on and 3.2 s paused, and the 100k/10k
    time ratio went from 13-14 to 8-9 (``benchmarks/bench_dedupe.py``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _dedupe(entries: Sequence[Entry], overrides: Overrides, ids: Mapping[str, str]) -> DedupeResult:
    nodes = _nodes(entries)
    by_key = {node.key: node.index for node in nodes}
    problems: list[Problem] = []
    components = _Components(len(nodes))
    edges: list[_Edge] = []
    misses: dict[tuple[int, int], tuple[float, str]] = {}
    by_arxiv = _arxiv_ids(nodes, components, problems)

    # Overrides: keep-apart first (so nothing automatic can join them), then forced merges.
    keep_pairs: list[tuple[int, int, int | None]] = []
    for a_name, b_name in overrides.keep_apart:
        a = _resolve(a_name, by_key, ids, overrides, problems)
        b = _resolve(b_name, by_key, ids, overrides, problems)
        if a is None or b is None:
            continue
        line = getattr(a_name, "line", None)
        if a == b:
            problems.append(
                Problem(
                    overrides.file,
                    line,
                    f"keep_apart: {str(a_name)!r} and {str(b_name)!r} are spellings of the same "
                    "title and cannot be kept apart",
                )
            )
            continue
        components.forbid(a, b)
        keep_pairs.append((a, b, line))

    # One arXiv id, one paper, whatever the titles (unless a reviewer keeps them apart).
    for arxiv in sorted(by_arxiv):
        first, *others = by_arxiv[arxiv]
        for other in others:
            title_score = round(fuzz.ratio(nodes[first].key, nodes[other].key), 1)
            if components.blocked(first, other):
                misses[(first, other)] = (title_score, "keep-apart override")
                continue
            if components.union(first, other):
                abstract_score = _abstracts(nodes[first].abstract, nodes[other].abstract)[1]
                edges.append(_Edge("arxiv", first, other, title_score, abstract_score))

    for group in overrides.merge:
        resolved = [_resolve(name, by_key, ids, overrides, problems) for name in group]
        members = sorted({i for i in resolved if i is not None})
        if None not in resolved and len(members) < len(resolved):
            problems.append(
                Problem(
                    overrides.file,
                    getattr(group[0], "line", None),
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
                problems.append(
                    Problem(
                        overrides.file,
                        getattr(group[0], "line", None),
                        f"merge: {nodes[members[0]].title!r} and {nodes[other].title!r} have "
                        f"different arXiv ids ({', '.join(sorted(ids_a))} and "
                        f"{', '.join(sorted(ids_b))}), so they are different papers",
                    )
                )
            edges.append(_Edge("override", members[0], other, None, None))
            components.union(members[0], other)
    for a, b, line in keep_pairs:
        if components.find(a) == components.find(b):
            problems.append(
                Problem(
                    overrides.file,
                    line,
                    f"keep_apart: {nodes[a].title!r} and {nodes[b].title!r} are also forced "
                    "together by a merge override",
                )
            )

    # Fuzzy candidates from blocking, and retitled candidates from identical abstracts.
    proposals: dict[tuple[int, int], _Edge] = {}
    for (i, j), score in sorted(_candidates(nodes).items()):
        node_a, node_b = nodes[i], nodes[j]
        reason = _title_verdict(node_a, node_b, score)
        if reason is not None and reason not in _GUARDS and _small_edit(node_a, node_b):
            close, abstract_score = _close_abstracts(node_a, node_b)
            if close:  # a small title edit anywhere, and nine tenths of the abstract
                proposals[(i, j)] = _Edge("fuzzy", i, j, score, abstract_score)
                continue
        if reason is not None:
            misses[(i, j)] = (score, reason)
            continue
        agree, abstract_score = _abstracts(node_a.abstract, node_b.abstract)
        if not agree:
            misses[(i, j)] = (score, "abstracts disagree")
            continue
        proposals[(i, j)] = _Edge("fuzzy", i, j, score, abstract_score)
    same_abstract: dict[str, list[int]] = defaultdict(list)
    for node in nodes:
        if len(node.abstract) >= RETITLE_MIN_ABSTRACT_CHARS:
            same_abstract[node.abstract].append(node.index)
    for members in same_abstract.values():
        for i, j in combinations(members, 2):  # node order, so i < j
            if (i, j) in proposals:
                continue
            score = round(fuzz.ratio(nodes[i].key, nodes[j].key), 1)
            misses.pop((i, j), None)
            proposals[(i, j)] = _Edge("retitled", i, j, score, 100.0)

    ordered = sorted(
        proposals.values(),
        key=lambda e: (_EDGE_ORDER[e.kind], -(e.title_score or 0.0), e.a, e.b),
    )
    for edge in ordered:
        reason = components.conflict(edge.a, edge.b)
        if reason is not None:
            misses[(edge.a, edge.b)] = (edge.title_score or 0.0, reason)
            continue
        if components.union(edge.a, edge.b):
            edges.append(edge)

    return _result(nodes, components, edges, misses, problems)


def _arxiv_ids(
    nodes: Sequence[_Node], components: _Components, problems: list[Problem]
) -> dict[str, list[int]]:
    """Nodes by arXiv id (ascending node order), recorded in ``components``.

    A title key read with two ids is a problem: the registry keys papers by title key, so the
    entries cannot be told apart; the earliest source of each other id names the first one's.
    """
    by_arxiv: dict[str, list[int]] = defaultdict(list)
    for node in nodes:
        seen: dict[str, Source] = {}
        for entry in node.entries:  # sorted by source when there are several
            if entry.meta is not NO_METADATA and entry.meta.arxiv is not None:
                seen.setdefault(entry.meta.arxiv, entry.source)
        if not seen:
            continue
        components.identify(node.index, seen)
        for arxiv in seen:
            by_arxiv[arxiv].append(node.index)
        (first_id, first), *others = sorted(seen.items(), key=lambda pair: pair[1])
        for arxiv, source in others:
            problems.append(
                Problem(
                    source.file,
                    source.line,
                    f"arXiv id {arxiv} differs from {first_id} at {first.file}:{first.line} "
                    "for the same title; papers are keyed by title, so correct the id or the "
                    "title",
                )
            )
    return by_arxiv


def _result(
    nodes: Sequence[_Node],
    components: _Components,
    edges: Sequence[_Edge],
    misses: Mapping[tuple[int, int], tuple[float, str]],
    problems: list[Problem],
) -> DedupeResult:
    groups: dict[int, list[int]] = defaultdict(list)
    for node in nodes:
        groups[components.find(node.index)].append(node.index)
    adjacency: dict[int, list[tuple[int, _Edge]]] = defaultdict(list)
    for edge in edges:
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
        if len(entries) > 1:
            merges.append(_merge_group(item, members, nodes, adjacency))
    clusters.sort(key=lambda c: (c.key, c.title))
    merges.sort(key=lambda m: (m.key, m.title))

    # The closest rejected pair of each pair of clusters, closest first.
    closest: dict[tuple[int, int], NearMiss] = {}
    for (i, j), (score, reason) in sorted(misses.items()):
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
    kept = tuple(
        NearMiss(
            m.title_a,
            m.title_b,
            m.title_score,
            _abstracts(abstract_of[m.title_a], abstract_of[m.title_b])[1],
            m.reason,
        )
        for m in near
    )
    return DedupeResult(
        tuple(clusters),
        tuple(merges),
        kept,
        _sorted_problems(problems),
    )


def _aliases(entries: Sequence[Entry], title: str) -> tuple[str, ...]:
    if len(entries) == 1:
        return ()
    return tuple(dict.fromkeys(e.title for e in entries if e.title != title))


def _miss_order(miss: NearMiss) -> tuple[float, str, str, str]:
    return (-miss.title_score, miss.title_a, miss.title_b, miss.reason)


def _sorted_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message)))


def _merge_group(
    item: Cluster,
    members: Sequence[int],
    nodes: Sequence[_Node],
    adjacency: Mapping[int, list[tuple[int, _Edge]]],
) -> MergeGroup:
    """How each spelling joined the group: a breadth-first walk from the canonical title."""
    start = next(i for i in members if nodes[i].key == _key(item.title))
    joined: dict[int, tuple[int, _Edge] | None] = {start: None}
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
