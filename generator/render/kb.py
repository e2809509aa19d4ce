"""The page about the knowledge base itself: what a run read and made, papers per day, its data
files and the merge report. Linked from every page's footer (``overrides/partials/copyright.html``)
and from the hand-written About page; the home page is for reading papers."""

from __future__ import annotations

from generator.account import Account
from generator.errors import plural
from generator.layout import DATES_INDEX, FEED_FILE, MERGE_REPORT, PAPERS_JSON, day_path
from generator.render import charts
from generator.render.citations import ALL_NAME, cite_links
from generator.render.dated import Calendar
from generator.render.markdown import front_matter
from generator.text.dates import date_label

#: The chart shows at most this many of the latest days.
CHART_MAX_DAYS = 24


def _days_chart(calendar: Calendar) -> list[str]:
    days = calendar.days.newest_first()[:CHART_MAX_DAYS]
    if not days:
        return []
    bars = [
        charts.Bar(date_label(d), len(calendar.days.papers[d]), day_path(*d)[:-3] + ".html")
        for d in sorted(days)
    ]
    shown = (
        "every day"
        if len(calendar.days.papers) <= CHART_MAX_DAYS
        else f"the latest {CHART_MAX_DAYS} days"
    )
    undated = plural(calendar.undated, "paper has", "papers have")
    missing = f" ({undated} no date with a year)" if calendar.undated else ""
    note = (
        f"; {undated} no date with a year and "
        f"{'is' if calendar.undated == 1 else 'are'} not in this chart"
        if calendar.undated
        else ""
    )
    return [
        "## Papers per day",
        "",
        charts.bar_chart(
            bars,
            title="Papers per day",
            description=f"Number of papers per day, {shown} with papers, oldest first{missing}. "
            + "; ".join(f"{b.label}: {b.value}" for b in bars)
            + ".",
            ident="chart-dates",
        ),
        "",
        "Each paper is counted on its day on Daily Papers, else its first listing's date, else "
        f"its publication date ([papers by date]({DATES_INDEX})){note}.",
        "",
    ]


def render_kb(account: Account, calendar: Calendar) -> str:
    figures = [
        ("Distinct papers", account.papers),
        ("Topics", account.topics),
        ("Papers in no topic yet", account.unsorted),
        ("Listings", account.listings),
        ("Structured records", account.records),
        ("Entries read", account.entries),
        ("Duplicate entries merged", account.merged),
        ("Entries rejected", account.rejected),
        ("Authors", account.authors),
    ]
    lines = [
        front_matter("The knowledge base in figures"),
        "# The knowledge base in figures",
        "",
        "What paperkb read to make this site, and the data it publishes. How the knowledge "
        "base is made: [About](about.md).",
        "",
        "## In figures",
        "",
        "| Figure | Count |",
        "| --- | --: |",
        *[f"| {label} | {value:,} |" for label, value in figures],
        "",
        *_days_chart(calendar),
        "## Data",
        "",
        f"- Every paper as data: [papers.json]({PAPERS_JSON})",
        f"- The newest papers as an Atom feed: [{FEED_FILE}]({FEED_FILE}); each topic has its "
        "own, linked from its page",
        f"- Cite the whole knowledge base: {cite_links(ALL_NAME, '')}",
        f"- How duplicate entries were merged into one paper: [merge report]({MERGE_REPORT})",
        "",
    ]
    return "\n".join(lines)
