"""The words of search: how titles, abstracts, names and queries are split and folded.

The browser does the same to a query (``paperkb-search.js`` mirrors it): Unicode letters and
digits, accents stripped, lower case.
"""

from __future__ import annotations

import re
import unicodedata

from generator.text.words import ENGLISH_STOP_WORDS, SHORT_WORDS

#: Title heads (the name before a colon) of at most this many words are paper names.
MAX_HEAD_WORDS = 3

#: Common English words that carry no meaning for search, and the short function words a query
#: never needs (:data:`generator.text.words.SHORT_WORDS`). Kept short on purpose: a word here
#: can never be searched for (the exact title match still sees them).
STOP_WORDS = ENGLISH_STOP_WORDS | SHORT_WORDS

_WORD = re.compile(r"[^\W_]+")
#: Every byte but an ASCII letter or digit made a space: what `_WORD` splits on, for ASCII.
_ASCII_SPACES = bytes(b if chr(b).isascii() and chr(b).isalnum() else 32 for b in range(256))


def fold(value: str) -> str:
    """Lower case without accents: what the browser's ``fold`` does to queries and titles."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    if decomposed.isascii():  # no combining marks to drop: the common case, 10x faster
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.category(ch).startswith("M"))


def tokens(value: str) -> list[str]:
    """The words of ``value`` in order: runs of Unicode letters and digits, folded.

    ASCII text (nearly all of it) is split by a byte table instead of the Unicode pattern,
    with the same result, four times faster.
    """
    folded = fold(value)
    if folded.isascii():
        return folded.encode("ascii").translate(_ASCII_SPACES).decode("ascii").split()
    return _WORD.findall(folded)


def indexed(value: str) -> list[str]:
    """The distinct words of ``value`` that are indexed (no stop words), in order."""
    return [t for t in dict.fromkeys(tokens(value)) if t not in STOP_WORDS]


def head(title: str) -> str | None:
    """A title's name part, before its first colon ("Mamba" in "Mamba: Linear-Time ..."), if
    it has one of 1 to :data:`MAX_HEAD_WORDS` indexed words."""
    if ":" not in title:
        return None
    part = title.split(":", 1)[0]
    return part if 1 <= len(indexed(part)) <= MAX_HEAD_WORDS else None
