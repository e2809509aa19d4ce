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
  together (abstract hits add up). A **new topic** is proposed only for a
  group of at least :data:`MIN_NEW_TOPIC` unsorted papers, among those no extension sorts,
  that share terms most of whose users are unsorted (:mod:`.new_topics`). The phrases of one
  topic are tried together once more (:class:`Extension`), and everything at once, to say
  what pasting all of it does (:attr:`Suggestions.sorts`, :attr:`Suggestions.moves`). An
  unsorted paper nothing sorts with that evidence is listed as such: better unsorted than
  sorted by a rule made of its own words.

Cost: vectorizing is linear in the text (:func:`.terms.vectors`: the project's one TF-IDF,
:mod:`generator.text.tfidf`); similarities are a sparse product taken
:data:`CHUNK` unsorted papers at a time (never a dense n x n matrix); one classify pass finds
the papers holding any tried phrase, and each phrase is then tried on those papers only
(adding a phrase to a rule can change no other paper); one more classify pass over every paper
tells what pasting everything does. See ``benchmarks/results/suggest.md``.

Deterministic: papers are processed sorted by id, ties are broken by id, slug or phrase, and
nothing depends on hash order, so the same papers and topics give the same text in any order.

Modules: :mod:`.records` (what a suggestion is made of, the constants), :mod:`.terms` (the
analyzer and the vectors), :mod:`.candidates`, :mod:`.trials` (trying a phrase with classify),
:mod:`.extend` (phrases for existing topics), :mod:`.new_topics`, :mod:`.report`.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.model import Paper, Topic
from generator.stages.learn import without_learned
from generator.tools.suggest.candidates import candidates
from generator.tools.suggest.extend import extensions, proposals
from generator.tools.suggest.new_topics import new_topics
from generator.tools.suggest.records import (
    EXTEND_SHARE,
    FIT,
    MIN_NEW_TOPIC,
    MIN_SUPPORT,
    Candidate,
    Extension,
    Neighbour,
    Proposal,
    Suggestions,
    UnsortedPaper,
)
from generator.tools.suggest.report import format_suggestions, yaml_snippet
from generator.tools.suggest.terms import analyze, paper_text, vectors
from generator.tools.suggest.trials import pasted

__all__ = [
    "EXTEND_SHARE",
    "FIT",
    "MIN_NEW_TOPIC",
    "MIN_SUPPORT",
    "Candidate",
    "Extension",
    "Neighbour",
    "Proposal",
    "Suggestions",
    "UnsortedPaper",
    "analyze",
    "format_suggestions",
    "paper_text",
    "suggest",
    "vectors",
    "yaml_snippet",
]


def suggest(papers: Sequence[Paper], topics: Sequence[Topic]) -> Suggestions:
    """Candidate topics for every unsorted paper and phrases that would sort them.

    ``papers`` are classified (``Paper.topics`` filled; empty means unsorted) against
    ``topics``; topics assigned by similarity are set aside: a paper no rule sorts is unsorted
    here, whatever the model says. Pure and deterministic; see the module docstring.
    """
    ordered = sorted(without_learned(papers), key=lambda p: p.id)
    topics = tuple(topics)
    unsorted_rows = [i for i, p in enumerate(ordered) if not p.topics]
    if not unsorted_rows:
        return Suggestions(len(ordered), (), ())
    matrix, vocabulary = vectors([paper_text(p) for p in ordered])
    unsorted = candidates(ordered, topics, matrix, unsorted_rows)
    found, held = proposals(ordered, topics, matrix, vocabulary, unsorted_rows, unsorted)
    made = extensions(ordered, topics, found, held)
    done = {pid for e in made for pid in e.unsorted}
    left = [r for r in unsorted_rows if ordered[r].id not in done]
    fitting = {u.id: frozenset(c.slug for c in u.candidates if c.score >= FIT) for u in unsorted}
    made += new_topics(ordered, topics, matrix, vocabulary, left, fitting)
    sorts, moves = pasted(ordered, topics, made)
    return Suggestions(len(ordered), unsorted, tuple(made), sorts, moves)
