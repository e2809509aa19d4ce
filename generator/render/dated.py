"""Papers by date: a page per day, per ISO week and per month, newest first, and their index.

How Daily Papers itself is read. A paper is on the day of its
:func:`~generator.render.rows.placement` (its day on Daily Papers, else its first listing's
date, else its publication date, each row saying which), on that day's ISO week and on its
month; a paper with no date that has a year is on none of them (the index says how many). Each
page links the previous and the next day (week, month) that has papers and the index, a day
its week and month, a week its days; its papers are rows, newest first, then most upvoted,
which the reader can re-sort. Page names come from :mod:`generator.layout`
(``dates/2024-08-12.md``, ``dates/2024-w33.md``, ``dates/2024-08.md``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from generator.errors import plural
from generator.layout import DATES_INDEX, PAPERS_DIR, day_path, month_path, week_path
from generator.model import Paper
from generator.render.files import Content, deferred
from generator.render.markdown import front_matter
from generator.render.rows import Rows, sort_box
from generator.text.dates import (
    DateKey,
    date_label,
    day_label,
    iso_week,
    month_label,
    week_label,
    week_span,
)

K = TypeVar("K", bound=Hashable)

Week = tuple[int, int]
"""``(ISO year, week)``."""
Month = tuple[int, int]
"""``(year, month)``."""


@dataclass(frozen=True, slots=True)
class Periods(Generic[K]):
    """Papers per period (day, week or month), periods newest first."""

    papers: dict[K, list[Paper]] = field(default_factory=dict)

    def newest_first(self) -> list[K]:
        return sorted(self.papers, reverse=True)  # type: ignore[type-var]


@dataclass(frozen=True, slots=True)
class Calendar:
    """The run's papers by day, week and month; ``undated``: how many are on no date page."""

    days: Periods[DateKey]
    weeks: Periods[Week]
    months: Periods[Month]
    undated: int

    @classmethod
    def of(cls, papers: Sequence[Paper], rows: Rows) -> Calendar:
        days: Periods[DateKey] = Periods()
        weeks: Periods[Week] = Periods()
        months: Periods[Month] = Periods()
        undated = 0
        for paper in papers:
            placed = rows.placed[paper.id]
            if placed is None:
                undated += 1
                continue
            key = placed.key
            days.papers.setdefault(key, []).append(paper)
            weeks.papers.setdefault(iso_week(key), []).append(paper)
            months.papers.setdefault(key[:2], []).append(paper)
        return cls(days, weeks, months, undated)


def _here(path: str) -> str:
    """A date page's link to another one in its folder."""
    return posixpath.basename(path)


@dataclass(frozen=True, slots=True)
class _Kind(Generic[K]):
    """How one kind of period is named and linked."""

    noun: str
    path: Callable[[K], str]
    label: Callable[[K], str]


def _day_path(key: DateKey) -> str:
    return day_path(*key)


def _week_path(week: Week) -> str:
    return week_path(*week)


def _month_path(month: Month) -> str:
    return month_path(*month)


def _week_label(week: Week) -> str:
    return week_label(*week)


def _month_label(month: Month) -> str:
    return month_label(*month)


DAY: _Kind[DateKey] = _Kind("day", _day_path, date_label)
WEEK: _Kind[Week] = _Kind("week", _week_path, _week_label)
MONTH: _Kind[Month] = _Kind("month", _month_path, _month_label)


def _link(kind: _Kind[K], key: K) -> str:
    """A Markdown link to the page of a period, from another page under dates/."""
    return f"[{kind.label(key)}]({_here(kind.path(key))})"


def _pager(kind: _Kind[K], older: K | None, newer: K | None) -> list[str]:
    """Links to the previous (older) and next (newer) period with papers, and to the index."""
    links = []
    if older is not None:
        links.append(f"← Previous {kind.noun}: {_link(kind, older)}")
    links.append("[All dates](index.md)")
    if newer is not None:
        links.append(f"Next {kind.noun}: {_link(kind, newer)} →")
    return [" · ".join(links), ""]


def _page(
    title: str, intro: list[str], pager: list[str], papers: Sequence[Paper], rows: Rows
) -> str:
    return "\n".join(
        [
            front_matter(title, hide_toc=True),
            f"# {title}",
            "",
            *intro,
            *pager,
            sort_box("newest"),
            "",
            rows.html(papers, f"../{PAPERS_DIR}/", "newest"),
            "",
            *pager,
        ]
    )


def _neighbours(keys: Sequence[K], at: int) -> tuple[K | None, K | None]:
    """The older and the newer neighbour of ``keys[at]`` (``keys`` newest first)."""
    older = keys[at + 1] if at + 1 < len(keys) else None
    newer = keys[at - 1] if at > 0 else None
    return older, newer


def render_day(
    key: DateKey, papers: Sequence[Paper], rows: Rows, older: DateKey | None, newer: DateKey | None
) -> str:
    week = iso_week(key)
    intro = [
        f"{plural(len(papers), 'paper')} · in {_link(WEEK, week)} "
        f"and {_link(MONTH, (key[0], key[1]))}",
        "",
    ]
    return _page(day_label(key), intro, _pager(DAY, older, newer), papers, rows)


def render_week(
    week: Week,
    papers: Sequence[Paper],
    rows: Rows,
    older: Week | None,
    newer: Week | None,
    days: Sequence[tuple[DateKey, int]],
) -> str:
    """``days``: the week's days with papers and their counts, oldest first."""
    intro = [
        f"ISO week (Monday to Sunday): {week_span(*week)} · {plural(len(papers), 'paper')}",
        "",
        "Days: " + " · ".join(f"{_link(DAY, d)} ({n:,})" for d, n in days),
        "",
    ]
    return _page(week_label(*week), intro, _pager(WEEK, older, newer), papers, rows)


def render_month(
    month: Month,
    papers: Sequence[Paper],
    rows: Rows,
    older: Month | None,
    newer: Month | None,
) -> str:
    intro = [f"{plural(len(papers), 'paper')}", ""]
    return _page(month_label(*month), intro, _pager(MONTH, older, newer), papers, rows)


#: What the index and the pages say about where a paper is placed.
PLACEMENT = (
    "Each paper is on the day it was on Daily Papers when a record says so, else on the date "
    "of the first saved listing it was read from, else on its publication date; each row says "
    "which. Weeks are ISO 8601 weeks, Monday to Sunday, numbered within their ISO year."
)


def render_dates_index(calendar: Calendar) -> str:
    lines = [front_matter("Papers by date"), "# Papers by date", "", PLACEMENT, ""]
    if calendar.undated:
        lines += [
            f"{plural(calendar.undated, 'paper')} {'has' if calendar.undated == 1 else 'have'} "
            "no date with a year and "
            f"{'is' if calendar.undated == 1 else 'are'} on no date page: see "
            "[all papers, A–Z](../papers/index.md).",
            "",
        ]
    years = sorted(
        {m[0] for m in calendar.months.papers} | {w[0] for w in calendar.weeks.papers},
        reverse=True,
    )
    for year in years:
        lines += [f"## {year}", ""]
        months = [m for m in calendar.months.newest_first() if m[0] == year]
        weeks = [w for w in calendar.weeks.newest_first() if w[0] == year]
        if months:
            lines += ["**Months:** " + _counts(MONTH, months, calendar.months) + "  "]
        lines += ["**Weeks:** " + _counts(WEEK, weeks, calendar.weeks), ""]
        for month in months:
            days = [d for d in calendar.days.newest_first() if d[:2] == month]
            lines += [f"### {month_label(*month)}", "", _counts(DAY, days, calendar.days), ""]
    return "\n".join(lines)


def _counts(kind: _Kind[K], keys: Sequence[K], periods: Periods[K]) -> str:
    return " · ".join(f"{_link(kind, k)} ({len(periods.papers[k]):,})" for k in keys)


def date_pages(calendar: Calendar, rows: Rows) -> dict[str, Content]:
    """Every date page and the index, by path, made when written."""
    pages: dict[str, Content] = {DATES_INDEX: deferred(render_dates_index, calendar)}
    days = calendar.days.newest_first()
    week_days: dict[Week, list[DateKey]] = {}
    for at, key in enumerate(days):
        older, newer = _neighbours(days, at)
        papers = calendar.days.papers[key]
        pages[day_path(*key)] = deferred(render_day, key, papers, rows, older, newer)
        week_days.setdefault(iso_week(key), []).append(key)
    weeks = calendar.weeks.newest_first()
    for at, week in enumerate(weeks):
        older_week, newer_week = _neighbours(weeks, at)
        counts = [(d, len(calendar.days.papers[d])) for d in sorted(week_days[week])]
        pages[week_path(*week)] = deferred(
            render_week, week, calendar.weeks.papers[week], rows, older_week, newer_week, counts
        )
    months = calendar.months.newest_first()
    for at, month in enumerate(months):
        older_month, newer_month = _neighbours(months, at)
        pages[month_path(*month)] = deferred(
            render_month, month, calendar.months.papers[month], rows, older_month, newer_month
        )
    return pages
