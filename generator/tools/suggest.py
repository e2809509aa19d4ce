"""Help a curator sort the unsorted papers: candidate topics and proposed match rules (pure).

``paperkb topics --suggest`` runs :func:`suggest` on classified papers and prints
:func:`format_suggestions`. Nothing here changes ``data/``: the output is a report plus a YAML
snippet that a curator reviews and pastes into ``data/topics.yaml`` in a pull request.

Two kinds of evidence, because they answer different questions:

* **Candidate topics** ("where does this paper belong?"). Every paper is a TF-IDF vector
  (sublinear term frequency, unigrams and bigrams of title and abstract, stop words from
  :mod:`generator.text.words` plus words every abstract uses). Topics are ranked by the cosine
  between the paper and the topic's centroid (the mean of its members' vectors); the summed
  similarity of the paper's :data:`NEIGHBOURS` nearest classified papers in the topic (their
  vote) and the topic's members closest to the paper are shown as the evidence a curator can
  check. Hiding one classified paper at a time on the shipped corpus, its own topic comes
  first 80% of the time by centroid (92% among the three listed), 79% by vote, and blends of
  the two did no better; the centroid is also defined when no close neighbour is in a topic,
  and its scale is the same for every paper, which makes :data:`FIT` meaningful.
* **Proposed phrases** ("what rule would sort it?"). Extending an existing topic comes
  first. A term of an unsorted paper is a candidate for a topic that fits the paper (centroid
  score :data:`FIT` or more) only with evidence: at least :data:`MIN_SUPPORT` of the topic's
  papers use it already, and they are a majority (:data:`EXTEND_SHARE`) of the sorted papers
  using it. That rules out the overfit phrases of one paper ("beautybank", "bare", "magic
  state") and the words every topic uses ("optimization"). Candidates are ranked by their
  TF-IDF weight in the unsorted paper times the topic's smoothed share of their users, written
  as phrases that :func:`generator.text.phrases.phrase_error` accepts, and *tried*: the topic is
  classified again with the phrase added, by :func:`generator.stages.classify.classify` itself. The
  counts shown (unsorted papers it sorts, already-sorted papers it would also pull into the
  topic) are therefore exactly what pasting the rule does, exclude phrases and
  ``min_abstract_hits`` included, not an estimate. A term that is also in a title is tried in
  the ``title`` list as well. A phrase is kept when it sorts a paper and takes no more sorted
  papers than unsorted ones; per unsorted paper the :data:`PHRASES_PER_PAPER` with the best
  precision are kept. A paper no single phrase sorts may be sorted by its topic's phrases
  together (abstract hits add up: :func:`_together`). A **new topic** is proposed only for a
  group of at least :data:`MIN_NEW_TOPIC` unsorted papers, among those no extension sorts,
  that share terms most of whose users are unsorted (:func:`_new_topics`). The phrases of one
  topic are tried together once more (:class:`Extension`), and everything at once, to say
  what pasting all of it does (:attr:`Suggestions.sorts`, :attr:`Suggestions.moves`). An
  unsorted paper nothing sorts with that evidence is listed as such: better unsorted than
  sorted by a rule made of its own words.

Cost: vectorizing is linear in the text (:func:`vectors`, NumPy; the same weights as
scikit-learn's ``TfidfVectorizer``, which it replaced); similarities are a sparse product taken
:data:`CHUNK` unsorted papers at a time (never a dense n x n matrix); one classify pass finds
the papers holding any tried phrase, and each phrase is then tried on those papers only
(adding a phrase to a rule can change no other paper); one more classify pass over every paper
tells what pasting everything does. See ``benchmarks/results/suggest.md``.

Deterministic: papers are processed sorted by id, ties are broken by id, slug or phrase, and
nothing depends on hash order, so the same papers and topics give the same text in any order.
"""

from __future__ import annotations

import itertools
import json
import re
import string
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import yaml
from scipy import sparse
from slugify import slugify

from generator.inputs.taxonomy import DEFAULT_MIN_ABSTRACT_HITS, MAX_SLUG
from generator.layout import SLUG
from generator.model import UNSORTED, Paper, Rule, Topic
from generator.stages.classify import classify
from generator.text.phrases import phrase_error
from generator.text.words import (
    ABSTRACT_WORDS,
    ENGLISH_STOP_WORDS,
    SHORT_WORDS,
    SUGGEST_WORDS,
)

#: Classified papers that vote on an unsorted paper's topics.
NEIGHBOURS = 10
#: Candidate topics listed per unsorted paper.
CANDIDATES = 3
#: Supporting neighbour papers shown per candidate topic.
SUPPORT = 3
#: Below this best score no existing topic fits: the paper's phrases go to a new topic. On the
#: shipped corpus, hiding one classified paper at a time, 98% of them still have a topic
#: centroid at 0.08 or closer; of the unsorted, the two off-topic papers (quantum error
#: correction, an MLOps white paper) score 0.07.
FIT = 0.08
#: Candidate terms tried per unsorted paper: as many as the budget of trials allows, within
#: these bounds. Each trial reads the papers holding the term, so the budget keeps a corpus
#: with thousands of unsorted papers (a taxonomy long out of date) to about a minute.
TERMS_PER_PAPER = (3, 8)
TRIAL_BUDGET = 2000
#: Phrases kept per unsorted paper in the proposal.
PHRASES_PER_PAPER = 3
#: A phrase extends a topic only when at least this many of the topic's papers hold it
#: already, the evidence that it names the topic rather than one paper ("beautybank",
#: "bare"), and they are more than this share of the sorted papers that hold it: a word
#: that every topic uses ("optimization", "detailed") names none of them.
MIN_SUPPORT = 3
EXTEND_SHARE = 0.5
#: A new topic is proposed only for a group of at least this many unsorted papers...
MIN_NEW_TOPIC = 3
#: ... sharing terms that at least this share of the papers using them are unsorted ...
NEW_TOPIC_SHARE = 0.5
#: ... of which at most this many become its phrases. At most this many groups are tried
#: (each is a classify pass over the papers holding its phrases).
NEW_TOPIC_PHRASES = 6
NEW_TOPIC_TRIES = 200
#: Unsorted papers compared with the corpus at a time (bounds memory: CHUNK x corpus).
CHUNK = 256

#: Short function words and words every abstract uses: they name no topic.
STOP_WORDS = ENGLISH_STOP_WORDS | ABSTRACT_WORDS | SHORT_WORDS | SUGGEST_WORDS

# A word, hyphenated words counting as one ("multi-task"), or a run of punctuation (a barrier):
# generator.stages.classify's tokens, except that it reads a hyphen as a space.
_TOKEN = re.compile(r"\w+(?:-+\w+)*|[^\w\s-]+")
# The same for ASCII text, faster: punctuation but hyphens and underscores becomes a barrier
# (one character for one keeps str.translate on its fast path; "|" is spaced out after).
_ASCII_SPLIT = str.maketrans({char: "|" for char in string.punctuation if char not in "-_"})
_WORD = re.compile(r"\w+")
_COMPOUND = re.compile(r"\w+(?:-+\w+)*")


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A classified paper that supports a candidate topic, with its cosine similarity."""

    id: str
    title: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """A topic an unsorted paper may belong to.

    ``score`` is the cosine to the topic's centroid (the mean vector of its members); ``votes``
    the summed similarity of the paper's :data:`NEIGHBOURS` nearest classified papers that are
    in the topic (0 when none is); ``neighbours`` the topic's members most similar to it.
    """

    slug: str
    name: str
    score: float
    votes: float
    neighbours: tuple[Neighbour, ...]


@dataclass(frozen=True, slots=True)
class UnsortedPaper:
    """An unsorted paper and its candidate topics, best first."""

    id: str
    title: str
    candidates: tuple[Candidate, ...]

    @property
    def fits(self) -> bool:
        """Whether an existing topic fits it (its best candidate scores :data:`FIT` or more)."""
        return bool(self.candidates) and self.candidates[0].score >= FIT


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed phrase, tried on the corpus in the topic it would be added to.

    ``in_title`` says it goes into the topic's ``title`` list as well as ``abstract``;
    ``unsorted`` are the unsorted papers it would sort, ``caught`` the already-sorted papers it
    would also put into the topic (papers already in the topic are not counted). ``topic`` is
    the slug of the topic it extends, or of the new topic proposed (``new_topic``).
    """

    phrase: str
    in_title: bool
    topic: str
    new_topic: bool
    unsorted: tuple[str, ...]
    caught: tuple[str, ...]
    weight: float
    """How particular the term is to the unsorted papers using it (ranking only)."""
    titled: bool
    """The term occurs in the title of one of those papers (new topics are named after one)."""
    support: tuple[str, ...] = ()
    """The evidence: papers already in the topic that hold the phrase (title or abstract);
    none for a new topic's phrase."""
    holders: int = 0
    """How many sorted papers hold the phrase (``support`` are those of them in the topic)."""


@dataclass(frozen=True, slots=True)
class Extension:
    """The phrases proposed for one topic, existing or new, and what all of them do together.

    Tried together because abstract phrases of a topic add up towards ``min_abstract_hits``:
    together they may sort more papers, and catch more, than each one alone.
    """

    topic: Topic
    """The topic as it would read after the change: its rule with the new phrases added."""
    new_topic: bool
    proposals: tuple[Proposal, ...]
    unsorted: tuple[str, ...]
    caught: tuple[str, ...]

    @property
    def title(self) -> tuple[str, ...]:
        """Phrases to add to the topic's ``title`` list."""
        return tuple(p.phrase for p in self.proposals if p.in_title)

    @property
    def abstract(self) -> tuple[str, ...]:
        """Phrases to add to the topic's ``abstract`` list."""
        return tuple(p.phrase for p in self.proposals)


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What :func:`suggest` found; :func:`format_suggestions` turns it into text."""

    papers: int
    unsorted: tuple[UnsortedPaper, ...]
    extensions: tuple[Extension, ...]
    sorts: tuple[str, ...] = ()
    """Unsorted papers that pasting every proposal at once sorts (by classify, every paper)."""
    moves: tuple[str, ...] = ()
    """Sorted papers whose topics pasting every proposal at once changes (they gain one)."""

    @property
    def proposals(self) -> tuple[Proposal, ...]:
        """Every proposed phrase, grouped by topic as in :attr:`extensions`."""
        return tuple(p for e in self.extensions for p in e.proposals)


class _Analyzer:
    """Unigrams and bigrams of a text that can be written as phrases of the taxonomy.

    Lowercased with ``str.lower`` as the matcher does, and cut where classify's matching is cut:
    a bigram is two words with nothing but spaces between them, so the phrase made of it
    matches where the bigram was seen. Hyphenated words stay whole (``multi-task``, not a
    bigram ``controllable multi`` cut out of ``controllable multi-task``). Stop words, numbers
    and one-letter words are dropped and break bigrams. Each token is judged once per analyzer
    (a corpus has far fewer distinct tokens than tokens).
    """

    def __init__(self) -> None:
        # token -> the word it stands for, "" for a barrier, None for a lone hyphen (nothing)
        self.seen: dict[str, str | None] = {}

    def __call__(self, text: str) -> list[str]:
        lower = text.lower()
        # ASCII, the common case, is split in C as generator.stages.classify does.
        ascii_ = lower.isascii()
        tokens = (
            lower.translate(_ASCII_SPLIT).replace("|", " | ").split()
            if ascii_
            else _TOKEN.findall(lower)
        )
        seen = self.seen
        kept = [seen[t] if t in seen else self._judge(t) for t in tokens]
        if None in kept:
            kept = [word for word in kept if word is not None]
        terms: list[str] = [word for word in kept if word]
        terms += [f"{a} {b}" for a, b in itertools.pairwise(kept) if a and b]
        return terms

    def _judge(self, token: str) -> str | None:
        word: str | None = token.strip("-")
        if not word:
            word = None  # classify reads a run of hyphens as a space
        elif not (
            len(word) > 1
            and _COMPOUND.fullmatch(word) is not None  # a phrase can say it
            and not word.replace("-", "").isdigit()
            and word not in STOP_WORDS
        ):
            word = ""
        self.seen[token] = word
        return word


def analyze(text: str) -> list[str]:
    """Unigrams and bigrams of ``text`` that can be written as phrases (see :class:`_Analyzer`)."""
    return _Analyzer()(text)


def _same(phrase: str) -> str:
    """What classify sees of a phrase: its lowercased words, and whether it ends in ``*``."""
    text = phrase.strip().lower()
    return " ".join(_WORD.findall(text)) + ("*" if text.endswith("*") else "")


def suggest(papers: Sequence[Paper], topics: Sequence[Topic]) -> Suggestions:
    """Candidate topics for every unsorted paper and phrases that would sort them.

    ``papers`` are classified (``Paper.topics`` filled; empty means unsorted) against
    ``topics``. Pure and deterministic; see the module docstring for the method.
    """
    ordered = sorted(papers, key=lambda p: p.id)
    topics = tuple(topics)
    unsorted_rows = [i for i, p in enumerate(ordered) if not p.topics]
    if not unsorted_rows:
        return Suggestions(len(ordered), (), ())
    analyzer = _Analyzer()
    # No bigram spans the title and the abstract.
    matrix, vocabulary = vectors([analyzer(p.title) + analyzer(p.abstract) for p in ordered])
    unsorted = _candidates(ordered, topics, matrix, unsorted_rows)
    proposals, users = _proposals(ordered, topics, matrix, vocabulary, unsorted_rows, unsorted)
    extensions = _extensions(ordered, topics, proposals, users)
    done = {pid for e in extensions for pid in e.unsorted}
    left = [r for r in unsorted_rows if ordered[r].id not in done]
    extensions += _new_topics(ordered, topics, matrix, vocabulary, left)
    sorts, moves = _pasted(ordered, topics, extensions)
    return Suggestions(len(ordered), unsorted, tuple(extensions), sorts, moves)


def vectors(documents: Sequence[Sequence[str]]) -> tuple[sparse.csr_matrix, list[str]]:
    """TF-IDF rows of documents given as their terms, and the terms of the columns (sorted).

    What scikit-learn's ``TfidfVectorizer(analyzer=..., sublinear_tf=True)`` computes, in
    NumPy (``tests/test_suggest.py`` compares the two): ``1 + log(count)`` times the smoothed
    ``1 + log((n + 1) / (df + 1))``, each row scaled to unit length (an empty row stays 0).
    The link stage's :mod:`generator.text.tfidf` cannot be used: it tokenizes with a pattern, and
    suggestions need the matcher's own cuts (:class:`_Analyzer`); counting terms that are
    already strings needs only a dict.
    """
    codes: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    counts: list[int] = []
    for terms in documents:
        seen = Counter(codes.setdefault(term, len(codes)) for term in terms)
        indices += seen.keys()
        counts += seen.values()
        indptr.append(len(indices))
    vocabulary = sorted(codes)
    column = np.empty(len(codes), dtype=np.int64)
    column[[codes[term] for term in vocabulary]] = np.arange(len(codes), dtype=np.int64)
    n = len(documents)
    matrix = sparse.csr_matrix(
        (
            np.asarray(counts, dtype=np.float64),
            column[np.asarray(indices, dtype=np.int64)],
            np.asarray(indptr, dtype=np.int64),
        ),
        shape=(n, len(codes)),
    )
    matrix.sort_indices()
    df = np.bincount(matrix.indices, minlength=len(codes)).astype(np.float64)
    idf = np.log((n + 1) / (df + 1)) + 1.0
    data = matrix.data
    np.log(data, out=data)
    data += 1.0
    data *= idf[matrix.indices]
    lengths = np.diff(matrix.indptr)
    squares = np.zeros(n, dtype=np.float64)
    np.add.at(squares, np.repeat(np.arange(n), lengths), data * data)
    norms = np.sqrt(squares)
    data /= np.repeat(np.where(norms > 0, norms, 1.0), lengths)
    return matrix, vocabulary


def _candidates(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    matrix: sparse.csr_matrix,
    unsorted_rows: Sequence[int],
) -> tuple[UnsortedPaper, ...]:
    """Rank topics for each unsorted paper by the cosine to their centroids; count the votes
    of its nearest classified neighbours and name the closest members as support."""
    slugs = [t.slug for t in topics]
    names = [t.name for t in topics]
    column = {slug: j for j, slug in enumerate(slugs)}
    sorted_rows = [i for i, p in enumerate(papers) if p.topics]
    if not sorted_rows or not slugs:
        return tuple(UnsortedPaper(papers[i].id, papers[i].title, ()) for i in unsorted_rows)
    # Rows are in id order, so a column index of `classified` breaks ties by paper id.
    classified = matrix[sorted_rows]
    member = np.zeros((len(sorted_rows), len(slugs)), dtype=np.float64)
    for r, i in enumerate(sorted_rows):
        for slug in papers[i].topics:
            if slug in column:  # a slug the taxonomy does not know has no centroid
                member[r, column[slug]] = 1.0
    centroids = sparse.csr_matrix(sparse.csr_matrix(member.T) @ classified)  # sums
    norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1)).ravel())
    centroids = sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ centroids)
    result: list[UnsortedPaper] = []
    for start in range(0, len(unsorted_rows), CHUNK):
        rows = list(unsorted_rows[start : start + CHUNK])
        block = matrix[rows]
        similar = sparse.csr_matrix(block @ classified.T)
        to_centroid = np.asarray((block @ centroids.T).todense())
        for offset, row in enumerate(rows):
            lo, hi = similar.indptr[offset], similar.indptr[offset + 1]
            order = np.lexsort((similar.indices[lo:hi], -similar.data[lo:hi]))
            cols, sims = similar.indices[lo:hi][order], similar.data[lo:hi][order]
            votes = sims[:NEIGHBOURS] @ member[cols[:NEIGHBOURS]]
            score = to_centroid[offset]
            ranked = sorted(
                (j for j in range(len(slugs)) if _round(score[j]) > 0),
                key=lambda j: (-_round(score[j]), -_round(votes[j]), slugs[j]),
            )[:CANDIDATES]
            candidates = []
            for j in ranked:
                neighbours = tuple(
                    Neighbour(
                        papers[sorted_rows[cols[k]]].id,
                        papers[sorted_rows[cols[k]]].title,
                        _round(sims[k]),
                    )
                    for k in np.flatnonzero(member[cols, j])[:SUPPORT]
                )
                candidates.append(
                    Candidate(slugs[j], names[j], _round(score[j]), _round(votes[j]), neighbours)
                )
            result.append(UnsortedPaper(papers[row].id, papers[row].title, tuple(candidates)))
    return tuple(result)


def _round(value: float) -> float:
    """Scores to 4 decimals: the last bits of a float sum must not reorder a report."""
    return round(float(value), 4)


@dataclass(frozen=True, slots=True)
class _Trial:
    """A phrase to try in a target topic (existing slug, or ``None`` for a topic of its own)."""

    phrase: str
    in_title: bool
    target: str | None
    weight: float
    titled: bool


def _presence(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    present = matrix.copy()
    present.data[:] = 1.0
    return present


def _proposals(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    matrix: sparse.csr_matrix,
    vocabulary: Sequence[str],
    unsorted_rows: Sequence[int],
    unsorted: Sequence[UnsortedPaper],
) -> tuple[list[Proposal], dict[str, list[int]]]:
    """Phrases that extend an existing topic, tried as rules; the best few per unsorted paper.

    A term of an unsorted paper is a candidate for a topic that fits the paper (its centroid
    scores :data:`FIT` or more) only when at least :data:`MIN_SUPPORT` of the topic's papers
    use it too: a word of one paper alone ("beautybank", "bare") names nothing a rule should
    sort by. It is ranked by its weight in the unsorted paper times the topic's smoothed share
    of the sorted papers using it (:func:`_share`), so a word every topic uses ranks low.

    Also returns, for every phrase tried, the papers that hold it (see :func:`_users`).
    """
    rows = list(unsorted_rows)
    slugs = [t.slug for t in topics]
    column = {slug: j for j, slug in enumerate(slugs)}
    sorted_rows = [i for i, p in enumerate(papers) if p.topics]
    unsorted_matrix = matrix[rows]
    cols = np.unique(unsorted_matrix.indices)
    if not sorted_rows or not slugs or not cols.size:
        return [], {}
    member = np.zeros((len(sorted_rows), len(slugs)), dtype=np.float64)
    for r, i in enumerate(sorted_rows):
        for slug in papers[i].topics:
            if slug in column:
                member[r, column[slug]] = 1.0
    # Per term of an unsorted paper: sorted papers using it, and how many of them per topic.
    used = sparse.csc_matrix(_presence(matrix)[sorted_rows])[:, cols]
    in_topic = np.asarray(sparse.csr_matrix(used.T) @ member)
    by_sorted = np.asarray(used.sum(axis=0)).ravel()
    position = {int(c): k for k, c in enumerate(cols)}
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
            k = position[int(col)]
            for j in fitting:
                support = int(in_topic[k, j])
                if not _distinctive(support, int(by_sorted[k])) or phrase_error(term) is not None:
                    continue
                share = _share(support, int(by_sorted[k]))
                score = _term_weight(term, float(weight) * share, term in both)
                scored.append((-_round(score), term, int(col), j))
        scored.sort()
        for negative, _term, col, j in scored[:per_paper]:
            picked[(col, j)] = max(picked.get((col, j), 0.0), -negative)
    rules = {t.slug: t.rule for t in topics}
    trials: list[_Trial] = []
    for (col, j), weight in sorted(
        picked.items(), key=lambda item: (vocabulary[item[0][0]], item[0][1])
    ):
        term, target = vocabulary[col], slugs[j]
        variants = (False, True) if titled[col] else (False,)
        for in_title in variants:
            if _adds(rules[target], term, in_title):  # else pasting it would change nothing
                trials.append(_Trial(term, in_title, target, weight, titled[col]))
    users = _users(papers, [t.phrase for t in trials])
    tried = [
        p for p in _try(papers, topics, trials, users) if _distinctive(len(p.support), p.holders)
    ]
    alone = _best_per_paper(p for p in tried if p.unsorted and len(p.caught) <= len(p.unsorted))
    covered = {pid for p in alone for pid in p.unsorted}
    together = _together(papers, topics, tried, users, unsorted, covered)
    taken = {p.phrase for p in alone}
    return alone + [p for p in together if p.phrase not in taken], users


def _together(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    tried: Sequence[Proposal],
    users: dict[str, list[int]],
    unsorted: Sequence[UnsortedPaper],
    covered: set[str],
) -> list[Proposal]:
    """Phrases that sort a paper only together: the abstract phrases of a topic add up to its
    ``min_abstract_hits``. For each unsorted paper no single phrase sorts, its distinctive
    phrases for each fitting topic (best first, at most :data:`PHRASES_PER_PAPER`) are tried
    together, the topics in candidate order; the first set that sorts it, taking no more
    sorted papers than unsorted ones, is kept."""
    index = {p.id: i for i, p in enumerate(papers)}
    rules = {t.slug: t.rule for t in topics}
    by_topic: dict[str, list[Proposal]] = defaultdict(list)
    for p in sorted(tried, key=lambda p: (-_round(p.weight), p.in_title, p.phrase)):
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
            mine = [p for p in by_topic[c.slug] if row in users[p.phrase]][:PHRASES_PER_PAPER]
            if len(mine) < 2:
                continue
            rule = _rule_with(rules[c.slug], (), [p.phrase for p in mine])
            rows = sorted({r for p in mine for r in users[p.phrase]})
            sorts, caught = _split(papers, _matching(papers, rows, rule), c.slug)
            if u.id in sorts and len(caught) <= len(sorts):
                kept += mine
                covered.update(sorts)
                break
    return kept


def _best_per_paper(proposals: Iterable[Proposal]) -> list[Proposal]:
    """The best variant (and topic) of each phrase, then the best few phrases per unsorted
    paper (:data:`PHRASES_PER_PAPER`), best first."""
    by_phrase: dict[str, Proposal] = {}
    for proposal in proposals:
        known = by_phrase.get(proposal.phrase)
        if known is None or _rank(proposal) < _rank(known):
            by_phrase[proposal.phrase] = proposal
    sorting: dict[str, list[Proposal]] = defaultdict(list)  # unsorted id -> its proposals
    for proposal in by_phrase.values():
        for pid in proposal.unsorted:
            sorting[pid].append(proposal)
    kept: set[str] = set()
    for mine in sorting.values():
        kept.update(p.phrase for p in sorted(mine, key=_rank)[:PHRASES_PER_PAPER])
    return sorted((by_phrase[p] for p in kept), key=_rank)


def _distinctive(support: int, users: int) -> bool:
    """Whether a term used by ``users`` sorted papers, ``support`` of them in a topic, names
    that topic: :data:`MIN_SUPPORT` of its papers use it, and they are more than
    :data:`EXTEND_SHARE` of the sorted papers that do (a majority)."""
    return support >= MIN_SUPPORT and support > EXTEND_SHARE * users


def _share(support: int, users: int) -> float:
    """The topic's share of the sorted papers using a term, smoothed towards zero: 2 of 4
    (0.33) ranks below 10 of 15 (0.59), and one paper is never evidence of much."""
    return support / (users + 2)


def _term_weight(term: str, weight: float, in_both: bool) -> float:
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


def _adds(rule: Rule, phrase: str, in_title: bool) -> bool:
    """Whether adding ``phrase`` to the abstract (and title) lists of ``rule`` adds anything."""
    same = _same(phrase)
    missing_abstract = same not in {_same(p) for p in rule.abstract}
    missing_title = same not in {_same(p) for p in rule.title}
    return missing_abstract or (in_title and missing_title)


def _rank(p: Proposal) -> tuple[float, int, int, float, bool, str]:
    """Sort key, best first: precision (smoothed, so one clean hit does not beat three hits
    and a stray), then coverage, then the evidence (the topic's papers that use the phrase),
    then the term's weight; abstract-only before title+abstract (the narrower rule, when it
    does as well)."""
    precision = len(p.unsorted) / (len(p.unsorted) + len(p.caught) + 1)
    return (
        -_round(precision),
        -len(p.unsorted),
        -len(p.support),
        -_round(p.weight),
        p.in_title,
        p.phrase,
    )


def _rule_with(rule: Rule, title: Sequence[str], abstract: Sequence[str]) -> Rule:
    """``rule`` with phrases appended to its lists (phrases already there are not repeated)."""

    def extend(current: tuple[str, ...], extra: Sequence[str]) -> tuple[str, ...]:
        seen = {_same(p) for p in current}
        added = [p for p in dict.fromkeys(extra) if _same(p) not in seen]
        return current + tuple(added)

    return Rule(
        title=extend(rule.title, title),
        abstract=extend(rule.abstract, abstract),
        exclude=rule.exclude,
        min_abstract_hits=rule.min_abstract_hits,
    )


#: The rule of a proposed new topic before its phrases are added: the loader's default.
_NEW_RULE = Rule(min_abstract_hits=DEFAULT_MIN_ABSTRACT_HITS)


def _try(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    trials: Sequence[_Trial],
    users: dict[str, list[int]],
) -> list[Proposal]:
    """Each trial's topic, classified with its phrase added, on the papers that can change.

    Those are the papers holding the phrase and not in the topic yet. The variants of one
    phrase in one topic (abstract, title and abstract) share one classify call, so its papers
    are read once.
    """
    rules = {t.slug: t.rule for t in topics}
    by_target: dict[tuple[str, str], list[_Trial]] = defaultdict(list)
    for trial in trials:
        by_target[(trial.phrase, trial.target or "")].append(trial)
    proposals = []
    for phrase, slug in sorted(by_target):
        variants = by_target[(phrase, slug)]
        target = variants[0].target
        base = rules[target] if target is not None else _NEW_RULE
        holders = users[phrase]
        rows = [r for r in holders if target not in papers[r].topics]
        support = tuple(papers[r].id for r in holders if target in papers[r].topics)
        held = sum(1 for r in holders if papers[r].topics)
        probes = [
            Topic(
                slug=f"~v{n}",
                name=f"v{n}",
                description="-",
                rule=_rule_with(base, (phrase,) if trial.in_title else (), (phrase,)),
            )
            for n, trial in enumerate(variants)
        ]
        found = _members([papers[r] for r in rows], probes)
        for n, trial in enumerate(variants):
            unsorted, caught = _split(papers, [rows[i] for i in found[f"~v{n}"]], target)
            proposals.append(
                Proposal(
                    phrase=phrase,
                    in_title=trial.in_title,
                    topic=target or "",
                    new_topic=target is None,
                    unsorted=unsorted,
                    caught=caught,
                    weight=_round(trial.weight),
                    titled=trial.titled,
                    support=tuple(sorted(support)),
                    holders=held,
                )
            )
    return proposals


def _users(papers: Sequence[Paper], phrases: Iterable[str]) -> dict[str, list[int]]:
    """Phrase -> indexes of the papers that hold it in the title or the abstract.

    One classify pass with a topic per phrase: each phrase belongs to one topic only, so this
    costs what classifying with the real taxonomy costs. Adding a phrase to a rule can only
    change the papers that hold it, so trials look at these papers and no others; otherwise a
    trial would rescan the corpus, or one pass would count every phrase of a target topic once
    per trial copy of it.
    """
    distinct = sorted(set(phrases))
    probes = [
        Topic(slug=f"~p{n}", name=f"p{n}", description="-", rule=Rule((p,), (p,), (), 1))
        for n, p in enumerate(distinct)
    ]
    found = _members(papers, probes)
    return {p: found[f"~p{n}"] for n, p in enumerate(distinct)}


def _matching(papers: Sequence[Paper], rows: Sequence[int], rule: Rule) -> list[int]:
    """Those of ``rows`` that a topic with ``rule`` takes, as :func:`classify` decides."""
    probe = Topic(slug="~probe", name="probe", description="-", rule=rule)
    return [rows[i] for i in _members([papers[r] for r in rows], [probe])["~probe"]]


def _members(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, list[int]]:
    """Slug -> indexes of the papers ``topics`` put in it (one classify pass).

    The probe topics of this module have slugs starting with ``~``, which no taxonomy slug can:
    classify adds a curator's pins (``Paper.meta.topics``) by slug, and none may land in one.
    """
    members: dict[str, list[int]] = {t.slug: [] for t in topics}
    if not topics or not papers:
        return members
    for index, paper in enumerate(classify(papers, topics)):
        for slug in paper.topics:
            members[slug].append(index)
    return members


def _split(
    papers: Sequence[Paper], rows: Sequence[int], target: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Ids of the unsorted papers among ``rows``, and of the sorted ones not yet in ``target``."""
    unsorted = tuple(papers[r].id for r in rows if not papers[r].topics)
    caught = tuple(
        papers[r].id for r in rows if papers[r].topics and target not in papers[r].topics
    )
    return unsorted, caught


def _extensions(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    proposals: Sequence[Proposal],
    users: dict[str, list[int]],
) -> list[Extension]:
    """Group proposals by the topic they extend; then try each group as a whole."""
    existing = {t.slug: t for t in topics}
    groups: dict[str, list[Proposal]] = defaultdict(list)
    for p in proposals:
        groups[p.topic].append(p)
    result = []
    for slug in sorted(groups):
        group = groups[slug]
        title = [p.phrase for p in group if p.in_title]
        rule = _rule_with(existing[slug].rule, title, [p.phrase for p in group])
        rows = sorted({r for p in group for r in users[p.phrase]})
        unsorted, caught = _split(papers, _matching(papers, rows, rule), slug)
        result.append(
            Extension(_with_rule(existing[slug], rule), False, tuple(group), unsorted, caught)
        )
    return result


def _new_topics(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    matrix: sparse.csr_matrix,
    vocabulary: Sequence[str],
    left: Sequence[int],
) -> list[Extension]:
    """New topics for groups of at least :data:`MIN_NEW_TOPIC` unsorted papers (rows ``left``,
    those no extension sorts) that share distinctive terms.

    A term qualifies when that many of those papers use it and most papers using it are
    unsorted (at least :data:`NEW_TOPIC_SHARE`). The term used by the most of them (then the
    heaviest) seeds a group; the other qualifying terms used by at least two of the seed's
    papers join it (up to :data:`NEW_TOPIC_PHRASES`). The group's rule is then tried with
    :func:`generator.stages.classify.classify` on every paper holding one of its phrases, and kept
    only when it sorts at least :data:`MIN_NEW_TOPIC` papers and takes no more sorted papers
    than unsorted ones. Its papers leave the pool, and the next group is sought.
    """
    if len(left) < MIN_NEW_TOPIC:
        return []
    present = _presence(matrix)
    df = np.asarray(present.sum(axis=0)).ravel()
    pool = sorted(left)
    sub = sparse.csc_matrix(present[pool])
    counts = np.asarray(sub.sum(axis=0)).ravel()
    summed = np.asarray(matrix[pool].sum(axis=0)).ravel()
    eligible = [
        c
        for c in map(int, np.flatnonzero(counts >= MIN_NEW_TOPIC))
        if counts[c] / df[c] >= NEW_TOPIC_SHARE and phrase_error(vocabulary[c]) is None
    ]
    weights = {c: _round(float(summed[c])) for c in eligible}
    if not eligible:
        return []
    holders = {c: {pool[int(i)] for i in sub[:, c].indices} for c in eligible}
    titled = {
        c: any(vocabulary[c] in analyze(papers[r].title) for r in holders[c]) for c in eligible
    }
    users = _users(papers, [vocabulary[c] for c in eligible])
    index = {p.id: i for i, p in enumerate(papers)}
    taken = {t.slug for t in topics} | {UNSORTED.slug}
    names = {t.name.casefold() for t in topics}
    remaining = set(pool)
    result: list[Extension] = []
    tried: set[int] = set()
    while len(tried) < NEW_TOPIC_TRIES:
        seeds = [
            c for c in eligible if c not in tried and len(holders[c] & remaining) >= MIN_NEW_TOPIC
        ]
        if not seeds:
            break
        seed = min(seeds, key=lambda c: (-len(holders[c] & remaining), -weights[c], vocabulary[c]))
        tried.add(seed)
        group = holders[seed] & remaining
        chosen = sorted(
            (c for c in eligible if len(holders[c] & group) >= 2),
            key=lambda c: (c != seed, -len(holders[c] & group), -weights[c], vocabulary[c]),
        )[:NEW_TOPIC_PHRASES]
        phrases = [vocabulary[c] for c in chosen]
        rule = _rule_with(_NEW_RULE, [vocabulary[c] for c in chosen if titled[c]], phrases)
        rows = sorted({r for p in phrases for r in users[p]})
        unsorted, caught = _split(papers, _matching(papers, rows, rule), None)
        fresh = {index[pid] for pid in unsorted} & remaining
        if len(fresh) < MIN_NEW_TOPIC or len(caught) > len(unsorted):
            continue
        namer = min(
            chosen, key=lambda c: (not titled[c], " " not in vocabulary[c], chosen.index(c))
        )
        slug, name = _new_name(vocabulary[namer], taken, names)
        taken.add(slug)
        names.add(name.casefold())
        trials = [_Trial(vocabulary[c], titled[c], None, weights[c], titled[c]) for c in chosen]
        parts = tuple(
            replace(p, topic=slug, support=tuple(sorted(papers[r].id for r in holders[c] & group)))
            for p, c in zip(_try(papers, (), trials, users), chosen, strict=True)
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


def _with_rule(topic: Topic, rule: Rule) -> Topic:
    return Topic(slug=topic.slug, name=topic.name, description=topic.description, rule=rule)


def _pasted(
    papers: Sequence[Paper], topics: Sequence[Topic], extensions: Sequence[Extension]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What pasting every proposal at once does, by :func:`classify` on every paper: the
    unsorted papers it sorts, and the sorted papers whose topics change (they gain one)."""
    if not extensions:
        return (), ()
    changed = {e.topic.slug: e.topic for e in extensions if not e.new_topic}
    taxonomy = [changed.get(t.slug, t) for t in topics] + [
        e.topic for e in extensions if e.new_topic
    ]
    after = classify(papers, taxonomy)
    sorts = tuple(a.id for a, b in zip(after, papers, strict=True) if a.topics and not b.topics)
    moves = tuple(
        a.id for a, b in zip(after, papers, strict=True) if b.topics and a.topics != b.topics
    )
    return sorts, moves


def _new_name(phrase: str, taken: set[str], names: set[str]) -> tuple[str, str]:
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


# -- the report -------------------------------------------------------------------------------


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML flow scalar that reads back as the same string.

    Plain when that round-trips (``magic state``); double-quoted otherwise, e.g. for words YAML
    reads as booleans, nulls or numbers (``yes``, ``on``, ``null``, ``1e5``).
    """
    try:
        if yaml.safe_load(f"[{text}]") == [text]:
            return text
    except (yaml.YAMLError, ValueError):  # PyYAML raises ValueError on e.g. ``0b_``
        pass
    return json.dumps(text, ensure_ascii=False)


def _flow(items: Iterable[str]) -> str:
    return "[" + ", ".join(_yaml_scalar(item) for item in items) + "]"


def yaml_snippet(s: Suggestions) -> str:
    """The proposed rules as YAML with two keys.

    ``extend`` maps the slug of an existing topic to the phrases to append to its ``match``
    lists (``title``, ``abstract``); ``new_topics`` holds complete topic entries to paste under
    ``topics:``. ``yaml.safe_load`` reads it back to exactly the phrases proposed.
    """
    extend = [e for e in s.extensions if not e.new_topic]
    new = [e for e in s.extensions if e.new_topic]
    lines = [
        "# Review every phrase before pasting: the counts above say what each one catches.",
        "# extend: append each list to the same list under that topic's 'match:'.",
        "# new_topics: paste the items under 'topics:', then write their descriptions.",
        "extend:" + ("" if extend else " {}"),
    ]
    for e in extend:
        lines.append(f"  {_yaml_scalar(e.topic.slug)}:")
        if e.title:
            lines.append(f"    title: {_flow(e.title)}")
        lines.append(f"    abstract: {_flow(e.abstract)}")
    lines.append("new_topics:" + ("" if new else " []"))
    for e in new:
        lines += [
            f"  - name: {json.dumps(e.topic.name, ensure_ascii=False)}",
            f"    description: {json.dumps(e.topic.description, ensure_ascii=False)}",
            f"    slug: {e.topic.slug}",
            "    match:",
        ]
        if e.title:
            lines.append(f"      title: {_flow(e.title)}")
        lines.append(f"      abstract: {_flow(e.abstract)}")
    return "\n".join(lines) + "\n"


def _shown(text: str) -> str:
    """Data text as a terminal line: control characters (an escape sequence in a title, say)
    become U+FFFD. The pipeline's normalize stage drops them already; this does not rely on it."""
    return "".join(char if char.isprintable() else "\ufffd" for char in text)


def _some(ids: Sequence[str], limit: int = 3) -> str:
    more = f" (+{len(ids) - limit} more)" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def format_suggestions(s: Suggestions) -> str:
    """A plain-text report for a terminal, ending with :func:`yaml_snippet`.

    Text from the data (titles, topic names) is printed as plain text: the report is never HTML.
    """
    out = [f"{len(s.unsorted)} of {s.papers} papers are unsorted."]
    if not s.unsorted:
        return "\n".join([*out, "Nothing to suggest: every paper matches a topic."]) + "\n"
    out += [
        "",
        "Candidate topics, best first. score: cosine to the topic's centroid; votes: summed",
        f"similarity of the {NEIGHBOURS} nearest sorted papers in the topic; below each: the "
        "topic's closest papers.",
    ]
    for u in s.unsorted:
        out += ["", f"* {_shown(u.title)}", f"  {_shown(u.id)}"]
        if not u.candidates:
            out.append("  no candidate: it shares no term with any sorted paper")
        elif not u.fits:
            out.append(f"  no topic fits (best score under {FIT}): a new topic is proposed")
        for c in u.candidates:
            out.append(f"  - {c.slug} ({_shown(c.name)}): score {c.score:.2f}, votes {c.votes:.2f}")
            out += [f"      {n.similarity:.2f}  {_shown(n.title)}" for n in c.neighbours]
    out += [
        "",
        "Proposed phrases, per topic: extending a topic comes first; a new topic only for a",
        f"group of {MIN_NEW_TOPIC} or more unsorted papers sharing distinctive terms. sorts: "
        "unsorted papers",
        "it would sort; also: sorted papers it would add to the topic (what pasting it does,",
        "tried on every paper); used by: the evidence, papers of the topic (or of the new",
        "topic's group) that hold the phrase already.",
    ]
    if not s.extensions:
        out.append("  none: no term that a fitting topic's papers use would sort an unsorted paper")
    for e in s.extensions:
        name = _shown(e.topic.name)
        label = f"new topic {e.topic.slug} ({name})" if e.new_topic else f"{e.topic.slug} ({name})"
        out += ["", f"  {label}: together sort {len(e.unsorted)}, also {len(e.caught)}"]
        out.append(
            f"    {'its papers' if e.new_topic else 'sorts'}: {_shown(_some(e.unsorted, 6))}"
        )
        width = max(len(p.phrase) for p in e.proposals)
        for p in e.proposals:
            where = "title+abstract" if p.in_title else "abstract"
            used = (
                f"used by {len(p.support)} of the group"
                if e.new_topic
                else f"in the topic: {len(p.support)} of the {p.holders} sorted papers holding it"
            )
            sorts = f"sorts {len(p.unsorted)}" if p.unsorted else "sorts 0 alone"
            out.append(
                f"    {_shown(p.phrase):{width}}  {where:14}  {sorts}, also {len(p.caught)}; {used}"
            )
            if p.unsorted:
                out.append(f"    {'':{width}}  {'':14}  sorts: {_shown(_some(p.unsorted))}")
            if p.caught:
                out.append(f"    {'':{width}}  {'':14}  also: {_shown(_some(p.caught))}")
            if p.support:
                out.append(f"    {'':{width}}  {'':14}  used by: {_shown(_some(p.support))}")
    left = sorted({u.id for u in s.unsorted} - set(s.sorts))
    out += [
        "",
        f"Pasting all of it sorts {len(s.sorts)} of the {len(s.unsorted)} unsorted papers and "
        f"adds a topic to {len(s.moves)} sorted {'paper' if len(s.moves) == 1 else 'papers'}.",
    ]
    if left:
        out += [
            f"{len(left)} stay unsorted: no phrase with that evidence sorts them (pin them with",
            "a record's topics: list, or leave them unsorted):",
            *[f"  {_shown(pid)}" for pid in left],
        ]
    out += ["", "YAML for data/topics.yaml:", "", yaml_snippet(s).rstrip("\n")]
    return "\n".join(out) + "\n"
