"""A paper's page: title, byline, abstract, the Hub's facts, related papers, how to cite it."""

from __future__ import annotations

from collections.abc import Mapping

from generator.layout import author_path, topic_path
from generator.model import UNSORTED, Paper, Topic
from generator.render import cite
from generator.render.lists import gist
from generator.render.markdown import (
    _CONTROLS,
    _href,
    _link,
    front_matter,
    text,
    text_with_links,
    url_label,
)
from generator.render.provenance import render_provenance
from generator.render.rows import BY_SIMILARITY, first_authors
from generator.stages.authors import author_key
from generator.stages.link import SAME_TOPICS, SHARED_TERMS, SIMILAR_ABSTRACT, related_groups
from generator.text.dates import date_label, listing_date_key


def _byline(paper: Paper, author_ids: Mapping[str, str], prefix: str) -> list[str]:
    """Authors, dates, links, counts and the Hub's facts: only what a record told us.

    A paper without an arXiv id gets title searches on arXiv and the Hub instead.
    """
    lines: list[str] = []
    meta = paper.meta
    if meta.authors:
        names = [
            _link(name, f"{prefix}{author_path(author_ids[author_key(name)])}")
            if author_key(name) in author_ids
            else text(name)
            for name in meta.authors
        ]
        lines.append("**Authors:** " + ", ".join(names))
    facts: list[str] = []
    if meta.published:
        shown = date_label(listing_date_key(meta.published)) or meta.published
        facts.append(f"**Published:** {text(shown)}")
    if meta.arxiv:
        facts.append(
            f"**arXiv:** {_link(meta.arxiv, cite.arxiv_url(meta.arxiv))} "
            f"({_link('PDF', cite.arxiv_pdf_url(meta.arxiv))})"
        )
        facts.append(_link("Hugging Face", cite.hub_url(meta.arxiv)))
    else:
        facts.append(
            f"**Find it:** {_link('arXiv', cite.arxiv_search_url(paper.title))} · "
            f"{_link('Hugging Face', cite.hub_search_url(paper.title))}"
        )
    if meta.listed:
        facts.append(f"**On Daily Papers:** {text(meta.listed)}")
    if meta.upvotes is not None:
        facts.append(f"**Upvotes:** {meta.upvotes:,}")
    if meta.comments is not None:
        count = f"{meta.comments:,}"
        shown = _link(count, cite.discussion_url(meta.arxiv)) if meta.arxiv else count
        facts.append(f"**Comments:** {shown}")
    lines.append(" · ".join(facts))
    hub: list[str] = []
    if meta.organization:
        hub.append(f"**Organization:** {text(meta.organization)}")
    if meta.github and (github := _href(meta.github)) is not None:
        code = f"**Code:** {_link(url_label(meta.github), github)}"
        hub.append(code if meta.stars is None else f"{code} ({meta.stars:,} stars)")
    if meta.project and (project := _href(meta.project)) is not None:
        hub.append(f"**Project page:** {_link(url_label(meta.project), project)}")
    if hub:
        lines.append(" · ".join(hub))
    return [line + "  " if i < len(lines) - 1 else line for i, line in enumerate(lines)]


#: The heading of the Hub's machine-written summary: never to be mistaken for the abstract.
AI_SUMMARY_HEADING = "## Hub's AI summary (machine-written)"


def _ai_summary(paper: Paper) -> list[str]:
    """The Hub's AI summary and keywords under their own heading, or nothing."""
    meta = paper.meta
    if not (meta.ai_summary or meta.ai_keywords):
        return []
    lines = [AI_SUMMARY_HEADING, ""]
    if meta.ai_summary:
        lines += [text(meta.ai_summary), ""]
    if meta.ai_keywords:
        lines += ["**AI keywords:** " + " · ".join(map(text, meta.ai_keywords)), ""]
    return lines


#: Each related paper's reason, as its row says it.
REASON_TEXT = {
    SIMILAR_ABSTRACT: "similar abstract",
    SAME_TOPICS: "same topics, a less similar abstract",
    SHARED_TERMS: "a few shared terms, no topic in common",
}


def related_row(other: Paper, reason: str) -> str:
    """A related paper's list item: its title linked, its year and first authors when known,
    and why it is listed."""
    facts = [fact for fact in (cite.year(other), first_authors(other)) if fact]
    shown = " · ".join([*map(text, facts), REASON_TEXT[reason]])
    return f"- {_link(other.title, f'{other.id}.md')} · {shown}"


def render_paper(
    paper: Paper,
    topics: Mapping[str, Topic],
    related: Mapping[str, Paper],
    author_ids: Mapping[str, str] | None = None,
) -> str:
    """A paper's page. ``related`` maps ids to papers (those of ``paper.related`` at least);
    ``author_ids`` maps :func:`author_key` of a name to its page id."""
    lines = [
        front_matter(
            paper.title, cite.citation_meta(paper), hide_toc=True, description=gist(paper.abstract)
        ),
        f"# {text(paper.title)}",
        "",
    ]
    if paper.meta.withdrawn:
        lines += [
            f"> **Withdrawn:** the Hub marks this paper as withdrawn on "
            f"{text(paper.meta.withdrawn)}.",
            "",
        ]
    byline = _byline(paper, author_ids or {}, "../")
    if byline:
        lines += [*byline, ""]
    learned = paper.learned_slugs
    chips = [
        _link(t.name, f"../{topic_path(t.slug)}")
        + (f" {BY_SIMILARITY}" if t.slug in learned else "")
        for t in [topics[slug] for slug in paper.topics] or [UNSORTED]
    ]
    lines += ["**Topics:** " + " · ".join(chips), ""]
    if paper.meta.note:
        lines += [f"> **Curator's note:** {text(paper.meta.note)}", ""]
    lines += ["## Abstract", "", text_with_links(paper.abstract), ""]
    lines += _ai_summary(paper)
    if paper.related:
        lines += ["## Related papers", ""]
        for reason, ids in related_groups(paper):  # strongest first
            lines += [related_row(related[rid], reason) for rid in ids]
        lines.append("")
    lines += ["## Cite", "", "BibTeX:", ""]
    # An indented code block: Markdown escapes its content and no line can end it early.
    lines += [f"    {line}" for line in cite.bibtex(paper).translate(_CONTROLS).splitlines()]
    lines.append("")
    lines += render_provenance(paper, "../")
    return "\n".join(lines)
