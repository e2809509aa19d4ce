"""The home page, read like Daily Papers: the newest papers first, then the most upvoted, then
the topics. What the run read and made (figures, data files, merge report) is on the page about
the knowledge base (:mod:`generator.render.kb`), linked from every page's footer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from generator.layout import (
    ALL_PAPERS,
    AUTHORS_INDEX,
    DATES_INDEX,
    FEED_FILE,
    PAPERS_DIR,
    TOPICS_INDEX,
    day_path,
    month_path,
    topic_path,
    week_path,
)
from generator.model import UNSORTED, Paper, Topic
from generator.render import charts
from generator.render.dated import Calendar
from generator.render.markdown import front_matter
from generator.render.rows import Rows, render_rows
from generator.text.dates import day_label, iso_week, month_label, week_label, week_span
from generator.text.folding import sort_key

#: The newest papers shown at most (the rest are a link away, on their date's page).
HOME_ROWS = 20
#: The newest day is shown when it has this many papers; else its week, else its month.
MIN_NEWEST = 5
#: The most upvoted papers of the newest week (or month) shown.
TOP_UPVOTED = 10
#: The week's most upvoted are shown when this many of its papers have upvotes; else the month's.
MIN_UPVOTED = 3


@dataclass(frozen=True, slots=True)
class _Period:
    """A day, week or month of the calendar: its heading words, page and papers."""

    name: str
    heading: str
    path: str
    papers: list[Paper]


def newest_period(calendar: Calendar) -> _Period | None:
    """The newest papers: the newest day when it has at least :data:`MIN_NEWEST` papers, else
    its week, else its month, else the newest dated papers whatever their day; ``None`` when
    no paper has a date."""
    days = calendar.days.newest_first()
    if not days:
        return None
    day = days[0]
    week = iso_week(day)
    month = day[:2]
    if len(calendar.days.papers[day]) >= MIN_NEWEST:
        return _Period("day", day_label(day), day_path(*day), calendar.days.papers[day])
    if len(calendar.weeks.papers[week]) >= MIN_NEWEST:
        heading = f"{week_label(*week)} ({week_span(*week)})"
        return _Period("week", heading, week_path(*week), calendar.weeks.papers[week])
    if len(calendar.months.papers[month]) >= MIN_NEWEST:
        papers = calendar.months.papers[month]
        return _Period("month", month_label(*month), month_path(*month), papers)
    newest = [p for d in days for p in calendar.days.papers[d]][:HOME_ROWS]
    return _Period("", "", DATES_INDEX, newest)


def most_upvoted(calendar: Calendar) -> tuple[str, list[Paper]]:
    """The newest week's papers that have upvotes (its month's when the week has fewer than
    :data:`MIN_UPVOTED`), with the period's name; no papers when none has upvotes."""
    days = calendar.days.newest_first()
    if not days:
        return "", []
    week, month = iso_week(days[0]), days[0][:2]
    voted = [p for p in calendar.weeks.papers[week] if p.meta.upvotes is not None]
    if len(voted) >= MIN_UPVOTED:
        return week_label(*week).replace("Week", "week", 1), voted
    voted = [p for p in calendar.months.papers[month] if p.meta.upvotes is not None]
    return month_label(*month), voted


def _topic_chart(papers: Sequence[Paper], topics: Sequence[Topic]) -> str:
    per_topic = Counter(slug for p in papers for slug in p.topics or (UNSORTED.slug,))
    bars = [
        charts.Bar(t.name, per_topic[t.slug], topic_path(t.slug).removesuffix(".md") + ".html")
        for t in [*topics, UNSORTED]
        if per_topic[t.slug]
    ]
    bars.sort(key=lambda b: (-b.value, sort_key(b.label)))
    return charts.bar_chart(
        bars,
        title="Papers per topic",
        description="Number of papers in each topic, largest first; a paper can be in "
        "several topics. " + "; ".join(f"{b.label}: {b.value}" for b in bars) + ".",
        ident="chart-topics",
    )


def render_home(
    papers: Sequence[Paper], topics: Sequence[Topic], rows: Rows, calendar: Calendar
) -> str:
    """The home page: the newest papers, the most upvoted of their week or month, the topics."""
    noun = "paper" if len(papers) == 1 else "papers"
    lines = [
        front_matter("Home"),
        "# Paper knowledge base",
        "",
        f"{len(papers):,} research {noun} from Hugging Face Daily Papers, sorted into "
        f"{len(topics):,} topics. Browse them [by date]({DATES_INDEX}), "
        f"[by topic]({TOPICS_INDEX}), [by author]({AUTHORS_INDEX}) or [A–Z]({ALL_PAPERS}); "
        f"follow the newest in the [Atom feed]({FEED_FILE}).",
        "",
    ]
    newest = newest_period(calendar)
    if newest is not None:
        listed = rows.ordered(newest.papers, "newest")[:HOME_ROWS]
        count = len(newest.papers)
        more = (
            f"[All {count:,} {'paper' if count == 1 else 'papers'} of this {newest.name}]"
            f"({newest.path}) · [every date]({DATES_INDEX})"
            if newest.name
            else f"[Every date]({DATES_INDEX})"
        )
        heading = f"Newest: {newest.heading}" if newest.heading else "Newest papers"
        lines += [f"## {heading}", "", render_rows(listed, f"{PAPERS_DIR}/"), "", more, ""]
    if calendar.undated:
        many = calendar.undated != 1
        lines += [
            f"{calendar.undated:,} {'papers have' if many else 'paper has'} no date with a "
            f"year (a listing saved without one): find {'them' if many else 'it'} "
            f"[by topic]({TOPICS_INDEX}) or [A–Z]({ALL_PAPERS}).",
            "",
        ]
    period, voted = most_upvoted(calendar)
    if voted:
        top = rows.ordered(voted, "upvotes")[:TOP_UPVOTED]
        lines += [f"## Most upvoted in {period}", "", render_rows(top, f"{PAPERS_DIR}/"), ""]
    if papers:
        lines += ["## Topics", "", _topic_chart(papers, topics), ""]
        lines += [f"Every topic, with its description: [topics]({TOPICS_INDEX}).", ""]
    return "\n".join(lines)
