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
  finds a word's shard by binary search), the topics ``[slug, name, papers]``, the author count,
  the stop words and the number of facts shards.
* ``search/t/<n>.js``: the terms of one range of the sorted vocabulary, cut so that each shard
  holds about :data:`SHARD_CHARS` characters (a term with long postings is a shard alone):
  ``{"w": terms, "t": title postings, "u": author-name postings of papers, "b": abstract
  postings, "e": author pages whose name has the term}``, one string (or, for "b", the
  document frequency when the list was left out, see below) per term.
* ``search/d/<n>.js``: result rows of papers ``n * K .. n * K + K - 1`` (``K`` =
  :data:`DOCS_PER_SHARD`): the fields of the paper's row in the site's lists and a one-line
  snippet (:func:`generator.render.search.rows.result_row`). Papers are numbered newest first
  (then A-Z), so ties in ranking go to newer papers.
* ``search/p/<n>.js``: what the reading list needs beyond a row to cite a paper, by a hash of
  its id, and the ids that moved (:mod:`generator.render.search.facts`).
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
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from generator import layout
from generator.model import UNSORTED, Paper, Topic
from generator.render.search.codec import encode_number, js_json, utf16
from generator.render.search.facts import facts_shards
from generator.render.search.postings import (
    ABSTRACT_LIST_CHARS,
    Field,
    cuts,
    fields,
    vocabulary,
)
from generator.render.search.rows import (
    AUTHORS_PER_SHARD,
    DOCS_PER_SHARD,
    author_rows,
    paper_date,
    paper_order,
    result_rows,
)
from generator.render.search.words import STOP_WORDS
from generator.stages.authors import Author, collect_authors
from generator.text.dates import listing_date_key

__all__ = ["FORMAT_VERSION", "META_FILE", "SHARD_CHARS", "render_search"]

#: The folder of every search file, docs-relative (layout.SEARCH_DIR, a generated folder).
SEARCH_ROOT = layout.SEARCH_DIR
#: The small file the browser loads first.
META_FILE = f"{SEARCH_ROOT}/meta.js"
#: The global whose ``add`` every search file calls; paperkb-search.js defines it.
GLOBAL_NAME = "paperkbSearch"
#: Format version; paperkb-search.js refuses an index of another version.
FORMAT_VERSION = 3
#: Target size of a term shard, in characters (about a third of that gzipped).
SHARD_CHARS = 12_000
#: Target size of a lexicon shard, in characters.
LEXICON_CHARS = 12_000
#: Lexicon terms are at least this long (typos are tolerated in words of five letters or more).
LEXICON_MIN_LENGTH = 4


def _script(name: str, data: object) -> str:
    return f'{layout.SEARCH_HEADER}{GLOBAL_NAME}.add("{name}",{js_json(data)});\n'


def render_search(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    authors: Sequence[Author] | None = None,
    redirects: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The generated files of search, keyed by docs-relative path under ``search/``.

    ``authors`` are the author pages (:func:`generator.stages.authors.collect_authors` of the
    papers when not given); ``redirects`` the ids without a page of their own -> the id of the
    paper that has it now (for the reading list's facts).
    """
    pages = [*topics, UNSORTED]
    topic_number = {t.slug: n for n, t in enumerate(pages)}
    key_of = functools.cache(listing_date_key)  # a few thousand distinct dates at most
    dates = {p.id: paper_date(p, key_of) for p in papers}
    ordered = paper_order(papers, dates)
    people = sorted(
        collect_authors(papers) if authors is None else authors, key=lambda a: (a.key, a.id)
    )
    words = vocabulary(ordered, people)
    postings, title_lengths = fields(words, len(ordered), len(people))
    files, firsts, used = _term_shards(postings, words.in_order)
    lexicon, lex_firsts = _lexicon_shards(postings, used, words.in_order)
    files.update(lexicon)
    facts, fact_shards = facts_shards(ordered, redirects or {})
    rows = {**result_rows(ordered, topic_number), **author_rows(people), **fact_shards}
    for name, data in rows.items():
        files[f"{SEARCH_ROOT}/{name}.js"] = _script(name, data)
    per_topic = [0] * len(pages)
    for paper in ordered:
        for slug in paper.topics or (UNSORTED.slug,):
            per_topic[topic_number[slug]] += 1
    n = len(ordered)
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
        "facts": facts,
    }
    files[META_FILE] = _script("meta", meta)
    return dict(sorted(files.items()))


def _term_shards(
    postings: dict[str, Field], in_order: list[str]
) -> tuple[dict[str, str], list[str], npt.NDArray[np.int64]]:
    """The ``t/<n>`` files: terms with postings cut into shards of about
    :data:`SHARD_CHARS`; each shard's first term (but the first shard's); the ranks used."""
    lengths = {key: item.end - item.start for key, item in postings.items()}
    dropped = lengths["b"] > ABSTRACT_LIST_CHARS
    lengths["b"] = np.where(dropped, 6, lengths["b"])
    present = sum((f.df > 0).astype(np.int64) for f in postings.values())
    size = sum(lengths.values()) + np.array([len(w) for w in in_order], np.int64) + 14
    size = np.where(present > 0, size, 0)
    used = np.flatnonzero(present > 0)  # ranks of terms with postings
    shard = cuts(size[used], SHARD_CHARS)
    files: dict[str, str] = {}
    firsts: list[str] = []
    bounds = np.flatnonzero(np.diff(shard, prepend=-1)) if used.size else np.zeros(0, np.int64)
    for number, begin in enumerate(bounds.tolist()):
        finish = bounds[number + 1] if number + 1 < bounds.size else used.size
        ranks = used[begin:finish].tolist()
        if number:
            firsts.append(in_order[ranks[0]])
        abstracts = postings["b"]
        data: dict[str, list[object]] = {
            "w": [in_order[r] for r in ranks],
            "t": [postings["t"].get(r) for r in ranks],
            "u": [postings["u"].get(r) for r in ranks],
            "b": [int(abstracts.df[r]) if dropped[r] else abstracts.get(r) for r in ranks],
            "e": [postings["e"].get(r) for r in ranks],
        }
        files[f"{SEARCH_ROOT}/t/{number}.js"] = _script(f"t/{number}", data)
    return files, firsts, used


def _lexicon_shards(
    postings: dict[str, Field], used: npt.NDArray[np.int64], in_order: list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The lexicon: terms of four letters or more with their document frequency in any field,
    forwards (``f/<n>``) and by their reversed spelling (``r/<n>``); each shard's first word."""
    total = postings["t"].df + postings["u"].df + postings["b"].df + postings["e"].df
    lexicon = [r for r in used.tolist() if len(in_order[r]) >= LEXICON_MIN_LENGTH]
    files: dict[str, str] = {}
    firsts: dict[str, list[str]] = {}
    forward = [(in_order[r], int(total[r])) for r in lexicon]  # in sorted order already
    backward = sorted(((w[::-1], c) for w, c in forward), key=lambda entry: utf16(entry[0]))
    for kind, entries in (("f", forward), ("r", backward)):
        sizes = np.array([len(w) + 3 for w, _ in entries], dtype=np.int64)
        lex_shard = cuts(sizes, LEXICON_CHARS)
        starts = np.flatnonzero(np.diff(lex_shard, prepend=-1)).tolist()
        firsts[kind] = [entries[s][0] for s in starts[1:]]
        for number, begin in enumerate(starts):
            finish = starts[number + 1] if number + 1 < len(starts) else len(entries)
            chunk = entries[begin:finish]
            files[f"{SEARCH_ROOT}/{kind}/{number}.js"] = _script(
                f"{kind}/{number}",
                {
                    "w": " ".join(w for w, _ in chunk),
                    "n": "".join(encode_number(c) for _, c in chunk),
                },
            )
    return files, firsts
