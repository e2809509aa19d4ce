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
from collections import Counter, defaultdict
from collections.abc import Sequence

from generator import render
from generator.model import UNSORTED, Paper, Topic
from generator.words import ENGLISH_STOP_WORDS

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
    """The words of ``value`` in order: runs of Unicode letters and digits, folded."""
    return _WORD.findall(fold(value))


def _terms(value: str) -> list[str]:
    """Distinct indexable words of ``value`` (no stop words), in order of first occurrence."""
    return [t for t in dict.fromkeys(tokens(value)) if t not in STOP_WORDS]


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


def build_index(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, object]:
    """The index as plain data (see the module docstring for the format)."""

    pages = [*topics, UNSORTED]
    topic_number = {t.slug: n for n, t in enumerate(pages)}
    ordered = sorted(papers, key=lambda p: (*render.sort_key(p.title), p.id))

    title_terms = [_terms(p.title) for p in ordered]
    abstract_terms = [_terms(p.abstract) for p in ordered]
    df = Counter(t for terms in abstract_terms for t in terms)
    # A posting is ``number << 1 | in_title``; each paper's postings are added in paper order.
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for number, (in_title, in_abstract) in enumerate(zip(title_terms, abstract_terms, strict=True)):
        title_set = set(in_title)
        extra = [t for t in in_abstract if t not in title_set]
        if len(extra) > MAX_ABSTRACT_TERMS:  # rarest first; stable, so ties keep text order
            extra = sorted(extra, key=df.__getitem__)[:MAX_ABSTRACT_TERMS]
        code = number << 1
        for term in in_title:
            postings[term].append(code | 1)
        for term in extra:
            postings[term].append(code)

    terms = sorted(postings)
    encoded = []
    for term in terms:
        previous = 0
        parts = []
        for code in postings[term]:
            parts.append(_base36(code - previous))  # (number - previous) << 1 | in_title
            previous = code & ~1
        encoded.append(",".join(parts))

    return {
        "version": FORMAT_VERSION,
        "stop": " ".join(sorted(STOP_WORDS)),
        "topics": [[t.slug, t.name] for t in pages],
        "docs": [
            [p.id, p.title, [topic_number[s] for s in p.topics or (UNSORTED.slug,)]]
            for p in ordered
        ],
        "terms": " ".join(terms),
        "postings": ";".join(encoded),
    }


def render_search(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, str]:
    """The generated files of search, keyed by docs-relative path under ``search/``."""
    index = js_json(build_index(papers, topics))
    return {INDEX_FILE: f"{header()}window.{GLOBAL_NAME} = {index};\n"}
