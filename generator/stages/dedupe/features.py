"""Text features of titles and abstracts, and the verdicts on a pair of spellings."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Editop, Levenshtein

from generator.model import Entry
from generator.stages.dedupe.rules import (
    ABSTRACT_MAX_CHANGED_SENTENCES,
    ABSTRACT_MIN_RATIO,
    ABSTRACT_MIN_SHARED_SENTENCES,
    CLOSE_ABSTRACT_MIN_RATIO,
    HEDGE_WORDS,
    LONG_WORD_MIN,
    RETITLE_MIN_ABSTRACT_CHARS,
    TITLE_MAX_EDITS,
    TITLE_MIN_RATIO,
    VERSION_WORDS,
)
from generator.text.folding import title_key

# --- text features --------------------------------------------------------------------------

_ASCII_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ASCII_TOKEN = re.compile(r"[0-9a-z]+")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NON_WORD = re.compile(r"[\W_]+")


def unescape(title: str) -> str:
    """``title`` with HTML entities decoded (the very same string when it has none)."""
    if "&" not in title:
        return title
    plain = html.unescape(title)
    return plain if plain != title else title


def node_key(title: str) -> str:
    """:func:`title_key`, with a fast path for ASCII titles that gives the same result."""
    if title.isascii():
        key = _ASCII_NON_ALNUM.sub("", title.lower())
        if key:
            return key
    return title_key(title)


def title_tokens(title: str) -> tuple[str, ...]:
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


def abstract_verdict(a: str, b: str) -> tuple[bool, float]:
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
class Node:
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
    return node_key(head) if colon else None


def _version_guard(a: Node, b: Node) -> str | None:
    if _digits(a.tokens) != _digits(b.tokens) or _version_words(a.tokens) != _version_words(
        b.tokens
    ):
        return "version/number differs"
    return None


def _long_word_edits(a: Node, b: Node, ops: Iterable[Editop]) -> bool:
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


def title_verdict(a: Node, b: Node, score: float) -> str | None:
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


#: Reasons of :func:`title_verdict` that no abstract overrules: the guards.
GUARDS = frozenset({"version/number differs", "'Towards' differs"})


def close_abstracts(a: Node, b: Node) -> tuple[bool, float]:
    """Whether the abstracts are close enough for a small title edit anywhere (and their
    score): both substantial, agreeing as for the fuzzy rule, and scoring at least
    :data:`CLOSE_ABSTRACT_MIN_RATIO`."""
    agree, score = abstract_verdict(a.abstract, b.abstract)
    long_enough = min(len(a.abstract), len(b.abstract)) >= RETITLE_MIN_ABSTRACT_CHARS
    return agree and long_enough and score >= CLOSE_ABSTRACT_MIN_RATIO, score


def small_edit(a: Node, b: Node) -> bool:
    """At most :data:`TITLE_MAX_EDITS` letters apart, in words of any length."""
    limit = TITLE_MAX_EDITS + 1
    return Levenshtein.distance(a.match, b.match, score_cutoff=limit) <= TITLE_MAX_EDITS
