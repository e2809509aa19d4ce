"""Facts shards: what the reading list needs of a paper beyond its search row (pure).

The reading list (``docs/assets/javascripts/paperkb-reading.js``) shows the papers a reader
starred as the site's rows and exports them as BibTeX, RIS and CSL-JSON, the same entries as
the site's citation files (:mod:`generator.render.citations`). Its rows are the search index's
result rows (``search/d``); the citation writers also need every author, the publication
date's known parts and the arXiv id. Shipping each paper's three entries would cost some 3 KB
a paper; these facts cost about a tenth of that, and the browser writes the entries with
``paperkb-cite.js``, a port of :mod:`generator.render.cite` held to it by a parity test.

``search/p/<n>.js`` holds the ids whose :func:`shard_of_id` is ``n`` (among ``meta.js``'s
``facts`` shards), as ``{id: [paper number, authors, date, arXiv id]}`` (the paper number is
its row's in ``search/d``; date and arXiv id ``""`` when unknown, trailing ones left out); an
id that lost its page (merged or retired) maps to the id that holds its paper now, so a star
survives a merge. Ids, not page numbers, are what the browser keeps, so a star survives every
rebuild.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from generator.model import Paper
from generator.render.cite import cite_facts

#: About this many ids per facts shard.
IDS_PER_SHARD = 32


def shard_count(ids: int) -> int:
    """How many facts shards ``ids`` ids (papers and redirects) take: at least one."""
    return max(1, math.ceil(ids / IDS_PER_SHARD))


def shard_of_id(paper_id: str, shards: int) -> int:
    """The facts shard of ``paper_id``: FNV-1a (32 bits) of its UTF-16 code units, modulo
    ``shards`` (``paperkb-codec.js``: shardOfId, the same)."""
    value = 0x811C9DC5
    data = paper_id.encode("utf-16-le")
    for at in range(0, len(data), 2):
        value ^= data[at] | data[at + 1] << 8
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value % shards


def facts_entry(number: int, paper: Paper) -> list[object]:
    """``[paper number, authors, date, arXiv id]``, trailing unknowns left out."""
    authors, date, arxiv = cite_facts(paper)
    entry: list[object] = [number, list(authors), date, arxiv]
    while len(entry) > 2 and entry[-1] == "":
        entry.pop()
    return entry


def facts_shards(
    ordered: Sequence[Paper], redirects: Mapping[str, str]
) -> tuple[int, dict[str, dict[str, object]]]:
    """The number of shards and ``p/<n>`` -> its entries (``ordered``: papers as the index
    numbers them; ``redirects``: old id -> the id of the paper that has it now)."""
    shards = shard_count(len(ordered) + len(redirects))
    out: dict[str, dict[str, object]] = {f"p/{n}": {} for n in range(shards)}
    for number, paper in enumerate(ordered):
        out[f"p/{shard_of_id(paper.id, shards)}"][paper.id] = facts_entry(number, paper)
    for old, new in redirects.items():
        out[f"p/{shard_of_id(old, shards)}"][old] = new
    return shards, out
