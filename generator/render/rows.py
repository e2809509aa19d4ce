"""A paper as one row of a list: the same row on the home, topic, date, author and A-Z pages.

The row's fields live here, and only here (:class:`Row`, made by :func:`row_fields`): title;
authors (the first :data:`ROW_AUTHORS`, then "et al."); the paper's date with its year and what
that date is (:func:`placement`); upvotes, comments and its code repository when a record gives
them; its topics. A field nobody told us is left out, never guessed.

:func:`render_rows` writes rows as one raw HTML block (``<ul class="pkb-rows">``) that Python
Markdown passes through untouched (so it starts at the beginning of a line, has no blank line
and no indented line). Each ``<li>`` carries its sort keys as data attributes, read by
``docs/assets/javascripts/paperkb-lists.js`` to re-sort the list in the browser without a
request: ``data-d`` the date (ISO, only when known), ``data-u`` the upvotes (only when known);
the title is the link's text. Without JavaScript a list stays in the order it was written.
Every byte of a row counts (an A-Z page of 100,000 rows, and each paper is on a day, a week and
a month page), so the markup is bare: no class on the row, its second line a plain ``<span>``.

MkDocs does not rewrite or check links inside raw HTML: links are written as the built pages'
own addresses (``.html``), relative to the page the rows go on; the integration
test resolves every one of them in the built site. All text is untrusted and escaped by
:func:`html_text`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from generator.errors import plural
from generator.inputs.fields import web_url
from generator.model import Paper, Topic
from generator.render.markdown import _plain
from generator.stages.authors import display_name
from generator.text.dates import DateKey, date_label, day_key, key_iso
from generator.text.folding import sort_key

#: A row names this many authors, then "et al.".
ROW_AUTHORS = 3

DateKind = Literal["on Daily Papers", "listed", "published"]
"""What a paper's date is: its day on Daily Papers (the Hub's ``submittedOnDailyAt``), the date
of a saved listing it was read from, or its publication date."""

#: How a row says what its date is, before the date.
KIND_LABELS: dict[DateKind, str] = {
    "on Daily Papers": "On Daily Papers",
    "listed": "Listed",
    "published": "Published",
}


@dataclass(frozen=True, slots=True)
class Placed:
    """The date a paper is placed by on the date pages and in the lists, and what it is."""

    key: DateKey
    kind: DateKind

    @property
    def iso(self) -> str:
        return key_iso(self.key)

    @property
    def label(self) -> str:
        """``Listed Aug 12, 2024``."""
        return f"{KIND_LABELS[self.kind]} {date_label(self.key)}"


def placement(paper: Paper) -> Placed | None:
    """The paper's date: its day on Daily Papers when a record gives it, else the first date a
    saved listing of it shows, else its publication date; ``None`` when none of them has a year.

    A listing's date has a year when its date line says one or its file is named by its date
    (:func:`generator.inputs.listings.dated_by_name`); ``Aug 12`` alone is not placed in time.
    """
    if (listed := day_key(paper.meta.listed)) is not None:
        return Placed(listed, "on Daily Papers")
    listings = [key for key in map(day_key, paper.dates) if key is not None]
    if listings:
        return Placed(min(listings), "listed")
    if (published := day_key(paper.meta.published)) is not None:
        return Placed(published, "published")
    return None


def first_authors(paper: Paper) -> str:
    """The first :data:`ROW_AUTHORS` authors' names, then "et al." when there are more."""
    names = [display_name(n) for n in paper.meta.authors]
    names = [n for n in names if n]
    shown = ", ".join(names[:ROW_AUTHORS])
    return shown + (" et al." if len(names) > ROW_AUTHORS else "")


@dataclass(frozen=True, slots=True)
class Row:
    """What a row shows of a paper; ``None`` / empty for what is not known."""

    id: str
    title: str
    authors: str
    placed: Placed | None
    upvotes: int | None
    comments: int | None
    code: str | None
    """The code repository's http(s) URL."""
    topics: tuple[str, ...]
    """Names of the paper's topics (none for an unsorted paper)."""


#: After the name of a topic a paper has by similarity (:mod:`generator.stages.learn`).
BY_SIMILARITY = "(assigned by similarity)"


def row_fields(paper: Paper, topics: Mapping[str, Topic], placed: Placed | None) -> Row:
    """The row of ``paper``; ``placed`` is its :func:`placement` (computed once per paper). A
    topic the paper has by similarity, not by a rule or a pin, is marked so."""
    learned = paper.learned_slugs
    return Row(
        id=paper.id,
        title=paper.title,
        authors=first_authors(paper),
        placed=placed,
        upvotes=paper.meta.upvotes,
        comments=paper.meta.comments,
        code=web_url(paper.meta.github),
        topics=tuple(
            topics[slug].name + (f" {BY_SIMILARITY}" if slug in learned else "")
            for slug in paper.topics
            if slug in topics
        ),
    )


#: ``{`` and ``}`` are not HTML syntax, but a template engine's: written as references too.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def html_text(value: str) -> str:
    """Untrusted text as inert HTML text or attribute value, on one line."""
    return html.escape(_plain(value), quote=True).translate(_BRACES)


def render_row(row: Row, papers: str) -> str:
    """One ``<li>``; ``papers`` leads from the page to the papers' folder (``"papers/"`` from
    the home page, ``"../papers/"`` from a topic page, ``""`` from the A-Z list in it)."""
    keys = ""
    if row.placed is not None:
        keys += f' data-d="{row.placed.iso}"'
    if row.upvotes is not None:
        keys += f' data-u="{row.upvotes}"'
    facts = []
    if row.authors:
        facts.append(html_text(row.authors))
    if row.placed is not None:
        facts.append(row.placed.label)
    if row.upvotes is not None:
        facts.append(plural(row.upvotes, "upvote"))
    if row.comments is not None:
        facts.append(plural(row.comments, "comment"))
    if row.code is not None:
        facts.append(f'<a href="{html_text(row.code)}">code</a>')
    if row.topics:
        facts.append(html_text(", ".join(row.topics)))
    link = f'<a href="{papers}{row.id}.html">{html_text(row.title)}</a>'
    second = f"<span>{' · '.join(facts)}</span>" if facts else ""
    return f"<li{keys}>{link}{second}</li>"


def render_rows(rows: Iterable[Row], papers: str) -> str:
    """Rows as one raw HTML list block, in the given order (``papers``: as :func:`render_row`)."""
    return "\n".join(['<ul class="pkb-rows">', *(render_row(r, papers) for r in rows), "</ul>"])


Order = Literal["newest", "upvotes", "title"]
"""How a list is sorted: newest first, most upvoted first, or by title."""


def sort_box(default: Order) -> str:
    """The placeholder that ``paperkb-lists.js`` turns into the sort buttons of the page's lists
    (``default``: the order the lists are written in; no buttons without JavaScript)."""
    return f'<div class="pkb-sort" data-pkb-sort="{default}"></div>'


def _date_first(row: Row) -> tuple[int, ...]:
    return (1, 0, 0, 0) if row.placed is None else (0, *(-x for x in row.placed.key))


def _upvotes_first(row: Row) -> tuple[int, int]:
    return (1, 0) if row.upvotes is None else (0, -row.upvotes)


#: The order of each :data:`Order`, as ``paperkb-lists.js`` gives it too: newest first (then
#: most upvoted), most upvoted first (then newest), or by title; what is unknown goes last and
#: the title, then the id, breaks ties.
ORDER_KEYS: dict[Order, Callable[[Row], tuple[object, ...]]] = {
    "newest": lambda r: (_date_first(r), _upvotes_first(r), sort_key(r.title), r.id),
    "upvotes": lambda r: (_upvotes_first(r), _date_first(r), sort_key(r.title), r.id),
    "title": lambda r: (sort_key(r.title), r.id),
}


#: Where a row's link leads from, while a row is kept made (a control character: no text of a
#: row can hold one, :func:`html_text` drops them).
_TO_PAPERS = "\x00"


@dataclass(frozen=True, slots=True)
class Rows:
    """What makes the rows of a run: topics by slug and each paper's :func:`placement`.

    A paper is on five or six lists (its topics, the A-Z list, its day, week and month, its
    authors): its row and its sort keys are made once, on first use, and kept (as the text on
    either side of the link's path), which a run at 10,000 papers makes 2 s faster.
    """

    topics: Mapping[str, Topic]
    placed: Mapping[str, Placed | None]
    _made: dict[str, tuple[Row, str, str]] = field(default_factory=dict, compare=False)
    _keys: dict[tuple[Order, str], tuple[object, ...]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, papers: Iterable[Paper], topics: Mapping[str, Topic]) -> Rows:
        return cls(topics, {p.id: placement(p) for p in papers})

    def _of(self, paper: Paper) -> tuple[Row, str, str]:
        made = self._made.get(paper.id)
        if made is None:
            row = row_fields(paper, self.topics, self.placed[paper.id])
            head, tail = render_row(row, _TO_PAPERS).split(_TO_PAPERS)
            made = self._made[paper.id] = (row, head, tail)
        return made

    def row(self, paper: Paper) -> Row:
        return self._of(paper)[0]

    def _sorted(self, papers: Iterable[Paper], order: Order) -> list[tuple[Row, str, str]]:
        def key(paper: Paper) -> tuple[object, ...]:
            found = self._keys.get((order, paper.id))
            if found is None:
                found = self._keys[order, paper.id] = ORDER_KEYS[order](self.row(paper))
            return found

        return [self._of(p) for p in sorted(papers, key=key)]

    def ordered(self, papers: Iterable[Paper], order: Order) -> list[Row]:
        return [row for row, _, _ in self._sorted(papers, order)]

    def html(self, papers: Sequence[Paper], to_papers: str, order: Order) -> str:
        """``papers`` as a row list in ``order`` (``to_papers``: as :func:`render_row`); the
        same text as :func:`render_rows` of :meth:`ordered`."""
        lines = (head + to_papers + tail for _, head, tail in self._sorted(papers, order))
        return "\n".join(['<ul class="pkb-rows">', *lines, "</ul>"])
