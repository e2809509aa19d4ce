"""New topics for groups of unsorted papers that share distinctive terms no topic has."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse
from slugify import slugify

from generator.inputs.taxonomy import MAX_SLUG
from generator.layout import SLUG
from generator.model import UNSORTED, Paper, Rule, Topic
from generator.text.phrases import phrase_error
from generator.text.tfidf import Sparse
from generator.tools.suggest.records import (
    MIN_NEW_TOPIC,
    NEW_TOPIC_PHRASES,
    NEW_TOPIC_SHARE,
    NEW_TOPIC_TRIES,
    WORD_SHARE,
    Extension,
    plain_word,
    rounded,
)
from generator.tools.suggest.terms import analyze, presence
from generator.tools.suggest.trials import (
    NEW_RULE,
    Trial,
    matching,
    rule_with,
    split,
    strays,
    try_phrases,
    users,
)


@dataclass(frozen=True, slots=True)
class _Terms:
    """The terms a new topic may be made of (columns), with what is known of each."""

    eligible: list[int]
    holders: dict[int, set[int]]
    """Column -> rows of the unsorted pool that hold the term."""
    weights: dict[int, float]
    titled: dict[int, bool]
    """Column -> whether the term is in the title of one of its holders."""


def _eligible(
    papers: Sequence[Paper], matrix: Sparse, vocabulary: Sequence[str], pool: Sequence[int]
) -> _Terms:
    """Terms at least :data:`MIN_NEW_TOPIC` papers of ``pool`` use, most of whose users
    (:data:`NEW_TOPIC_SHARE`; :data:`WORD_SHARE` for one plain word) are unsorted, that a
    phrase can say."""
    present = presence(matrix)
    df = np.asarray(present.sum(axis=0)).ravel()
    sub = sparse.csc_matrix(present[list(pool)])
    counts = np.asarray(sub.sum(axis=0)).ravel()
    summed = np.asarray(matrix[list(pool)].sum(axis=0)).ravel()
    eligible = [
        c
        for c in map(int, np.flatnonzero(counts >= MIN_NEW_TOPIC))
        if counts[c] / df[c] >= (WORD_SHARE if plain_word(vocabulary[c]) else NEW_TOPIC_SHARE)
        and phrase_error(vocabulary[c]) is None
    ]
    holders = {c: {pool[int(i)] for i in sub[:, c].indices} for c in eligible}
    return _Terms(
        eligible,
        holders,
        {c: rounded(float(summed[c])) for c in eligible},
        {c: any(vocabulary[c] in analyze(papers[r].title) for r in holders[c]) for c in eligible},
    )


def new_topics(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    matrix: Sparse,
    vocabulary: Sequence[str],
    left: Sequence[int],
    candidates: Mapping[str, frozenset[str]],
) -> list[Extension]:
    """New topics for groups of at least :data:`MIN_NEW_TOPIC` unsorted papers (rows ``left``,
    those no extension sorts) that share distinctive terms.

    A term qualifies when that many of those papers use it and most papers using it are
    unsorted (at least :data:`NEW_TOPIC_SHARE`). The term used by the most of them (then the
    heaviest) seeds a group; the other qualifying terms used by at least two of the seed's
    papers join it (up to :data:`NEW_TOPIC_PHRASES`). The group's rule is then tried with
    :func:`generator.stages.classify.classify` on every paper holding one of its phrases, and kept
    only when it sorts at least :data:`MIN_NEW_TOPIC` papers, takes no more sorted papers
    than unsorted ones, and takes none of a topic unrelated to the group (``candidates``: per
    unsorted paper, the candidate topics that fit it, scoring :data:`FIT` or more; a sorted
    paper it takes must be in one of those of the group's papers). Its papers leave the pool,
    and the next group is sought.
    """
    if len(left) < MIN_NEW_TOPIC:
        return []
    pool = sorted(left)
    terms = _eligible(papers, matrix, vocabulary, pool)
    if not terms.eligible:
        return []
    held = users(papers, [vocabulary[c] for c in terms.eligible])
    guard = ({p.id: p.topics for p in papers}, candidates)
    taken = {t.slug for t in topics} | {UNSORTED.slug}
    names = {t.name.casefold() for t in topics}
    remaining = set(pool)
    result: list[Extension] = []
    tried: set[int] = set()
    while len(tried) < NEW_TOPIC_TRIES:
        seeds = [
            c
            for c in terms.eligible
            if c not in tried and len(terms.holders[c] & remaining) >= MIN_NEW_TOPIC
        ]
        if not seeds:
            break
        seed = min(
            seeds,
            key=lambda c: (-len(terms.holders[c] & remaining), -terms.weights[c], vocabulary[c]),
        )
        tried.add(seed)
        group = terms.holders[seed] & remaining
        made = _group(papers, vocabulary, terms, held, (seed, group, remaining), guard)
        if made is None:
            continue
        chosen, rule, unsorted, caught, fresh = made
        namer = min(
            chosen, key=lambda c: (not terms.titled[c], " " not in vocabulary[c], chosen.index(c))
        )
        slug, name = new_name(vocabulary[namer], taken, names)
        taken.add(slug)
        names.add(name.casefold())
        trials = [
            Trial(vocabulary[c], terms.titled[c], None, terms.weights[c], terms.titled[c])
            for c in chosen
        ]
        parts = tuple(
            replace(
                p,
                topic=slug,
                support=tuple(sorted(papers[r].id for r in terms.holders[c] & group)),
            )
            for p, c in zip(try_phrases(papers, (), trials, held), chosen, strict=True)
        )
        topic = Topic(
            slug=slug,
            name=name,
            description=f"TODO: one sentence on what {name!r} covers.",
            rule=rule,
        )
        result.append(Extension(topic, True, parts, unsorted, caught))
        remaining -= fresh
    return result


def _group(
    papers: Sequence[Paper],
    vocabulary: Sequence[str],
    terms: _Terms,
    held: dict[str, list[int]],
    pool: tuple[int, set[int], set[int]],
    guard: tuple[Mapping[str, tuple[str, ...]], Mapping[str, frozenset[str]]],
) -> tuple[list[int], Rule, tuple[str, ...], tuple[str, ...], set[int]] | None:
    """The phrases of the group a seed term starts (``pool``: the seed, its papers among the
    remaining, the remaining) and what its rule does: the phrases, the rule, the unsorted and
    sorted papers it takes, and the remaining papers it sorts. ``None`` when it sorts too few
    papers, takes more sorted papers than unsorted ones, or any of an unrelated topic
    (``guard``: every paper's topics, the unsorted papers' candidate topics)."""
    seed, group, remaining = pool
    chosen = sorted(
        (c for c in terms.eligible if len(terms.holders[c] & group) >= 2),
        key=lambda c: (c != seed, -len(terms.holders[c] & group), -terms.weights[c], vocabulary[c]),
    )[:NEW_TOPIC_PHRASES]
    phrases = [vocabulary[c] for c in chosen]
    rule = rule_with(NEW_RULE, [vocabulary[c] for c in chosen if terms.titled[c]], phrases)
    rows = sorted({r for p in phrases for r in held[p]})
    taken = matching(papers, rows, rule)
    unsorted, caught = split(papers, taken, None)
    fresh = {r for r in taken if not papers[r].topics} & remaining
    if len(fresh) < MIN_NEW_TOPIC or len(caught) > len(unsorted):
        return None
    topics_of, candidates = guard
    allowed = frozenset().union(*(candidates.get(pid, frozenset()) for pid in unsorted))
    if strays(topics_of, caught, allowed):
        return None
    return chosen, rule, unsorted, caught, fresh


def new_name(phrase: str, taken: set[str], names: set[str]) -> tuple[str, str]:
    """A slug and name for a new topic named after a phrase, clashing with neither."""
    base = slugify(phrase)[: MAX_SLUG - 3].strip("-")
    if SLUG.fullmatch(base) is None:
        base = "new-topic"
    stem = phrase[:1].upper() + phrase[1:]
    slug, name, n = base, stem, 1
    while slug in taken or name.casefold() in names:
        n += 1
        slug, name = f"{base}-{n}", f"{stem} ({n})"
    return slug, name
