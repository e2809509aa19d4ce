"""Learn stage: topics by similarity for the papers the rules leave unsorted (pure; no I/O).

The taxonomy's rules and a curator's pins come first and stay reviewable; this stage never
changes a paper they sorted. A paper they leave unsorted gets the topics a model learned from
the papers they did sort, when the model is confident enough, and each such topic says so
(:attr:`generator.model.Paper.learned_topics`, "assigned by similarity" on the pages).

**The model: nearest centroids.** A paper is a blend (:func:`generator.text.vectors.blend`) of
two unit-length TF-IDF vectors of :mod:`generator.text.tfidf`: its title and abstract, and its
name, the title with the Hub's AI keywords where a record gives them (a share of
:data:`NAME_WEIGHT`), scaled to unit length again. A topic's centroid is the mean of its
sorted papers' vectors, and a paper's score for a topic the cosine to it. Its confidence is a
softmax of :data:`TEMPERATURE` over the scores divided by the corpus's scale of similarity
(the sorted papers' mean best score, :func:`confidences`): a paper much closer to one topic
than to the others is confident, one about as far from several, or far from all, is not.
Topics a curator turned off (``learned: false``) still compete; they are only never assigned.

**The confidence is calibrated, not chosen.** Every run cross-validates the model on the
papers the rules sorted (:func:`calibrate`): the source files (listings, days of the Hub's
API, records) are cut into :data:`FOLDS` runs of consecutive files of about as many papers,
and each run's papers are predicted by a model trained on the sorted papers that appear in no
file of that run, as a new day's papers are (:func:`folds_by_file`); with fewer files than
folds, papers are dealt into folds by id. Each prediction (a paper, a topic it may be
assigned, a confidence) is right when the rules put the paper in that topic. The threshold is
**the lowest confidence at which the predictions at or above it, at least
:data:`MIN_PREDICTIONS` of them, reach a precision of :data:`TARGET_PRECISION`, plus
:data:`MARGIN`** (:func:`threshold_for`); a paper gets every assignable topic at or above
it. No such confidence, or fewer than :data:`MIN_TRAINING` sorted papers, and nothing is
assigned (the reason is kept in :attr:`Calibration.reason`). The precision measured on sorted
papers is optimistic for unsorted ones, which the rules found harder: ``paperkb topics`` lists
every assignment with its scores for review, and ``paperkb topics --eval`` prints the measure
per topic and per source file (:func:`held_out`). ``benchmarks/bench_topics.py`` chose
:data:`NAME_WEIGHT` and :data:`TEMPERATURE` by the same cross-validation and reports the
figures.

Deterministic: papers are taken in id order, folds follow sorted file names, and
confidences are rounded to :data:`DECIMALS` decimals before any comparison.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from generator.model import Paper, Topic
from generator.text.tfidf import Sparse
from generator.text.vectors import blend, term_vectors

#: Share of a paper's vector that is its name (title and AI keywords); the rest is its title
#: and abstract. Chosen by cross-validation (``benchmarks/bench_topics.py``).
NAME_WEIGHT = 0.1
#: Sharpness of the softmax over scores relative to the best (``benchmarks/bench_topics.py``).
TEMPERATURE = 24.0
#: Cross-validation folds.
FOLDS = 5
#: Precision the threshold must reach in cross-validation ...
TARGET_PRECISION = 0.9
#: ... over at least this many predictions ...
MIN_PREDICTIONS = 20
#: ... then this is added to it, for the papers the rules found harder.
MARGIN = 0.05
#: Fewer sorted papers than this teach nothing: no topic is learned.
MIN_TRAINING = 20
#: Terms must be in at least this many texts.
MIN_DF = 2
#: Confidences are rounded to this many decimals.
DECIMALS = 4
#: Topics shown per paper when explaining its scores.
SHOWN = 3
#: At most this many sorted papers are predicted in the cross-validation (every k-th in id
#: order; the folds still train on all the others), and give the corpus's scale of
#: similarity: the calibration's cost stays bounded however large the corpus.
MAX_CALIBRATION = 5_000
#: At most this many sorted papers (every k-th in id order) teach the model: beyond that the
#: centroids hardly move, and the TF-IDF of the rest would cost as much as the link stage's.
MAX_TRAINING = 20_000

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class TopicFigures:
    """Cross-validation figures of one topic at a threshold."""

    slug: str
    members: int
    """Sorted papers in the topic (the rules' and pins')."""
    predicted: int
    correct: int


@dataclass(frozen=True, slots=True)
class Figures:
    """Cross-validated predictions at a threshold: how many, how many right, for how many of
    the papers (coverage), per topic."""

    papers: int
    predictions: int
    correct: int
    covered: int
    topics: tuple[TopicFigures, ...] = ()

    @property
    def precision(self) -> float | None:
        return round(self.correct / self.predictions, DECIMALS) if self.predictions else None

    @property
    def coverage(self) -> float:
        return round(self.covered / self.papers, DECIMALS) if self.papers else 0.0


@dataclass(frozen=True, slots=True)
class Calibration:
    """What cross-validation measured, and the confidence it chose."""

    threshold: float | None
    """Papers get the assignable topics at this confidence or above; ``None``: none."""
    figures: Figures
    """The cross-validated predictions at the threshold (none without a threshold)."""
    folds: str
    """How papers were cut into folds: ``source files`` or ``papers``."""
    reason: str = ""
    """Why nothing is learned (empty when something may be)."""


@dataclass(frozen=True, slots=True)
class Learned:
    """The model's view of a corpus: its calibration and every paper's best topics.

    ``scores`` holds, per paper id, the :data:`SHOWN` best topics with their confidence, best
    first: for an unsorted paper from the model of every sorted paper, for a sorted one from its
    cross-validation fold (the model that never saw it; beyond :data:`MAX_CALIBRATION` sorted
    papers, only those the calibration predicted). ``assigned`` holds what
    :func:`learn` assigns: unsorted papers' assignable topics at the threshold or above.
    """

    calibration: Calibration
    scores: Mapping[str, tuple[tuple[str, float], ...]]
    assigned: Mapping[str, tuple[tuple[str, float], ...]]


def paper_vectors(papers: Sequence[Paper]) -> Sparse:
    """One unit-length row per paper: its title and abstract blended with its name."""
    text = term_vectors([f"{p.title}\n{p.abstract}" for p in papers], min_df=MIN_DF)
    names = term_vectors(["\n".join((p.title, *p.meta.ai_keywords)) for p in papers], min_df=MIN_DF)
    return blend([(text, 1.0 - NAME_WEIGHT), (names, NAME_WEIGHT)])


def confidences(train: Sparse, labels: BoolArray, rows: Sparse) -> FloatArray:
    """Each of ``rows``' confidence for each topic (columns of ``labels``), rounded.

    ``train`` are the training papers' vectors and ``labels`` their topics. The cosines to the
    topics' centroids are divided by the training papers' mean best cosine (the corpus's scale
    of similarity), then go through a softmax of :data:`TEMPERATURE`: a paper close to one
    topic and far from the others is confident, one that is far from all of them is not. A
    topic without a training paper takes no part; a row that shares no term with any centroid
    gets 0 everywhere.
    """
    # Dense centroids (terms x topics): a sparse row times them is a few multiply-adds per term.
    sums = np.asarray(train.T @ labels.astype(np.float64), dtype=np.float64)
    norms = np.sqrt(np.einsum("ij,ij->j", sums, sums))
    centroids = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
    own = np.asarray(train[_every(train.shape[0])] @ centroids, dtype=np.float64)
    scale = float(own.max(axis=1, initial=0.0).mean()) if own.size else 0.0
    scores = np.asarray(rows @ centroids, dtype=np.float64)
    if scale <= 0:
        return np.zeros(scores.shape, dtype=np.float64)
    best = scores.max(axis=1, initial=0.0, keepdims=True)
    weights = np.exp(TEMPERATURE * (scores - best) / scale)
    weights[:, ~labels.any(axis=0)] = 0.0
    weights[best[:, 0] <= 0] = 0.0
    total = weights.sum(axis=1, keepdims=True)
    result: FloatArray = np.round(
        np.divide(weights, total, out=np.zeros_like(weights), where=total > 0), DECIMALS
    )
    return result


def _every(count: int, limit: int = MAX_CALIBRATION) -> slice:
    """Every k-th of ``count`` items, at most ``limit`` of them."""
    return slice(None, None, max(1, -(-count // limit)))


Folds = list[tuple[list[int], list[int]]]
"""Cross-validation folds: (rows predicted, rows trained on), rows of the papers."""


def folds_by_file(papers: Sequence[Paper], rows: Sequence[int]) -> Folds | None:
    """``rows`` cut by source file: the files of their papers' first sources, sorted, make
    :data:`FOLDS` runs of consecutive files holding about as many papers each (a file goes to
    the run its middle paper falls in); a run's papers are trained on the others that have no
    source in the run. ``None`` with fewer files than folds."""
    if any(not papers[r].sources for r in rows):
        return None
    sizes = Counter(papers[r].sources[0].file for r in rows)
    if len(sizes) < FOLDS:
        return None
    fold_of: dict[str, int] = {}
    before = 0
    for file in sorted(sizes):
        fold_of[file] = min(FOLDS - 1, (2 * before + sizes[file]) * FOLDS // (2 * len(rows)))
        before += sizes[file]
    result: Folds = []
    for fold in range(FOLDS):
        test = [r for r in rows if fold_of[papers[r].sources[0].file] == fold]
        train = [r for r in rows if not any(fold_of.get(s.file) == fold for s in papers[r].sources)]
        result.append((test, train))
    return result


def folds_by_paper(rows: Sequence[int]) -> Folds:
    """``rows`` dealt into :data:`FOLDS` folds in order (papers are in id order)."""
    return [
        (list(rows[fold::FOLDS]), [r for k, r in enumerate(rows) if k % FOLDS != fold])
        for fold in range(FOLDS)
    ]


def _labels(papers: Sequence[Paper], rows: Sequence[int], topics: Sequence[Topic]) -> BoolArray:
    column = {t.slug: j for j, t in enumerate(topics)}
    labels = np.zeros((len(rows), len(topics)), dtype=np.bool_)
    for k, r in enumerate(rows):
        for slug in papers[r].topics:
            if slug in column:
                labels[k, column[slug]] = True
    return labels


def out_of_fold(
    vectors: Sparse, rows: Sequence[int], labels: BoolArray, folds: Folds
) -> FloatArray:
    """Every one of ``rows``' confidences from the model of its fold's training rows
    (``labels`` are ``rows``' topics); 0 for a row of no fold or of a fold without training."""
    position = {r: k for k, r in enumerate(rows)}
    predicted = np.zeros(labels.shape, dtype=np.float64)
    for test, train in folds:
        if not test or not train:
            continue
        taught = labels[[position[r] for r in train]]
        predicted[[position[r] for r in test]] = confidences(vectors[train], taught, vectors[test])
    return predicted


def threshold_for(confidence: FloatArray, correct: BoolArray) -> float | None:
    """The lowest confidence at which the predictions at or above it, at least
    :data:`MIN_PREDICTIONS` of them, are right :data:`TARGET_PRECISION` of the time, plus
    :data:`MARGIN`; ``None`` when no confidence is."""
    order = np.lexsort((~correct, -confidence))
    values, right = confidence[order], correct[order]
    hits = np.cumsum(right)
    count = np.arange(1, values.size + 1)
    # Only at the last prediction of a run of equal confidences: all of them are at or above.
    last = np.append(values[1:] != values[:-1], True) if values.size else np.zeros(0, bool)
    good = last & (count >= MIN_PREDICTIONS) & (hits >= TARGET_PRECISION * count) & (values > 0)
    if not good.any():
        return None
    lowest = float(values[np.flatnonzero(good)[-1]])
    return round(min(1.0, lowest + MARGIN), DECIMALS)


def figures_at(
    topics: Sequence[Topic], predicted: FloatArray, labels: BoolArray, threshold: float
) -> Figures:
    """The predictions of the assignable topics at ``threshold`` or above, against ``labels``."""
    assignable = np.array([t.learned for t in topics], dtype=np.bool_)
    made = (predicted >= threshold) & assignable[None, :]
    right = made & labels
    per_topic = tuple(
        TopicFigures(t.slug, int(labels[:, j].sum()), int(made[:, j].sum()), int(right[:, j].sum()))
        for j, t in enumerate(topics)
        if assignable[j]
    )
    return Figures(
        labels.shape[0], int(made.sum()), int(right.sum()), int(made.any(axis=1).sum()), per_topic
    )


def calibrate(
    papers: Sequence[Paper], topics: Sequence[Topic], vectors: Sparse
) -> tuple[Calibration, FloatArray, list[int]]:
    """Cross-validate on the sorted papers (see the module docstring); also returns the
    out-of-fold confidences of the sorted papers predicted, and their rows in ``papers``: all
    of them, or every k-th beyond :data:`MAX_CALIBRATION`."""
    rows = [i for i, p in enumerate(papers) if p.topics]
    labels = _labels(papers, rows, topics)
    none = Figures(len(rows), 0, 0, 0)
    if len(rows) < MIN_TRAINING or not topics:
        reason = f"{len(rows)} papers sorted by the rules; at least {MIN_TRAINING} are needed"
        return Calibration(None, none, "-", reason), np.zeros((0, len(topics))), []
    folds, cut = folds_by_file(papers, rows), "source files"
    if folds is None:
        folds, cut = folds_by_paper(rows), "papers"
    sample = set(rows[_every(len(rows))])
    folds = [([r for r in test if r in sample], train) for test, train in folds]
    predicted = out_of_fold(vectors, rows, labels, folds)
    kept = [k for k, r in enumerate(rows) if r in sample]
    if len(kept) < len(rows):  # only the sample was predicted: measure on it
        predicted, labels, rows = predicted[kept], labels[kept], [rows[k] for k in kept]
    if not any(t.learned for t in topics):
        return Calibration(None, none, cut, "every topic says learned: false"), predicted, rows
    assignable = np.array([t.learned for t in topics], dtype=np.bool_)
    threshold = threshold_for(predicted[:, assignable].ravel(), labels[:, assignable].ravel())
    if threshold is None:
        reason = (
            f"no confidence reaches a precision of {TARGET_PRECISION:.0%} over "
            f"{MIN_PREDICTIONS} predictions in cross-validation"
        )
        return Calibration(None, none, cut, reason), predicted, rows
    figures = figures_at(topics, predicted, labels, threshold)
    return Calibration(threshold, figures, cut), predicted, rows


def eval_vectors(papers: Sequence[Paper]) -> Sparse:
    """:func:`paper_vectors` of ``papers`` in id order: what the checks below predict from."""
    return paper_vectors(sorted(papers, key=lambda p: p.id))


def cross_validate(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    threshold: float,
    *,
    by_file: bool = False,
    vectors: Sparse | None = None,
) -> Figures:
    """The sorted papers predicted in :data:`FOLDS` folds (by paper, or by source file) at
    ``threshold``: train on four fifths, predict the fifth, compare with the rules.
    ``vectors``: :func:`eval_vectors` of ``papers``, when the caller has them already."""
    ordered = sorted(papers, key=lambda p: p.id)
    rows = [i for i, p in enumerate(ordered) if p.topics]
    labels = _labels(ordered, rows, topics)
    folds = folds_by_file(ordered, rows) if by_file else None
    folds = folds or folds_by_paper(rows)
    vectors = eval_vectors(papers) if vectors is None else vectors
    predicted = out_of_fold(vectors, rows, labels, folds)
    return figures_at(topics, predicted, labels, threshold)


def _best(topics: Sequence[Topic], row: FloatArray) -> tuple[tuple[str, float], ...]:
    order = sorted(range(len(topics)), key=lambda j: (-row[j], topics[j].slug))
    return tuple((topics[j].slug, float(row[j])) for j in order[:SHOWN] if row[j] > 0)


def model(papers: Sequence[Paper], topics: Sequence[Topic], *, explain: bool = True) -> Learned:
    """Calibrate on the sorted papers and score every paper (see :class:`Learned`); without
    ``explain``, only what :func:`learn` needs (no ``scores``)."""
    ordered = _taught(papers)
    topics = tuple(topics)
    vectors = paper_vectors(ordered)
    calibration, predicted, predicted_rows = calibrate(ordered, topics, vectors)
    scores: dict[str, tuple[tuple[str, float], ...]] = {}
    if explain:
        for k, r in enumerate(predicted_rows):
            scores[ordered[r].id] = _best(topics, predicted[k])
    sorted_rows = [i for i, p in enumerate(ordered) if p.topics]
    unsorted_rows = [i for i, p in enumerate(ordered) if not p.topics]
    assigned: dict[str, tuple[tuple[str, float], ...]] = {}
    if unsorted_rows and sorted_rows and topics:
        labels = _labels(ordered, sorted_rows, topics)
        found = confidences(vectors[sorted_rows], labels, vectors[unsorted_rows])
        for k, r in enumerate(unsorted_rows):
            if explain:
                scores[ordered[r].id] = _best(topics, found[k])
            chosen = _chosen(topics, found[k], calibration.threshold)
            if chosen:
                assigned[ordered[r].id] = chosen
    return Learned(calibration, scores, assigned)


def _taught(papers: Sequence[Paper]) -> list[Paper]:
    """``papers`` in id order, the sorted ones cut to :data:`MAX_TRAINING` (every k-th)."""
    ordered = sorted(papers, key=lambda p: p.id)
    sorted_papers = [p for p in ordered if p.topics]
    taught = {id(p) for p in sorted_papers[_every(len(sorted_papers), MAX_TRAINING)]}
    return [p for p in ordered if not p.topics or id(p) in taught]


def _chosen(
    topics: Sequence[Topic], row: FloatArray, threshold: float | None
) -> tuple[tuple[str, float], ...]:
    """The assignable topics of a row at ``threshold`` or above, in taxonomy order."""
    if threshold is None:
        return ()
    return tuple(
        (t.slug, float(row[j])) for j, t in enumerate(topics) if t.learned and row[j] >= threshold
    )


@dataclass(frozen=True, slots=True)
class HeldOut:
    """One source file's papers, predicted by a model that never saw them (the held-out check):
    trained and calibrated on the papers with no source in the file, as on a new day."""

    file: str
    papers: int
    unsorted: int
    """Its papers the rules leave unsorted ...."""
    learned: int
    """... and those of them that the model gives a topic."""
    threshold: float | None
    figures: Figures
    """Its sorted papers' predictions at the threshold, against the rules."""


def held_out(
    papers: Sequence[Paper], topics: Sequence[Topic], file: str, vectors: Sparse | None = None
) -> HeldOut:
    """The held-out check of the papers read from ``file`` (see :class:`HeldOut`);
    ``vectors``: :func:`eval_vectors` of ``papers``, when the caller has them already."""
    ordered = sorted(papers, key=lambda p: p.id)
    topics = tuple(topics)
    inside = [any(s.file == file for s in p.sources) for p in ordered]
    test = [i for i, flag in enumerate(inside) if flag]
    known = [p for p, flag in zip(ordered, inside, strict=True) if not flag]
    vectors = eval_vectors(papers) if vectors is None else vectors
    calibration, _, _ = calibrate(
        known, topics, vectors[[i for i, f in enumerate(inside) if not f]]
    )
    train = [i for i, p in enumerate(ordered) if p.topics and not inside[i]]
    sorted_test = [i for i in test if ordered[i].topics]
    unsorted_test = [i for i in test if not ordered[i].topics]
    threshold = calibration.threshold
    figures = Figures(len(sorted_test), 0, 0, 0)
    learned = 0
    if train and test and threshold is not None:
        labels = _labels(ordered, train, topics)
        found = confidences(vectors[train], labels, vectors[test])
        at = {i: k for k, i in enumerate(test)}
        figures = figures_at(
            topics,
            found[[at[i] for i in sorted_test]],
            _labels(ordered, sorted_test, topics),
            threshold,
        )
        learned = sum(1 for i in unsorted_test if _chosen(topics, found[at[i]], threshold))
    return HeldOut(file, len(test), len(unsorted_test), learned, threshold, figures)


def apply(papers: Sequence[Paper], learned: Learned) -> list[Paper]:
    """``papers`` in the same order; the unsorted ones :attr:`Learned.assigned` names get those
    topics, marked in ``learned_topics``. A paper with a topic is returned as it is."""
    result = []
    for paper in papers:
        chosen = learned.assigned.get(paper.id, ()) if not paper.topics else ()
        if chosen:
            paper = dataclasses.replace(
                paper, topics=tuple(slug for slug, _ in chosen), learned_topics=chosen
            )
        result.append(paper)
    return result


def learn(papers: Sequence[Paper], topics: Sequence[Topic]) -> list[Paper]:
    """``papers`` (classified) in the same order, the unsorted ones with topics by similarity
    where the calibrated model is confident (see the module docstring). A paper the rules or
    a pin sorted is never changed; with nothing unsorted nothing is computed."""
    if all(p.topics for p in papers) or not any(t.learned for t in topics):
        return list(papers)
    return apply(papers, model(papers, topics, explain=False))


def without_learned(papers: Sequence[Paper]) -> list[Paper]:
    """``papers`` as the rules and pins left them: learned topics taken off."""
    return [
        dataclasses.replace(p, topics=p.rule_topics, learned_topics=()) if p.learned_topics else p
        for p in papers
    ]
