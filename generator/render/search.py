"""Search stage: papers and topics -> a compact, prebuilt search index the browser loads as-is.

Material's own search builds a lunr index in the browser on every page load, from a JSON file
it fetches (or, from ``file://``, from a script plus a Web Worker): seconds at 10,000 papers,
and no search at all when a page is opened from disk. paperkb ships its index prebuilt instead:
``search/index.js`` is one plain script that assigns the index to ``window.paperkbSearch``.
A ``<script>`` tag works from ``file://`` (no fetch, no worker), and the browser only parses it.
``docs/assets/javascripts/paperkb-search.js`` loads it on first use, ranks and renders results
into Material's own search markup.

The format is made to be small (well under 1 KB per paper) and fast to load:

* ``docs``: one ``[id, title, topic numbers]`` per paper, in A-Z order; ``topics``: ``[slug,
  name]`` per topic page. Result URLs are derived from ids and slugs.
* ``terms``: every indexed word, sorted and joined by spaces, so a prefix is a binary search.
* ``postings``: for each term, in the same order, the papers that contain it, joined by ``;``:
  comma-separated base-36 numbers ``delta << 1 | in_title``, where ``delta`` is the gap to the
  previous paper number. The browser only decodes the postings of the terms a query needs.
* ``stop``: the stop words left out of the index (the browser drops them from queries too).

Titles are indexed whole; abstracts contribute their distinct non-stop words, at most
:data:`MAX_ABSTRACT_TERMS` of them, the rarest first. Words are what :func:`tokens` finds; the
browser tokenizes queries the same way (Unicode letters and digits, accents stripped, lower
case).

Titles, abstracts and names are untrusted: the index is JSON with ``<``, ``>``, ``&`` and the
JavaScript line separators escaped, so no input can end the script or the string it is in.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Sequence
from itertools import count

import numpy as np
import numpy.typing as npt

from generator.model import UNSORTED, Paper, Topic
from generator.render import markdown as render
from generator.text.words import ENGLISH_STOP_WORDS

#: The index file, docs-relative (in render.SEARCH_DIR, a generated folder).
INDEX_FILE = "search/index.js"
#: The global the index script assigns; paperkb-search.js reads it.
GLOBAL_NAME = "paperkbSearch"
#: Format version; paperkb-search.js refuses an index of another version.
FORMAT_VERSION = 1
#: Distinct abstract words indexed per paper (the rarest across all papers are kept).
MAX_ABSTRACT_TERMS = 90


def header() -> str:
    """The first line of every generated search file: a comment carrying the marker."""

    return (
        f"/* {render.MARKER_TOKEN}: made by `paperkb generate` from data/; "
        "do not edit, it is overwritten on every run. Search index of paperkb, read by "
        "assets/javascripts/paperkb-search.js. */\n"
    )


#: Common English words that carry no meaning for search. Kept short on purpose: a word here
#: can never be searched for (the exact title match still sees them).
#: English stop words plus the short function words a query never needs.
STOP_WORDS = ENGLISH_STOP_WORDS | frozenset(
    [
        "a",
        "am",
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "he",
        "her",
        "hers",
        "him",
        "his",
        "i",
        "if",
        "in",
        "is",
        "it",
        "may",
        "me",
        "might",
        "must",
        "my",
        "no",
        "nor",
        "of",
        "on",
        "or",
        "shall",
        "she",
        "so",
        "thus",
        "to",
        "up",
        "us",
        "we",
        "whether",
        "yet",
        "yours",
    ]
)

_WORD = re.compile(r"[^\W_]+")
#: Every byte but an ASCII letter or digit made a space: what `_WORD` splits on, for ASCII.
_ASCII_SPACES = bytes(b if chr(b).isascii() and chr(b).isalnum() else 32 for b in range(256))
_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_UNSAFE = re.compile("[<>&\u2028\u2029]")


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


def js_json(value: object) -> str:
    """Compact JSON that is also safe inside a script: no ``</script>``, no line separators."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _JS_UNSAFE.sub(lambda m: _JS_ESCAPES[m.group()], raw)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Base-36 spellings of every number below 36 ** 3, the gaps of all but the rarest terms.
_BASE36: list[str] = [
    *_DIGITS,
    *(a + b for a in _DIGITS[1:] for b in _DIGITS),
    *(a + b + c for a in _DIGITS[1:] for b in _DIGITS for c in _DIGITS),
]


_DIGIT_BYTES = np.frombuffer(_DIGITS.encode("ascii"), dtype=np.uint8)


def _base36(number: int) -> str:
    if number < len(_BASE36):
        return _BASE36[number]
    digits = _DIGITS
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _spell(values: npt.NDArray[np.int64], starts: npt.NDArray[np.bool_]) -> str:
    """``values`` in base 36, each followed by "," or, before a ``starts`` row, by ";".

    Made as one byte array, digit place by digit place: Python would make a string per number
    (9 million at 100k papers).
    """
    if values.size == 0:
        return ""
    digits = np.ones(values.size, dtype=np.int8)
    power = 36
    while power <= values.max():
        digits += values >= power
        power *= 36
    ends = np.cumsum(digits + 1, dtype=np.int64)  # one past each number's separator
    out = np.full(int(ends[-1]), ord(","), dtype=np.uint8)
    out[ends[:-1][starts[1:]] - 1] = ord(";")
    ends -= 2  # the last digit's place
    rest = values.copy()
    for place in range(int(digits.max())):
        has = digits > place
        out[ends[has] - place] = _DIGIT_BYTES[rest[has] % 36]
        rest //= 36
    return out[:-1].tobytes().decode("ascii")


def _rows(
    codes: array[int], ends: array[int], stop: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """(term, paper number) per word of ``codes`` (paper ``i``'s end before ``ends[i]``), minus
    the codes below ``stop``."""
    term = np.frombuffer(codes, dtype=np.int64).astype(np.int32)
    last = np.frombuffer(ends, dtype=np.int64)
    counts = last - np.concatenate([np.zeros(1, np.int64), last[:-1]])
    number = np.repeat(np.arange(len(ends), dtype=np.int32), counts)
    kept = term >= stop
    return term[kept], number[kept]


def build_index(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, object]:
    """The index as plain data (see the module docstring for the format).

    Each paper's words become integer codes as they are read, so the run never holds every
    word as a string; the postings are NumPy arrays, one row per (term, paper), sorted by term
    then paper, gaps and flags computed on whole arrays. At 100k papers there are some 9
    million postings: the first version held a Python int for each (and every word as a
    string), about 800 MB.
    """
    pages = [*topics, UNSORTED]
    topic_number = {t.slug: n for n, t in enumerate(pages)}
    ordered = sorted(papers, key=lambda p: (*render.sort_key(p.title), p.id))

    # A word's code is its number in order of first sight, given by the dict itself (a missing
    # key takes the counter's next value): no Python code runs per word. Stop words take the
    # first codes, so that one comparison drops them.
    codes: defaultdict[str, int] = defaultdict(count().__next__)
    stop = len([codes[word] for word in sorted(STOP_WORDS)])
    code = codes.__getitem__
    title_codes, abstract_codes = array("q"), array("q")
    title_ends, abstract_ends = array("q"), array("q")
    for paper in ordered:
        title_codes.extend(map(code, dict.fromkeys(tokens(paper.title))))
        title_ends.append(len(title_codes))
        abstract_codes.extend(map(code, dict.fromkeys(tokens(paper.abstract))))
        abstract_ends.append(len(abstract_codes))
    words = list(codes)
    del codes
    width = max(len(words), 1)
    title_term, title_paper = _rows(title_codes, title_ends, stop)
    term, number = _rows(abstract_codes, abstract_ends, stop)
    del title_codes, abstract_codes
    df = np.bincount(term, minlength=width).astype(np.int32)  # papers whose abstract has it
    # An abstract's terms that are not in its title, at most MAX_ABSTRACT_TERMS of them, the
    # rarest first; the sort is stable, so ties keep the text's order.
    if title_term.size:
        titled = np.sort(title_paper.astype(np.int64) * width + title_term)
        keys = number.astype(np.int64) * width + term
        nearest = titled[np.minimum(np.searchsorted(titled, keys), titled.size - 1)]
        extra = nearest != keys
        del titled, keys, nearest
        term, number = term[extra], number[extra]
        del extra
    # Rows come in paper order: a stable sort of (paper, df) only reorders within a paper.
    order = np.argsort(
        number.astype(np.int64) * (int(df.max(initial=0)) + 1) + df[term], kind="stable"
    )
    term, number = term[order], number[order]
    del order
    kept = np.arange(number.size) - np.searchsorted(number, number) < MAX_ABSTRACT_TERMS
    term = np.concatenate([title_term, term[kept]])
    number = np.concatenate([title_paper, number[kept]])
    flag = np.zeros(term.size, dtype=np.int8)
    flag[: title_term.size] = 1
    del kept, title_term, title_paper

    # Rows by term (in the terms' string order), then paper: each term's postings in order.
    rank = np.empty(len(words), dtype=np.int64)
    rank[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
    order = np.argsort(rank[term] * max(len(ordered), 1) + number)  # the keys are distinct
    term, number, flag = term[order], number[order], flag[order]
    del order
    starts = np.ones(term.size, dtype=bool)
    starts[1:] = term[1:] != term[:-1]
    values = number.astype(np.int64)
    values[1:] -= np.where(starts[1:], 0, number[:-1])  # the gap to the term's previous paper
    values <<= 1
    values |= flag
    del number, flag
    return {
        "version": FORMAT_VERSION,
        "stop": " ".join(sorted(STOP_WORDS)),
        "topics": [[t.slug, t.name] for t in pages],
        "docs": [
            [p.id, p.title, [topic_number[s] for s in p.topics or (UNSORTED.slug,)]]
            for p in ordered
        ],
        "terms": " ".join([words[i] for i in term[starts].tolist()]),
        "postings": _spell(values, starts),
    }


def render_search(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, str]:
    """The generated files of search, keyed by docs-relative path under ``search/``."""
    index = js_json(build_index(papers, topics))
    return {INDEX_FILE: f"{header()}window.{GLOBAL_NAME} = {index};\n"}
