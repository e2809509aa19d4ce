"""The records of a day file, pure: which items are well formed, what a day asked again keeps,
how a day file is formatted, and whether a search hit is the paper (``fetch --resolve``).

Used by :mod:`generator.tools.fetch`, which does the I/O.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from generator.inputs.hubjson import parse_api_json
from generator.stages.normalize import clean_text, clean_title
from generator.text.folding import title_key
from generator.tools.hubclient import kind as _kind
from generator.tools.hubclient import shown as _shown

#: Abstracts "agree" for ``--resolve`` at this :func:`rapidfuzz.fuzz.ratio` (0-100) or more, on
#: cleaned, case-folded text. ``ratio`` compares the whole texts (``token_set_ratio`` would call
#: an abstract equal to any abstract that contains its words); 90 tolerates LaTeX left-overs and
#: small edits, and keeps apart abstracts that merely share a title.
ABSTRACT_AGREEMENT = 90.0
#: Items named in a message at most (the rest are counted).
NAMED = 10


def item_id(item: object) -> str | None:
    """``paper.id`` of an item when it has a non-empty string there."""
    if isinstance(item, dict):
        paper = item.get("paper")
        if isinstance(paper, dict):
            found = paper.get("id")
            if isinstance(found, str) and found.strip():
                return found
    return None


def item_problem(item: object) -> str | None:
    """Why ``item`` is not a well-formed daily papers record, or ``None`` when it is.

    The check is :func:`generator.inputs.hubjson.parse_api_json`'s on the item alone, so what is
    saved
    is what the rest of the pipeline accepts.
    """
    if not isinstance(item, dict):
        return f"must be an object, got {_kind(item)}"
    try:
        text = json.dumps(item, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return "holds a number JSON cannot carry (NaN or Infinity)"
    entries, problems = parse_api_json(text, "item")
    if problems:
        return "; ".join(problem.message for problem in problems)
    return None if entries else "not a record"


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A malformed item of a day (or a search), left out of what is saved."""

    where: str
    position: int
    id: str | None
    reason: str

    def __str__(self) -> str:
        named = f" (id {_shown(self.id)})" if self.id is not None else ""
        return f"{self.where}: item {self.position}{named} left out: {self.reason}"


def split_items(where: str, items: Sequence[object]) -> tuple[list[object], list[LeftOut]]:
    """The well-formed items in their order, and the others with their 0-based positions."""
    kept: list[object] = []
    left: list[LeftOut] = []
    for position, item in enumerate(items):
        problem = item_problem(item)
        if problem is None:
            kept.append(item)
        else:
            left.append(LeftOut(where, position, item_id(item), problem))
    return kept, left


def format_items(items: Sequence[object]) -> bytes:
    """A day file: the items as returned, keys sorted, two-space indents, a final newline."""
    text = json.dumps(list(items), indent=2, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", clean_text(text)).casefold().split())


@dataclass(frozen=True, slots=True)
class Match:
    """What the Hub's search says of one paper: ``item`` is set when ``resolved``."""

    outcome: Literal["resolved", "unmatched", "ambiguous"]
    item: dict[str, object] | None = None
    ids: tuple[str, ...] = ()


def _as_item(hit: object) -> dict[str, object] | None:
    """A search hit in the daily papers shape ``{"paper": {...}}`` (hits come either way)."""
    if not isinstance(hit, dict):
        return None
    if isinstance(hit.get("paper"), dict):
        return hit
    if "id" in hit and "title" in hit:
        return {"paper": hit}
    return None


def match_hits(titles: Iterable[str], abstract: str, hits: Sequence[object]) -> Match:
    """Whether exactly one paper among ``hits`` is the paper with ``titles`` and ``abstract``.

    A hit matches when its cleaned title has the same :func:`generator.text.folding.title_key`
    as
    one of ``titles`` and its abstract agrees (:data:`ABSTRACT_AGREEMENT`). Malformed hits are
    ignored. Matches with more than one distinct arXiv id are ``ambiguous``: no link is made.
    """
    keys = {title_key(clean_title(title)) for title in titles}
    ours = _fold(abstract)
    found: dict[str, dict[str, object]] = {}
    for hit in hits:
        item = _as_item(hit)
        if item is None or item_problem(item) is not None:
            continue
        entries, _ = parse_api_json(json.dumps(item, ensure_ascii=False), "hit")
        entry = entries[0]
        if title_key(clean_title(entry.title)) not in keys or entry.meta.arxiv is None:
            continue
        if fuzz.ratio(ours, _fold(entry.abstract)) >= ABSTRACT_AGREEMENT:
            found.setdefault(entry.meta.arxiv, item)
    if not found:
        return Match("unmatched")
    if len(found) > 1:
        return Match("ambiguous", ids=tuple(sorted(found)))
    ((arxiv, item),) = found.items()
    return Match("resolved", item, (arxiv,))


def _arxiv_of(item: object) -> str:
    entries, _ = parse_api_json(json.dumps(item, ensure_ascii=False), "item")
    arxiv = entries[0].meta.arxiv if entries else None
    return arxiv or ""


def merge_resolved(existing: Sequence[object], found: Iterable[dict[str, object]]) -> list[object]:
    """``existing`` items with ``found`` ones added (replacing those of the same id), by id."""
    merged: dict[str, object] = {_arxiv_of(item): item for item in existing}
    for item in found:
        merged[_arxiv_of(item)] = item
    return [merged[key] for key in sorted(merged)]


def keep_saved(
    listed: Sequence[object], saved: Sequence[object]
) -> tuple[list[object], list[object]]:
    """What a day file holds after the day was asked again: the ``listed`` items in the Hub's
    order, then every ``saved`` item whose paper the Hub no longer lists (in their saved order),
    and those kept ones. Nothing saved is dropped by a fetch."""
    ids = {item_id(item) for item in listed}
    gone = [item for item in saved if item_id(item) is None or item_id(item) not in ids]
    return [*listed, *gone], gone


def named(left: Sequence[str], limit: int = NAMED) -> str:
    """``a, b, c and 7 more``: at most ``limit`` of ``left`` named."""
    more = len(left) - limit
    return ", ".join(left[:limit]) + (f" and {more:,} more" if more > 0 else "")
