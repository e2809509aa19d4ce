"""An Atom 1.0 feed (RFC 4287) of the papers added most recently, as ``feed.xml``.

Pure: :func:`render_feed` returns the document's text; the caller writes it at the site root
(entry links are relative to that place). Built with :mod:`xml.etree.ElementTree`, which
escapes every text and attribute value, so titles and abstracts such as ``</title><script>``
stay text; characters XML 1.0 cannot carry (most C0 controls, lone surrogates) are dropped first.

Ids are URNs (``urn:paperkb:paper:<id>``), not URLs: Atom readers use an entry's id to know
they have seen it, and a URL would change whenever the site moves. The output depends only on
the arguments: no clock, no locale, no input order.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlsplit

from generator.layout import FEED_FILE
from generator.model import Paper
from generator.text.dates import UNKNOWN, DateKey, iso_date, listing_date_key
from generator.text.markup import XML_INVALID_RE, xml_line

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ID = "urn:paperkb:feed"
AUTHOR = "paperkb"
#: ``updated`` when not one paper in the feed has a date with a year.
EPOCH = "1970-01-01"
#: Readers look for the generated-file marker in a file's first KiB (:mod:`generator.writers.docs`).
MARKER_WINDOW = 1024

_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
#: Characters XML 1.0 forbids (all C0 controls but tab, newline and carriage return, lone
#: surrogates, U+FFFE/U+FFFF) and C1 controls, which it allows but which mean nothing in text.


def entry_id(paper_id: str) -> str:
    """The permanent Atom id of a paper's entry."""
    return f"urn:paperkb:paper:{quote(paper_id, safe='')}"


def paper_href(paper_id: str) -> str:
    """The paper's page relative to the site root, where the feed is."""
    return f"papers/{quote(paper_id, safe='')}.html"


def latest_date(paper: Paper) -> DateKey:
    """The newest date a paper is known by: its listing dates and its published date.

    Keys come from :func:`generator.text.dates.listing_date_key`, so a year-less listing date
    (``Aug 12``) counts as older than any dated one.
    """
    keys = [listing_date_key(text) for text in (*paper.dates, paper.meta.published)]
    return max(keys, default=UNKNOWN)


def full_date(paper: Paper) -> str | None:
    """The paper's ISO date: its published date, else its newest listing date with a year."""
    if published := iso_date(paper.meta.published):
        return published
    return max(filter(None, map(iso_date, paper.dates)), default=None)


def feed_order(papers: Sequence[Paper], registry_order: Mapping[str, int]) -> list[Paper]:
    """Papers newest first: by :func:`latest_date`, then registry position, then id.

    A higher registry position means the paper was added later, so it comes first; a paper
    missing from ``registry_order`` counts as the oldest. The id breaks remaining ties, so the
    order never depends on the order of ``papers``.
    """

    def key(paper: Paper) -> tuple[int, int, int, int, str]:
        year, month, day = latest_date(paper)
        return (-year, -month, -day, -registry_order.get(paper.id, -1), paper.id)

    return sorted(papers, key=key)


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
) -> str:
    """The Atom document of the ``limit`` newest papers in :func:`feed_order`.

    Each entry has the paper's title, its :func:`entry_id`, a ``rel="alternate"`` link to its
    page (``papers/<id>.html``, relative to the feed at the site root, or absolute under
    ``site_url`` when given), the abstract as a plain-text summary and one ``category`` per
    topic slug. ``marker`` is the text of the generated-file comment put right after the XML
    declaration.

    Atom requires an ``updated`` date on every entry and on the feed. An entry's is its
    :func:`full_date` at midnight UTC. A paper whose dates have no year (a listing saved as
    ``Aug 12``) gets the newest full date of any paper in the feed instead, and when no paper
    in the feed has one, ``1970-01-01T00:00:00Z``: stable from build to build, unlike the
    time of the build, and never later than what is known. The feed's ``updated`` is the
    newest of its entries' (the same fallback when it has none).

    Raises :class:`ValueError` for a negative ``limit``, papers sharing an id, a ``site_url``
    that is not an absolute http(s) URL, or a ``marker`` that cannot be a comment.
    """
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    if len({paper.id for paper in papers}) != len(papers):
        raise ValueError("papers must have distinct ids")
    comment = _check_marker(marker)
    base = _base(site_url)

    chosen = feed_order(papers, registry_order)[:limit]
    known = [date for date in map(full_date, chosen) if date]
    fallback = max(known, default=EPOCH)
    updated = [full_date(paper) or fallback for paper in chosen]

    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _child(feed, "title", xml_line(title))
    _child(feed, "id", FEED_ID)
    _child(feed, "updated", _timestamp(max(updated, default=fallback)))
    author = _child(feed, "author")
    _child(author, "name", AUTHOR)
    _child(feed, "link", rel="self", type="application/atom+xml", href=f"{base}{FEED_FILE}")
    _child(feed, "link", rel="alternate", type="text/html", href=f"{base}index.html")
    _child(feed, "generator", AUTHOR)
    for paper, date in zip(chosen, updated, strict=True):
        entry = _child(feed, "entry")
        _child(entry, "title", xml_line(paper.title))
        _child(entry, "id", entry_id(paper.id))
        _child(
            entry, "link", rel="alternate", type="text/html", href=f"{base}{paper_href(paper.id)}"
        )
        _child(entry, "updated", _timestamp(date))
        if summary := xml_line(paper.abstract):
            _child(entry, "summary", summary)
        for slug in paper.topics:
            _child(entry, "category", term=xml_line(slug))
    ET.indent(feed)
    return f"{_DECLARATION}\n{comment}\n{ET.tostring(feed, encoding='unicode')}\n"
