"""Help a curator sort the unsorted papers: candidate topics and proposed match rules (pure).

``paperkb topics --suggest`` runs :func:`suggest` on classified papers and prints
:func:`format_suggestions`. Nothing here changes ``data/``: the output is a report plus a YAML
snippet that a curator reviews and pastes into ``data/topics.yaml`` in a pull request.

Two kinds of evidence, because they answer different questions:

* **Candidate topics** ("where does this paper belong?"). Every paper is a TF-IDF vector
  (sublinear term frequency, unigrams and bigrams of title and abstract, stop words from
  :mod:`generator.words` plus words every abstract uses). Topics are ranked by the cosine
  between the paper and the topic's centroid (the mean of its members' vectors); the summed
  similarity of the paper's :data:`NEIGHBOURS` nearest classified papers in the topic (their
  vote) and the topic's members closest to the paper are shown as the evidence a curator can
  check. Hiding one classified paper at a time on the shipped corpus, its own topic comes
  first 80% of the time by centroid (92% among the three listed), 79% by vote, and blends of
  the two did no better; the centroid is also defined when no close neighbour is in a topic,
  and its scale is the same for every paper, which makes :data:`FIT` meaningful.
* **Proposed phrases** ("what rule would sort it?") are the terms most particular to the
  unsorted papers: a term's weight in an unsorted paper times the share of the papers using it
  that are unsorted, so a word that every topic uses ranks low however often it occurs. Each
  candidate is written as a phrase that :func:`generator.classify.phrase_error` accepts and is
  then *tried*: the topic it would be added to (the best candidate topic of the papers using it,
  or a new topic when no existing topic fits) is classified again with the phrase added, by
  :func:`generator.classify.classify` itself. The counts shown (unsorted papers it sorts,
  already-sorted papers it would also pull into the topic) are therefore exactly what pasting
  the rule does, exclude phrases and ``min_abstract_hits`` included, not an estimate. A term
  that is also in a title is tried in the ``title`` list as well. Per unsorted paper the
  :data:`PHRASES_PER_PAPER` phrases with the best precision (sorted / everything it takes)
  are kept, and the phrases of one topic are tried together once more (:class:`Extension`).

Cost: vectorizing is linear in the text; similarities are a sparse product taken
:data:`CHUNK` unsorted papers at a time (never a dense n x n matrix); one classify pass finds
the papers holding any tried phrase, and each phrase is then tried on those papers only
(adding a phrase to a rule can change no other paper). 10,000 papers of mixed real abstracts
take 3 s with 3% of them unsorted and 34 s with 30% unsorted (:data:`TRIAL_BUDGET`).

Deterministic: papers are processed sorted by id, ties are broken by id, slug or phrase, and
nothing depends on hash order, so the same papers and topics give the same text in any order.
"""

from __future__ import annotations

import itertools
import json
import re
import string
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from slugify import slugify

from generator.classify import classify, phrase_error
from generator.model import UNSORTED, Paper, Rule, Topic
from generator.taxonomy import DEFAULT_MIN_ABSTRACT_HITS, MAX_SLUG, SLUG
from generator.words import ENGLISH_STOP_WORDS

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
#: Unsorted papers compared with the corpus at a time (bounds memory: CHUNK x corpus).
CHUNK = 256

#: Short function words and words every abstract uses: they name no topic.
STOP_WORDS = ENGLISH_STOP_WORDS | frozenset(
    [
        "a",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "if",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "we",
        "us",
        "i",
        "me",
        "my",
        "he",
        "she",
        "his",
        "her",
        "its",
        "achieve",
        "achieves",
        "achieved",
        "approach",
        "approaches",
        "based",
        "demonstrate",
        "demonstrates",
        "existing",
        "introduce",
        "introduces",
        "method",
        "methods",
        "new",
        "novel",
        "paper",
        "present",
        "presents",
        "propose",
        "proposed",
        "proposes",
        "recent",
        "result",
        "results",
        "show",
        "shows",
        "shown",
        "significantly",
        "study",
        "use",
        "used",
        "uses",
        "using",
        "well",
        "work",
        "works",
    ]
)

# A word, hyphenated words counting as one ("multi-task"), or a run of punctuation (a barrier):
# generator.classify's tokens, except that it reads a hyphen as a space.
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
        # ASCII, the common case, is split in C as generator.classify does.
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

    def terms(paper: Paper) -> list[str]:
        return analyzer(paper.title) + analyzer(paper.abstract)  # no bigram spans the two

    vectorizer = TfidfVectorizer(analyzer=terms, sublinear_tf=True, dtype=np.float64)
    matrix = sparse.csr_matrix(vectorizer.fit_transform(ordered))
    vocabulary = [str(term) for term in vectorizer.get_feature_names_out()]
    unsorted = _candidates(ordered, topics, matrix, unsorted_rows)
    proposals, users = _proposals(ordered, topics, matrix, vocabulary, unsorted_rows, unsorted)
    extensions = _extensions(ordered, topics, proposals, users)
    return Suggestions(len(ordered), unsorted, extensions)


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


def _proposals(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    matrix: sparse.csr_matrix,
    vocabulary: Sequence[str],
    unsorted_rows: Sequence[int],
    unsorted: Sequence[UnsortedPaper],
) -> tuple[list[Proposal], dict[str, list[int]]]:
    """Distinctive terms of the unsorted papers, tried as rules; the best few per paper.

    Also returns, for every phrase tried, the papers that hold it (see :func:`_users`).
    """
    rows = list(unsorted_rows)
    present = matrix.copy()
    present.data[:] = 1.0
    df = np.asarray(present.sum(axis=0)).ravel()
    share = np.asarray(present[rows].sum(axis=0)).ravel() / np.maximum(df, 1.0)
    unsorted_matrix = matrix[rows]
    # Per unsorted paper: its top terms by weight x share of their users that are unsorted.
    low, high = TERMS_PER_PAPER
    per_paper = max(low, min(high, TRIAL_BUDGET // len(rows)))
    picked: dict[int, float] = {}
    using: dict[int, list[int]] = defaultdict(list)  # term -> unsorted rows using it
    titled: dict[int, bool] = defaultdict(bool)  # term -> in the title of one of them
    for offset, row in enumerate(rows):
        lo, hi = unsorted_matrix.indptr[offset], unsorted_matrix.indptr[offset + 1]
        cols = [int(c) for c in unsorted_matrix.indices[lo:hi]]
        title_terms = set(analyze(papers[row].title))
        both = title_terms.intersection(analyze(papers[row].abstract))
        scores = [
            _term_weight(vocabulary[c], float(w * share[c]), vocabulary[c] in both)
            for c, w in zip(cols, unsorted_matrix.data[lo:hi], strict=True)
        ]
        order = sorted(range(len(cols)), key=lambda k: (-_round(scores[k]), vocabulary[cols[k]]))
        for k in [k for k in order if phrase_error(vocabulary[cols[k]]) is None][:per_paper]:
            picked[cols[k]] = max(picked.get(cols[k], 0.0), scores[k])
        for col in cols:
            using[col].append(row)
            titled[col] |= vocabulary[col] in title_terms
    best = {u.id: u.candidates[0] for u in unsorted if u.fits}
    rules = {t.slug: t.rule for t in topics}
    trials: list[_Trial] = []
    for col, weight in sorted(picked.items(), key=lambda item: vocabulary[item[0]]):
        term = vocabulary[col]
        target = _target([papers[r].id for r in using[col]], best)
        rule = rules[target] if target is not None else _NEW_RULE
        variants = (False, True) if titled[col] else (False,)
        for in_title in variants:
            if not _adds(rule, term, in_title):
                continue  # already in those lists: pasting it would change nothing
            trials.append(_Trial(term, in_title, target, weight, titled[col]))
    # Keep the best variant per phrase, then the best few phrases per unsorted paper.
    by_phrase: dict[str, Proposal] = {}
    users = _users(papers, [t.phrase for t in trials])
    for proposal in _try(papers, topics, trials, users):
        known = by_phrase.get(proposal.phrase)
        if proposal.unsorted and (known is None or _rank(proposal) < _rank(known)):
            by_phrase[proposal.phrase] = proposal
    sorting: dict[str, list[Proposal]] = defaultdict(list)  # unsorted id -> its proposals
    for proposal in by_phrase.values():
        for pid in proposal.unsorted:
            sorting[pid].append(proposal)
    kept: set[str] = set()
    for mine in sorting.values():
        kept.update(p.phrase for p in sorted(mine, key=_rank)[:PHRASES_PER_PAPER])
    return sorted((by_phrase[p] for p in kept), key=_rank), users


def _term_weight(term: str, weight: float, in_both: bool) -> float:
    """A term's TF-IDF weight x unsorted share, adjusted for what makes a good rule.

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


def _target(ids: Iterable[str], best: dict[str, Candidate]) -> str | None:
    """The existing topic the unsorted papers using a term fit best, or ``None`` (new topic)."""
    votes: dict[str, float] = defaultdict(float)
    for pid in ids:
        if pid in best:
            votes[best[pid].slug] += best[pid].score
    if not votes:
        return None
    return min(votes, key=lambda slug: (-_round(votes[slug]), slug))


def _adds(rule: Rule, phrase: str, in_title: bool) -> bool:
    """Whether adding ``phrase`` to the abstract (and title) lists of ``rule`` adds anything."""
    same = _same(phrase)
    missing_abstract = same not in {_same(p) for p in rule.abstract}
    missing_title = same not in {_same(p) for p in rule.title}
    return missing_abstract or (in_title and missing_title)


def _rank(p: Proposal) -> tuple[float, int, float, bool, str]:
    """Sort key, best first: precision (smoothed, so one clean hit does not beat three hits
    and a stray), then coverage, then the term's weight; abstract-only before title+abstract
    (the narrower rule, when it does as well)."""
    precision = len(p.unsorted) / (len(p.unsorted) + len(p.caught) + 1)
    return (-_round(precision), -len(p.unsorted), -_round(p.weight), p.in_title, p.phrase)


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
    phrase (abstract, title and abstract) share one classify call, so its papers are read once.
    """
    rules = {t.slug: t.rule for t in topics}
    by_phrase: dict[str, list[_Trial]] = defaultdict(list)
    for trial in trials:
        by_phrase[trial.phrase].append(trial)
    proposals = []
    for phrase in sorted(by_phrase):
        variants = by_phrase[phrase]
        target = variants[0].target
        base = rules[target] if target is not None else _NEW_RULE
        rows = [r for r in users[phrase] if target not in papers[r].topics]
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
) -> tuple[Extension, ...]:
    """Group proposals by the topic they extend, new-topic phrases that share an unsorted
    paper into one new topic; then try each group as a whole."""
    existing = {t.slug: t for t in topics}
    groups: dict[str, list[Proposal]] = defaultdict(list)
    for p in proposals:
        if not p.new_topic:
            groups[p.topic].append(p)
    planned: list[tuple[Topic, bool, list[Proposal]]] = []
    for slug in sorted(groups):
        group = groups[slug]
        topic = existing[slug]
        title = [p.phrase for p in group if p.in_title]
        rule = _rule_with(topic.rule, title, [p.phrase for p in group])
        planned.append((_with_rule(topic, rule), False, group))
    taken = set(existing) | {UNSORTED.slug}
    names = {t.name.casefold() for t in topics}
    for group in _connected([p for p in proposals if p.new_topic]):
        namer = min(group, key=lambda p: (not p.titled, " " not in p.phrase, _rank(p)))
        slug, name = _new_name(namer.phrase, taken, names)
        taken.add(slug)
        names.add(name.casefold())
        group = [replace(p, topic=slug) for p in group]
        title = [p.phrase for p in group if p.in_title]
        topic = Topic(
            slug=slug,
            name=name,
            description=f"TODO: one sentence on what {name!r} covers.",
            rule=_rule_with(_NEW_RULE, title, [p.phrase for p in group]),
        )
        planned.append((topic, True, group))
    result = []
    for topic, new, group in planned:
        rows = sorted({r for p in group for r in users[p.phrase]})
        unsorted, caught = _split(
            papers, _matching(papers, rows, topic.rule), None if new else topic.slug
        )
        result.append(Extension(topic, new, tuple(group), unsorted, caught))
    return tuple(result)


def _with_rule(topic: Topic, rule: Rule) -> Topic:
    return Topic(slug=topic.slug, name=topic.name, description=topic.description, rule=rule)


def _connected(proposals: Sequence[Proposal]) -> list[list[Proposal]]:
    """Proposals grouped so that two sharing an unsorted paper are in one group, in order."""
    parent = list(range(len(proposals)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, p in enumerate(proposals):
        for pid in p.unsorted:
            if pid in first:
                a, b = root(first[pid]), root(i)
                parent[max(a, b)] = min(a, b)
            else:
                first[pid] = i
    groups: dict[int, list[Proposal]] = defaultdict(list)
    for i, p in enumerate(proposals):
        groups[root(i)].append(p)
    return [groups[k] for k in sorted(groups)]


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
        "Proposed phrases, per topic. sorts: unsorted papers it would sort; also: sorted papers",
        "it would add to the topic (what pasting it does, tried on every paper).",
    ]
    if not s.extensions:
        out.append("  none: no distinctive term of the unsorted papers sorts one of them")
    for e in s.extensions:
        name = _shown(e.topic.name)
        label = f"new topic {e.topic.slug} ({name})" if e.new_topic else f"{e.topic.slug} ({name})"
        out += ["", f"  {label}: together sort {len(e.unsorted)}, also {len(e.caught)}"]
        width = max(len(p.phrase) for p in e.proposals)
        for p in e.proposals:
            where = "title+abstract" if p.in_title else "abstract"
            out.append(
                f"    {_shown(p.phrase):{width}}  {where:14}  sorts {len(p.unsorted)}, "
                f"also {len(p.caught)}: {_shown(_some(p.unsorted))}"
            )
            if p.caught:
                out.append(f"    {'':{width}}  {'':14}  also: {_shown(_some(p.caught))}")
    out += ["", "YAML for data/topics.yaml:", "", yaml_snippet(s).rstrip("\n")]
    return "\n".join(out) + "\n"
