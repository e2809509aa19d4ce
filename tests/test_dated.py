"""Papers by day, ISO week and month, and the home page that opens on the newest (issue 24)."""

from __future__ import annotations

import re

import pytest

from generator.model import Metadata, Paper, Source, Topic
from generator.render.dated import Calendar, date_pages
from generator.render.files import Files
from generator.render.home import HOME_ROWS, MIN_NEWEST, MIN_UPVOTED, render_home
from generator.render.rows import Rows
from generator.text.dates import (
    date_label,
    day_label,
    iso_week,
    month_label,
    week_days,
    week_span,
)

TOPIC = Topic("t", "Topic", "A topic.")


def paper(pid: str, date: str | None = None, **meta: object) -> Paper:
    return Paper(
        id=pid,
        key=pid,
        title=f"Title {pid}",
        abstract="An abstract.",
        aliases=(),
        sources=(Source(f"listings/{pid}.txt", 1, date),),
        topics=("t",),
        meta=Metadata(**meta),  # type: ignore[arg-type]
    )


def pages(papers: list[Paper]) -> Files:
    rows = Rows.of(papers, {"t": TOPIC})
    return Files(date_pages(Calendar.of(papers, rows), rows))


def titles(page: str) -> list[str]:
    return re.findall(r'<li[^>]*><a href="\.\./papers/[^"]+">Title ([^<]+)</a>', page)


# --- the one date label ------------------------------------------------------------------------


def test_a_date_is_never_shown_without_its_year() -> None:
    assert date_label((2024, 8, 12)) == "Aug 12, 2024"
    assert date_label((0, 8, 12)) == ""  # "Aug 12" alone cannot be placed in time
    assert date_label((0, 0, 0)) == ""
    assert day_label((2024, 8, 12)) == "Monday, Aug 12, 2024"
    with pytest.raises(ValueError):
        day_label((0, 8, 12))


def test_iso_weeks_run_monday_to_sunday_across_the_new_year() -> None:
    assert iso_week((2024, 12, 30)) == (2025, 1)  # a Monday in the week of Jan 2, 2025
    assert iso_week((2021, 1, 3)) == (2020, 53)
    assert week_days(2025, 1) == ((2024, 12, 30), (2025, 1, 5))
    assert week_span(2025, 1) == "Dec 30, 2024 – Jan 5, 2025"
    assert week_span(2024, 33) == "Aug 12 – Aug 18, 2024"
    assert month_label(2024, 8) == "August 2024"


# --- the date pages ----------------------------------------------------------------------------

DAYS = [
    paper("mon-a", "Aug 12, 2024"),
    paper("mon-b", "Aug 12, 2024", upvotes=5),
    paper("wed", "Aug 14, 2024"),
    paper("hub", listed="2024-08-16", upvotes=9),
    paper("prev-week", "Aug 9, 2024"),
    paper("july", "Jul 31, 2024"),
    paper("new-year", "Dec 31, 2024"),
    paper("no-year", "Aug 13"),
    paper("none"),
]


def test_each_dated_paper_is_on_its_day_week_and_month_and_the_index_counts_them() -> None:
    files = pages(DAYS)
    assert sorted(files) == [
        "dates/2024-07-31.md",
        "dates/2024-07.md",
        "dates/2024-08-09.md",
        "dates/2024-08-12.md",
        "dates/2024-08-14.md",
        "dates/2024-08-16.md",
        "dates/2024-08.md",
        "dates/2024-12-31.md",
        "dates/2024-12.md",
        "dates/2024-w31.md",
        "dates/2024-w32.md",
        "dates/2024-w33.md",
        "dates/2025-w01.md",  # Dec 31, 2024 is in ISO week 1 of 2025
        "dates/index.md",
    ]
    assert titles(files["dates/2024-08-12.md"]) == ["mon-b", "mon-a"]  # most upvoted first
    assert titles(files["dates/2024-w33.md"]) == ["hub", "wed", "mon-b", "mon-a"]  # newest first
    assert titles(files["dates/2024-08.md"]) == ["hub", "wed", "mon-b", "mon-a", "prev-week"]
    index = files["dates/index.md"]
    assert "2 papers have no date with a year" in index
    assert index.index("## 2025") < index.index("## 2024")  # newest first
    assert "[Week 1 of 2025](2025-w01.md) (1)" in index
    assert "[August 2024](2024-08.md) (5)" in index
    assert "[Aug 12, 2024](2024-08-12.md) (2)" in index
    assert "ISO 8601 weeks, Monday to Sunday" in index


def test_a_day_links_the_days_before_and_after_it_that_have_papers() -> None:
    files = pages(DAYS)
    day = files["dates/2024-08-12.md"]
    assert "# Monday, Aug 12, 2024" in day
    pager = (
        "← Previous day: [Aug 9, 2024](2024-08-09.md) · [All dates](index.md) · "
        "Next day: [Aug 14, 2024](2024-08-14.md) →"
    )
    assert day.count(pager) == 2  # above and below the list
    assert "[Week 33 of 2024](2024-w33.md)" in day and "[August 2024](2024-08.md)" in day
    assert '<div class="pkb-sort" data-pkb-sort="newest"></div>' in day
    first = files["dates/2024-07-31.md"]
    assert "Previous day" not in first and "Next day: [Aug 9, 2024](2024-08-09.md)" in first
    last = files["dates/2024-12-31.md"]
    assert "Next day" not in last and "Previous day: [Aug 16, 2024](2024-08-16.md)" in last
    week = files["dates/2024-w33.md"]
    assert "ISO week (Monday to Sunday): Aug 12 – Aug 18, 2024" in week
    assert "Days: [Aug 12, 2024](2024-08-12.md) (2) · [Aug 14, 2024](2024-08-14.md) (1)" in week
    assert "Previous week: [Week 32 of 2024](2024-w32.md)" in week
    assert "Next week: [Week 1 of 2025](2025-w01.md)" in week
    month = files["dates/2024-08.md"]
    assert "Previous month: [July 2024](2024-07.md)" in month
    assert "Next month: [December 2024](2024-12.md)" in month


def test_no_dated_paper_gives_the_index_alone() -> None:
    files = pages([paper("a", "Aug 12"), paper("b")])
    assert list(files) == ["dates/index.md"]
    assert "2 papers have no date with a year" in files["dates/index.md"]


# --- the home page -------------------------------------------------------------------------------


def home(papers: list[Paper]) -> str:
    rows = Rows.of(papers, {"t": TOPIC})
    return render_home(papers, [TOPIC], rows, Calendar.of(papers, rows))


def section(page: str, heading: str) -> list[str]:
    return titles(
        page.split(f"## {heading}", 1)[1].split("\n## ", 1)[0].replace('"papers/', '"../papers/')
    )


def test_the_home_page_opens_on_the_newest_day_then_the_most_upvoted_then_the_topics() -> None:
    busy = [paper(f"d{n}", listed="2024-08-16", upvotes=n) for n in range(MIN_NEWEST)]
    older = [paper("old-top", listed="2024-08-12", upvotes=999), paper("old", "Aug 1, 2024")]
    page = home(busy + older)
    assert (
        page.index("## Newest: Friday, Aug 16, 2024")
        < page.index("## Most upvoted in week 33 of 2024")
        < page.index("## Topics")
    )
    assert section(page, "Newest: Friday, Aug 16, 2024") == [f"d{n}" for n in reversed(range(5))]
    assert section(page, "Most upvoted in week 33 of 2024")[:2] == ["old-top", "d4"]
    assert "[All 5 papers of this day](dates/2024-08-16.md)" in page
    assert "Structured records" not in page and "In figures" not in page


def test_a_quiet_day_gives_way_to_its_week_then_its_month_then_the_newest_papers() -> None:
    week = home([paper(f"w{n}", f"Aug {12 + n}, 2024") for n in range(MIN_NEWEST)])
    assert "## Newest: Week 33 of 2024 (Aug 12 – Aug 18, 2024)" in week
    month = home([paper(f"m{n}", f"Aug {1 + 7 * n}, 2024") for n in range(MIN_NEWEST)])
    assert "## Newest: August 2024" in month
    spread = home([paper(f"s{n}", f"Aug 1, {2020 + n}") for n in range(3)])
    assert "## Newest papers" in spread and section(spread, "Newest papers") == ["s2", "s1", "s0"]
    many = home([paper(f"x{n:03d}", "Aug 1, 2024") for n in range(HOME_ROWS + 5)])
    assert len(section(many, "Newest: Thursday, Aug 1, 2024")) == HOME_ROWS
    assert f"[All {HOME_ROWS + 5} papers of this day](dates/2024-08-01.md)" in many


def test_upvotes_only_where_known_and_the_undated_are_counted_not_dated() -> None:
    page = home([paper("a", "Aug 12, 2024"), paper("b", "Aug 12"), paper("c")])
    assert "Most upvoted" not in page and "upvote" not in page
    assert "2 papers have no date with a year" in page
    few = [paper(f"v{n}", "Aug 12, 2024", upvotes=n) for n in range(MIN_UPVOTED - 1)]
    early = [paper("early", "Aug 1, 2024", upvotes=50)]
    assert "## Most upvoted in August 2024" in home(few + early)  # too few that week: the month
    assert "no date" not in home(few)
    assert "## Newest" not in home([paper("b", "Aug 12")])
