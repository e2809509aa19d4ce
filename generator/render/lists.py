"""Pages that list papers: a topic's page, the topic index and the A-Z list of all papers.

Papers are listed as rows (:mod:`generator.render.rows`), which the reader can re-sort.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from generator.layout import PAPERS_DIR, topic_feed_path
from generator.model import UNSORTED, Paper, Topic
from generator.render import charts
from generator.render.citations import cite_links
from generator.render.markdown import _letter, _link, front_matter, text
from generator.render.rows import BY_SIMILARITY, Rows, sort_box
from generator.text.sentences import first_sentence

T = TypeVar("T")

#: A gist longer than this is cut at a word boundary.
GIST_MAX_CHARS = 220


def gist(abstract: str) -> str:
    """The abstract's first sentence, at most :data:`GIST_MAX_CHARS` characters (plain text)."""
    return first_sentence(abstract, GIST_MAX_CHARS)


#: A raw HTML placeholder that docs/assets/javascripts/paperkb-lists.js turns into a filter box
#: (no external script; without JavaScript the page is the plain grouped list).
FILTER_BOX = '<div class="pkb-filter" data-pkb-filter="papers"></div>'
#: Topics with more papers than this get the in-page filter.
FILTER_MIN_PAPERS = 20


def render_topic(
    topic: Topic,
    members: Sequence[Paper],
    related: Sequence[tuple[str, int]],
    topics: Mapping[str, Topic],
    rows: Rows | None = None,
) -> str:
    """A topic page: related topics with counts and a map, then its papers as rows, newest
    first (``rows``: the run's, default made from ``members``)."""
    rows = rows or Rows.of(members, topics)
    feed = topic_feed_path(topic.slug)
    lines = [
        front_matter(topic.name, description=topic.description, feed=feed),
        f"# {text(topic.name)}",
        "",
        text(topic.description),
        "",
    ]
    noun = "paper" if len(members) == 1 else "papers"
    lines += [
        f"{len(members):,} {noun}, newest first · [Atom feed](../{feed}) of its newest papers",
        "",
    ]
    learned = sum(1 for p in members if topic.slug in p.learned_slugs)
    if learned:
        lines += [
            f"{learned:,} of them match no rule: their text is close to this topic's papers, "
            f"and they are marked {BY_SIMILARITY}.",
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
    lines += [sort_box("newest"), "", rows.html(members, f"../{PAPERS_DIR}/", "newest"), ""]
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


def letter_index(letters: Sequence[str]) -> str:
    """Links to the page's letter headings (``## A`` has the id ``a``), on every width: the
    table of contents is a sidebar that phones do not show."""
    links = " ".join(f'<a href="#{_anchor(x)}">{_heading(x)}</a>' for x in letters)
    return f'<nav class="pkb-letters" aria-label="Letters">{links}</nav>'


def _heading(letter: str) -> str:
    return "Other" if letter == "#" else letter


def _anchor(letter: str) -> str:
    """The id Python Markdown's toc gives the letter's heading."""
    return _heading(letter).lower()


def by_letter(items: Sequence[T], name: Callable[[T], str]) -> list[tuple[str, list[T]]]:
    """``items`` grouped by the first letter of their name, A-Z, then ``#`` (any other)."""
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(_letter(name(item)), []).append(item)
    return [(x, groups[x]) for x in sorted(groups, key=lambda x: (x == "#", x))]


def render_all_papers(papers: Sequence[Paper], rows: Rows | None = None) -> str:
    """Every paper A-Z, under a heading per letter, with the letters linked at the top."""
    rows = rows or Rows.of(papers, {})
    groups = by_letter(papers, lambda p: p.title)
    lines = [front_matter("All papers"), "# All papers", ""]
    lines += [f"{len(papers):,} papers, A–Z.", ""]
    if groups:
        lines += [letter_index([x for x, _ in groups]), "", sort_box("title"), ""]
    for letter, group in groups:
        lines += [f"## {_heading(letter)}", "", rows.html(group, "", "title"), ""]
    return "\n".join(lines)
