"""Link stage: related papers and related topics.

Related papers are the nearest neighbours by TF-IDF cosine similarity, as arxiv-sanity-lite
ranks them: scikit-learn's ``TfidfVectorizer`` (computed bit for bit, three times faster, by
:mod:`generator.text.tfidf`) with sublinear term frequency (a word said five times is not five
times the evidence), words and bigrams, the project's stop words (:data:`STOP_WORDS`),
document-frequency bounds and L2-normalized rows, so that the dot product of two rows is their
cosine. **Titles weigh in**: a paper's row is its title + abstract blended with its title
alone (:data:`TITLE_WEIGHT`, :func:`link_vectors`), so two papers whose titles share a term
score more than two whose abstracts alone share as much. Pure content: topics play no part in
the ranking.

Document-frequency bounds. A term in fewer than :data:`MIN_DF` papers cannot link two papers,
and in the norm it would only dilute the terms that can. A term in more than :data:`MAX_DF` of
the papers ("language model") says little about which papers belong together. A third bound
keeps large corpora linear: comparing papers costs one multiply-add per pair of papers sharing
a term, ``df**2`` for a term in ``df`` papers, which grows with the square of the corpus. So the
most common terms are dropped until that total is at most :data:`WORK_PER_PAPER` per paper (and
:data:`WORK_FLOOR` in all, so small corpora are compared in full): see :func:`df_ceiling`. It
does not bind on the shipped corpus (its total is 0.8M); it would from a few thousand papers of
the same kind, and at 100k synthetic papers it keeps terms in at most a few hundred papers, at
some cost in fidelity measured by ``benchmarks/bench_link.py``.

Candidates are computed in chunks of rows (:func:`candidates`): a chunk times the transposed
matrix, both sparse, then each row's :data:`POOL` best scoring at least
:data:`FALLBACK_FLOOR`; the chunk is sized from the work above so that it stores at most
:data:`CHUNK_SCORES` scores. No dense n x n matrix is ever made. Scores are rounded to
:data:`SCORE_DECIMALS` decimals before ranking and ties go to the smaller id, so the result
depends neither on float noise nor on input order. A paper never lists itself (it is excluded
by position: a different paper with the very same text is listed, first).

**A floor calibrated on the corpus.** Topics are assigned in the main process while the link
worker (a second process) computes the candidates, so the rest is decided afterwards
(:func:`with_related`). A candidate is listed for a *similar abstract* when it is among the
paper's :data:`RELATED_COUNT` best at the floor or above; the floor is the lowest score at
which such links join papers sharing a rule topic :data:`TARGET_SHARED` of the time
(:func:`similar_floor`: at least :data:`RELATED_FLOOR`, at most :data:`MAX_FLOOR`; a corpus with
too few links keeps :data:`RELATED_FLOOR`). Cosines run higher in a small corpus than in a
large one, so no fixed floor means the same everywhere; the rate the floor is calibrated to
is the one the account reports, on rule topics only (:func:`shared_topic_rate`).

Weaker links, said so. A paper with fewer than :data:`MIN_RELATED` similar papers would be a
dead end, so it is topped up to that many from its candidates under the floor: first those
that share a topic with the paper (reason :data:`SAME_TOPICS`), then any
(:data:`SHARED_TERMS`), best score first. Every link carries its reason
(:attr:`generator.model.Paper.related_reasons`), which the paper page prints on its row.

Measured on the shipped corpus (``benchmarks/results/topics.md``, 313 papers): before issue 27
(no title weight, a fixed floor of 0.125) 895 similar-abstract links of which 84.4% share a
rule topic, 248 same topics, 29 shared terms; now the calibrated floor is 0.148 and 619
similar-abstract links share a rule topic 90.1% of the time (each listing's links at the floor
calibrated on the others': 91.3%), 426 same topics, 22 shared terms, and every paper still has
three related papers. On tiny corpora few terms survive the bounds, so scores run high: in the
four-paper test fixture two papers sharing only "generation" and "large" are related.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from generator.model import Paper
from generator.text.tfidf import Sparse, l2_rows
from generator.text.vectors import blend, term_counts
from generator.text.words import TERM_PATTERN, TERM_STOP_WORDS

RELATED_COUNT = 5
#: The lowest floor for a similar abstract: the floor is calibrated on the corpus from here up
#: (:func:`similar_floor`), and stays here when the corpus is too small to calibrate.
RELATED_FLOOR = 0.125
#: The calibrated floor is the lowest at which this share of the links join papers sharing a
#: rule topic ...
TARGET_SHARED = 0.9
#: ... measured over at least this many links; never above :data:`MAX_FLOOR`.
MIN_CALIBRATION = 30
MAX_FLOOR = 0.3
#: Share of a paper's vector that is its title (the rest is its title and abstract): a title
#: names what a paper is about, so two titles sharing terms weigh more than two abstracts
#: sharing as many (``benchmarks/bench_topics.py`` measures it).
TITLE_WEIGHT = 0.1
#: A paper with fewer similar papers than this is topped up to it with weaker links, each
#: saying why it is there (:func:`with_related`).
MIN_RELATED = 3
#: ... chosen among this many best candidates under the floor ...
POOL = 30
#: ... that score at least this: a few shared terms, not just one common word.
FALLBACK_FLOOR = 0.04
#: Why a related paper is listed, strongest first: a TF-IDF cosine at the floor or above;
#: under it, a shared topic; under it, and no topic shared.
SIMILAR_ABSTRACT = "similar abstract"
SAME_TOPICS = "same topics"
SHARED_TERMS = "shared terms"
REASONS = (SIMILAR_ABSTRACT, SAME_TOPICS, SHARED_TERMS)
#: Words and bigrams must occur in at least this many papers.
MIN_DF = 2
#: Words and bigrams in more than this fraction of the papers are dropped.
MAX_DF = 0.3
#: Multiply-adds the comparison may cost per paper once the corpus is large ...
WORK_PER_PAPER = 10_000
#: ... and in total below that: a corpus of the shipped kind fits whole up to ~3,500 papers.
WORK_FLOOR = 100_000_000
#: Most similarity scores one chunk of rows may store (about 12 bytes each).
CHUNK_SCORES = 1 << 23
#: Scores are rounded to this many decimals before ranking.
SCORE_DECIMALS = 9
SCALE = 10**SCORE_DECIMALS
#: Rounded scores (cosines are at most 1, so at most about SCALE) fit below this in a sort key.
KEY_SPAN = 1 << 31
#: Lowercased, accents stripped: a letter, then letters or digits; three characters at least.
TOKEN_PATTERN = TERM_PATTERN
#: English stop words plus words nearly every abstract uses.
STOP_WORDS = TERM_STOP_WORDS

IntArray = npt.NDArray[np.int64]


def df_ceiling(df: IntArray, papers: int) -> int:
    """Largest document frequency whose terms fit the comparison budget.

    ``df`` holds each term's document frequency. Terms are admitted from the rarest up, all the
    terms of one frequency together (so the answer does not depend on term order), while the sum
    of ``df**2`` stays within ``max(WORK_PER_PAPER * papers, WORK_FLOOR)``.
    """
    if df.size == 0:
        return 0
    counts = np.bincount(df).astype(np.int64)
    freq = np.arange(counts.size, dtype=np.int64)
    work = np.cumsum(counts * freq * freq)
    fits = np.flatnonzero(work <= max(WORK_PER_PAPER * papers, WORK_FLOOR))
    return int(fits[-1]) if fits.size else 0


def _counts(texts: Sequence[str]) -> Sparse:
    """TF-IDF rows of ``texts`` within the document-frequency bounds, not normalized."""
    # no paper, or no term in MIN_DF papers: no column, nothing can be related
    return term_counts(texts, min_df=MIN_DF, max_df=max(MIN_DF, int(MAX_DF * len(texts))))


def _budgeted(blocks: Sequence[Sparse], papers: int) -> list[Sparse]:
    """``blocks`` without the terms over the comparison budget, counted over all the blocks
    together (:func:`df_ceiling`), each row scaled to unit length."""
    dfs = [np.bincount(m.indices, minlength=m.shape[1]).astype(np.int64) for m in blocks]
    ceiling = df_ceiling(np.concatenate([np.zeros(0, dtype=np.int64), *dfs]), papers)
    result = []
    for matrix, df in zip(blocks, dfs, strict=True):
        if ceiling < df.max(initial=0):
            matrix = matrix[:, np.flatnonzero(df <= ceiling)].tocsr()
        matrix.sort_indices()  # before the norms, so that they sum in term order too
        result.append(l2_rows(matrix.tocsr()))
    return result


def tfidf_vectors(papers: Sequence[Paper]) -> Sparse:
    """Sparse CSR matrix, one L2-normalized TF-IDF row of title + abstract per paper.

    A paper without a usable word gets an empty row. Columns are terms in sorted order and
    indices are sorted, so every dot product sums in the same order whatever the paper order.
    """
    (text,) = _budgeted([_counts([f"{p.title}\n{p.abstract}" for p in papers])], len(papers))
    return text


def link_vectors(papers: Sequence[Paper]) -> Sparse:
    """The rows papers are compared by: the TF-IDF of title + abstract blended with that of the
    titles alone (:data:`TITLE_WEIGHT`), each row scaled to unit length again.

    Two papers whose titles share no term score as their abstracts do, a little less; two
    whose titles share terms score more. Papers whose titles have no usable term at all score
    as by :func:`tfidf_vectors`. The comparison budget covers both blocks together.
    """
    text, titles = _budgeted(
        [_counts([f"{p.title}\n{p.abstract}" for p in papers]), _counts([p.title for p in papers])],
        len(papers),
    )
    if titles.nnz == 0:
        return text
    return blend([(text, 1.0 - TITLE_WEIGHT), (titles, TITLE_WEIGHT)])


def _best(
    rows: IntArray, cols: IntArray, points: IntArray, rank: IntArray, count: int
) -> tuple[IntArray, IntArray, IntArray]:
    """The ``count`` best (row, col, points) of each row, by points descending, then rank.

    Returns them sorted by row, best first within a row.
    """
    # Best first within each row: one sort on a single integer key (chunk row, then score
    # descending). Ties of equal score are settled by id below, on the few left.
    order = np.argsort(rows * KEY_SPAN + (KEY_SPAN - 1 - points))
    rows, cols, points = rows[order], cols[order], points[order]
    first = np.searchsorted(rows, rows, side="left")
    # The count-th best score of each row (or its last): every score tied with it stays.
    last = np.minimum(first + count - 1, np.searchsorted(rows, rows, side="right") - 1)
    tied = points >= points[last]
    rows, cols, points = rows[tied], cols[tied], points[tied]
    order = np.lexsort((rank[cols], -points, rows))
    rows, cols, points = rows[order], cols[order], points[order]
    place = np.arange(rows.size) - np.searchsorted(rows, rows, side="left")
    best = place < count
    return rows[best], cols[best], points[best]


@dataclass(frozen=True, slots=True)
class Candidates:
    """Per paper (row), its best other papers, best first, with their scores, as three arrays:
    row ``i``'s are ``positions[indptr[i]:indptr[i + 1]]`` (rows of the same papers) and their
    ``points`` (the cosine times :data:`SCALE`, rounded). What the link worker sends back."""

    indptr: IntArray
    positions: IntArray
    points: IntArray

    def row(self, i: int) -> tuple[list[int], list[int]]:
        lo, hi = int(self.indptr[i]), int(self.indptr[i + 1])
        return self.positions[lo:hi].tolist(), self.points[lo:hi].tolist()

    def __len__(self) -> int:
        return int(self.indptr.size) - 1


def candidates(vectors: Sparse, rank: IntArray, count: int, floor: float) -> Candidates:
    """For each row, the ``count`` most similar other rows scoring at least ``floor``.

    ``rank`` orders rows for ties (the position of each paper's id in sorted order). Rows are
    compared in chunks whose comparisons store at most :data:`CHUNK_SCORES` scores (or one
    row's, if more), so memory stays bounded however large the corpus.
    """
    total = vectors.shape[0]
    empty = np.zeros(0, dtype=np.int64)
    found: list[tuple[IntArray, IntArray, IntArray]] = [(empty, empty, empty)]
    if total and vectors.nnz:
        columns = vectors.T.tocsr()  # one row per term: the papers that have it
        # A row's comparison makes one product per (term, paper with that term): at most that
        # many scores are stored for the row.
        df = np.diff(columns.indptr)
        row_of = np.repeat(np.arange(total), np.diff(vectors.indptr))
        work = np.cumsum(np.bincount(row_of, weights=df[vectors.indices], minlength=total))
        floor_points = round(floor * SCALE)
        start = 0
        while start < total:
            done = work[start - 1] if start else 0.0
            stop = max(start + 1, int(np.searchsorted(work, done + CHUNK_SCORES, side="right")))
            block = vectors[start:stop] @ columns
            hits = np.flatnonzero(block.data >= floor - 1e-6)  # cheap pre-filter, exact below
            rows = np.searchsorted(block.indptr, hits, side="right") - 1
            cols = block.indices[hits].astype(np.int64)
            points = np.rint(block.data[hits] * SCALE).astype(np.int64)
            keep = (points >= floor_points) & (rows + start != cols)
            best_rows, best_cols, best_points = _best(
                rows[keep], cols[keep], points[keep], rank, count
            )
            found.append((best_rows + start, best_cols, best_points))
            start = stop
    rows = np.concatenate([f[0] for f in found])
    indptr = np.zeros(total + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=total), out=indptr[1:])
    return Candidates(
        indptr,
        np.concatenate([f[1] for f in found]).astype(np.int64),
        np.concatenate([f[2] for f in found]).astype(np.int64),
    )


def nearest(vectors: Sparse, rank: IntArray, count: int, floor: float) -> list[list[int]]:
    """For each row, the positions of the ``count`` most similar other rows, best first (see
    :func:`candidates`)."""
    found = candidates(vectors, rank, count, floor)
    return [found.row(i)[0] for i in range(len(found))]


def related_ids(papers: Sequence[Paper]) -> Candidates:
    """For each paper, in order, its :data:`POOL` most similar other papers scoring at least
    :data:`FALLBACK_FLOOR`, best first (ties by id), as rows of ``papers``.

    What the pipeline's link worker (a second process) sends back: the floor that makes a
    link a similar abstract, and the choice of weaker links, need the papers' topics, which
    are assigned meanwhile in the main process (:func:`with_related`).
    """
    ids = [p.id for p in papers]
    rank = np.empty(len(ids), dtype=np.int64)
    rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids), dtype=np.int64)
    return candidates(link_vectors(papers), rank, POOL, FALLBACK_FLOOR)


def similar_floor(papers: Sequence[Paper], found: Candidates) -> float:
    """The floor of a similar abstract, calibrated on the corpus.

    The links it may make are each paper's :data:`RELATED_COUNT` best candidates at
    :data:`RELATED_FLOOR` or above. The floor is the lowest score at which the links at or
    above it join papers sharing a rule topic at least :data:`TARGET_SHARED` of the time, over
    at least :data:`MIN_CALIBRATION` links, as :func:`shared_topic_rate` counts them (a link of
    an unsorted paper shares nothing); at most :data:`MAX_FLOOR`. With fewer links it is
    :data:`RELATED_FLOOR`. Learned topics take no part: they come from text similarity too.
    """
    topics = [frozenset(p.rule_topics) for p in papers]
    low = round(RELATED_FLOOR * SCALE)
    scores: list[int] = []
    shared: list[bool] = []
    for i in range(len(found)):
        positions, points = found.row(i)
        for j, value in list(zip(positions, points, strict=True))[:RELATED_COUNT]:
            if value >= low:
                scores.append(value)
                shared.append(bool(topics[i] & topics[j]))
    if len(scores) < MIN_CALIBRATION:
        return RELATED_FLOOR
    values = np.asarray(scores, dtype=np.int64)
    order = np.argsort(-values, kind="stable")
    values = values[order]
    hits = np.cumsum(np.asarray(shared, dtype=np.int64)[order])
    count = np.arange(1, values.size + 1)
    last = np.append(values[1:] != values[:-1], True)  # all links of a score, or none
    good = last & (count >= MIN_CALIBRATION) & (hits >= TARGET_SHARED * count)
    if not good.any():
        return MAX_FLOOR
    return float(min(MAX_FLOOR, int(values[np.flatnonzero(good)[-1]]) / SCALE))


def with_related(papers: Sequence[Paper], found: Candidates) -> list[Paper]:
    """``papers`` with ``related`` and ``related_reasons`` set from :func:`related_ids`.

    ``papers`` must be the same papers, in the same order, with their topics assigned. The best
    :data:`RELATED_COUNT` candidates at :func:`similar_floor` or above are similar abstracts; a
    paper with fewer than :data:`MIN_RELATED` is topped up from its candidates under the
    floor: first those that share one of its topics (reason :data:`SAME_TOPICS`), then any
    (reason :data:`SHARED_TERMS`), best first each.
    """
    if len(found) != len(papers):
        raise ValueError(f"{len(found)} related lists for {len(papers)} papers")
    floor = round(similar_floor(papers, found) * SCALE)
    topics = [frozenset(p.topics) for p in papers]
    result = []
    for i, paper in enumerate(papers):
        positions, points = found.row(i)
        similar = [j for j, value in zip(positions, points, strict=True) if value >= floor]
        ids = [papers[j].id for j in similar[:RELATED_COUNT]]
        reasons = [SIMILAR_ABSTRACT] * len(ids)
        if len(ids) < MIN_RELATED:
            weaker = [j for j, value in zip(positions, points, strict=True) if value < floor]
            sharing = [j for j in weaker if topics[i] & topics[j]][: MIN_RELATED - len(ids)]
            ids += [papers[j].id for j in sharing]
            reasons += [SAME_TOPICS] * len(sharing)
            rest = [j for j in weaker if j not in sharing][: MIN_RELATED - len(ids)]
            ids += [papers[j].id for j in rest]
            reasons += [SHARED_TERMS] * len(rest)
        result.append(replace(paper, related=tuple(ids), related_reasons=tuple(reasons)))
    return result


def related_papers(papers: Sequence[Paper]) -> list[Paper]:
    """Papers with ``related`` filled in: ids of the most similar other papers, best first."""
    return with_related(papers, related_ids(papers))


def related_groups(paper: Paper) -> list[tuple[str, tuple[str, ...]]]:
    """A paper's related ids grouped by reason, strongest first, empty groups left out."""
    reasons = paper.related_reasons or (SIMILAR_ABSTRACT,) * len(paper.related)
    return [
        (reason, ids)
        for reason in REASONS
        if (ids := tuple(o for o, r in zip(paper.related, reasons, strict=True) if r == reason))
    ]


def shared_topic_rate(papers: Sequence[Paper], reason: str | None = None) -> tuple[int, int]:
    """(related links whose two papers share a rule topic, all related links).

    A rule topic is one the rules or a pin gave (:attr:`Paper.rule_topics`): a topic learned by
    similarity would make the check depend on the similarity it checks. With ``reason``, only
    the links listed for that reason count. A link to an id that is not among ``papers`` counts
    as not sharing.
    """
    topics = {p.id: frozenset(p.rule_topics) for p in papers}
    shared = total = 0
    for paper in papers:
        mine = topics[paper.id]
        reasons = paper.related_reasons or (SIMILAR_ABSTRACT,) * len(paper.related)
        for other, why in zip(paper.related, reasons, strict=True):
            if reason is not None and why != reason:
                continue
            total += 1
            shared += bool(mine & topics.get(other, frozenset()))
    return shared, total


def related_counts(papers: Sequence[Paper]) -> dict[str, int]:
    """How many related links each reason gave, in :data:`REASONS` order."""
    counts = Counter(r for p in papers for r in p.related_reasons)
    return {reason: counts[reason] for reason in REASONS}


def related_topics(papers: Sequence[Paper]) -> dict[str, list[tuple[str, int]]]:
    """For each topic, the other topics sharing papers with it, with counts, most shared first."""
    together: dict[str, Counter[str]] = defaultdict(Counter)
    for paper in papers:
        for topic in paper.topics:
            together[topic].update(t for t in paper.topics if t != topic)
    return {
        topic: sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        for topic, counts in sorted(together.items())
    }
