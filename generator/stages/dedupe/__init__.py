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
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import combinations

from rapidfuzz import fuzz

from generator.errors import Problem
from generator.inputs.overrides import NO_OVERRIDES, Overrides
from generator.model import NO_METADATA, Entry, Source
from generator.stages.dedupe.annotations import crossed, only_annotations, orphans
from generator.stages.dedupe.blocking import candidates, make_nodes
from generator.stages.dedupe.components import EDGE_ORDER, Components, Edge, Joining
from generator.stages.dedupe.curated import Names, force_merges, keep_apart
from generator.stages.dedupe.features import (
    GUARDS,
    Node,
    abstract_verdict,
    close_abstracts,
    small_edit,
    title_verdict,
)
from generator.stages.dedupe.precedence import cluster, combine
from generator.stages.dedupe.report import result
from generator.stages.dedupe.results import DedupeResult, MergeGroup, NearMiss, Spelling
from generator.stages.dedupe.rules import (
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
    """The steps, in order: arXiv ids recorded, keep-apart overrides, one paper per arXiv id,
    merge overrides, then the automatic proposals joined strongest first."""
    nodes = make_nodes(entries)
    by_key = {node.key: node.index for node in nodes}
    work = Joining(nodes, Components(len(nodes)))
    crossed(work)
    by_arxiv = _arxiv_ids(work)
    names = Names(by_key, ids, overrides)
    kept_apart = keep_apart(work, names)
    _join_arxiv(work, by_arxiv)
    force_merges(work, names, kept_apart)
    for edge in sorted(
        _proposals(work).values(),
        key=lambda e: (EDGE_ORDER[e.kind], -(e.title_score or 0.0), e.a, e.b),
    ):
        reason = work.components.conflict(edge.a, edge.b)
        if reason is not None:
            work.misses[(edge.a, edge.b)] = (edge.title_score or 0.0, reason)
            continue
        work.join(edge)
    orphans(work)
    return result(work)


def _join_arxiv(work: Joining, by_arxiv: Mapping[str, list[int]]) -> None:
    """One arXiv id, one paper, whatever the titles (unless a reviewer keeps them apart)."""
    nodes = work.nodes
    for arxiv in sorted(by_arxiv):
        first, *others = by_arxiv[arxiv]
        for other in others:
            title_score = round(fuzz.ratio(nodes[first].key, nodes[other].key), 1)
            if work.components.blocked(first, other):
                work.misses[(first, other)] = (title_score, "keep-apart override")
                continue
            abstract_score = abstract_verdict(nodes[first].abstract, nodes[other].abstract)[1]
            work.join(Edge("arxiv", first, other, title_score, abstract_score))


def _proposals(work: Joining) -> dict[tuple[int, int], Edge]:
    """Fuzzy candidates from blocking, and retitled candidates from identical abstracts;
    candidates refused on their own merits are recorded as near misses."""
    nodes, misses = work.nodes, work.misses
    proposals: dict[tuple[int, int], Edge] = {}
    for (i, j), score in sorted(candidates(nodes).items()):
        if only_annotations(nodes[i]) or only_annotations(nodes[j]):
            continue  # an annotation names its paper by title key or id, never by a near title
        verdict = _fuzzy(nodes[i], nodes[j], score)
        if isinstance(verdict, Edge):
            proposals[(i, j)] = verdict
        else:
            misses[(i, j)] = (score, verdict)
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
            proposals[(i, j)] = Edge("retitled", i, j, score, 100.0)
    return proposals


def _fuzzy(a: Node, b: Node, score: float) -> Edge | str:
    """The edge joining two close titles, or why they stay apart."""
    reason = title_verdict(a, b, score)
    if reason is not None and reason not in GUARDS and small_edit(a, b):
        close, abstract_score = close_abstracts(a, b)
        if close:  # a small title edit anywhere, and nine tenths of the abstract
            return Edge("fuzzy", a.index, b.index, score, abstract_score)
    if reason is not None:
        return reason
    agree, abstract_score = abstract_verdict(a.abstract, b.abstract)
    if not agree:
        return "abstracts disagree"
    return Edge("fuzzy", a.index, b.index, score, abstract_score)


def _arxiv_ids(work: Joining) -> dict[str, list[int]]:
    """Nodes by arXiv id (ascending node order), recorded in ``components``.

    A title key read with two ids is a problem: the registry keys papers by title key, so the
    entries cannot be told apart; the earliest source of each other id names the first one's.
    """
    by_arxiv: dict[str, list[int]] = defaultdict(list)
    for node in work.nodes:
        seen: dict[str, Source] = {}
        for entry in node.entries:  # sorted by source when there are several
            if entry.meta is not NO_METADATA and entry.meta.arxiv is not None:
                seen.setdefault(entry.meta.arxiv, entry.source)
        if not seen:
            continue
        work.components.identify(node.index, seen)
        for arxiv in seen:
            by_arxiv[arxiv].append(node.index)
        (first_id, first), *others = sorted(seen.items(), key=lambda pair: pair[1])
        for arxiv, source in others:
            work.problems.append(
                Problem(
                    source.file,
                    source.line,
                    f"arXiv id {arxiv} differs from {first_id} at {first.file}:{first.line} "
                    "for the same title; papers are keyed by title, so correct the id or the "
                    "title",
                )
            )
    return by_arxiv
