"""Which entry's title, abstract and metadata a merged paper keeps (precedence merge)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from generator.model import ANNOTATION, NO_METADATA, PRECEDENCE, Cluster, Entry, Metadata, Source
from generator.stages.dedupe.features import node_key

# --- canonical choice -----------------------------------------------------------------------


def _choose(values: Sequence[tuple[str, Source]]) -> str:
    """Most frequent value; ties go to the value seen at the earliest source."""
    first = values[0][0]
    if all(value == first for value, _ in values):
        return first
    counts = Counter(value for value, _ in values)
    first_seen: dict[str, Source] = {}
    for value, source in sorted(values, key=lambda pair: pair[1]):
        first_seen.setdefault(value, source)
    return min(counts, key=lambda value: (-counts[value], first_seen[value]))


def _spelling(entries: Sequence[Entry]) -> Sequence[Entry]:
    """The entries that can spell a title and an abstract: all but annotations, unless there
    is nothing else."""
    return [e for e in entries if e.origin != ANNOTATION] or entries


def _trusted(ordered: Sequence[Entry]) -> Sequence[Entry]:
    """The entries of the most trusted origin present (all of them for listings only), among
    those that can give a title and an abstract (not annotations, unless there is nothing else:
    :mod:`generator.stages.dedupe.annotations` refuses such a paper)."""
    ordered = _spelling(ordered)
    first = ordered[0].origin
    if all(e.origin == first for e in ordered):
        return ordered
    best = min(PRECEDENCE[e.origin] for e in ordered)
    return [e for e in ordered if PRECEDENCE[e.origin] == best]


def title_and_abstract(ordered: Sequence[Entry]) -> tuple[str, str]:
    """The canonical title and abstract of entries sorted by source (module docstring)."""
    pool = _trusted(ordered)
    return (
        _choose([(e.title, e.source) for e in pool]),
        _choose([(e.abstract, e.source) for e in pool]),
    )


def _rank(entry: Entry) -> tuple[int, Source]:
    return (PRECEDENCE[entry.origin], entry.source)


def combine(entries: Iterable[Entry]) -> Metadata:
    """The metadata of one paper from its entries, field by field (module docstring)."""
    known = sorted((e for e in entries if e.meta is not NO_METADATA), key=_rank)
    if not known:
        return NO_METADATA

    def first(values: Iterable[str | None]) -> str | None:
        return next((value for value in values if value is not None), None)

    def highest(counts: Iterable[tuple[Entry, int | None]]) -> int | None:
        """The highest count among the most trusted origin's entries that have one."""
        ranked = [(PRECEDENCE[e.origin], n) for e, n in counts if n is not None]
        return max(n for rank, n in ranked if rank == ranked[0][0]) if ranked else None

    github = first(e.meta.github for e in known)
    listed = [e.meta.listed for e in known if e.meta.listed is not None]
    combined = Metadata(
        arxiv=first(e.meta.arxiv for e in known),
        authors=next((e.meta.authors for e in known if e.meta.authors), ()),
        published=first(e.meta.published for e in known),
        upvotes=highest((e, e.meta.upvotes) for e in known),
        note=first(e.meta.note for e in known),
        topics=tuple(sorted({t for e in known for t in e.meta.topics})),
        listed=min(listed) if listed else None,
        comments=highest((e, e.meta.comments) for e in known),
        organization=first(e.meta.organization for e in known),
        github=github,
        stars=highest((e, e.meta.stars) for e in known if e.meta.github == github),
        project=first(e.meta.project for e in known),
        ai_summary=first(e.meta.ai_summary for e in known),
        ai_keywords=next((e.meta.ai_keywords for e in known if e.meta.ai_keywords), ()),
        withdrawn=first(e.meta.withdrawn for e in known),
        verified=tuple(sorted({url for e in known for url in e.meta.verified})),
    )
    return NO_METADATA if combined == NO_METADATA else combined


def cluster(entries: Sequence[Entry]) -> Cluster:
    """Fold the entries of one paper into a cluster."""
    ordered = sorted(entries, key=lambda e: e.source)
    title, abstract = title_and_abstract(ordered)
    spelled = _spelling(ordered)
    aliases = tuple(dict.fromkeys(e.title for e in spelled if e.title != title))
    return Cluster(
        key=node_key(title),
        title=title,
        abstract=abstract,
        aliases=aliases,
        sources=tuple(e.source for e in ordered),
        meta=combine(ordered),
        keys=frozenset(node_key(e.title) for e in spelled),
    )
