"""``papers.json``: every paper's facts, one per line, for scripts and the site's filter."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

from generator.account import Account
from generator.errors import Problem
from generator.layout import AUTHORS_DIR, MARKER_TEXT, PAPERS_DIR
from generator.model import Paper
from generator.render import cite
from generator.stages.authors import author_key


def render_json(
    papers: Sequence[Paper],
    account: Account,
    rejected: Sequence[Problem] = (),
    redirects: Mapping[str, str] = {},
    author_ids: Mapping[str, str] = {},
) -> str:
    """``papers.json``: the account and every paper with every field the site shows.

    Fields a paper's inputs did not give are ``null`` (or empty lists), never guessed.
    """
    return "".join(json_chunks(papers, account, rejected, redirects, author_ids))


def json_chunks(
    papers: Sequence[Paper],
    account: Account,
    rejected: Sequence[Problem] = (),
    redirects: Mapping[str, str] = {},
    author_ids: Mapping[str, str] = {},
) -> Iterator[str]:
    """:func:`render_json` in lines: the head, one line per paper, the tail.

    Keys in a fixed order, the marker first: it must stay within the writer's marker window.
    One paper per line, so that a diff between two builds shows the papers that changed, in
    compact JSON from the json module's C encoder (with ``indent`` it falls back to Python), and
    a writer can encode it line by line instead of holding it as one string.
    """
    rate = account.shared_topic_rate
    head = {
        "generator": MARKER_TEXT,
        "account": {
            "listings": account.listings,
            "records": account.records,
            "entries_read": account.entries,
            "distinct_papers": account.papers,
            "duplicates_merged": account.merged,
            "annotations": account.annotations,
            "rejected": account.rejected,
            "rejected_entries": [
                {"file": p.file, "line": p.line, "reason": p.message} for p in rejected
            ],
            "topics": account.topics,
            "unsorted": account.unsorted,
            "assigned_by_similarity": account.learned,
            "authors": account.authors,
            "related_links": account.related_links,
            "related_links_sharing_a_topic": account.related_shared_topic,
            "shared_topic_rate": None if rate is None else round(rate, 4),
            "papers_with_three_related": account.related_three,
            "related_links_similar_abstract": account.related_similar,
            "related_links_similar_abstract_sharing_a_topic": account.related_similar_shared,
        },
    }
    yield "{\n" + "".join(f" {_dump(key)}:{_dump(value)},\n" for key, value in head.items())
    if papers:
        yield ' "papers":[\n'
        last = len(papers) - 1
        for number, p in enumerate(papers):
            record = _record(p, author_ids)
            yield f"  {_dump(record)}{',' if number < last else ''}\n"
        yield " ],\n"
    else:
        yield ' "papers":[],\n'
    moved = {old: f"{PAPERS_DIR}/{new}.html" for old, new in sorted(redirects.items())}
    yield f' "redirects":{_dump(moved)}\n}}\n'


def _record(p: Paper, author_ids: Mapping[str, str]) -> dict[str, object]:
    """One paper's line of ``papers.json``: every field, in a fixed order."""
    meta = p.meta
    arxiv = meta.arxiv
    return {
        "id": p.id,
        "title": p.title,
        "abstract": p.abstract,
        "url": f"{PAPERS_DIR}/{p.id}.html",
        "arxiv": arxiv,
        "arxiv_url": cite.arxiv_url(arxiv) if arxiv else None,
        "pdf_url": cite.arxiv_pdf_url(arxiv) if arxiv else None,
        "hub_url": cite.hub_url(arxiv) if arxiv else None,
        "authors": [{"name": name, "url": _author_url(name, author_ids)} for name in meta.authors],
        "published": meta.published,
        "listed": meta.listed,
        "upvotes": meta.upvotes,
        "comments": meta.comments,
        "comments_url": (
            cite.discussion_url(arxiv) if arxiv and meta.comments is not None else None
        ),
        "organization": meta.organization,
        "github_repo": meta.github,
        "github_stars": meta.stars,
        "project_page": meta.project,
        "ai_summary": meta.ai_summary,
        "ai_keywords": list(meta.ai_keywords),
        "withdrawn": meta.withdrawn,
        "note": meta.note,
        "topics": list(p.topics),
        "pinned_topics": list(p.meta.topics),
        "learned_topics": [
            {"topic": slug, "confidence": confidence} for slug, confidence in p.learned_topics
        ],
        "related": list(p.related),
        "related_reasons": list(p.related_reasons),
        "sources": [{"file": s.file, "line": s.line, "date": s.date} for s in p.sources],
        "aliases": list(p.aliases),
    }


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _author_url(name: str, author_ids: Mapping[str, str]) -> str | None:
    author_id = author_ids.get(author_key(name))
    return None if author_id is None else f"{AUTHORS_DIR}/{author_id}.html"
