"""What suggestions are made of, and the constants that shape them (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Topic

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
#: A phrase of one plain word (no space, no hyphen: "decoders", "devices") needs more: at least
#: this share of the sorted papers holding it are in the topic (or, for a new topic,
#: unsorted). One common word names a topic far less often than two words do.
WORD_SHARE = 0.75
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
    """What :func:`generator.tools.suggest.suggest` found; ``format_suggestions`` prints it."""

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


def plain_word(phrase: str) -> bool:
    """Whether a phrase is one plain word (no space, no hyphen): see :data:`WORD_SHARE`."""
    return " " not in phrase and "-" not in phrase


def rounded(value: float) -> float:
    """Scores to 4 decimals: the last bits of a float sum must not reorder a report."""
    return round(float(value), 4)
