"""Atom 1.0 feeds (RFC 4287) of the newest papers: the site's ``feed.xml`` and one per topic.

Pure: :func:`render_feed` returns the document's text. Built with :mod:`xml.etree.ElementTree`,
which escapes every text and attribute value, so titles and abstracts such as
``</title><script>`` stay text; characters XML 1.0 cannot carry (most C0 controls, lone
surrogates) are dropped first.

Only papers with a real date are in a feed: their :func:`~generator.render.rows.placement`
(day on Daily Papers, else first listing date, else publication date, with its year). Atom
requires every entry to have an ``updated`` date, and a paper whose date is unknown is not given
a stand-in one: it is left out.

Links are relative to the feed's own place (``papers/<id>.html`` from ``feed.xml``,
``../papers/<id>.html`` from ``feeds/<slug>.xml``), which feed readers resolve against the
feed's address (RFC 4287 section 4.2.7 and ``xml:base``); the site's URL is only known when
the site is built, so ``hooks/site_url.py`` then makes them absolute with
:func:`absolute_links`. Ids are URNs (``urn:paperkb:paper:<id>``), not URLs: Atom readers use
an entry's id to know they have seen it, and a URL would change whenever the site moves. The
output depends only on the arguments: no clock, no locale, no input order.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urljoin, urlsplit

from generator.layout import FEED_FILE, HOME_PAGE, PAPERS_DIR
from generator.model import Paper
from generator.render.rows import Placed, placement
from generator.text.markup import XML_INVALID_RE, xml_line

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ID = "urn:paperkb:feed"
AUTHOR = "paperkb"
#: ``updated`` of a feed without entries.
EPOCH = "1970-01-01"
#: Readers look for the generated-file marker in a file's first KiB (:mod:`generator.writers.docs`).
MARKER_WINDOW = 1024

_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def entry_id(paper_id: str) -> str:
    """The permanent Atom id of a paper's entry."""
    return f"urn:paperkb:paper:{quote(paper_id, safe='')}"


def paper_href(paper_id: str) -> str:
    """The paper's page relative to the site root."""
    return f"{PAPERS_DIR}/{quote(paper_id, safe='')}.html"


def feed_order(
    papers: Sequence[Paper],
    registry_order: Mapping[str, int],
    placed: Mapping[str, Placed | None] | None = None,
) -> list[Paper]:
    """The papers with a real date, newest first: by date, then registry position, then id.

    ``placed``: each paper's :func:`~generator.render.rows.placement` when already known. A
    higher registry position means the paper was added later, so it comes first; a paper
    missing from ``registry_order`` counts as the oldest. The id breaks remaining ties, so the
    order never depends on the order of ``papers``.
    """
    return [paper for paper, _ in _newest(papers, registry_order, placed)]


def _newest(
    papers: Sequence[Paper],
    registry_order: Mapping[str, int],
    placed: Mapping[str, Placed | None] | None,
) -> list[tuple[Paper, Placed]]:
    dated = []
    for paper in papers:
        date = placed[paper.id] if placed is not None else placement(paper)
        if date is not None:
            dated.append((paper, date))

    def key(item: tuple[Paper, Placed]) -> tuple[int, int, int, int, str]:
        paper, date = item
        year, month, day = date.key
        return (-year, -month, -day, -registry_order.get(paper.id, -1), paper.id)

    return sorted(dated, key=key)


def _timestamp(date: str) -> str:
    return f"{date}T00:00:00Z"


def _base(site_url: str | None) -> str:
    """The prefix of every link: nothing (links stay relative) or the site's absolute URL."""
    if site_url is None:
        return ""
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or XML_INVALID_RE.search(site_url):
        raise ValueError(f"site_url {site_url!r} must be an absolute http(s) URL")
    return site_url.rstrip("/") + "/"


def _check_marker(marker: str) -> str:
    comment = f"<!-- {marker} -->"
    if "--" in marker or marker.endswith("-") or XML_INVALID_RE.search(marker):
        raise ValueError(
            f"marker {marker!r} cannot be an XML comment: pass its text only, without "
            "'<!--', '--' or control characters"
        )
    if len(f"{_DECLARATION}\n{comment}".encode()) > MARKER_WINDOW:
        raise ValueError(f"marker must fit in the first {MARKER_WINDOW} bytes of the feed")
    return comment


def _child(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    element.text = text
    return element


def render_feed(
    papers: Sequence[Paper],
    registry_order: Mapping[str, int],
    *,
    title: str,
    site_url: str | None,
    limit: int = 50,
    marker: str,
    path: str = FEED_FILE,
    page: str = HOME_PAGE,
    placed: Mapping[str, Placed | None] | None = None,
) -> str:
    """The Atom document of the ``limit`` newest papers in :func:`feed_order`.

    ``path`` is the feed's docs-relative path and ``page`` the docs-relative Markdown page it
    is the feed of: the ``self`` and ``alternate`` links, and every entry's link, are relative
    to the feed (or absolute under ``site_url`` when given). Each entry has the paper's title,
    its :func:`entry_id`, a ``rel="alternate"`` link to its page, its date at midnight UTC as
    ``updated``, the abstract as a plain-text summary and one ``category`` per topic slug.
    The feed's ``updated`` is its newest entry's (``1970-01-01`` without entries: stable from
    build to build, unlike the time of the build). ``marker`` is the text of the
    generated-file comment put right after the XML declaration.

    Raises :class:`ValueError` for a negative ``limit``, papers sharing an id, a ``site_url``
    that is not an absolute http(s) URL, or a ``marker`` that cannot be a comment.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    if len({paper.id for paper in papers}) != len(papers):
        raise ValueError("papers must have distinct ids")
    comment = _check_marker(marker)
    base = _base(site_url) or "../" * path.count("/")

    chosen = _newest(papers, registry_order, placed)[:limit]
    updated = [_timestamp(date.iso) for _, date in chosen]

    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _child(feed, "title", xml_line(title))
    _child(feed, "id", FEED_ID if path == FEED_FILE else f"urn:paperkb:feed:{quote(path)}")
    _child(feed, "updated", max(updated, default=_timestamp(EPOCH)))
    author = _child(feed, "author")
    _child(author, "name", AUTHOR)
    _child(feed, "link", rel="self", type="application/atom+xml", href=f"{base}{path}")
    html_page = page.removesuffix(".md") + ".html"
    _child(feed, "link", rel="alternate", type="text/html", href=f"{base}{html_page}")
    _child(feed, "generator", AUTHOR)
    for (paper, _), date in zip(chosen, updated, strict=True):
        entry = _child(feed, "entry")
        _child(entry, "title", xml_line(paper.title))
        _child(entry, "id", entry_id(paper.id))
        _child(
            entry, "link", rel="alternate", type="text/html", href=f"{base}{paper_href(paper.id)}"
        )
        _child(entry, "updated", date)
        if summary := xml_line(paper.abstract):
            _child(entry, "summary", summary)
        for slug in paper.topics:
            _child(entry, "category", term=xml_line(slug))
    ET.indent(feed)
    return f"{_DECLARATION}\n{comment}\n{ET.tostring(feed, encoding='unicode')}\n"


#: A link of a feed :func:`render_feed` made: ElementTree writes ``href`` last, double-quoted.
_LINK_HREF = re.compile(r'(<link rel="[a-z]+" type="[a-z/+]+" href=")([^"]*)(" />)')


def absolute_links(document: str, feed_url: str) -> str:
    """A feed of :func:`render_feed` with every link made absolute against ``feed_url``, the
    absolute http(s) address the feed is published at (what a reader resolves them against).

    Raises :class:`ValueError` when ``feed_url`` is not one.
    """
    _base(feed_url)
    return _LINK_HREF.sub(
        lambda m: (
            m.group(1)
            + html.escape(urljoin(feed_url, html.unescape(m.group(2))), quote=True)
            + m.group(3)
        ),
        document,
    )
