"""The home page: what the knowledge base holds, its charts and the recently added papers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from generator.account import Account
from generator.layout import (
    ALL_PAPERS,
    AUTHORS_INDEX,
    FEED_FILE,
    MERGE_REPORT,
    PAPERS_JSON,
    TOPICS_INDEX,
    paper_path,
    topic_path,
)
from generator.model import UNSORTED, Paper, Topic
from generator.render import charts
from generator.render.citations import ALL_NAME, cite_links
from generator.render.lists import _date_label, gist, listing_key
from generator.render.markdown import _link, front_matter, text
from generator.text.folding import sort_key

CHART_MAX_DATES = 24


def _charts(papers: Sequence[Paper], topics: Sequence[Topic]) -> list[str]:
    per_topic = Counter(slug for p in papers for slug in p.topics or (UNSORTED.slug,))
    topic_bars = [
        charts.Bar(t.name, per_topic[t.slug], topic_path(t.slug).removesuffix(".md") + ".html")
        for t in [*topics, UNSORTED]
        if per_topic[t.slug]
    ]
    topic_bars.sort(key=lambda b: (-b.value, sort_key(b.label)))
    per_date = Counter(listing_key(p) for p in papers)
    dated = sorted((k for k in per_date if k != (0, 0, 0)), reverse=True)[:CHART_MAX_DATES]
    date_bars = [charts.Bar(_date_label(k), per_date[k]) for k in sorted(dated)]
    out = [
        "## Papers per topic",
        "",
        charts.bar_chart(
            topic_bars,
            title="Papers per topic",
            description="Number of papers in each topic, largest first; a paper can be in "
            "several topics. " + "; ".join(f"{b.label}: {b.value}" for b in topic_bars) + ".",
            ident="chart-topics",
        ),
        "",
    ]
    if date_bars:
        undated = per_date.get((0, 0, 0), 0)
        shown = (
            "every listing date"
            if len(per_date) - bool(undated) <= CHART_MAX_DATES
            else (f"the latest {CHART_MAX_DATES} listing dates")
        )
        out += [
            "## Papers per listing date",
            "",
            charts.bar_chart(
                date_bars,
                title="Papers per listing date",
                description=f"Number of papers by their latest listing date, {shown}, oldest "
                f"first ({undated:,} {'paper has' if undated == 1 else 'papers have'} no "
                "listing date). " + "; ".join(f"{b.label}: {b.value}" for b in date_bars) + ".",
                ident="chart-dates",
            ),
            "",
        ]
        if undated:
            noun = "paper has" if undated == 1 else "papers have"
            out += [
                f"{undated:,} {noun} no listing date and {'is' if undated == 1 else 'are'} "
                "not in this chart.",
                "",
            ]
    return out


#: The home page lists this many of the most recently added papers (the feed has more).
RECENT_PAPERS = 10


def render_home(
    account: Account,
    papers: Sequence[Paper] = (),
    topics: Sequence[Topic] = (),
    recent: Sequence[Paper] = (),
) -> str:
    """The home page. ``recent``: the newest papers first, as the feed orders them."""
    rows = [
        ("Distinct papers", account.papers),
        ("Topics", account.topics),
        ("Papers in no topic yet", account.unsorted),
        ("Listings", account.listings),
        ("Structured records", account.records),
        ("Entries read", account.entries),
        ("Duplicate entries merged", account.merged),
        ("Authors", account.authors),
    ]
    lines = [
        front_matter("Home"),
        "# Paper knowledge base",
        "",
        "Research papers collected from saved Hugging Face Daily Papers listings, "
        "deduplicated and sorted into topics.",
        "",
        f"- Browse by [topic]({TOPICS_INDEX}) or by [author]({AUTHORS_INDEX})",
        f"- Every paper, [A–Z]({ALL_PAPERS})",
        f"- Recently added papers as an Atom feed: [{FEED_FILE}]({FEED_FILE})",
        f"- The whole knowledge base as data: [papers.json]({PAPERS_JSON})",
        f"- How duplicate entries were merged: [merge report]({MERGE_REPORT})",
        f"- Cite the whole knowledge base: {cite_links(ALL_NAME, '')}",
        "",
        "## In figures",
        "",
        "| Figure | Count |",
        "| --- | --: |",
        *[f"| {label} | {value:,} |" for label, value in rows],
        "",
    ]
    if recent:
        lines += ["## Recently added", ""]
        lines += [
            f"- {_link(p.title, paper_path(p.id))}: {text(gist(p.abstract))}"
            for p in recent[:RECENT_PAPERS]
        ]
        lines += ["", f"More in the [feed]({FEED_FILE}).", ""]
    if papers:
        lines += _charts(papers, topics)
    return "\n".join(lines)
