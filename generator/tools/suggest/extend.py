"""Phrases that extend an existing topic: picked with evidence, tried, the best few kept."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from generator.model import Paper, Topic
from generator.text.phrases import phrase_error
from generator.text.tfidf import Sparse
from generator.tools.suggest.records import (
    EXTEND_SHARE,
    FIT,
    MIN_SUPPORT,
    PHRASES_PER_PAPER,
    TERMS_PER_PAPER,
    TRIAL_BUDGET,
    WORD_SHARE,
    Extension,
    Proposal,
    UnsortedPaper,
    plain_word,
    rounded,
)
from generator.tools.suggest.terms import analyze, memberships, presence
from generator.tools.suggest.trials import (
    Trial,
    adds,
    matching,
    related_topics,
    rule_with,
    split,
    strays,
    try_phrases,
    users,
    with_rule,
)


@dataclass(frozen=True, slots=True)
class _Usage:
    """Per term of the unsorted papers (``position``: column -> row here): how many sorted
    papers hold it (``by_sorted``), and how many of them are in each topic (``in_topic``)."""

    position: dict[int, int]
    in_topic: npt.NDArray[np.float64]
    by_sorted: npt.NDArray[np.float64]


def proposals(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    matrix: Sparse,
    vocabulary: Sequence[str],
    unsorted_rows: Sequence[int],
    unsorted: Sequence[UnsortedPaper],
) -> tuple[list[Proposal], dict[str, list[int]]]:
    """Phrases that extend an existing topic, tried as rules; the best few per unsorted paper.

    A term of an unsorted paper is a candidate for a topic that fits the paper (its centroid
    scores :data:`FIT` or more) only when at least :data:`MIN_SUPPORT` of the topic's papers
    use it too: a word of one paper alone ("beautybank", "bare") names nothing a rule should
    sort by. It is ranked by its weight in the unsorted paper times the topic's smoothed share
    of the sorted papers using it (:func:`share`), so a word every topic uses ranks low.

    Also returns, for every phrase tried, the papers that hold it (see :func:`users`).
    """
    sorted_rows = [i for i, p in enumerate(papers) if p.topics]
    unsorted_matrix = matrix[list(unsorted_rows)]
    cols = np.unique(unsorted_matrix.indices)
    if not sorted_rows or not topics or not cols.size:
        return [], {}
    member = memberships(papers, sorted_rows, [t.slug for t in topics])
    # Per term of an unsorted paper: sorted papers using it, and how many of them per topic.
    used = sparse.csc_matrix(presence(matrix)[sorted_rows])[:, cols]
    usage = _Usage(
        {int(c): k for k, c in enumerate(cols)},
        np.asarray(sparse.csr_matrix(used.T) @ member),
        np.asarray(used.sum(axis=0)).ravel(),
    )
    picked, titled = _picked(
        papers, topics, unsorted_matrix, vocabulary, unsorted_rows, unsorted, usage
    )
    trials = _trials(topics, vocabulary, picked, titled)
    held = users(papers, [t.phrase for t in trials])
    related = related_topics(papers)
    topics_of = {p.id: p.topics for p in papers}
    tried = [
        p
        for p in try_phrases(papers, topics, trials, held)
        if distinctive(len(p.support), p.holders, p.phrase)
        and not strays(topics_of, p.caught, related.get(p.topic, frozenset({p.topic})))
    ]
    alone = _best_per_paper(p for p in tried if p.unsorted and len(p.caught) <= len(p.unsorted))
    covered = {pid for p in alone for pid in p.unsorted}
    together = _together(papers, topics, tried, held, unsorted, covered)
    taken = {p.phrase for p in alone}
    return alone + [p for p in together if p.phrase not in taken], held


def _picked(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    unsorted_matrix: Sparse,
    vocabulary: Sequence[str],
    rows: Sequence[int],
    unsorted: Sequence[UnsortedPaper],
    usage: _Usage,
) -> tuple[dict[tuple[int, int], float], dict[int, bool]]:
    """The best terms of each unsorted paper for each topic that fits it: (term column, topic
    index) -> best score, and whether each term is in the title of an unsorted paper."""
    column = {t.slug: j for j, t in enumerate(topics)}
    low, high = TERMS_PER_PAPER
    per_paper = max(low, min(high, TRIAL_BUDGET // len(rows)))
    picked: dict[tuple[int, int], float] = {}  # (term, topic) -> best score
    titled: dict[int, bool] = defaultdict(bool)  # term -> in the title of an unsorted paper
    for offset, (row, u) in enumerate(zip(rows, unsorted, strict=True)):
        fitting = [column[c.slug] for c in u.candidates if c.score >= FIT]
        lo, hi = unsorted_matrix.indptr[offset], unsorted_matrix.indptr[offset + 1]
        title_terms = set(analyze(papers[row].title))
        both = title_terms.intersection(analyze(papers[row].abstract))
        scored: list[tuple[float, str, int, int]] = []
        terms = zip(unsorted_matrix.indices[lo:hi], unsorted_matrix.data[lo:hi], strict=True)
        for col, weight in terms:
            term = vocabulary[col]
            titled[int(col)] |= term in title_terms
            k = usage.position[int(col)]
            holders = int(usage.by_sorted[k])
            for j in fitting:
                support = int(usage.in_topic[k, j])
                if not distinctive(support, holders, term) or phrase_error(term) is not None:
                    continue
                score = term_weight(term, float(weight) * share(support, holders), term in both)
                scored.append((-rounded(score), term, int(col), j))
        scored.sort()
        for negative, _term, col, j in scored[:per_paper]:
            picked[(col, j)] = max(picked.get((col, j), 0.0), -negative)
    return picked, titled


def _trials(
    topics: Sequence[Topic],
    vocabulary: Sequence[str],
    picked: dict[tuple[int, int], float],
    titled: dict[int, bool],
) -> list[Trial]:
    """A trial per picked term and topic, and one in the title list too for a titled term,
    unless the topic's rule has the phrase already (pasting it would change nothing)."""
    trials: list[Trial] = []
    for (col, j), weight in sorted(
        picked.items(), key=lambda item: (vocabulary[item[0][0]], item[0][1])
    ):
        term, target = vocabulary[col], topics[j]
        variants = (False, True) if titled[col] else (False,)
        for in_title in variants:
            if adds(target.rule, term, in_title):
                trials.append(Trial(term, in_title, target.slug, weight, titled[col]))
    return trials


def _together(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    tried: Sequence[Proposal],
    held: dict[str, list[int]],
    unsorted: Sequence[UnsortedPaper],
    covered: set[str],
) -> list[Proposal]:
    """Phrases that sort a paper only together: the abstract phrases of a topic add up to its
    ``min_abstract_hits``. For each unsorted paper no single phrase sorts, its distinctive
    phrases for each fitting topic (best first, at most :data:`PHRASES_PER_PAPER`) are tried
    together, the topics in candidate order; the first set that sorts it, taking no more
    sorted papers than unsorted ones and none of an unrelated topic, is kept."""
    index = {p.id: i for i, p in enumerate(papers)}
    related = related_topics(papers)
    topics_of = {p.id: p.topics for p in papers}
    rules = {t.slug: t.rule for t in topics}
    by_topic: dict[str, list[Proposal]] = defaultdict(list)
    for p in sorted(tried, key=lambda p: (-rounded(p.weight), p.in_title, p.phrase)):
        if not p.in_title and len(p.caught) <= 1:  # the narrower variant; no stray catches
            by_topic[p.topic].append(p)
    kept: list[Proposal] = []
    for u in unsorted:
        if u.id in covered:
            continue
        row = index[u.id]
        for c in u.candidates:
            if c.score < FIT:
                continue
            mine = [p for p in by_topic[c.slug] if row in held[p.phrase]][:PHRASES_PER_PAPER]
            if len(mine) < 2:
                continue
            rule = rule_with(rules[c.slug], (), [p.phrase for p in mine])
            rows = sorted({r for p in mine for r in held[p.phrase]})
            sorts, caught = split(papers, matching(papers, rows, rule), c.slug)
            allowed = related.get(c.slug, frozenset({c.slug}))
            if (
                u.id in sorts
                and len(caught) <= len(sorts)
                and not strays(topics_of, caught, allowed)
            ):
                kept += mine
                covered.update(sorts)
                break
    return kept


def _best_per_paper(found: Iterable[Proposal]) -> list[Proposal]:
    """The best variant (and topic) of each phrase, then the best few phrases per unsorted
    paper (:data:`PHRASES_PER_PAPER`), best first."""
    by_phrase: dict[str, Proposal] = {}
    for proposal in found:
        known = by_phrase.get(proposal.phrase)
        if known is None or rank(proposal) < rank(known):
            by_phrase[proposal.phrase] = proposal
    sorting: dict[str, list[Proposal]] = defaultdict(list)  # unsorted id -> its proposals
    for proposal in by_phrase.values():
        for pid in proposal.unsorted:
            sorting[pid].append(proposal)
    kept: set[str] = set()
    for mine in sorting.values():
        kept.update(p.phrase for p in sorted(mine, key=rank)[:PHRASES_PER_PAPER])
    return sorted((by_phrase[p] for p in kept), key=rank)


def distinctive(support: int, holders: int, phrase: str = "") -> bool:
    """Whether a term used by ``holders`` sorted papers, ``support`` of them in a topic, names
    that topic: :data:`MIN_SUPPORT` of its papers use it, and they are more than
    :data:`EXTEND_SHARE` of the sorted papers that do (a majority); for one plain word, at least
    :data:`WORD_SHARE` of them."""
    if plain_word(phrase) and phrase:
        return support >= MIN_SUPPORT and support >= WORD_SHARE * holders
    return support >= MIN_SUPPORT and support > EXTEND_SHARE * holders


def share(support: int, holders: int) -> float:
    """The topic's share of the sorted papers using a term, smoothed towards zero: 2 of 4
    (0.33) ranks below 10 of 15 (0.59), and one paper is never evidence of much."""
    return support / (holders + 2)


def term_weight(term: str, weight: float, in_both: bool) -> float:
    """A term's TF-IDF weight x share, adjusted for what makes a good rule.

    Terms in both the title and the abstract count double: that is how a paper names its
    subject (``makeup``, ``magic state``), while a word of the title alone is as often an
    adjective or a verb (``maximizing``). Words of three letters or fewer count half: they are
    mostly acronyms (``msc``, ``lsm``) that mean something else in the next paper.
    """
    if in_both:
        weight *= 2.0
    if " " not in term and len(term) <= 3:
        weight *= 0.5
    return weight


def rank(p: Proposal) -> tuple[float, int, int, float, bool, str]:
    """Sort key, best first: precision (smoothed, so one clean hit does not beat three hits
    and a stray), then coverage, then the evidence (the topic's papers that use the phrase),
    then the term's weight; abstract-only before title+abstract (the narrower rule, when it
    does as well)."""
    precision = len(p.unsorted) / (len(p.unsorted) + len(p.caught) + 1)
    return (
        -rounded(precision),
        -len(p.unsorted),
        -len(p.support),
        -rounded(p.weight),
        p.in_title,
        p.phrase,
    )


def extensions(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    found: Sequence[Proposal],
    held: dict[str, list[int]],
) -> list[Extension]:
    """Group proposals by the topic they extend; then try each group as a whole. A group whose
    phrases together catch a sorted paper of an unrelated topic is left out."""
    existing = {t.slug: t for t in topics}
    related = related_topics(papers)
    topics_of = {p.id: p.topics for p in papers}
    groups: dict[str, list[Proposal]] = defaultdict(list)
    for p in found:
        groups[p.topic].append(p)
    result = []
    for slug in sorted(groups):
        group = groups[slug]
        title = [p.phrase for p in group if p.in_title]
        rule = rule_with(existing[slug].rule, title, [p.phrase for p in group])
        rows = sorted({r for p in group for r in held[p.phrase]})
        unsorted, caught = split(papers, matching(papers, rows, rule), slug)
        if strays(topics_of, caught, related.get(slug, frozenset({slug}))):
            continue
        result.append(
            Extension(with_rule(existing[slug], rule), False, tuple(group), unsorted, caught)
        )
    return result
