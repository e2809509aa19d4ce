"""Render stage: papers and topics -> the Markdown (and JSON) of every generated file.

Pure: returns a mapping of docs-relative POSIX paths to file contents; :mod:`generator.write`
puts them on disk. Every generated file starts with :data:`MARKER`, which is how the writer
tells its own files from hand-written ones.

Untrusted text (titles, abstracts, file names, and even taxonomy text) goes through
:func:`text`, which writes every ASCII punctuation character that Markdown, HTML, MkDocs
extensions or a template engine could read as syntax as a numeric character reference. Python
Markdown passes such references through untouched, so the reader sees the literal characters
and no input can become a tag, a link, emphasis, a table, a heading or a template expression.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from generator.dedupe import DedupeResult
from generator.errors import Problem
from generator.model import UNSORTED, Paper, Topic

MARKER_TOKEN = "paperkb:generated"
MARKER = (
    f"<!-- {MARKER_TOKEN}: made by `paperkb generate` from data/; "
    "do not edit, it is overwritten on every run -->\n"
)

PAPERS_DIR = "papers"
TOPICS_DIR = "topics"
SEARCH_DIR = "search"
HOME_PAGE = "index.md"
TOPICS_INDEX = f"{TOPICS_DIR}/index.md"
ALL_PAPERS = f"{PAPERS_DIR}/index.md"
PAPERS_JSON = "papers.json"
MERGE_REPORT = "merges.md"

#: ASCII punctuation that never starts markup in any position once its neighbours are escaped.
_SAFE_PUNCTUATION = frozenset(" ,;?%/.'")
_ESCAPES = {
    ord(ch): f"&#{ord(ch)};"
    for ch in map(chr, range(0x21, 0x7F))
    if not ch.isalnum() and ch not in _SAFE_PUNCTUATION
}
#: C0/C1 control characters other than whitespace: Python Markdown uses STX/ETX as its own
#: placeholder markers, so they must never reach it.
_CONTROLS = {code: None for code in [*range(0x20), *range(0x7F, 0xA0)] if not chr(code).isspace()}
_ORDERED_LIST_START = re.compile(r"^(\d+)\.")


def text(value: str) -> str:
    """Untrusted text as inert Markdown: one line, markup characters as character references."""
    flat = " ".join(value.translate(_CONTROLS).split()).translate(_ESCAPES)
    return _ORDERED_LIST_START.sub(r"\1&#46;", flat)


def front_matter(title: str) -> str:
    """YAML front matter naming the page, then the generated-file marker.

    MkDocs takes a page title from a leading h1 only when it is the first element, which the
    marker is not, so the title is given explicitly. Themes insert ``page.title`` into the HTML
    unescaped (MkDocs' Jinja environment does not autoescape), in element text and attributes,
    so it is HTML-escaped here, quotes included; JSON string syntax is valid YAML.
    """
    escaped = html.escape(" ".join(title.split()), quote=True)
    return f"---\ntitle: {json.dumps(escaped, ensure_ascii=False)}\n---\n{MARKER}"


def paper_path(paper_id: str) -> str:
    return f"{PAPERS_DIR}/{paper_id}.md"


def topic_path(slug: str) -> str:
    return f"{TOPICS_DIR}/{slug}.md"


@dataclass(frozen=True, slots=True)
class Account:
    """What a run read and made: entries read = papers + merged + rejected."""

    listings: int
    entries: int
    papers: int
    merged: int
    rejected: int
    topics: int
    unsorted: int


def _link(label: str, target: str) -> str:
    return f"[{text(label)}]({target})"


def sort_key(title: str) -> tuple[str, str]:
    """Locale-independent A-Z order: accents and case folded, then the raw title."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    return ("".join(ch for ch in folded if not unicodedata.combining(ch)), title)


def _letter(title: str) -> str:
    first = sort_key(title)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


def render_paper(paper: Paper, topics: Mapping[str, Topic], titles: Mapping[str, str]) -> str:
    lines = [front_matter(paper.title), f"# {text(paper.title)}", ""]
    chips = [topics[slug] for slug in paper.topics] or [UNSORTED]
    lines += [
        "**Topics:** " + " · ".join(_link(t.name, f"../{topic_path(t.slug)}") for t in chips),
        "",
        "## Abstract",
        "",
        text(paper.abstract),
        "",
    ]
    if paper.related:
        lines += ["## Related papers", ""]
        lines += [f"- {_link(titles[rid], f'{rid}.md')}" for rid in paper.related]
        lines.append("")
    lines += ["## Listings", "", "| Listing | Line | Date |", "| --- | --- | --- |"]
    lines += [f"| {text(s.file)} | {s.line} | {text(s.date or '—')} |" for s in paper.sources]
    lines.append("")
    if paper.aliases:
        lines += ["## Other spellings", ""]
        lines += [f"- {text(alias)}" for alias in paper.aliases]
        lines.append("")
    return "\n".join(lines)


def _paper_list(papers: Sequence[Paper], prefix: str) -> list[str]:
    return [
        f"- {_link(p.title, f'{prefix}{p.id}.md')}"
        for p in sorted(papers, key=lambda p: sort_key(p.title))
    ]


def render_topic(
    topic: Topic,
    members: Sequence[Paper],
    related: Sequence[tuple[str, int]],
    topics: Mapping[str, Topic],
) -> str:
    lines = [front_matter(topic.name), f"# {text(topic.name)}", "", text(topic.description), ""]
    noun = "paper" if len(members) == 1 else "papers"
    lines += [f"{len(members)} {noun}.", ""]
    if related:
        lines += [
            "**Related topics:** "
            + " · ".join(
                f"{_link(topics[slug].name, f'{slug}.md')} ({count})" for slug, count in related
            ),
            "",
        ]
    lines += ["## Papers", ""]
    lines += _paper_list(members, f"../{PAPERS_DIR}/")
    lines.append("")
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


def render_home(account: Account) -> str:
    rows = [
        ("Distinct papers", account.papers),
        ("Topics", account.topics),
        ("Papers in no topic yet", account.unsorted),
        ("Listings", account.listings),
        ("Entries read", account.entries),
        ("Duplicate entries merged", account.merged),
    ]
    lines = [
        front_matter("Home"),
        "# Paper knowledge base",
        "",
        "Research papers collected from saved Hugging Face Daily Papers listings, "
        "deduplicated and sorted into topics.",
        "",
        f"- Browse by [topic]({TOPICS_INDEX})",
        f"- Every paper, [A–Z]({ALL_PAPERS})",
        f"- The whole knowledge base as data: [papers.json]({PAPERS_JSON})",
        f"- How duplicate entries were merged: [merge report]({MERGE_REPORT})",
        "",
        "## In figures",
        "",
        "| | |",
        "| --- | --: |",
        *[f"| {label} | {value:,} |" for label, value in rows],
        "",
    ]
    return "\n".join(lines)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def render_merge_report(
    result: DedupeResult,
    paper_ids: Mapping[str, str],
    prefix: str,
    escape: Callable[[str], str] = text,
) -> str:
    """Every merged group with its spellings, sources and scores; the closest pairs kept apart.

    ``paper_ids`` maps a group's key to its paper id; links start with ``prefix`` (the path
    from the report to the papers folder), or are left out when ``prefix`` is empty (terminal).
    ``escape`` makes untrusted text inert; a terminal report passes ``str`` to print it as is.
    """
    spellings = sum(len(g.spellings) for g in result.merges)
    lines = [
        "# Merge report",
        "",
        f"{len(result.merges)} papers were read more than once or under more than one spelling "
        f"({spellings} spellings); {len(result.kept_apart)} close pairs were kept apart. Scores "
        "are similarity ratios from 0 to 100 (title / abstract). Overrides: "
        "data/overrides.yaml.",
        "",
        "## Merged",
        "",
    ]
    for group in result.merges:
        pid = paper_ids.get(group.key, "")
        heading = _link(group.title, f"{prefix}{pid}.md") if prefix and pid else escape(group.title)
        lines += [f"### {heading}", "", "| Spelling | How | Title | Abstract | Sources |"]
        lines.append("| --- | --- | --: | --: | --- |")
        for sp in group.spellings:
            where = ", ".join(f"{s.file}:{s.line}" for s in sp.sources)
            lines.append(
                f"| {escape(sp.title)} | {sp.how} | {_score(sp.title_score)} | "
                f"{_score(sp.abstract_score)} | {escape(where)} |"
            )
        lines.append("")
    lines += ["## Kept apart", ""]
    if result.kept_apart:
        lines += ["| Title | Title | Title score | Abstract score | Why |"]
        lines.append("| --- | --- | --: | --: | --- |")
        lines += [
            f"| {escape(m.title_a)} | {escape(m.title_b)} | {_score(m.title_score)} | "
            f"{_score(m.abstract_score)} | {escape(m.reason)} |"
            for m in result.kept_apart
        ]
    else:
        lines.append("No pair of different papers came close enough to be a candidate.")
    lines.append("")
    return "\n".join(lines)


def redirect_path(old_id: str) -> str:
    return f"{PAPERS_DIR}/{old_id}.html"


def render_redirect(old_id: str, target: Paper) -> str:
    """A static page at an old paper URL that sends the reader to the paper that holds it now.

    MkDocs copies ``.html`` files from docs/ unchanged, so the page lives at exactly the old URL.
    A meta refresh works on GitHub Pages and from ``file://`` alike (no server rules), and the
    visible link is there for readers whose browser does not follow it.
    """
    href = html.escape(f"{target.id}.html", quote=True)
    title = html.escape(target.title, quote=True)
    return (
        "<!doctype html>\n"
        f"<!-- {MARKER_TOKEN}: made by `paperkb generate`; do not edit -->\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Moved: {title}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        f'<link rel="canonical" href="{href}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n<body>\n"
        f'<p>This paper ({html.escape(old_id)}) is now at <a href="{href}">{title}</a>.</p>\n'
        "</body>\n</html>\n"
    )


def render_json(
    papers: Sequence[Paper],
    account: Account,
    rejected: Sequence[Problem] = (),
    redirects: Mapping[str, str] = {},
) -> str:
    record = {
        "generator": f"{MARKER_TOKEN}: made by `paperkb generate` from data/; do not edit",
        "account": {
            "listings": account.listings,
            "entries_read": account.entries,
            "distinct_papers": account.papers,
            "duplicates_merged": account.merged,
            "rejected": account.rejected,
            "rejected_entries": [
                {"file": p.file, "line": p.line, "reason": p.message} for p in rejected
            ],
            "topics": account.topics,
            "unsorted": account.unsorted,
        },
        "papers": [
            {
                "id": p.id,
                "title": p.title,
                "abstract": p.abstract,
                "url": f"{PAPERS_DIR}/{p.id}.html",
                "topics": list(p.topics),
                "related": list(p.related),
                "sources": [{"file": s.file, "line": s.line, "date": s.date} for s in p.sources],
                "aliases": list(p.aliases),
            }
            for p in papers
        ],
        "redirects": {old: f"{PAPERS_DIR}/{new}.html" for old, new in sorted(redirects.items())},
    }
    # Keys in a fixed order, the marker first: it must stay within the writer's marker window.
    return json.dumps(record, ensure_ascii=False, indent=1) + "\n"


def render_site(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    related_topics: Mapping[str, Sequence[tuple[str, int]]],
    account: Account,
    rejected: Sequence[Problem] = (),
    redirects: Mapping[str, str] = {},
) -> dict[str, str]:
    """Every generated file, keyed by docs-relative path. Papers must have unique ids.

    ``redirects`` maps ids that no longer have a page to the id of a paper that has one.
    """
    by_slug = {t.slug: t for t in topics}
    by_id = {p.id: p for p in papers}
    titles = {p.id: p.title for p in papers}
    members: dict[str, list[Paper]] = {t.slug: [] for t in [*topics, UNSORTED]}
    for paper in papers:
        for slug in paper.topics or (UNSORTED.slug,):
            members[slug].append(paper)

    files = {paper_path(p.id): render_paper(p, by_slug, titles) for p in papers}
    for old_id, new_id in redirects.items():
        files[redirect_path(old_id)] = render_redirect(old_id, by_id[new_id])
    for topic in [*topics, UNSORTED]:
        files[topic_path(topic.slug)] = render_topic(
            topic, members[topic.slug], related_topics.get(topic.slug, ()), by_slug
        )
    files[TOPICS_INDEX] = render_topics_index(topics, members)
    files[ALL_PAPERS] = render_all_papers(papers)
    files[HOME_PAGE] = render_home(account)
    files[PAPERS_JSON] = render_json(papers, account, rejected, redirects)
    return dict(sorted(files.items()))
