"""The whole site as a file plan: every page, the merge report, the feed and the search index.

What a run renders, assembled in one place from the page families (see :mod:`generator.render`),
the feed, the citation files and the search index. Pure, like every renderer: pages are made
when the plan is read or written (:mod:`generator.render.files`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from generator.account import Account
from generator.errors import Problem
from generator.layout import (
    ALL_PAPERS,
    AUTHORS_INDEX,
    FEED_FILE,
    HOME_PAGE,
    KB_PAGE,
    MARKER_TEXT,
    MERGE_REPORT,
    PAPERS_DIR,
    PAPERS_JSON,
    READING_LIST,
    TOPICS_INDEX,
    author_path,
    paper_path,
    redirect_path,
    topic_feed_path,
    topic_path,
)
from generator.model import UNSORTED, Paper, Topic
from generator.render.authors import render_author, render_authors_index
from generator.render.citations import citation_files
from generator.render.dated import Calendar, date_pages
from generator.render.feed import render_feed
from generator.render.files import Content, Deferred, Files, deferred
from generator.render.home import render_home
from generator.render.kb import render_kb
from generator.render.lists import render_all_papers, render_topic, render_topics_index
from generator.render.markdown import front_matter
from generator.render.paper import render_paper
from generator.render.papers_json import json_chunks
from generator.render.reading import render_reading_list
from generator.render.reports import render_merge_report, render_redirect
from generator.render.rows import Rows
from generator.stages.authors import Author, collect_authors
from generator.stages.dedupe import DedupeResult

#: The feed's title.
FEED_TITLE = "Paper knowledge base: newest papers"
#: A topic's feed has this many of its newest papers (the site's feed has 50).
TOPIC_FEED_PAPERS = 30


def site_files(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    related_topics: Mapping[str, Sequence[tuple[str, int]]],
    account: Account,
    rejected: Sequence[Problem],
    redirects: Mapping[str, str],
    authors: Sequence[Author],
    merged: DedupeResult,
    order: Mapping[str, int],
    search: Mapping[str, Content],
) -> Files:
    """Every generated file of a run, keyed by docs-relative path.

    ``order``: each paper id's position in the permalink registry (the order papers were
    added), for the feeds; ``search``: the search index's
    files (:func:`generator.render.search.render_search`), made earlier in the run.
    """
    files = render_site(
        papers, topics, related_topics, account, rejected, redirects, authors, order
    )
    report = render_merge_report(merged, {p.key: p.id for p in papers}, f"{PAPERS_DIR}/")
    merges = front_matter("Merge report") + report
    return files | {MERGE_REPORT: merges} | search


def _topic_files(
    topics: Sequence[Topic],
    members: Mapping[str, Sequence[Paper]],
    related_topics: Mapping[str, Sequence[tuple[str, int]]],
    by_slug: Mapping[str, Topic],
    rows: Rows,
    order: Mapping[str, int],
) -> dict[str, Content]:
    """Each topic's page and its feed."""
    files: dict[str, Content] = {}
    for topic in topics:
        files[topic_path(topic.slug)] = deferred(
            render_topic,
            topic,
            members[topic.slug],
            related_topics.get(topic.slug, ()),
            by_slug,
            rows,
        )
        files[topic_feed_path(topic.slug)] = deferred(
            render_feed,
            members[topic.slug],
            order,
            title=f"Paper knowledge base: {topic.name}",
            site_url=None,
            limit=TOPIC_FEED_PAPERS,
            marker=MARKER_TEXT,
            path=topic_feed_path(topic.slug),
            page=topic_path(topic.slug),
            placed=rows.placed,
        )
    return files


def render_site(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    related_topics: Mapping[str, Sequence[tuple[str, int]]],
    account: Account,
    rejected: Sequence[Problem] = (),
    redirects: Mapping[str, str] = {},
    authors: Sequence[Author] | None = None,
    order: Mapping[str, int] | None = None,
) -> Files:
    """Every generated Markdown/JSON file and feed, keyed by docs-relative path. Ids must be
    unique.

    ``order``: each paper id's position in the permalink registry, for the feeds (default: by
    id).

    ``redirects`` maps ids that no longer have a page to the id of a paper that has one.
    ``authors`` default to :func:`collect_authors` of the papers. Pages are made when they are
    read or written (:mod:`generator.render.files`), not held all at once.
    """
    by_slug = {t.slug: t for t in topics}
    by_id = {p.id: p for p in papers}
    if authors is None:
        authors = collect_authors(papers)
    author_ids = {a.key: a.id for a in authors}
    members: dict[str, list[Paper]] = {t.slug: [] for t in [*topics, UNSORTED]}
    for paper in papers:
        for slug in paper.topics or (UNSORTED.slug,):
            members[slug].append(paper)

    rows = Rows.of(papers, by_slug)
    calendar = Calendar.of(papers, rows)
    order = order if order is not None else {i: n for n, i in enumerate(sorted(by_id))}

    files: dict[str, Content] = {
        paper_path(p.id): deferred(render_paper, p, by_slug, by_id, author_ids) for p in papers
    }
    for old_id, new_id in redirects.items():
        files[redirect_path(old_id)] = render_redirect(old_id, by_id[new_id])
    files.update(_topic_files([*topics, UNSORTED], members, related_topics, by_slug, rows, order))
    files[FEED_FILE] = deferred(
        render_feed,
        papers,
        order,
        title=FEED_TITLE,
        site_url=None,
        marker=MARKER_TEXT,
        placed=rows.placed,
    )
    for author in authors:
        files[author_path(author.id)] = deferred(render_author, author, by_id, rows)
    files[AUTHORS_INDEX] = deferred(render_authors_index, authors)
    files[TOPICS_INDEX] = deferred(render_topics_index, topics, members)
    files[ALL_PAPERS] = deferred(render_all_papers, papers, rows)
    files.update(date_pages(calendar, rows))
    files[HOME_PAGE] = render_home(papers, topics, rows, calendar)
    files[KB_PAGE] = render_kb(account, calendar)
    files[READING_LIST] = render_reading_list()
    files.update(citation_files(papers, members, MARKER_TEXT))
    files[PAPERS_JSON] = Deferred(
        functools.partial(json_chunks, papers, account, rejected, redirects, author_ids)
    )
    return Files(files)
