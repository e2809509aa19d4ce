"""Dedupe stage: normalized entries -> one cluster per distinct paper, and an audit report.

Two entries are one paper when

* **arxiv**: they carry the same arXiv id (:attr:`generator.model.Metadata.arxiv`, read from
  structured records by :mod:`generator.inputs.records`), whatever their titles: the other titles
  become aliases. These unions come first;
* **exact**: their titles have the same :func:`generator.stages.normalize.title_key` (case, spacing,
  punctuation, dashes, quotes, Unicode form and glued words such as ``Recipefor`` do not
  matter). The permalink registry identifies papers by title key, so entries with one key are
  always one paper, whatever their abstracts;
* **fuzzy**: their title keys differ by at most :data:`TITLE_MAX_EDITS` letters dropped, added,
  or changed (a swap is two), each inside a word of at least :data:`LONG_WORD_MIN` letters,
  no guard below objects, *and* their abstracts agree (identical, revised by one sentence, or
  at least :data:`ABSTRACT_MIN_RATIO` similar). When the abstracts are closer still (they
  agree *and* score at least :data:`CLOSE_ABSTRACT_MIN_RATIO`, both at least
  :data:`RETITLE_MIN_ABSTRACT_CHARS` long), the edits may fall anywhere, in a short acronym
  or name too (``UI-JEPA`` -> ``UI-JPA``, ``KMM`` -> ``KM``): two different papers do not share
  nine tenths of an abstract. The version and ``Towards`` guards apply either way. Titles are
  compared with HTML entities decoded (``&amp;``, ``&#39;``, ``&nbsp;``) and in American
  spelling (``optimisation``, ``modelling``, ``behaviour`` count as ``optimization``,
  ``modeling``, ``behavior``), so neither costs an edit. This rule only judges the pairs
  blocking proposes (below), so it costs one abstract comparison per such pair;
* **retitled**: their titles differ but their (normalized) abstracts are identical and at least
  :data:`RETITLE_MIN_ABSTRACT_CHARS` long. No title guard applies: two different papers never
  share a whole abstract, and a retitle may well drop a number (``ERNIE 3.0: ...`` ->
  ``Knowledge-Enhanced Pre-training ...``);
* **override**: a reviewer said so in ``data/overrides.yaml`` (:mod:`generator.inputs.overrides`),
  which can also keep two papers apart.

An arXiv id also keeps papers apart: each group of entries remembers the ids of its members, and
no fuzzy or retitled match may join two groups with different ids (the refusal is listed among
the pairs kept apart, "different arXiv ids"). A merge override that joins two ids, and one title
key read with two ids, are problems: the permalink registry keys papers by title key, so such
entries cannot be split automatically and the data must be fixed.

Guards against hard negatives, checked before any title similarity counts: titles whose digit
runs or version words (``v2``, ``X-2``, ``1.5``, ``II``, ``Pro``; ``X v2`` is not ``X-2``
either) differ, ``Towards X`` vs ``X``,
and ``Name: A`` vs ``Name: B`` (same name before the colon, different rest, unless only a
small edit apart with close abstracts) never merge on their titles; close titles with
disagreeing abstracts never merge.

Fuzzy matching never compares all pairs. Each title is blocked on its rarest tokens (document
frequency over all papers, ties broken by the token): every pair of its
:data:`BLOCK_PAIR_TOKENS` rarest tokens is a block key, and so is each of its
:data:`BLOCK_SINGLE_TOKENS` rarest tokens when that token is rare (df <=
:data:`BLOCK_SINGLE_MAX_DF`). Two titles that differ only inside at most two words share every
other token, so both pick the two rarest shared tokens among their four rarest and meet in that
pair's block. Short titles (at most :data:`SHORT_TITLE_TOKENS` tokens) are also blocked on
every token among short titles. Within a block, ``rapidfuzz`` scores the candidates in C.

Precedence. Entries come from hand-written YAML records (``record``), the Hub's daily papers API
JSON (``api``) and listings (``listing``), in that order of trust
(:data:`generator.model.PRECEDENCE`). A paper's fields are chosen deterministically:

* **title** and **abstract**: among the entries of the most trusted origin present, the most
  frequent spelling, ties broken by the earliest source (data-relative file path, then line);
* **arxiv**, **published**, **note**, and the Hub's **organization**, **github** (code
  repository), **project** (page), **ai_summary**, **withdrawn**: from the most trusted entry
  that has the field, ties broken by the earliest source;
* **ai_keywords**: the whole list of the most trusted entry that has one, like authors;
* **listed** (the day on Daily Papers): the earliest day of any entry, so a paper listed on
  two days keeps its first;
* **authors**: the whole list of the most trusted entry that has one (ties: earliest source),
  never names mixed from several entries;
* **topics**: the union of every entry's pinned topic slugs, sorted;
* **upvotes**, **comments**: from the most trusted origin that has a count; among entries of
  that origin, the highest count (counts only grow, so the highest is the latest);
* **stars**: the count of the chosen code repository, by the same rule among the entries
  that name that repository.

Every title that is not the chosen one is an alias and the provenance of a paper is the union of
its entries' sources. A paper's title keys include every spelling's, so a paper that gains a
record with a new title keeps its permanent id (:mod:`generator.stages.permalinks` matches on keys).

Nothing depends on input order or the hash seed: nodes, blocks, candidates and edges are all
processed in sorted order.
"""

from __future__ import annotations

import functools
import gc
import html
import re
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from typing import Literal, overload

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Editop, Levenshtein

from generator.errors import Problem
from generator.model import (
    NO_METADATA,
    NO_OVERRIDES,
    PRECEDENCE,
    Cluster,
    Entry,
    Metadata,
    Overrides,
    Source,
)
from generator.text.folding import title_key

__all__ = [
    "ABSTRACT_MAX_CHANGED_SENTENCES",
    "ABSTRACT_MIN_RATIO",
    "ABSTRACT_MIN_SHARED_SENTENCES",
    "BLOCK_PAIR_TOKENS",
    "BLOCK_SINGLE_MAX_DF",
    "BLOCK_SINGLE_TOKENS",
    "CLOSE_ABSTRACT_MIN_RATIO",
    "HEDGE_WORDS",
    "LONG_WORD_MIN",
    "MAX_NEAR_MISSES",
    "NEAR_MISS_MIN_RATIO",
    "RETITLE_MIN_ABSTRACT_CHARS",
    "SHORT_TITLE_TOKENS",
    "TITLE_MAX_EDITS",
    "TITLE_MIN_RATIO",
    "VERSION_WORDS",
    "DedupeResult",
    "MergeGroup",
    "NearMiss",
    "Spelling",
    "cluster",
    "combine",
    "dedupe",
]

# --- thresholds: every number the decision uses, with its reason ----------------------------

#: At most this many single-letter edits (Levenshtein on title keys) make a title a typo of
#: another: "a letter or two dropped or swapped" (a swap is 2). The closest distinct titles in
#: the shipped corpus differ by 18 edits (ratio 74), so 2 leaves a wide margin; whole-word
#: differences (``Towards``, ``v2``, ``-2``) are caught by the guards below anyway.
TITLE_MAX_EDITS = 2

#: Every edit must fall inside a word of at least this many letters (in the title that has the
#: letter): typos in long words are the variants seen; a changed letter in a short word
#: (``Net``/``Nets``, ``GAN``/``GANs``) too often names a different thing.
LONG_WORD_MIN = 5

#: ...and the titles' ``fuzz.ratio`` (0-100, on title keys) must be at least this: two edits in
#: a very short title are not a typo. 2 edits in a 40-letter key score 95; in a 20-letter key 90.
TITLE_MIN_RATIO = 90.0

#: Candidate pairs at least this similar (``fuzz.ratio`` on title keys) are scored in full and,
#: when not merged, reported as near misses. ``Towards X``/``X`` and ``X v2: Y``/``X: Y`` for
#: typical titles score 85-95; the closest distinct shipped titles score 74.
NEAR_MISS_MIN_RATIO = 80.0

#: Abstracts agree when they share at least this many sentences...
ABSTRACT_MIN_SHARED_SENTENCES = 2
#: ...and the longer one has at most this many sentences not in the other ("revised by one
#: sentence": one changed, added or removed). Shipped abstracts have 6-15 sentences, and no
#: two different shipped papers share a single one.
ABSTRACT_MAX_CHANGED_SENTENCES = 1
#: ...or, failing the sentence test (e.g. a one-sentence abstract with a typo fixed), when their
#: keys' ``fuzz.ratio`` is at least this. Unrelated English abstracts score 40-60 (different
#: shipped papers: at most 47), so 90 leaves a wide margin.
ABSTRACT_MIN_RATIO = 90.0

#: A title edit outside long words (a letter lost in ``UI-JEPA``, ``KMM``, ``HPC``) still makes
#: a typo when the abstracts are this close: they agree (above) and their keys'
#: ``fuzz.ratio`` is at least this, both being at least :data:`RETITLE_MIN_ABSTRACT_CHARS`
#: long. Different shipped papers score at most 47; an abstract revised by one sentence (one
#: added, removed or replaced) scores 84-97 (the shortest shipped abstracts, 6 sentences,
#: give the low end). The guards (numbers, version words, ``Towards``) still apply.
CLOSE_ABSTRACT_MIN_RATIO = 80.0

#: A retitled paper is recognised by an identical abstract only when the abstract is at least
#: this long: placeholder abstracts ("Abstract.", "TBD") must not merge different titles. The
#: shortest shipped abstract has 1,358 characters.
RETITLE_MIN_ABSTRACT_CHARS = 200

#: Blocking: every pair of a title's 4 rarest tokens is a block key. Two edits touch at most
#: two tokens per title, so the two rarest *shared* tokens are among both titles' 4 rarest.
BLOCK_PAIR_TOKENS = 4
#: Also each of the 3 rarest tokens alone, when its document frequency is at most 64: cheap
#: (blocks stay small) and finds near misses whose token counts differ (``Towards X``/``X``).
BLOCK_SINGLE_TOKENS = 3
BLOCK_SINGLE_MAX_DF = 64
#: Titles of at most 3 tokens may share fewer than 2 tokens with their typo, so they are also
#: blocked on every token, among short titles only (a few percent of all titles).
SHORT_TITLE_TOKENS = 3
#: Above this block size, candidates are scored with ``rapidfuzz.process.extract`` (a C loop).
_BLOCK_C_LOOP = 16

#: The report lists at most this many closest pairs that were kept apart.
MAX_NEAR_MISSES = 50

#: Whole words that mark a version or variant of a paper: titles must agree on them.
VERSION_WORDS = frozenset(
    {"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii"}
    | {"plus", "pro", "lite", "mini", "nano", "tiny", "turbo", "next", "xl", "xxl"}
)
#: A leading word that makes a different (position) paper: "Towards X" is not "X".
HEDGE_WORDS = frozenset({"toward", "towards"})

Kind = Literal["canonical", "arxiv", "exact", "fuzzy", "retitled", "override"]


# --- records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spelling:
    """One spelling of a merged paper's title, where it was read and how it joined the group.

    ``how`` is ``canonical`` for the chosen title; otherwise the spelling joined the group
    through ``matched`` (another spelling of the group) by the same ``arxiv`` id, ``exact``
    title key, ``fuzzy`` title and abstract similarity, ``retitled`` (identical abstract) or a
    reviewer ``override``.
    Scores are ``fuzz.ratio`` values 0-100 (``None`` where not applicable).
    """

    title: str
    sources: tuple[Source, ...]
    how: Kind
    matched: str | None = None
    title_score: float | None = None
    abstract_score: float | None = None


@dataclass(frozen=True, slots=True)
class MergeGroup:
    """A paper read more than once or under more than one spelling."""

    key: str
    title: str
    spellings: tuple[Spelling, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """How the spellings were merged, without repeats, e.g. ``("exact", "fuzzy")``."""
        return tuple(dict.fromkeys(s.how for s in self.spellings if s.how != "canonical"))

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(sorted(s for sp in self.spellings for s in sp.sources))


@dataclass(frozen=True, slots=True)
class NearMiss:
    """A close candidate pair that was kept apart, and why."""

    title_a: str
    title_b: str
    title_score: float
    abstract_score: float
    reason: str


@dataclass(frozen=True, slots=True)
class DedupeResult(Sequence[Cluster]):
    """Clusters sorted by key, the merge report and override problems.

    Behaves as the sequence of its clusters, so callers of the earlier ``dedupe`` that
    returned a list keep working.
    """

    clusters: tuple[Cluster, ...]
    merges: tuple[MergeGroup, ...] = ()
    kept_apart: tuple[NearMiss, ...] = ()
    problems: tuple[Problem, ...] = ()

    def __len__(self) -> int:
        return len(self.clusters)

    @overload
    def __getitem__(self, index: int) -> Cluster: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Cluster]: ...
    def __getitem__(self, index: int | slice) -> Cluster | Sequence[Cluster]:
        return self.clusters[index]

    def __iter__(self) -> Iterator[Cluster]:
        return iter(self.clusters)


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


def _trusted(ordered: Sequence[Entry]) -> Sequence[Entry]:
    """The entries of the most trusted origin present (all of them for listings only)."""
    first = ordered[0].origin
    if all(e.origin == first for e in ordered):
        return ordered
    best = min(PRECEDENCE[e.origin] for e in ordered)
    return [e for e in ordered if PRECEDENCE[e.origin] == best]


def _title_and_abstract(ordered: Sequence[Entry]) -> tuple[str, str]:
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
    )
    return NO_METADATA if combined == NO_METADATA else combined


def cluster(entries: Sequence[Entry]) -> Cluster:
    """Fold the entries of one paper into a cluster."""
    ordered = sorted(entries, key=lambda e: e.source)
    title, abstract = _title_and_abstract(ordered)
    aliases = tuple(dict.fromkeys(e.title for e in ordered if e.title != title))
    return Cluster(
        key=_key(title),
        title=title,
        abstract=abstract,
        aliases=aliases,
        sources=tuple(e.source for e in ordered),
        meta=combine(ordered),
        keys=frozenset(_key(e.title) for e in ordered),
    )


# --- text features --------------------------------------------------------------------------

_ASCII_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ASCII_TOKEN = re.compile(r"[0-9a-z]+")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NON_WORD = re.compile(r"[\W_]+")


def _unescape(title: str) -> str:
    """``title`` with HTML entities decoded (the very same string when it has none)."""
    if "&" not in title:
        return title
    plain = html.unescape(title)
    return plain if plain != title else title


def _key(title: str) -> str:
    """:func:`title_key`, with a fast path for ASCII titles that gives the same result."""
    if title.isascii():
        key = _ASCII_NON_ALNUM.sub("", title.lower())
        if key:
            return key
    return title_key(title)


def _tokens(title: str) -> tuple[str, ...]:
    """The title's words as :func:`title_key` sees them, each in American spelling
    (:func:`_american`); without British spellings they concatenate to its key."""
    if title.isascii():
        return tuple(map(_american, _ASCII_TOKEN.findall(title.lower())))
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", title).casefold())
    chars = []
    for c in folded:
        if unicodedata.combining(c):
            continue
        chars.append(c if c.isalnum() else " ")
    return tuple(map(_american, "".join(chars).split()))


#: British spellings, as whole (lowercase) words, and their American replacement: ``-ise``,
#: ``-isation``, ``-yse``, ``-our``, ``-tre``, ``-ll-`` of a few verbs, ``-ogue``,
#: ``-ence``, ``programme``. Titles are compared in American spelling, so ``Quantisation
#: Favours`` is no edit away from ``Quantization Favors``; a word spelt so on both sides
#: (``noise``, ``precise``) becomes the same non-word on both, which changes nothing.
_BRITISH = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"^([a-z]{3,})is(e|es|ed|ing|ation|ations|er|ers)$", r"\1iz\2"),
        (r"^([a-z]{3,})ys(e|es|ed|ing|er|ers)$", r"\1yz\2"),
        (
            r"^(behavi|col|fav|neighb|hum|lab|harb|flav|rum|vap|hon|od|endeav|arm|sav|vig"
            r"|rig|tum)our(s|al|ally|ed|ing|ite|ites|hood|hoods|less)?$",
            r"\1or\2",
        ),
        (r"^(cent|met|lit|theat|fib|calib|spect|somb|lust|meag)re(s|d)?$", r"\1er\2"),
        (
            r"^(model|label|travel|signal|cancel|level|fuel|channel|tunnel|funnel|marshal"
            r"|total|counsel|dial|enrol)l(ing|ed|er|ers)$",
            r"\1\2",
        ),
        (r"^(catal|dial|anal|monol|prol|epil)ogue(s)?$", r"\1og\2"),
        (r"^(defen|licen|offen|preten)ce(s)?$", r"\1se\2"),
        (r"^programme(s)?$", r"program\1"),
    )
)
#: Every British word above ends so: other words skip the patterns.
_BRITISH_ENDS = (
    *("ise", "ises", "ised", "ising", "isation", "isations", "iser", "isers"),
    *("yse", "yses", "ysed", "ysing", "yser", "ysers"),
    *("our", "ours", "oural", "ourally", "oured", "ouring", "ourite", "ourites"),
    *("ourhood", "ourhoods", "ourless", "tre", "tres", "tred"),
    *("lling", "lled", "ller", "llers", "ogue", "ogues", "nce", "nces", "programme"),
    "programmes",
)


@functools.lru_cache(maxsize=1 << 16)
def _american(token: str) -> str:
    """A (lowercase) word in American spelling: ``optimisation`` -> ``optimization``."""
    if not token.endswith(_BRITISH_ENDS):
        return token
    for pattern, repl in _BRITISH:
        token, changed = pattern.subn(repl, token)
        if changed:
            return token
    return token


def _sentences(abstract: str) -> Counter[str]:
    found = (_NON_WORD.sub("", s.casefold()) for s in _SENTENCE_END.split(abstract))
    return Counter(s for s in found if s)


def _abstracts(a: str, b: str) -> tuple[bool, float]:
    """Whether two abstracts are the same paper's, and their similarity 0-100."""
    if a == b:
        return True, 100.0
    key_a, key_b = _NON_WORD.sub("", a.casefold()), _NON_WORD.sub("", b.casefold())
    score = round(fuzz.ratio(key_a, key_b), 1)
    if key_a == key_b:
        return True, score
    sa, sb = _sentences(a), _sentences(b)
    shared = sum((sa & sb).values())
    only_a, only_b = sum(sa.values()) - shared, sum(sb.values()) - shared
    # One sentence rewritten may also swallow or split a neighbour (a lost full stop), so the
    # change counts on the side where it is smaller.
    if (
        shared >= ABSTRACT_MIN_SHARED_SENTENCES
        and min(only_a, only_b) <= ABSTRACT_MAX_CHANGED_SENTENCES
        and max(only_a, only_b) <= shared
    ):
        return True, score
    return score >= ABSTRACT_MIN_RATIO, score


@dataclass(slots=True)
class _Node:
    """The entries of one exact title key."""

    index: int
    key: str
    title: str
    abstract: str
    tokens: tuple[str, ...]
    token_set: frozenset[str]
    entries: list[Entry]
    match: str = ""
    """The key titles are compared by: the :attr:`tokens` of the title with HTML entities
    decoded (``&amp;``, ``&#39;``, ``&nbsp;``), in American spelling, concatenated."""
    plain: str = ""
    """The title with HTML entities decoded."""

    def __post_init__(self) -> None:
        self.match = self.match or self.key
        self.plain = self.plain or self.title


def _digits(tokens: Sequence[str]) -> list[str]:
    return [run for token in tokens for run in _DIGITS.findall(token)]


#: A version token: ``v2``, ``v10`` (``v1.5`` is ``v1`` and ``5``).
_VERSION_TOKEN = re.compile(r"v\d+")


def _version_words(tokens: Sequence[str]) -> list[str]:
    """Version words and ``v<digits>`` tokens: ``X v2`` is not ``X-2``, though both say 2."""
    return sorted(t for t in tokens if t in VERSION_WORDS or _VERSION_TOKEN.fullmatch(t))


def _head(title: str) -> str | None:
    """The key of the part before the first colon, if the title has one."""
    head, colon, _ = title.partition(":")
    return _key(head) if colon else None


def _version_guard(a: _Node, b: _Node) -> str | None:
    if _digits(a.tokens) != _digits(b.tokens) or _version_words(a.tokens) != _version_words(
        b.tokens
    ):
        return "version/number differs"
    return None


def _long_word_edits(a: _Node, b: _Node, ops: Iterable[Editop]) -> bool:
    """Whether every edit turning ``a.key`` into ``b.key`` falls inside a long word."""
    ends_a = _token_ends(a.tokens)
    ends_b = _token_ends(b.tokens)
    for op in ops:
        tag, src, dest = op.tag, op.src_pos, op.dest_pos
        if tag in ("delete", "replace") and _word_length(a.tokens, ends_a, src) < LONG_WORD_MIN:
            return False
        if tag in ("insert", "replace") and _word_length(b.tokens, ends_b, dest) < LONG_WORD_MIN:
            return False
    return True


def _token_ends(tokens: Sequence[str]) -> list[int]:
    ends, total = [], 0
    for token in tokens:
        total += len(token)
        ends.append(total)
    return ends


def _word_length(tokens: Sequence[str], ends: list[int], position: int) -> int:
    index = bisect_right(ends, position)
    return len(tokens[index]) if index < len(tokens) else 0


def _title_verdict(a: _Node, b: _Node, score: float) -> str | None:
    """``None`` if the titles may be one paper's, else the reason they are not."""
    guard = _version_guard(a, b)
    if guard:
        return guard
    hedge_a = bool(a.tokens) and a.tokens[0] in HEDGE_WORDS
    hedge_b = bool(b.tokens) and b.tokens[0] in HEDGE_WORDS
    if hedge_a != hedge_b:
        return "'Towards' differs"
    distance = Levenshtein.distance(a.match, b.match, score_cutoff=TITLE_MAX_EDITS + 1)
    typo = (
        distance <= TITLE_MAX_EDITS
        and score >= TITLE_MIN_RATIO
        and _long_word_edits(a, b, Levenshtein.editops(a.match, b.match))
    )
    if typo:
        return None
    head_a, head_b = _head(a.plain), _head(b.plain)
    if head_a is not None and head_a == head_b:
        return "same name before the colon, different title"
    return "titles differ by more than a typo"


#: Reasons of :func:`_title_verdict` that no abstract overrules: the guards.
_GUARDS = frozenset({"version/number differs", "'Towards' differs"})


def _close_abstracts(a: _Node, b: _Node) -> tuple[bool, float]:
    """Whether the abstracts are close enough for a small title edit anywhere (and their
    score): both substantial, agreeing as for the fuzzy rule, and scoring at least
    :data:`CLOSE_ABSTRACT_MIN_RATIO`."""
    agree, score = _abstracts(a.abstract, b.abstract)
    long_enough = min(len(a.abstract), len(b.abstract)) >= RETITLE_MIN_ABSTRACT_CHARS
    return agree and long_enough and score >= CLOSE_ABSTRACT_MIN_RATIO, score


def _small_edit(a: _Node, b: _Node) -> bool:
    """At most :data:`TITLE_MAX_EDITS` letters apart, in words of any length."""
    limit = TITLE_MAX_EDITS + 1
    return Levenshtein.distance(a.match, b.match, score_cutoff=limit) <= TITLE_MAX_EDITS


# --- union-find with keep-apart constraints -------------------------------------------------


class _Components:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))
        self.apart: dict[int, set[int]] = {}
        self.ids: dict[int, frozenset[str]] = {}
        """Root -> arXiv ids of its component's entries (roots of components with ids only)."""

    def identify(self, i: int, ids: Iterable[str]) -> None:
        """Record the arXiv ids of node ``i`` (before any union)."""
        self.ids[i] = frozenset(ids)

    def ids_of(self, i: int) -> frozenset[str]:
        return self.ids.get(self.find(i), frozenset())

    def conflict(self, i: int, j: int) -> str | None:
        """Why ``i`` and ``j`` may not be joined automatically, or ``None`` if they may."""
        if self.blocked(i, j):
            return "keep-apart override"
        ids_i, ids_j = self.ids_of(i), self.ids_of(j)
        if ids_i and ids_j and ids_i != ids_j:
            return "different arXiv ids"
        return None

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def forbid(self, i: int, j: int) -> None:
        self.apart.setdefault(i, set()).add(j)
        self.apart.setdefault(j, set()).add(i)

    def blocked(self, i: int, j: int) -> bool:
        """Would joining ``i`` and ``j`` put a keep-apart pair in one component?"""
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        members_i = self._forbidden(ri)
        return any(self.find(x) == rj for x in members_i)

    def _forbidden(self, root: int) -> list[int]:
        return [x for node, xs in self.apart.items() if self.find(node) == root for x in xs]

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return False
        low, high = min(ri, rj), max(ri, rj)
        self.parent[high] = low
        if high in self.ids:
            self.ids[low] = self.ids.get(low, frozenset()) | self.ids.pop(high)
        return True


@dataclass(frozen=True, slots=True)
class _Edge:
    kind: Kind
    a: int
    b: int
    title_score: float | None
    abstract_score: float | None


_EDGE_ORDER = {"override": 0, "fuzzy": 1, "retitled": 2}


# --- the stage ------------------------------------------------------------------------------


def _nodes(entries: Sequence[Entry]) -> list[_Node]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[_key(entry.title)].append(entry)
    nodes: list[_Node] = []
    for index, key in enumerate(sorted(groups)):
        members = groups[key]
        if len(members) == 1:
            (only,) = members
            plain = _unescape(only.title)
            tokens = _tokens(plain)
            nodes.append(
                _Node(
                    index,
                    key,
                    only.title,
                    only.abstract,
                    tokens,
                    frozenset(tokens),
                    members,
                    "".join(tokens) or key,
                    plain,
                )
            )
            continue
        members.sort(key=lambda e: e.source)
        title, abstract = _title_and_abstract(members)
        token_set: set[str] = set()
        for spelling in dict.fromkeys(e.title for e in members):
            token_set.update(_tokens(_unescape(spelling)))
        plain = _unescape(title)
        tokens = _tokens(plain)
        nodes.append(
            _Node(
                index,
                key,
                title,
                abstract,
                tokens,
                frozenset(token_set),
                members,
                "".join(tokens) or key,
                plain,
            )
        )
    return nodes


def _blocks(nodes: Sequence[_Node]) -> list[list[int]]:
    """Candidate blocks (lists of node indices) from each title's rarest tokens."""
    df: Counter[str] = Counter()
    for node in nodes:
        df.update(node.token_set)
    # rank of each token by (document frequency, token): a C-level sort key below
    rank = {token: n for n, token in enumerate(sorted(df, key=lambda t: (df[t], t)))}
    # Block keys: a token pair is a tuple, a rare token a str, a short title's token ("s", t).
    blocks: dict[tuple[str, ...] | str, list[int]] = defaultdict(list)
    for node in nodes:
        rarest = sorted(node.token_set, key=rank.__getitem__)
        index = node.index
        for pair in combinations(sorted(rarest[:BLOCK_PAIR_TOKENS]), 2):
            blocks[pair].append(index)
        for token in rarest[:BLOCK_SINGLE_TOKENS]:
            if 1 < df[token] <= BLOCK_SINGLE_MAX_DF:
                blocks[token].append(index)
        if len(node.tokens) <= SHORT_TITLE_TOKENS:
            for token in sorted(node.token_set):
                blocks[("s", token)].append(index)
    return [members for members in blocks.values() if len(members) > 1]


def _candidates(nodes: Sequence[_Node]) -> dict[tuple[int, int], float]:
    """Node pairs in a common block whose title keys score at least NEAR_MISS_MIN_RATIO."""
    found: dict[tuple[int, int], float] = {}
    for members in _blocks(nodes):
        keys = [nodes[i].match for i in members]
        size = len(members)
        for x in range(size - 1):
            if size - x > _BLOCK_C_LOOP:
                hits = process.extract(
                    keys[x],
                    keys[x + 1 :],
                    scorer=fuzz.ratio,
                    score_cutoff=NEAR_MISS_MIN_RATIO,
                    limit=None,
                )
                scored = [(x + 1 + offset, score) for _, score, offset in hits]
            else:
                scored = []
                for y in range(x + 1, size):
                    score = fuzz.ratio(keys[x], keys[y], score_cutoff=NEAR_MISS_MIN_RATIO)
                    if score:
                        scored.append((y, score))
            for y, score in scored:
                i, j = members[x], members[y]
                found[(min(i, j), max(i, j))] = round(score, 1)
    return found


def _resolve(
    name: str,
    nodes_by_key: Mapping[str, int],
    ids: Mapping[str, str],
    overrides: Overrides,
    problems: list[Problem],
) -> int | None:
    line = getattr(name, "line", None)
    if name in ids:
        node = nodes_by_key.get(ids[name])
        if node is None:
            problems.append(
                Problem(
                    overrides.file,
                    line,
                    f"override names id {str(name)!r}, whose paper is in no listing",
                )
            )
        return node
    node = nodes_by_key.get(_key(name))
    if node is None:
        problems.append(
            Problem(
                overrides.file,
                line,
                f"override names {str(name)!r}, which is neither a paper title in the listings "
                "nor a paper id",
            )
        )
    return node


def dedupe(
    entries: Sequence[Entry],
    overrides: Overrides = NO_OVERRIDES,
    ids: Mapping[str, str] | None = None,
) -> DedupeResult:
    """Group entries into distinct papers; see the module docstring for the rules.

    ``ids`` maps permanent ids to title keys (the permalink registry's rows), so overrides can
    name papers by id. Problems with the overrides are returned, not raised.
    """
    with _gc_paused():
        return _dedupe(entries, overrides, ids or {})


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored afterwards, even on error).

    The stage allocates a few objects per entry and makes no reference cycles, but each
    allocation burst makes the collector rescan every live object, the whole corpus included:
    measured at 100k entries, 6.9 s with the collector on and 3.2 s paused, and the 100k/10k
    time ratio went from 13-14 to 8-9 (``benchmarks/bench_dedupe.py``).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _dedupe(entries: Sequence[Entry], overrides: Overrides, ids: Mapping[str, str]) -> DedupeResult:
    nodes = _nodes(entries)
    by_key = {node.key: node.index for node in nodes}
    problems: list[Problem] = []
    components = _Components(len(nodes))
    edges: list[_Edge] = []
    misses: dict[tuple[int, int], tuple[float, str]] = {}
    by_arxiv = _arxiv_ids(nodes, components, problems)

    # Overrides: keep-apart first (so nothing automatic can join them), then forced merges.
    keep_pairs: list[tuple[int, int, int | None]] = []
    for a_name, b_name in overrides.keep_apart:
        a = _resolve(a_name, by_key, ids, overrides, problems)
        b = _resolve(b_name, by_key, ids, overrides, problems)
        if a is None or b is None:
            continue
        line = getattr(a_name, "line", None)
        if a == b:
            problems.append(
                Problem(
                    overrides.file,
                    line,
                    f"keep_apart: {str(a_name)!r} and {str(b_name)!r} are spellings of the same "
                    "title and cannot be kept apart",
                )
            )
            continue
        components.forbid(a, b)
        keep_pairs.append((a, b, line))

    # One arXiv id, one paper, whatever the titles (unless a reviewer keeps them apart).
    for arxiv in sorted(by_arxiv):
        first, *others = by_arxiv[arxiv]
        for other in others:
            title_score = round(fuzz.ratio(nodes[first].key, nodes[other].key), 1)
            if components.blocked(first, other):
                misses[(first, other)] = (title_score, "keep-apart override")
                continue
            if components.union(first, other):
                abstract_score = _abstracts(nodes[first].abstract, nodes[other].abstract)[1]
                edges.append(_Edge("arxiv", first, other, title_score, abstract_score))

    for group in overrides.merge:
        resolved = [_resolve(name, by_key, ids, overrides, problems) for name in group]
        members = sorted({i for i in resolved if i is not None})
        if None not in resolved and len(members) < len(resolved):
            problems.append(
                Problem(
                    overrides.file,
                    getattr(group[0], "line", None),
                    f"merge: {' and '.join(repr(str(name)) for name in group)} name "
                    f"{'one paper' if len(members) == 1 else 'the same paper more than once'} "
                    "(a title and its id, or two spellings of one title): nothing to merge",
                )
            )
            continue
        if len(members) != len(resolved):
            continue
        for other in members[1:]:
            ids_a, ids_b = components.ids_of(members[0]), components.ids_of(other)
            if ids_a and ids_b and ids_a != ids_b:
                problems.append(
                    Problem(
                        overrides.file,
                        getattr(group[0], "line", None),
                        f"merge: {nodes[members[0]].title!r} and {nodes[other].title!r} have "
                        f"different arXiv ids ({', '.join(sorted(ids_a))} and "
                        f"{', '.join(sorted(ids_b))}), so they are different papers",
                    )
                )
            edges.append(_Edge("override", members[0], other, None, None))
            components.union(members[0], other)
    for a, b, line in keep_pairs:
        if components.find(a) == components.find(b):
            problems.append(
                Problem(
                    overrides.file,
                    line,
                    f"keep_apart: {nodes[a].title!r} and {nodes[b].title!r} are also forced "
                    "together by a merge override",
                )
            )

    # Fuzzy candidates from blocking, and retitled candidates from identical abstracts.
    proposals: dict[tuple[int, int], _Edge] = {}
    for (i, j), score in sorted(_candidates(nodes).items()):
        node_a, node_b = nodes[i], nodes[j]
        reason = _title_verdict(node_a, node_b, score)
        if reason is not None and reason not in _GUARDS and _small_edit(node_a, node_b):
            close, abstract_score = _close_abstracts(node_a, node_b)
            if close:  # a small title edit anywhere, and nine tenths of the abstract
                proposals[(i, j)] = _Edge("fuzzy", i, j, score, abstract_score)
                continue
        if reason is not None:
            misses[(i, j)] = (score, reason)
            continue
        agree, abstract_score = _abstracts(node_a.abstract, node_b.abstract)
        if not agree:
            misses[(i, j)] = (score, "abstracts disagree")
            continue
        proposals[(i, j)] = _Edge("fuzzy", i, j, score, abstract_score)
    same_abstract: dict[str, list[int]] = defaultdict(list)
    for node in nodes:
        if len(node.abstract) >= RETITLE_MIN_ABSTRACT_CHARS:
            same_abstract[node.abstract].append(node.index)
    for members in same_abstract.values():
        for i, j in combinations(members, 2):  # node order, so i < j
            if (i, j) in proposals:
                continue
            score = round(fuzz.ratio(nodes[i].key, nodes[j].key), 1)
            misses.pop((i, j), None)
            proposals[(i, j)] = _Edge("retitled", i, j, score, 100.0)

    ordered = sorted(
        proposals.values(),
        key=lambda e: (_EDGE_ORDER[e.kind], -(e.title_score or 0.0), e.a, e.b),
    )
    for edge in ordered:
        reason = components.conflict(edge.a, edge.b)
        if reason is not None:
            misses[(edge.a, edge.b)] = (edge.title_score or 0.0, reason)
            continue
        if components.union(edge.a, edge.b):
            edges.append(edge)

    return _result(nodes, components, edges, misses, problems)


def _arxiv_ids(
    nodes: Sequence[_Node], components: _Components, problems: list[Problem]
) -> dict[str, list[int]]:
    """Nodes by arXiv id (ascending node order), recorded in ``components``.

    A title key read with two ids is a problem: the registry keys papers by title key, so the
    entries cannot be told apart; the earliest source of each other id names the first one's.
    """
    by_arxiv: dict[str, list[int]] = defaultdict(list)
    for node in nodes:
        seen: dict[str, Source] = {}
        for entry in node.entries:  # sorted by source when there are several
            if entry.meta is not NO_METADATA and entry.meta.arxiv is not None:
                seen.setdefault(entry.meta.arxiv, entry.source)
        if not seen:
            continue
        components.identify(node.index, seen)
        for arxiv in seen:
            by_arxiv[arxiv].append(node.index)
        (first_id, first), *others = sorted(seen.items(), key=lambda pair: pair[1])
        for arxiv, source in others:
            problems.append(
                Problem(
                    source.file,
                    source.line,
                    f"arXiv id {arxiv} differs from {first_id} at {first.file}:{first.line} "
                    "for the same title; papers are keyed by title, so correct the id or the "
                    "title",
                )
            )
    return by_arxiv


def _result(
    nodes: Sequence[_Node],
    components: _Components,
    edges: Sequence[_Edge],
    misses: Mapping[tuple[int, int], tuple[float, str]],
    problems: list[Problem],
) -> DedupeResult:
    groups: dict[int, list[int]] = defaultdict(list)
    for node in nodes:
        groups[components.find(node.index)].append(node.index)
    adjacency: dict[int, list[tuple[int, _Edge]]] = defaultdict(list)
    for edge in edges:
        adjacency[edge.a].append((edge.b, edge))
        adjacency[edge.b].append((edge.a, edge))

    clusters: list[Cluster] = []
    merges: list[MergeGroup] = []
    for members in groups.values():
        if len(members) == 1:
            node = nodes[members[0]]
            entries = node.entries
            item = Cluster(
                key=node.key,
                title=node.title,
                abstract=node.abstract,
                aliases=_aliases(entries, node.title),
                sources=tuple(e.source for e in entries),
                meta=combine(entries),
                keys=frozenset({node.key}),
            )
        else:
            entries = [e for i in members for e in nodes[i].entries]
            item = cluster(entries)
        clusters.append(item)
        if len(entries) > 1:
            merges.append(_merge_group(item, members, nodes, adjacency))
    clusters.sort(key=lambda c: (c.key, c.title))
    merges.sort(key=lambda m: (m.key, m.title))

    # The closest rejected pair of each pair of clusters, closest first.
    closest: dict[tuple[int, int], NearMiss] = {}
    for (i, j), (score, reason) in sorted(misses.items()):
        ri, rj = components.find(i), components.find(j)
        if ri == rj:
            continue
        a, b = sorted((nodes[i].title, nodes[j].title))
        miss = NearMiss(a, b, score, 0.0, reason)
        pair = (min(ri, rj), max(ri, rj))
        if pair not in closest or _miss_order(miss) < _miss_order(closest[pair]):
            closest[pair] = miss
    near = sorted(closest.values(), key=_miss_order)
    near = near[:MAX_NEAR_MISSES]
    abstract_of = {node.title: node.abstract for node in nodes}
    kept = tuple(
        NearMiss(
            m.title_a,
            m.title_b,
            m.title_score,
            _abstracts(abstract_of[m.title_a], abstract_of[m.title_b])[1],
            m.reason,
        )
        for m in near
    )
    return DedupeResult(
        tuple(clusters),
        tuple(merges),
        kept,
        _sorted_problems(problems),
    )


def _aliases(entries: Sequence[Entry], title: str) -> tuple[str, ...]:
    if len(entries) == 1:
        return ()
    return tuple(dict.fromkeys(e.title for e in entries if e.title != title))


def _miss_order(miss: NearMiss) -> tuple[float, str, str, str]:
    return (-miss.title_score, miss.title_a, miss.title_b, miss.reason)


def _sorted_problems(problems: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message)))


def _merge_group(
    item: Cluster,
    members: Sequence[int],
    nodes: Sequence[_Node],
    adjacency: Mapping[int, list[tuple[int, _Edge]]],
) -> MergeGroup:
    """How each spelling joined the group: a breadth-first walk from the canonical title."""
    start = next(i for i in members if nodes[i].key == _key(item.title))
    joined: dict[int, tuple[int, _Edge] | None] = {start: None}
    queue = [start]
    while queue:
        current = queue.pop(0)
        for other, edge in sorted(adjacency.get(current, []), key=lambda pair: pair[0]):
            if other not in joined:
                joined[other] = (current, edge)
                queue.append(other)
    spellings: list[Spelling] = []
    for i in sorted(members, key=lambda i: (i != start, nodes[i].key)):
        node = nodes[i]
        by_title: dict[str, list[Source]] = defaultdict(list)
        for entry in node.entries:
            by_title[entry.title].append(entry.source)
        for title in sorted(by_title, key=lambda t: (t != node.title, min(by_title[t]))):
            sources = tuple(sorted(by_title[title]))
            if title != node.title:
                spellings.append(Spelling(title, sources, "exact", node.title))
            elif i == start:
                spellings.append(Spelling(title, sources, "canonical"))
            else:
                link = joined.get(i)
                if link is None:  # unreachable: every member is joined by some edge
                    spellings.append(Spelling(title, sources, "override"))
                    continue
                parent, edge = link
                spellings.append(
                    Spelling(
                        title,
                        sources,
                        edge.kind,
                        nodes[parent].title,
                        edge.title_score,
                        edge.abstract_score,
                    )
                )
    return MergeGroup(item.key, item.title, tuple(spellings))
