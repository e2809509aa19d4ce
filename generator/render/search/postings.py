"""Postings: which papers (and author pages) each term is in, per field, spelled and cut into
shards. Each field's words become integer codes as they are read (:class:`Vocabulary`), so the
run never holds every word as a string per paper; postings are NumPy arrays, one row per
(term, paper), sorted, gap-encoded and spelled on whole arrays (some 9 million rows at 100k
papers)."""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

import numpy as np
import numpy.typing as npt

from generator.model import Paper
from generator.render.search.codec import encode, utf16
from generator.render.search.words import STOP_WORDS, head, indexed, tokens
from generator.stages.authors import Author

#: Distinct abstract words indexed per paper (the rarest across all papers are kept).
MAX_ABSTRACT_TERMS = 90
#: A term's abstract postings longer than this (characters) are left out (see the format).
ABSTRACT_LIST_CHARS = 10_000

Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Field:
    """One field's postings, as spelled text with a slice per term (by term rank)."""

    text: str
    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    df: npt.NDArray[np.int64]

    def get(self, rank: int) -> str:
        return self.text[self.start[rank] : self.end[rank]]


def field(
    term: npt.NDArray[np.int64],
    item: npt.NDArray[np.int64],
    code: npt.NDArray[np.int64] | None,
    rank: npt.NDArray[np.int64],
    items: int,
) -> Field:
    """Postings of distinct (term, item) rows: sorted by term rank then item, gaps per term,
    each followed by its ``code`` if given, spelled; per term rank, its slice and count."""
    width = rank.size
    if term.size == 0:
        zeros = np.zeros(width, dtype=np.int64)
        return Field("", zeros, zeros, zeros)
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
    return Field(text, start, end, df)


def rows(codes: array[int], ends: array[int]) -> tuple[npt.NDArray[np.int64], ...]:
    """(term, item) per word of ``codes`` (item ``i``'s words end before ``ends[i]``)."""
    term = np.frombuffer(codes, dtype=np.int64).copy() if codes else np.zeros(0, np.int64)
    last = np.frombuffer(ends, dtype=np.int64) if ends else np.zeros(0, np.int64)
    counts = np.diff(np.concatenate([np.zeros(1, np.int64), last]))
    item = np.repeat(np.arange(last.size, dtype=np.int64), counts)
    return term, item


def cuts(sizes: npt.NDArray[np.int64], target: int) -> npt.NDArray[np.int64]:
    """Shard number per entry: consecutive entries of about ``target`` size in all."""
    if sizes.size == 0:
        return np.zeros(0, dtype=np.int64)
    before = np.cumsum(sizes) - sizes
    bins = before // target
    shard: npt.NDArray[np.int64] = np.unique(bins, return_inverse=True)[1].astype(np.int64)
    return shard.reshape(-1)


@dataclass(slots=True)
class Vocabulary:
    """Every field's words as integer codes, item by item, and the sorted vocabulary.

    ``*_codes`` hold the codes of each item's distinct words one item after the other, and
    ``*_ends`` where each item's end. A code is a word's number in order of first sight; stop
    words take the first :attr:`stop` codes, so that one comparison drops them. ``rank`` is
    each code's place in UTF-16 order (as JavaScript compares strings), ``in_order`` the words
    in that order.
    """

    title_codes: array[int]
    title_ends: array[int]
    head_codes: array[int]
    head_owner: array[int]
    head_size: array[int]
    name_codes: array[int]
    name_ends: array[int]
    abstract_codes: array[int]
    abstract_ends: array[int]
    person_codes: array[int]
    person_ends: array[int]
    person_info: array[int]
    stop: int
    rank: Array
    in_order: list[str]

    @property
    def width(self) -> int:
        return max(len(self.in_order), 1)


def vocabulary(ordered: Sequence[Paper], people: Sequence[Author]) -> Vocabulary:
    """Read every title, title head, author list, abstract and author page into codes.

    A missing key takes the counter's next value: no Python code runs per word.
    """
    codes: defaultdict[str, int] = defaultdict(count().__next__)
    stop = len([codes[word] for word in sorted(STOP_WORDS)])
    code = codes.__getitem__
    title_codes, title_ends = array("q"), array("q")
    head_codes, head_owner, head_size = array("q"), array("q"), array("q")
    name_codes, name_ends = array("q"), array("q")
    abstract_codes, abstract_ends = array("q"), array("q")
    for number, paper in enumerate(ordered):
        title = paper.title
        title_codes.extend(map(code, dict.fromkeys(tokens(title))))
        title_ends.append(len(title_codes))
        if ":" in title and (named := head(title)):
            words = indexed(named)
            head_codes.extend(map(code, words))
            head_owner.extend([number] * len(words))
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
    spelled = list(codes)
    rank = np.empty(len(spelled), dtype=np.int64)
    rank[sorted(range(len(spelled)), key=lambda i: utf16(spelled[i]))] = np.arange(len(spelled))
    in_order = [spelled[i] for i in np.argsort(rank).tolist()]
    return Vocabulary(
        title_codes,
        title_ends,
        head_codes,
        head_owner,
        head_size,
        name_codes,
        name_ends,
        abstract_codes,
        abstract_ends,
        person_codes,
        person_ends,
        person_info,
        stop,
        rank,
        in_order,
    )


def title_postings(words: Vocabulary, n: int) -> tuple[Array, Array, Array, Array]:
    """Title (term, paper) rows without stop words, each posting's code, and title lengths.

    A title posting's code is the title's length (indexed words, at most 31), plus 32 times the
    length of its head when the term is in the head.
    """
    width = words.width
    title_term, title_paper = rows(words.title_codes, words.title_ends)
    kept = title_term >= words.stop
    title_term, title_paper = title_term[kept], title_paper[kept]
    title_lengths = np.minimum(np.bincount(title_paper, minlength=n), 31)
    info = title_lengths[title_paper]
    if words.head_codes:
        owner = np.frombuffer(words.head_owner, np.int64)
        keys = owner * width + np.frombuffer(words.head_codes, np.int64)
        order = np.argsort(keys, kind="stable")
        heads, sizes = keys[order], np.frombuffer(words.head_size, np.int64)[order]
        pairs = title_paper * width + title_term
        at = np.minimum(np.searchsorted(heads, pairs), heads.size - 1)
        info = info + np.where(heads[at] == pairs, 32 * sizes[at], 0)
    return title_term, title_paper, info, title_lengths


def abstract_postings(
    words: Vocabulary, title_term: Array, title_paper: Array
) -> tuple[Array, Array]:
    """Abstract (term, paper) rows: an abstract's terms that are not in its title, at most
    :data:`MAX_ABSTRACT_TERMS` of them, the rarest first (a stable sort: ties keep the text's
    order)."""
    width = words.width
    term, number = rows(words.abstract_codes, words.abstract_ends)
    kept = term >= words.stop
    term, number = term[kept], number[kept]
    df = np.bincount(term, minlength=width)  # papers whose abstract has it
    if title_term.size and term.size:
        titled = np.sort(title_paper * width + title_term)
        keys = number * width + term
        nearest = titled[np.minimum(np.searchsorted(titled, keys), titled.size - 1)]
        extra = nearest != keys
        term, number = term[extra], number[extra]
    order = np.argsort(number * (int(df.max(initial=0)) + 1) + df[term], kind="stable")
    term, number = term[order], number[order]
    kept = np.arange(number.size) - np.searchsorted(number, number) < MAX_ABSTRACT_TERMS
    return term[kept], number[kept]


def fields(words: Vocabulary, n: int, people: int) -> tuple[dict[str, Field], Array]:
    """Every field's postings (``t`` titles, ``u`` author names of papers, ``b`` abstracts,
    ``e`` author pages) by term rank, and the title lengths (BM25's field lengths)."""
    title_term, title_paper, info, title_lengths = title_postings(words, n)
    name_term, name_paper = rows(words.name_codes, words.name_ends)
    person_term, person_number = rows(words.person_codes, words.person_ends)
    pinfo = (
        np.frombuffer(words.person_info, dtype=np.int64).copy()
        if words.person_info
        else np.zeros(0, np.int64)
    )
    term, number = abstract_postings(words, title_term, title_paper)
    # The codes are rows now: let them go before the postings are spelled (peak memory).
    for name in ("title_codes", "head_codes", "name_codes", "abstract_codes", "person_codes"):
        setattr(words, name, array("q"))
    rank = words.rank
    return {
        "t": field(title_term, title_paper, info, rank, n),
        "u": field(name_term, name_paper, None, rank, n),
        "b": field(term, number, None, rank, n),
        "e": field(person_term, person_number, pinfo, rank, people),
    }, title_lengths
