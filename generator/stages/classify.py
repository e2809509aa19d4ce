"""Sort papers into the topics of the taxonomy by matching phrases (pure; no I/O).

Phrase semantics -- the contract curators of ``data/topics.yaml`` rely on:

* A phrase is one or more words separated by spaces and/or hyphens, optionally ending in ``*``.
  A word is a run of letters, digits and underscores; any other character in a phrase is an
  error reported by the taxonomy loader.
* Matching is case-insensitive and on word boundaries: a phrase never matches inside a longer
  word, so ``rag`` does not match ``storage`` and ``model`` does not match ``models``.
* The spaces and hyphens inside a phrase match any run of spaces and hyphens in the text, so
  ``large language model`` matches ``Large-Language  Model``. Any other character between two
  words (a comma, a full stop, a slash, an en dash ...) breaks the phrase.
* A trailing ``*`` lets the last word continue with any letters or digits: ``retriev*``
  matches ``retrieval``, ``retrieve`` and ``retrieving``; ``diffusion model*`` matches
  ``diffusion models``.

A topic's :class:`~generator.model.Rule` then decides membership:

* a paper matches when any ``title`` phrase occurs in its title, or when the ``abstract``
  phrases occur at least ``min_abstract_hits`` times in its abstract. Title and abstract
  phrases are separate lists: a title phrase is not counted in the abstract unless it is also
  listed under ``abstract``;
* occurrences in the abstract are counted without overlap, left to right, preferring the longest
  phrase at each word, so ``large language model`` listed next to ``language model`` counts once;
  repeated occurrences of one phrase all count;
* an ``exclude`` phrase anywhere in the title or the abstract vetoes the topic.

Matching indexes every phrase of the taxonomy by its first two words and tokenizes each text
once, so a paper is scanned once whatever the number of topics (100k papers x 25 topics take
about five seconds on one core; one regex per topic took over a minute).
"""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from itertools import compress, repeat

from generator.model import UNSORTED, Paper, Topic
from generator.text.phrases import phrase_error

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\w+|[^\w\s-]+")
# For ASCII text: hyphens become spaces, other punctuation a "|" token of its own (a barrier).
_ASCII_SPLIT = str.maketrans(
    {char: " " if char == "-" else "|" for char in string.punctuation if char != "_"}
)


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    prefix: bool  # the last word may continue with more word characters


def _parse_phrase(phrase: str) -> _Phrase:
    error = phrase_error(phrase)
    if error is not None:
        raise ValueError(f"phrase {phrase!r} {error}")
    text = phrase.strip().lower()
    return _Phrase(tuple(_WORD.findall(text)), text.endswith("*"))


class _Role(Enum):
    TITLE = 1
    ABSTRACT = 2
    EXCLUDE = 3


# A phrase of two words or more, seen from its second word: id, the words after the second
# one, and whether the last word may continue.
_Tail = tuple[int, tuple[str, ...], bool]
# One occurrence: phrase id, index of its first word, index past its last word.
_Hit = tuple[int, int, int]


@dataclass(slots=True)
class _Start:
    """The phrases that can start at one word."""

    single: list[int]  # one-word phrases: matched already
    by_next: dict[str, list[_Tail]]  # longer phrases, keyed by their exact second word
    next_prefix: list[tuple[int, str]]  # two-word phrases whose second word is a prefix

    def add(self, other: _Start) -> None:
        self.single += other.single
        for word, tails in other.by_next.items():
            self.by_next.setdefault(word, []).extend(tails)
        self.next_prefix += other.next_prefix


_UNSEEN = _Start([], {}, [])  # marks a word not looked up yet


class _Matcher:
    """All phrases of a taxonomy, indexed by their first two words."""

    def __init__(self, topics: Sequence[Topic]) -> None:
        self.topics = tuple(topics)
        ids: dict[_Phrase, int] = {}
        roles: list[dict[_Role, list[int]]] = []
        for index, topic in enumerate(self.topics):
            lists = (
                (_Role.TITLE, topic.rule.title),
                (_Role.ABSTRACT, topic.rule.abstract),
                (_Role.EXCLUDE, topic.rule.exclude),
            )
            for role, phrases in lists:
                for text in phrases:
                    pid = ids.setdefault(_parse_phrase(text), len(ids))
                    if pid == len(roles):
                        roles.append({role: [] for role in _Role})
                    if index not in roles[pid][role]:
                        roles[pid][role].append(index)
        # Per phrase: the topics it puts a paper in by title, counts for, and vetoes.
        self.title = [tuple(r[_Role.TITLE]) for r in roles]
        self.abstract = [tuple(r[_Role.ABSTRACT]) for r in roles]
        self.exclude = [tuple(r[_Role.EXCLUDE]) for r in roles]
        self.exact: dict[str, _Start] = {}  # by exact first word
        self.prefixes: list[tuple[str, int]] = []  # one-word phrases ending in '*'
        for phrase, pid in ids.items():
            words = phrase.words
            if len(words) == 1 and phrase.prefix:
                self.prefixes.append((words[0], pid))
                continue
            start = self.exact.setdefault(words[0], _Start([], {}, []))
            if len(words) == 1:
                start.single.append(pid)
            elif len(words) == 2 and phrase.prefix:
                start.next_prefix.append((pid, words[1]))
            else:
                start.by_next.setdefault(words[1], []).append((pid, words[2:], phrase.prefix))
        self.prefix_words = tuple(prefix for prefix, _pid in self.prefixes)
        self.cache: dict[str, _Start | None] = {}  # word -> the phrases that can start there

    def _start(self, word: str) -> _Start | None:
        start = _Start([], {}, [])
        if word in self.exact:
            start.add(self.exact[word])
        if word.startswith(self.prefix_words):  # one C call rules most words out
            start.single += [pid for prefix, pid in self.prefixes if word.startswith(prefix)]
        return start if start.single or start.by_next or start.next_prefix else None

    def scan(self, text: str) -> list[_Hit]:
        """Every occurrence of every phrase in ``text``, overlapping ones included."""
        words = _tokens(text)
        cache = self.cache
        starts = list(map(cache.get, words, repeat(_UNSEEN)))
        hits: list[_Hit] = []
        last = len(words) - 1
        for i in compress(range(len(words)), starts):  # only where some phrase starts
            start = starts[i]
            if start is _UNSEEN:
                start = cache[words[i]] = self._start(words[i])
            if start is None:
                continue
            for pid in start.single:
                hits.append((pid, i, i + 1))
            if i == last:
                continue
            following = words[i + 1]
            for pid, rest, prefix in start.by_next.get(following, ()):
                end = i + 2 + len(rest)
                if not rest or (end <= last + 1 and _follows(words, i + 2, rest, prefix)):
                    hits.append((pid, i, end))
            for pid, prefix_word in start.next_prefix:
                if following.startswith(prefix_word):
                    hits.append((pid, i, i + 2))
        return hits

    def matches(self, title: str, abstract: str) -> tuple[str, ...]:
        """Slugs of the topics the paper matches, in taxonomy order."""
        found: set[int] = set()
        vetoed: set[int] = set()
        for pid, _start, _end in self.scan(title):
            found.update(self.title[pid])
            vetoed.update(self.exclude[pid])
        spans: dict[int, list[tuple[int, int]]] = {}
        for pid, start, end in self.scan(abstract):
            for index in self.abstract[pid]:
                spans.setdefault(index, []).append((start, end))
            vetoed.update(self.exclude[pid])
        for index, topic_spans in spans.items():
            if index in found:
                continue
            needed = self.topics[index].rule.min_abstract_hits
            if len(topic_spans) >= needed and _count(topic_spans) >= needed:
                found.add(index)
        found -= vetoed
        return tuple(self.topics[i].slug for i in sorted(found))


def _tokens(text: str) -> list[str]:
    """Lowercased words; punctuation runs are tokens too, so no phrase spans one."""
    lower = text.lower()
    if lower.isascii():  # the common case: all in C, several times faster than the regex
        return lower.translate(_ASCII_SPLIT).replace("|", " | ").split()
    return _TOKEN.findall(lower)


def _follows(words: list[str], start: int, rest: tuple[str, ...], prefix: bool) -> bool:
    last = len(rest) - 1
    for offset, want in enumerate(rest):
        word = words[start + offset]
        if word == want or (prefix and offset == last and word.startswith(want)):
            continue
        return False
    return True


def _count(spans: list[tuple[int, int]]) -> int:
    """Occurrences without overlap, leftmost first, longest first at one word."""
    spans.sort(key=lambda span: (span[0], -span[1]))
    count, reached = 0, -1
    for start, end in spans:
        if start >= reached:
            count += 1
            reached = end
    return count


def classify(papers: Sequence[Paper], topics: Sequence[Topic]) -> list[Paper]:
    """``papers`` in the same order, each with ``topics`` set to its matching topic slugs.

    Slugs come in taxonomy order; a paper no topic matches gets ``()`` (the Unsorted page).
    Topics a curator pinned in a record (``paper.meta.topics``) are added to the rule matches;
    pins naming no topic of ``topics`` are ignored here (the pipeline reports them as errors).
    Raises ``ValueError`` on a phrase :func:`phrase_error` rejects (the loader reports those).
    """
    matcher = _Matcher(topics)
    order = {topic.slug: index for index, topic in enumerate(topics)}

    def slugs(paper: Paper) -> tuple[str, ...]:
        matched = matcher.matches(paper.title, paper.abstract)
        if not paper.meta.topics:
            return matched
        pinned = {slug for slug in paper.meta.topics if slug in order}
        return tuple(sorted(pinned.union(matched), key=order.__getitem__))

    return [dataclasses.replace(paper, topics=slugs(paper)) for paper in papers]


def topic_members(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, list[str]]:
    """Slug -> sorted ids of the (classified) papers in it, in taxonomy order, then ``unsorted``.

    Every topic has an entry, empty or not; papers with no topics are listed under
    ``unsorted``. A paper naming a slug that is not in ``topics`` is a ``ValueError``.
    """
    members: dict[str, list[str]] = {topic.slug: [] for topic in topics}
    members[UNSORTED.slug] = []
    for paper in papers:
        for slug in paper.topics or (UNSORTED.slug,):
            if slug not in members:
                raise ValueError(f"paper {paper.id!r} names unknown topic {slug!r}")
            members[slug].append(paper.id)
    return {slug: sorted(ids) for slug, ids in members.items()}
