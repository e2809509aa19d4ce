"""Pages that list papers: a topic's page, the topic index and the A-Z list of all papers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from generator.layout import PAPERS_DIR
from generator.model import UNSORTED, Paper, Topic
from generator.render import charts
from generator.render.citations import cite_links
from generator.render.markdown import _letter, _link, front_matter, text
from generator.text.dates import date_label, listing_date_key
from generator.text.folding import sort_key

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
#: A gist longer than this is cut at a word boundary.
GIST_MAX_CHARS = 220


def gist(abstract: str) -> str:
    """The abstract's first sentence, at most :data:`GIST_MAX_CHARS` characters (plain text)."""
    first = _SENTENCE_END.split(" ".join(abstract.split()), maxsplit=1)[0]
    if len(first) <= GIST_MAX_CHARS:
        return first
    cut = first[: GIST_MAX_CHARS - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def listing_key(paper: Paper) -> tuple[int, int, int]:
    """Sort key of the paper's latest listing date: a saved listing's or its Daily Papers day.

    Only days the paper was *listed* count: a record's publication date is not a listing date
    and never places a paper in a listing-date chart or group (a paper known only from a
    hand-written record is undated here). Listing dates often have no year (``Aug 12``): their
    key has year 0, so they sort before dated ones.
    """
    keys = [listing_date_key(date) for date in (*paper.dates, paper.meta.listed) if date]
    return max(keys, default=(0, 0, 0))


def _date_label(key: tuple[int, int, int]) -> str:
    """A date group's heading: the date, or "Undated"."""
    return date_label(key) or "Undated"


def _dated_groups(papers: Sequence[Paper]) -> list[tuple[str, list[Paper]]]:
    """Papers grouped by latest date, newest group first, A-Z inside a group, undated last."""
    groups: dict[tuple[int, int, int], list[Paper]] = {}
    for paper in papers:
        groups.setdefault(listing_key(paper), []).append(paper)
    order = sorted(groups, key=lambda k: (k == (0, 0, 0), tuple(-x for x in k)))
    return [
        (_date_label(k), sorted(groups[k], key=lambda p: (sort_key(p.title), p.id))) for k in order
    ]


#: After a topic, or a paper in a topic, that no rule or pin gave (:mod:`generator.stages.learn`).
LEARNED_MARK = "(assigned by similarity)"


def _gist_item(paper: Paper, prefix: str, slug: str) -> str:
    """A paper in a topic's list, marked when it is there by similarity."""
    learned = any(topic == slug for topic, _ in paper.learned_topics)
    mark = f" {LEARNED_MARK}" if learned else ""
    return f"- {_link(paper.title, f'{prefix}{paper.id}.md')}{mark}: {text(gist(paper.abstract))}"


#: A raw HTML placeholder that docs/assets/javascripts/paperkb-filter.js turns into a filter box
#: (no external script; without JavaScript the page is the plain grouped list).
FILTER_BOX = '<div class="pkb-filter" data-pkb-filter="papers"></div>'
#: Topics with more papers than this get the in-page filter.
FILTER_MIN_PAPERS = 20


def render_topic(
    topic: Topic,
    members: Sequence[Paper],
    related: Sequence[tuple[str, int]],
    topics: Mapping[str, Topic],
) -> str:
    """A topic page: related topics with counts and a map, then papers grouped by date."""
    lines = [
        front_matter(topic.name, description=topic.description),
        f"# {text(topic.name)}",
        "",
        text(topic.description),
        "",
    ]
    noun = "paper" if len(members) == 1 else "papers"
    lines += [f"{len(members):,} {noun}, newest listing date first, A–Z within a date.", ""]
    learned = sum(1 for p in members if any(t == topic.slug for t, _ in p.learned_topics))
    if learned:
        lines += [
            f"{learned:,} of them match no rule: their text is close to this topic's papers, "
            f"and they are marked {LEARNED_MARK}.",
            "",
        ]
    lines += [f"**Cite this topic** (its papers' citations): {cite_links(topic.slug, '../')}", ""]
    if related:
        lines += [
            "**Related topics** (papers in both): "
            + " · ".join(
                f"{_link(topics[slug].name, f'{slug}.md')} ({count:,})" for slug, count in related
            ),
            "",
            charts.topic_map(
                charts.Node(topic.name, None, len(members)),
                [
                    (charts.Node(topics[slug].name, f"{slug}.html", count), count)
                    for slug, count in related
                ],
                title=f"{topic.name} and its related topics",
                description=(
                    f"{topic.name} in the middle; around it the topics that share papers with "
                    "it, linked, with the number of shared papers: "
                    + ", ".join(f"{topics[slug].name} {count}" for slug, count in related)
                    + "."
                ),
                ident=f"map-{topic.slug}",
            ),
            "",
        ]
    lines += ["## Papers", ""]
    if len(members) > FILTER_MIN_PAPERS:
        lines += [FILTER_BOX, ""]
    for label, group in _dated_groups(members):
        items = [_gist_item(p, f"../{PAPERS_DIR}/", topic.slug) for p in group]
        lines += [f"### {label}", "", *items, ""]
    return "\n".join(lines)


def render_topics_index(topics: Sequence[Topic], members: Mapping[str, Sequence[Paper]]) -> str:
    lines = [
        front_matter("Topics"),
        "# Topics",
        "",
        "| Topic | Papers | Description |",
        "| --- | --: | --- |",
    ]
    for topic in [*topics, UNSORTED]:
        count = len(members.get(topic.slug, ()))
        lines.append(
            f"| {_link(topic.name, f'{topic.slug}.md')} | {count} | {text(topic.description)} |"
        )
    lines.append("")
    return "\n".join(lines)


def render_all_papers(papers: Sequence[Paper]) -> str:
    lines = [front_matter("All papers"), "# All papers", "", f"{len(papers)} papers, A–Z.", ""]
    by_letter: dict[str, list[Paper]] = {}
    for paper in papers:
        by_letter.setdefault(_letter(paper.title), []).append(paper)
    for letter in sorted(by_letter, key=lambda x: (x == "#", x)):
        heading = "Other" if letter == "#" else letter
        lines += [f"## {heading}", "", *_paper_list(by_letter[letter], ""), ""]
    return "\n".join(lines)


#: The home page's date chart shows at most this many of the latest listing dates.


def _paper_list(papers: Sequence[Paper], prefix: str) -> list[str]:
    return [
        f"- {_link(p.title, f'{prefix}{p.id}.md')}"
        for p in sorted(papers, key=lambda p: sort_key(p.title))
    ]
