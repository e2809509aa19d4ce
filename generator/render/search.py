"""Search stage: papers, topics and authors -> a sharded search index, loaded piece by piece.

Material's own search builds a lunr index in the browser on every page load and does not work
from ``file://``. paperkb ships a prebuilt index instead, split into small plain scripts under
``search/`` that ``docs/assets/javascripts/paperkb-search.js`` loads on demand by injecting
``<script>`` tags (they work from ``file://``: no fetch, no WebAssembly, no worker). Each file
calls ``paperkbSearch.add(name, data)`` and is kept for the rest of the page's life. A query
loads the small ``meta.js``, the term shards of its words, and the result rows of the results
it shows: at 100,000 papers some tens of KB, where one whole index was 15 MB (issue 19).

Files (every one starts with :func:`header`, then one line ``paperkbSearch.add(...)``):

* ``search/meta.js``: format version, paper count, rows per result shard, the average title
  length (BM25), the first word of every term and lexicon shard but the first (so the browser
  finds a word's shard by binary search), the topics ``[slug, name, papers]``, the author count
  and the stop words.
* ``search/t/<n>.js``: the terms of one range of the sorted vocabulary, cut so that each shard
  holds about :data:`SHARD_CHARS` characters (a term with long postings is a shard alone):
  ``{"w": terms, "t": title postings, "u": author-name postings of papers, "b": abstract
  postings, "e": author pages whose name has the term}``, one string (or, for "b", the
  document frequency when the list was left out, see below) per term.
* ``search/d/<n>.js``: result rows of papers ``n * K .. n * K + K - 1`` (``K`` =
  :data:`DOCS_PER_SHARD`): ``[id, title, date, first authors, one-line snippet, topics]``.
  Papers are numbered newest first (then A-Z), so ties in ranking go to newer papers.
* ``search/a/<n>.js``: author pages ``[id, name, papers]``, :data:`AUTHORS_PER_SHARD` a file.
* ``search/f/<n>.js`` and ``search/r/<n>.js``: the lexicon for typo tolerance, terms of four
  letters or more sorted forwards and sorted by their reversed spelling (stored reversed),
  with document frequencies. A one-letter edit leaves the first half or the second half of a
  word intact, so a query word's 1-edit neighbours are among the terms that share its first
  half (a range of ``f``) or its last half (a range of ``r``): two bounded look-ups.

Postings are runs of numbers in a self-delimiting base 32: a number's last digit is one of
``0-9a-v``, its other digits (most significant first) one of ``A-Zwxyz-_``, so no separator
is needed. Paper numbers are delta-encoded (the gap to the term's previous paper). Title
postings are pairs ``gap, code``: ``code % 32`` is the title's number of distinct indexed words
(capped at 31; BM25's field length, and an exact-title candidate has as many as the query) and
``code // 32`` the length of the title's head (the name before a colon, "Mamba" in "Mamba:
Linear-Time ...") when the term is in a head of 1-3 words, else 0. Author-page postings are
pairs ``gap, number of words in the name``; the others single gaps.

Titles and author names are indexed whole; abstracts contribute their distinct words that are
not in the title, at most :data:`MAX_ABSTRACT_TERMS` of them, the rarest first, and a term's
abstract list is left out when it is longer than :data:`ABSTRACT_LIST_CHARS` characters
(words in more than roughly 5% of abstracts at 100,000 papers: they still count in titles and
names, and their document frequency is kept for scoring). Words are what :func:`tokens` finds;
the browser tokenizes queries the same way (Unicode letters and digits, accents stripped,
lower case). Sorted order is UTF-16 code unit order, as JavaScript compares strings.

The output is a pure function of the papers, topics and authors: the same bytes whatever the
input order or hash seed. Titles, abstracts and names are untrusted: every file is JSON with
``<``, ``>``, ``&`` and the JavaScript line separators escaped, so no input can end the script
or the string it is in.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import count

import numpy as np
import numpy.typing as npt

from generator import layout
from generator.model import UNSORTED, Paper, Topic
from generator.render.rows import first_authors
from generator.stages.authors import Author, collect_authors
from generator.text.dates import date_label, listing_date_key
from generator.text.folding import sort_key
from generator.text.words import ENGLISH_STOP_WORDS, SHORT_WORDS

#: The folder of every search file, docs-relative (layout.SEARCH_DIR, a generated folder).
SEARCH_ROOT = layout.SEARCH_DIR
#: The small file the browser loads first.
META_FILE = f"{SEARCH_ROOT}/meta.js"
#: The global whose ``add`` every search file calls; paperkb-search.js defines it.
GLOBAL_NAME = "paperkbSearch"
#: Format version; paperkb-search.js refuses an index of another version.
FORMAT_VERSION = 2
#: Distinct abstract words indexed per paper (the rarest across all papers are kept).
MAX_ABSTRACT_TERMS = 90
#: A term's abstract postings longer than this (characters) are left out (see above).
ABSTRACT_LIST_CHARS = 10_000
#: Target size of a term shard, in characters (about a third of that gzipped).
SHARD_CHARS = 12_000
#: Target size of a lexicon shard, in characters.
LEXICON_CHARS = 12_000
#: Result rows per ``search/d`` file, and author pages per ``search/a`` file.
DOCS_PER_SHARD = 16
AUTHORS_PER_SHARD = 64
#: A one-line snippet is cut at about this many characters (the authors of a result row are
#: those of a list's row: :func:`generator.render.rows.first_authors`).
SNIPPET_CHARS = 140
#: Title heads (the name before a colon) of at most this many words are paper names.
MAX_HEAD_WORDS = 3
#: Lexicon terms are at least this long (typos are tolerated in words of five letters or more).
LEXICON_MIN_LENGTH = 4


def header() -> str:
    """The first line of every generated search file: a comment carrying the marker."""

    return (
        f"/* {layout.MARKER_TEXT}, it is overwritten on every run. Search index of paperkb, "
        "read by assets/javascripts/paperkb-search.js. */\n"
    )


#: Common English words that carry no meaning for search, and the short function words a query
#: never needs (:data:`generator.text.words.SHORT_WORDS`). Kept short on purpose: a word here
#: can never be searched for (the exact title match still sees them).
STOP_WORDS = ENGLISH_STOP_WORDS | SHORT_WORDS

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
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")


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


def js_json(value: object) -> str:
    """Compact JSON that is also safe inside a script: no ``</script>``, no line separators."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _JS_UNSAFE.sub(lambda m: _JS_ESCAPES[m.group()], raw)


#: Digits of the self-delimiting base 32: a number's last digit, and its other digits.
LAST_DIGITS = "0123456789abcdefghijklmnopqrstuv"
MORE_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"
_LAST = np.frombuffer(LAST_DIGITS.encode("ascii"), dtype=np.uint8)
_MORE = np.frombuffer(MORE_DIGITS.encode("ascii"), dtype=np.uint8)


def encode_number(number: int) -> str:
    """One number in the self-delimiting base 32 (the definition :func:`encode` vectorizes)."""
    out = LAST_DIGITS[number & 31]
    number >>= 5
    while number:
        out = MORE_DIGITS[number & 31] + out
        number >>= 5
    return out


def decode_numbers(text: str) -> list[int]:
    """The numbers of a self-delimiting base-32 string (what the browser does)."""
    numbers, value = [], 0
    for char in text:
        digit = LAST_DIGITS.find(char)
        if digit >= 0:
            numbers.append(value * 32 + digit)
            value = 0
        else:
            value = value * 32 + MORE_DIGITS.index(char)
    return numbers


def encode(values: npt.NDArray[np.int64]) -> tuple[str, npt.NDArray[np.int64]]:
    """``values`` spelled one after the other, and the end of each in the string.

    Made as one byte array, digit place by digit place: Python would make a string per number
    (millions at 100k papers).
    """
    if values.size == 0:
        return "", np.zeros(0, dtype=np.int64)
    digits = np.ones(values.size, dtype=np.int64)
    power = 32
    top = int(values.max())
    while power <= top:
        digits += values >= power
        power *= 32
    ends = np.cumsum(digits)
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    last = ends - 1
    out[last] = _LAST[values & 31]
    rest = values >> 5
    for place in range(1, int(digits.max())):
        has = digits > place
        out[last[has] - place] = _MORE[rest[has] & 31]
        rest >>= 5
    return out.tobytes().decode("ascii"), ends


def _utf16(word: str) -> bytes:
    return word.encode("utf-16-be")


@dataclass(frozen=True, slots=True)
class _Field:
    """One field's postings, as spelled text with a slice per term (by term rank)."""

    text: str
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    df: npt.NDArray[np.int64]

    def get(self, rank: int) -> str:
        return self.text[self.start[rank] : self.end[rank]]


def _field(
    term: npt.NDArray[np.int64],
    item: npt.NDArray[np.int64],
    code: npt.NDArray[np.int64] | None,
    rank: npt.NDArray[np.int64],
    items: int,
) -> _Field:
    """Postings of distinct (term, item) rows: sorted by term rank then item, gaps per term,
    each followed by its ``code`` if given, spelled; per term rank, its slice and count."""
    width = rank.size
    if term.size == 0:
        zeros = np.zeros(width, dtype=np.int64)
        return _Field("", zeros, zeros, zeros)
    ranks = rank[term]
    order = np.argsort(ranks * max(items, 1) + item, kind="stable")
    ranks, item = ranks[order], item[order]
    starts = np.ones(ranks.size, dtype=bool)
    starts[1:] = ranks[1:] != ranks[:-1]
    gaps = item.copy()
    gaps[1:] -= np.where(starts[1:], 0, item[:-1])
    if code is None:
        values, per = gaps, 1
    else:
        values = np.empty(gaps.size * 2, dtype=np.int64)
        values[0::2], values[1::2] = gaps, code[order]
        per = 2
    text, ends = encode(values)
    first = np.flatnonzero(starts)
    present = ranks[first]
    counts = np.diff(np.append(first, ranks.size))
    begin = np.concatenate([np.zeros(1, np.int64), ends])[first * per]
    finish = ends[(first + counts) * per - 1]
    start = np.zeros(width, dtype=np.int64)
    end = np.zeros(width, dtype=np.int64)
    df = np.zeros(width, dtype=np.int64)
    start[present], end[present], df[present] = begin, finish, counts
    return _Field(text, start, end, df)


def _rows(codes: array[int], ends: array[int]) -> tuple[npt.NDArray[np.int64], ...]:
    """(term, item) per word of ``codes`` (item ``i``'s words end before ``ends[i]``)."""
    term = np.frombuffer(codes, dtype=np.int64).copy() if codes else np.zeros(0, np.int64)
    last = np.frombuffer(ends, dtype=np.int64) if ends else np.zeros(0, np.int64)
    counts = np.diff(np.concatenate([np.zeros(1, np.int64), last]))
    item = np.repeat(np.arange(last.size, dtype=np.int64), counts)
    return term, item


def _cuts(sizes: npt.NDArray[np.int64], target: int) -> npt.NDArray[np.int64]:
    """Shard number per entry: consecutive entries of about ``target`` size in all."""
    if sizes.size == 0:
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(sizes) - sizes
    bins = before // target
    shard: npt.NDArray[np.int64] = np.unique(bins, return_inverse=True)[1].astype(np.int64)
    return shard.reshape(-1)


def paper_date(
    paper: Paper, key_of: Callable[[str | None], tuple[int, int, int]] = listing_date_key
) -> tuple[int, int, int]:
    """The newest date a paper is known by (listing dates and published date), as a key."""
    return max(map(key_of, (*paper.dates, paper.meta.published)))


def snippet(abstract: str) -> str:
    """The abstract's first sentence (as :func:`generator.render.lists.gist` finds it), cut at a
    word near :data:`SNIPPET_CHARS` characters."""
    text = " ".join(abstract[: SNIPPET_CHARS + 60].split())
    end = _SENTENCE_END.search(text)
    first = text[: end.start()] if end else text
    if len(first) <= SNIPPET_CHARS:
        return first
    cut = first[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:…") + "…"


def paper_order(
    papers: Iterable[Paper], dates: dict[str, tuple[int, int, int]] | None = None
) -> list[Paper]:
    """Papers as the index numbers them: newest date first, then A-Z, then id."""

    def key(paper: Paper) -> tuple[int, int, int, tuple[str, str], str]:
        year, month, day = dates[paper.id] if dates is not None else paper_date(paper)
        return (-year, -month, -day, sort_key(paper.title), paper.id)

    return sorted(papers, key=key)


def _script(name: str, data: object) -> str:
    return f'{header()}{GLOBAL_NAME}.add("{name}",{js_json(data)});\n'


def render_search(
    papers: Sequence[Paper], topics: Sequence[Topic], authors: Sequence[Author] | None = None
) -> dict[str, str]:
    """The generated files of search, keyed by docs-relative path under ``search/``.

    ``authors`` are the author pages (:func:`generator.stages.authors.collect_authors` of the papers
    when not given).

    Each field's words become integer codes as they are read, so the run never holds every
    word as a string per paper; postings are NumPy arrays, one row per (term, paper), sorted,
    gap-encoded and spelled on whole arrays (some 9 million rows at 100k papers).
    """
    pages = [*topics, UNSORTED]
    topic_number = {t.slug: n for n, t in enumerate(pages)}
    key_of = functools.cache(listing_date_key)  # a few thousand distinct dates at most
    dates = {p.id: paper_date(p, key_of) for p in papers}
    ordered = paper_order(papers, dates)
    people = sorted(
        collect_authors(papers) if authors is None else authors, key=lambda a: (a.key, a.id)
    )

    # A word's code is its number in order of first sight, given by the dict itself (a missing
    # key takes the counter's next value): no Python code runs per word. Stop words take the
    # first codes, so that one comparison drops them.
    codes: defaultdict[str, int] = defaultdict(count().__next__)
    stop = len([codes[word] for word in sorted(STOP_WORDS)])
    code = codes.__getitem__
    title_codes, title_ends = array("q"), array("q")
    head_codes, head_owner, head_size = array("q"), array("q"), array("q")
    name_codes, name_ends = array("q"), array("q")
    abstract_codes, abstract_ends = array("q"), array("q")
    for number_, paper in enumerate(ordered):
        title = paper.title
        title_codes.extend(map(code, dict.fromkeys(tokens(title))))
        title_ends.append(len(title_codes))
        if ":" in title and (named := head(title)):
            words = indexed(named)
            head_codes.extend(map(code, words))
            head_owner.extend([number_] * len(words))
            head_size.extend([len(words)] * len(words))
        if paper.meta.authors:
            name_codes.extend(
                map(code, dict.fromkeys(w for n in paper.meta.authors for w in indexed(n)))
            )
        name_ends.append(len(name_codes))
        abstract_codes.extend(map(code, dict.fromkeys(tokens(paper.abstract))))
        abstract_ends.append(len(abstract_codes))
    person_codes, person_ends, person_info = array("q"), array("q"), array("q")
    for person in people:
        words = indexed(person.name)
        person_codes.extend(map(code, words))
        person_ends.append(len(person_codes))
        person_info.extend([min(len(words), 31)] * len(words))
    words = list(codes)
    del codes
    width = max(len(words), 1)
    rank = np.empty(len(words), dtype=np.int64)
    rank[sorted(range(len(words)), key=lambda i: _utf16(words[i]))] = np.arange(len(words))
    in_order = [words[i] for i in np.argsort(rank).tolist()]

    title_term, title_paper = _rows(title_codes, title_ends)
    kept = title_term >= stop
    title_term, title_paper = title_term[kept], title_paper[kept]
    n = len(ordered)
    # A title posting's code: the title's length (indexed words, at most 31), plus 32 times
    # the length of its head when the term is in the head.
    title_lengths = np.minimum(np.bincount(title_paper, minlength=n), 31)
    info = title_lengths[title_paper]
    if head_codes:
        keys = np.frombuffer(head_owner, np.int64) * width + np.frombuffer(head_codes, np.int64)
        order = np.argsort(keys, kind="stable")
        heads, sizes = keys[order], np.frombuffer(head_size, np.int64)[order]
        pairs = title_paper * width + title_term
        at = np.minimum(np.searchsorted(heads, pairs), heads.size - 1)
        info = info + np.where(heads[at] == pairs, 32 * sizes[at], 0)
        del keys, order, heads, sizes, pairs, at
    name_term, name_paper = _rows(name_codes, name_ends)
    person_term, person_number = _rows(person_codes, person_ends)
    pinfo = np.frombuffer(person_info, dtype=np.int64) if person_info else np.zeros(0, np.int64)
    term, number = _rows(abstract_codes, abstract_ends)
    del title_codes, abstract_codes, name_codes, person_codes
    kept = term >= stop
    term, number = term[kept], number[kept]
    df = np.bincount(term, minlength=width)  # papers whose abstract has it
    # An abstract's terms that are not in its title, at most MAX_ABSTRACT_TERMS of them, the
    # rarest first; the sort is stable, so ties keep the text's order.
    if title_term.size and term.size:
        titled = np.sort(title_paper * width + title_term)
        keys = number * width + term
        nearest = titled[np.minimum(np.searchsorted(titled, keys), titled.size - 1)]
        extra = nearest != keys
        term, number = term[extra], number[extra]
        del titled, keys, nearest, extra
    order = np.argsort(number * (int(df.max(initial=0)) + 1) + df[term], kind="stable")
    term, number = term[order], number[order]
    kept = np.arange(number.size) - np.searchsorted(number, number) < MAX_ABSTRACT_TERMS
    term, number = term[kept], number[kept]
    del order, kept

    fields = {
        "t": _field(title_term, title_paper, info, rank, n),
        "u": _field(name_term, name_paper, None, rank, n),
        "b": _field(term, number, None, rank, n),
        "e": _field(person_term, person_number, pinfo, rank, len(people)),
    }
    lengths = {key: field.end - field.start for key, field in fields.items()}
    dropped = lengths["b"] > ABSTRACT_LIST_CHARS
    lengths["b"] = np.where(dropped, 6, lengths["b"])
    present = sum((f.df > 0).astype(np.int64) for f in fields.values())
    size = sum(lengths.values()) + np.array([len(w) for w in in_order], np.int64) + 14
    size = np.where(present > 0, size, 0)
    used = np.flatnonzero(present > 0)  # ranks of terms with postings
    shard = _cuts(size[used], SHARD_CHARS)

    files: dict[str, str] = {}
    firsts: list[str] = []
    bounds = np.flatnonzero(np.diff(shard, prepend=-1)) if used.size else np.zeros(0, np.int64)
    for number_, begin in enumerate(bounds.tolist()):
        finish = bounds[number_ + 1] if number_ + 1 < bounds.size else used.size
        ranks = used[begin:finish].tolist()
        if number_:
            firsts.append(in_order[ranks[0]])
        data: dict[str, list[object]] = {
            "w": [in_order[r] for r in ranks],
            "t": [fields["t"].get(r) for r in ranks],
            "u": [fields["u"].get(r) for r in ranks],
            "b": [int(fields["b"].df[r]) if dropped[r] else fields["b"].get(r) for r in ranks],
            "e": [fields["e"].get(r) for r in ranks],
        }
        files[f"{SEARCH_ROOT}/t/{number_}.js"] = _script(f"t/{number_}", data)

    # The lexicon: terms of four letters or more, with their document frequency in any field.
    total = fields["t"].df + fields["u"].df + fields["b"].df + fields["e"].df
    lexicon = [r for r in used.tolist() if len(in_order[r]) >= LEXICON_MIN_LENGTH]
    lex_firsts: dict[str, list[str]] = {}
    forward = [(in_order[r], int(total[r])) for r in lexicon]  # in sorted order already
    backward = sorted(((w[::-1], c) for w, c in forward), key=_lex_key)
    for kind, entries in (("f", forward), ("r", backward)):
        sizes = np.array([len(w) + 3 for w, _ in entries], dtype=np.int64)
        lex_shard = _cuts(sizes, LEXICON_CHARS)
        starts = np.flatnonzero(np.diff(lex_shard, prepend=-1)).tolist()
        lex_firsts[kind] = [entries[s][0] for s in starts[1:]]
        for number_, begin in enumerate(starts):
            finish = starts[number_ + 1] if number_ + 1 < len(starts) else len(entries)
            chunk = entries[begin:finish]
            files[f"{SEARCH_ROOT}/{kind}/{number_}.js"] = _script(
                f"{kind}/{number_}",
                {
                    "w": " ".join(w for w, _ in chunk),
                    "n": "".join(encode_number(c) for _, c in chunk),
                },
            )

    per_topic = [0] * len(pages)
    for paper in ordered:
        for slug in paper.topics or (UNSORTED.slug,):
            per_topic[topic_number[slug]] += 1
    label = functools.cache(date_label)
    numbers = functools.cache(lambda slugs: [topic_number[s] for s in slugs or (UNSORTED.slug,)])
    for start in range(0, n, DOCS_PER_SHARD):
        rows = [
            [
                p.id,
                p.title,
                label(dates[p.id]),
                first_authors(p) if p.meta.authors else "",
                snippet(p.abstract),
                numbers(p.topics),
            ]
            for p in ordered[start : start + DOCS_PER_SHARD]
        ]
        name = f"d/{start // DOCS_PER_SHARD}"
        files[f"{SEARCH_ROOT}/{name}.js"] = _script(name, rows)
    for start in range(0, len(people), AUTHORS_PER_SHARD):
        pages_ = [[a.id, a.name, len(a.papers)] for a in people[start : start + AUTHORS_PER_SHARD]]
        name = f"a/{start // AUTHORS_PER_SHARD}"
        files[f"{SEARCH_ROOT}/{name}.js"] = _script(name, pages_)

    meta = {
        "version": FORMAT_VERSION,
        "docs": n,
        "perDoc": DOCS_PER_SHARD,
        "authors": len(people),
        "perAuthor": AUTHORS_PER_SHARD,
        "titleLength": round(float(title_lengths.mean()), 3) if n else 1.0,
        "t": firsts,
        "f": lex_firsts["f"],
        "r": lex_firsts["r"],
        "topics": [[t.slug, t.name, per_topic[k]] for k, t in enumerate(pages)],
        "stop": " ".join(sorted(STOP_WORDS)),
    }
    files[META_FILE] = _script("meta", meta)
    return dict(sorted(files.items()))


def _lex_key(entry: tuple[str, int]) -> bytes:
    return _utf16(entry[0])
