"""Render stage: papers and topics -> the Markdown (and JSON) of every generated file.

Pure: returns a mapping of docs-relative POSIX paths to file contents; :mod:`generator.build.write`
puts them on disk. Every generated file starts with :data:`MARKER`, which is how the writer
tells its own files from hand-written ones.

Untrusted text (titles, abstracts, file names, and even taxonomy text) goes through
:func:`text`, which writes every ASCII punctuation character that Markdown, HTML, MkDocs
extensions or a template engine could read as syntax where it stands as a numeric character
reference. Python Markdown passes such references through untouched, so the reader sees the
literal characters and no input can become a tag, a link, emphasis, a table, a heading or a
template expression.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from urllib.parse import quote, urlsplit

from generator.errors import Problem
from generator.inputs.records import web_url
from generator.layout import (
    ALL_PAPERS,
    AUTHORS_DIR,
    AUTHORS_INDEX,
    FEED_FILE,
    MARKER,
    MARKER_TEXT,
    MERGE_REPORT,
    PAPERS_DIR,
    PAPERS_JSON,
    REDIRECT_MARKER,
    TOPICS_INDEX,
    author_path,
    paper_path,
    topic_path,
)

# MARKER_TOKEN and sort_key are re-exported for generator/render/search.py, which reads them as
# ``render.MARKER_TOKEN`` and ``render.sort_key``: it is left as it is while another change to
# it is under way, and will then import both from their homes (layout, text.folding).
from generator.layout import MARKER_TOKEN as MARKER_TOKEN
from generator.model import UNSORTED, Account, Paper, Topic
from generator.render import charts, cite
from generator.render.citations import ALL_NAME, cite_links
from generator.stages.authors import Author, author_key
from generator.stages.dedupe import DedupeResult
from generator.stages.link import REASON_LABELS, related_groups
from generator.text.dates import listing_date_key
from generator.text.folding import sort_key as sort_key

#: ASCII punctuation that never starts markup in any position once its neighbours are escaped
#: (``(`` and ``)`` only after ``]``, which is always escaped).
_SAFE_PUNCTUATION = frozenset(" ,;%.'()")
#: Punctuation that is syntax only at the start of a line (``-`` list, rule or heading
#: underline; ``:`` definition; ``???`` and ``///`` pymdownx blocks) or, for ``:`` and ``&``,
#: right before a non-space (``:emoji:``, ``scheme:``, ``&name;``). ``-``, ``:`` and ``&`` are
#: the most frequent punctuation in titles and abstracts ("state-of-the-art", "Name: subtitle",
#: "A & B"), and every character reference costs Python Markdown two HTML parser callbacks, an
#: inline pattern match, a stash entry and a placeholder substitution (issue 8: the 31
#: references of a paper page were a sixth of its Markdown time), so they are escaped only
#: where they could be read as syntax.
_CONTEXT_PUNCTUATION = frozenset("-:&?/")
_ALWAYS_ESCAPED = "".join(
    ch
    for ch in map(chr, range(0x21, 0x7F))
    if not ch.isalnum() and ch not in _SAFE_PUNCTUATION | _CONTEXT_PUNCTUATION
)
#: What :func:`text` escapes at the start of the text: the dot of a leading number (an ordered
#: list) or a context character ...
_LEADING_SYNTAX = re.compile(r"(\d+)\.|[-:&?/]")
#: ... and anywhere: every character of :data:`_ALWAYS_ESCAPED`, and ``:`` or ``&`` unless a
#: space follows (the text is on one line with single spaces by then). One character class,
#: which the regex engine scans for quickly; the rare ``:`` / ``&`` is decided per match.
_SYNTAX = re.compile(f"[{re.escape(_ALWAYS_ESCAPED)}:&]")
#: C0/C1 control characters other than whitespace: Python Markdown uses STX/ETX as its own
#: placeholder markers, so they must never reach it.
_CONTROLS = {code: None for code in [*range(0x20), *range(0x7F, 0xA0)] if not chr(code).isspace()}
_CONTROL = re.compile("[" + "".join(map(chr, _CONTROLS)) + "]")


def _reference(match: re.Match[str]) -> str:
    char = match.group()
    if char in ":&" and match.string.startswith(" ", match.end()):
        return char
    return f"&#{ord(char)};"


def text(value: str) -> str:
    """Untrusted text as inert Markdown: one line, markup characters as character references."""
    value = _plain(value)
    head = ""
    if (lead := _LEADING_SYNTAX.match(value)) is not None:
        number = lead.group(1)
        head = f"{number}&#46;" if number is not None else f"&#{ord(lead.group())};"
        value = value[lead.end() :]
    return head + _SYNTAX.sub(_reference, value)


#: A page's description (its ``<meta name="description">``) is cut to this many characters.
DESCRIPTION_CHARS = 160


def front_matter(
    title: str,
    citation: Sequence[tuple[str, str]] = (),
    *,
    hide_toc: bool = False,
    description: str | None = None,
) -> str:
    """YAML front matter naming the page, then the generated-file marker.

    MkDocs takes a page title from a leading h1 only when it is the first element, which the
    marker is not, so the title is given explicitly. Themes insert ``page.title`` into the HTML
    unescaped (MkDocs' Jinja environment does not autoescape), in element text and attributes,
    so it is HTML-escaped here, quotes included; JSON string syntax is valid YAML.

    ``citation`` are Highwire ``citation_*`` (name, content) pairs; ``overrides/main.html``
    writes them as ``<meta>`` tags and escapes them itself, so they are stored as plain text
    (JSON strings, control characters stripped).
    """
    escaped = html.escape(" ".join(title.split()), quote=True)
    lines = ["---", f"title: {json.dumps(escaped, ensure_ascii=False)}"]
    if description:  # search engines and link previews: this page's own words, not the site's
        shown = _plain(description)
        if len(shown) > DESCRIPTION_CHARS:
            shown = shown[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
        quoted = json.dumps(html.escape(shown, quote=True), ensure_ascii=False)
        lines.append(f"description: {quoted}")
    if citation:
        pairs = [[name, _plain(content)] for name, content in citation]
        lines.append(f"citation: {json.dumps(pairs, ensure_ascii=False)}")
    if hide_toc:  # Material: no table of contents (a paper page's five fixed headings)
        lines.append("hide: [toc]")
    return "\n".join([*lines, "---", MARKER.rstrip("\n")]) + "\n"


def _plain(value: str) -> str:
    """``value`` on one line with single spaces, without control characters."""
    if _CONTROL.search(value) is not None:
        value = value.translate(_CONTROLS)
    return " ".join(value.split())


def _link(label: str, target: str) -> str:
    return f"[{text(label)}]({target})"


def _letter(title: str) -> str:
    first = sort_key(title)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


#: Characters a URL from a record keeps as they are in a link target; every other one is
#: percent-encoded, so no URL can end the Markdown link or the HTML attribute it becomes
#: (quotes too: Python Markdown would read ``'...'`` in a target as the link's title).
_URL_SAFE = "!#$%&+,/:;=?@~-._"
#: Longest label of a link to a URL from a record (its host and path), then cut with "…".
_URL_LABEL_CHARS = 60


def _href(url: str | None) -> str | None:
    """A record's URL as a Markdown link target (``()[]<>"'``, spaces, backslashes, braces and
    the like percent-encoded, ``&`` as ``&amp;``), or ``None`` unless it is an http(s) URL.

    The records reader keeps only such URLs (:func:`generator.inputs.records.web_url`); checked
    again
    here, so that no other scheme can become a link whatever made the :class:`Metadata`. An
    ``&`` is written as a reference because Python Markdown keeps ``&copy;`` in an ``href`` as
    the entity it looks like; ``&amp;`` reaches the browser as the ``&`` the URL has.
    """
    checked = web_url(url)
    return None if checked is None else quote(checked, safe=_URL_SAFE).replace("&", "&amp;")


#: A web address in running text, glued to what precedes it or not ("...webpage.https://x"):
#: the scheme, then everything up to a space, a quote or an angle bracket.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
#: Punctuation that ends a sentence rather than the address it follows.
_URL_TRAILER = ".,;:!?)]}*_"


def text_with_links(value: str) -> str:
    """:func:`text`, with every http(s) address in it a link to itself.

    Only what :func:`_href` accepts (absolute http(s) with a host, percent-encoded so that it
    cannot end the link) becomes a link; the visible text is the address as written, escaped
    like all text, so nothing of the input becomes markup. Trailing sentence punctuation stays
    outside the link, and so does a closing parenthesis that the address did not open.
    """
    plain = _plain(value)
    parts: list[str] = []
    at = 0
    for match in _URL_IN_TEXT.finditer(plain):
        url = _trimmed(match.group())
        target = _href(url)
        if target is None:
            continue
        parts += [_escaped(plain[at : match.start()], leading=at == 0), _link(url, target)]
        at = match.start() + len(url)
    if not parts:
        return text(plain)
    return "".join(parts) + _escaped(plain[at:], leading=False)


def _trimmed(url: str) -> str:
    """``url`` without the sentence punctuation after it (a balanced ``)`` is its own)."""
    while url and url[-1] in _URL_TRAILER:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _escaped(segment: str, *, leading: bool) -> str:
    """A piece of :func:`text` (already on one line): markup characters as references."""
    if leading:
        return text(segment) + (" " if segment.endswith(" ") else "")
    return _SYNTAX.sub(_reference, segment)


def _url_label(url: str) -> str:
    """What a link to ``url`` shows: host and path without scheme, ``www.`` or a final ``/``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    label = (host + parts.path).rstrip("/") or host
    if len(label) > _URL_LABEL_CHARS:
        label = label[: _URL_LABEL_CHARS - 1] + "…"
    return label


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
        facts.append(f"**Published:** {text(meta.published)}")
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
        code = f"**Code:** {_link(_url_label(meta.github), github)}"
        hub.append(code if meta.stars is None else f"{code} ({meta.stars:,} stars)")
    if meta.project and (project := _href(meta.project)) is not None:
        hub.append(f"**Project page:** {_link(_url_label(meta.project), project)}")
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


def render_paper(
    paper: Paper,
    topics: Mapping[str, Topic],
    titles: Mapping[str, str],
    author_ids: Mapping[str, str] | None = None,
) -> str:
    """A paper's page. ``author_ids`` maps :func:`author_key` of a name to its page id."""
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
    chips = [topics[slug] for slug in paper.topics] or [UNSORTED]
    lines += [
        "**Topics:** " + " · ".join(_link(t.name, f"../{topic_path(t.slug)}") for t in chips),
        "",
    ]
    if paper.meta.note:
        lines += [f"> **Curator's note:** {text(paper.meta.note)}", ""]
    lines += ["## Abstract", "", text_with_links(paper.abstract), ""]
    lines += _ai_summary(paper)
    if paper.related:
        lines += ["## Related papers", ""]
        for reason, ids in related_groups(paper):  # strongest first; weaker ones introduced
            lines += [REASON_LABELS[reason], ""] if REASON_LABELS[reason] else []
            lines += [f"- {_link(titles[rid], f'{rid}.md')}" for rid in ids] + [""]
    lines += ["## Cite", "", "BibTeX:", ""]
    # An indented code block: Markdown escapes its content and no line can end it early.
    lines += [f"    {line}" for line in cite.bibtex(paper).translate(_CONTROLS).splitlines()]
    lines.append("")
    lines += ["## Sources", "", "| File | Line | Listing date |", "| --- | --- | --- |"]
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


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
#: A gist longer than this is cut at a word boundary.
GIST_MAX_CHARS = 220
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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
    year, month, day = key
    if not month:
        return "Undated"
    label = f"{_MONTHS[month - 1]} {day}"
    return f"{label}, {year}" if year else label


def _dated_groups(papers: Sequence[Paper]) -> list[tuple[str, list[Paper]]]:
    """Papers grouped by latest date, newest group first, A-Z inside a group, undated last."""
    groups: dict[tuple[int, int, int], list[Paper]] = {}
    for paper in papers:
        groups.setdefault(listing_key(paper), []).append(paper)
    order = sorted(groups, key=lambda k: (k == (0, 0, 0), tuple(-x for x in k)))
    return [
        (_date_label(k), sorted(groups[k], key=lambda p: (sort_key(p.title), p.id))) for k in order
    ]


def _gist_item(paper: Paper, prefix: str) -> str:
    return f"- {_link(paper.title, f'{prefix}{paper.id}.md')}: {text(gist(paper.abstract))}"


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
        lines += [f"### {label}", "", *[_gist_item(p, f"../{PAPERS_DIR}/") for p in group], ""]
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


def render_authors_index(authors: Sequence[Author]) -> str:
    lines = [
        front_matter("Authors"),
        "# Authors",
        "",
        f"{len(authors):,} authors of papers whose records name them (listings do not).",
        "",
    ]
    by_letter: dict[str, list[Author]] = {}
    for author in authors:
        by_letter.setdefault(_letter(author.name), []).append(author)
    for letter in sorted(by_letter, key=lambda x: (x == "#", x)):
        lines += [f"## {'Other' if letter == '#' else letter}", ""]
        lines += [
            f"- {_link(a.name, f'{a.id}.md')} ({len(a.papers)})"
            for a in sorted(by_letter[letter], key=lambda a: (sort_key(a.name), a.id))
        ]
        lines.append("")
    return "\n".join(lines)


def render_author(author: Author, by_id: Mapping[str, Paper]) -> str:
    papers = sorted((by_id[pid] for pid in author.papers), key=lambda p: sort_key(p.title))
    noun = "paper" if len(papers) == 1 else "papers"
    lines = [
        front_matter(
            author.name,
            hide_toc=True,
            description=f"Papers by {author.name} in the knowledge base.",
        ),
        f"# {text(author.name)}",
        "",
    ]
    lines += [f"{len(papers)} {noun} in this knowledge base.", ""]
    lines += [_gist_item(p, f"../{PAPERS_DIR}/") for p in papers]
    lines.append("")
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
        f"{REDIRECT_MARKER}"
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
            "rejected": account.rejected,
            "rejected_entries": [
                {"file": p.file, "line": p.line, "reason": p.message} for p in rejected
            ],
            "topics": account.topics,
            "unsorted": account.unsorted,
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
            meta = p.meta
            arxiv = meta.arxiv
            record = {
                "id": p.id,
                "title": p.title,
                "abstract": p.abstract,
                "url": f"{PAPERS_DIR}/{p.id}.html",
                "arxiv": arxiv,
                "arxiv_url": cite.arxiv_url(arxiv) if arxiv else None,
                "pdf_url": cite.arxiv_pdf_url(arxiv) if arxiv else None,
                "hub_url": cite.hub_url(arxiv) if arxiv else None,
                "authors": [
                    {"name": name, "url": _author_url(name, author_ids)} for name in meta.authors
                ],
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
                "related": list(p.related),
                "related_reasons": list(p.related_reasons),
                "sources": [{"file": s.file, "line": s.line, "date": s.date} for s in p.sources],
                "aliases": list(p.aliases),
            }
            yield f"  {_dump(record)}{',' if number < last else ''}\n"
        yield " ],\n"
    else:
        yield ' "papers":[],\n'
    moved = {old: f"{PAPERS_DIR}/{new}.html" for old, new in sorted(redirects.items())}
    yield f' "redirects":{_dump(moved)}\n}}\n'


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _author_url(name: str, author_ids: Mapping[str, str]) -> str | None:
    author_id = author_ids.get(author_key(name))
    return None if author_id is None else f"{AUTHORS_DIR}/{author_id}.html"
