"""The Atom feed: valid RFC 4287, newest first, stable, inert for hostile text, marked."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from generator.layout import MARKER
from generator.model import Metadata, Paper, Source
from generator.render.feed import (
    ATOM_NS,
    FEED_ID,
    MARKER_WINDOW,
    absolute_links,
    feed_order,
    render_feed,
)
from generator.writers import docs as write

SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "schemas" / "atom.rng")))
A = f"{{{ATOM_NS}}}"
NS = {"a": ATOM_NS}
#: What the lead passes: the text of the generated-file comment.
MARKER_TEXT = MARKER.removeprefix("# ").removesuffix("\n")


def paper(
    paper_id: str,
    *dates: str | None,
    title: str = "",
    abstract: str = "An abstract.",
    topics: tuple[str, ...] = (),
    published: str | None = None,
    listed: str | None = None,
) -> Paper:
    sources = tuple(Source(f"{paper_id}.txt", n + 1, date) for n, date in enumerate(dates))
    return Paper(
        id=paper_id,
        key=paper_id,
        title=title or f"Title of {paper_id}",
        abstract=abstract,
        aliases=(),
        sources=sources,
        topics=topics,
        meta=Metadata(published=published, listed=listed),
    )


def feed(
    papers: Sequence[Paper],
    order: dict[str, int] | None = None,
    *,
    site_url: str | None = None,
    limit: int = 50,
    **where: str,
) -> str:
    registry = order if order is not None else {p.id: n for n, p in enumerate(papers)}
    return render_feed(
        papers,
        registry,
        title="Paper KB",
        site_url=site_url,
        limit=limit,
        marker=MARKER_TEXT,
        **where,  # type: ignore[arg-type]
    )


def valid(document: str) -> etree._Element:
    """Parse, validate against RFC 4287's schema and its two Schematron rules."""
    root = etree.fromstring(document.encode())
    SCHEMA.assertValid(root)
    assert root.findall("a:author/a:name", NS)
    for entry in root.findall("a:entry", NS):
        assert entry.findall("a:link[@rel='alternate']", NS)
    return root


def entry_ids(document: str) -> list[str]:
    root = etree.fromstring(document.encode())
    return [e.findtext("a:id", namespaces=NS) or "" for e in root.findall("a:entry", NS)]


def ids(document: str) -> list[str]:
    return [i.removeprefix("urn:paperkb:paper:") for i in entry_ids(document)]


PAPERS = [
    paper("old", "Aug 12, 2023", topics=("agents", "reasoning")),
    paper("new", "Aug 7", "Mar 20, 2025"),
    paper("yearless", "Aug 12"),
    paper("published", published="2024-06-01"),
    paper("undated"),
]
#: The papers of PAPERS that have a date with a year, newest first.
DATED = ["new", "published", "old"]


def test_feed_is_valid_atom_with_a_marked_head() -> None:
    document = feed(PAPERS)
    root = valid(document)
    assert root.findtext("a:id", namespaces=NS) == FEED_ID
    assert root.findtext("a:title", namespaces=NS) == "Paper KB"
    links = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert links == {"self": "feed.xml", "alternate": "index.html"}
    assert document.startswith('<?xml version="1.0" encoding="utf-8"?>\n<!-- ')
    assert f"<!-- {MARKER_TEXT} -->".encode() in document.encode()[:MARKER_WINDOW]
    assert MARKER_WINDOW <= write.MAX_MARKER_LINE


def test_the_writer_recognizes_the_feed_as_generated(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(feed(PAPERS), encoding="utf-8")
    assert write.is_generated(path)


def test_entries_link_to_papers_that_exist() -> None:
    root = valid(feed(PAPERS))
    known = {p.id for p in PAPERS}
    entries = root.findall("a:entry", NS)
    assert len(entries) == len(DATED)
    for entry in entries:
        paper_id = (entry.findtext("a:id", namespaces=NS) or "").removeprefix("urn:paperkb:paper:")
        assert paper_id in known
        (link,) = entry.findall("a:link", NS)
        assert link.get("href") == f"papers/{paper_id}.html"
        assert link.get("rel") == "alternate"


def test_entries_carry_summary_and_categories() -> None:
    root = valid(feed(PAPERS))
    (old,) = root.xpath("a:entry[a:id='urn:paperkb:paper:old']", namespaces=NS)
    assert old.findtext("a:summary", namespaces=NS) == "An abstract."
    assert [c.get("term") for c in old.findall("a:category", NS)] == ["agents", "reasoning"]
    assert old.findtext("a:updated", namespaces=NS) == "2023-08-12T00:00:00Z"


def test_only_papers_with_a_real_date_newest_first() -> None:
    # "new" was listed on Aug 7 (no year) and Mar 20, 2025: it is dated by the one with a year
    assert ids(feed(PAPERS)) == DATED


def test_the_day_on_daily_papers_then_the_listing_then_the_publication_date() -> None:
    papers = [
        paper("listed", "May 1, 2024"),
        paper("pub", "Jan 1, 2024", published="2024-06-01"),  # its listing is its date
        paper("only-pub", published="2024-03-01"),
        paper("daily", "Feb 1, 2024", published="2023-01-01", listed="2024-07-01"),
    ]
    root = valid(feed(papers))
    updated = [e.findtext("a:updated", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert ids(feed(papers)) == ["daily", "listed", "only-pub", "pub"]
    assert updated == [f"2024-{m}-01T00:00:00Z" for m in ("07", "05", "03", "01")]


def test_same_date_later_registry_position_first_then_id() -> None:
    papers = [paper(name, "Aug 12, 2024") for name in ("b", "a", "c", "d")]
    order = {"a": 3, "b": 7, "c": 5}
    # d is missing from the registry: oldest; a and c tie-free; b was added last.
    assert ids(feed(papers, order)) == ["b", "c", "a", "d"]
    tied = {"a": 1, "b": 1, "c": 1, "d": 1}
    assert ids(feed(papers, tied)) == ["a", "b", "c", "d"]


def test_order_ignores_input_order() -> None:
    papers = [paper(f"p{n}", f"Aug {n % 5 + 1}, 2024") for n in range(20)]
    order = {p.id: (n * 7) % 20 for n, p in enumerate(papers)}
    shuffled = list(papers)
    random.Random(4287).shuffle(shuffled)
    assert feed_order(papers, order) == feed_order(shuffled, order)
    assert feed(papers, order) == feed(shuffled, order)


def test_limit_keeps_the_newest() -> None:
    assert ids(feed(PAPERS, limit=2)) == DATED[:2]
    empty = feed(PAPERS, limit=0)
    root = valid(empty)
    assert root.findall("a:entry", NS) == []
    with pytest.raises(ValueError, match="limit"):
        feed(PAPERS, limit=-1)


def test_no_paper_is_given_a_stand_in_date() -> None:
    papers = [paper("a", "Aug 12"), paper("b"), paper("c", "Sept 3")]
    root = valid(feed(papers))
    assert root.findall("a:entry", NS) == []  # no year: left out, not dated by another paper
    assert root.findtext("a:updated", namespaces=NS) == "1970-01-01T00:00:00Z"
    mixed = valid(feed([paper("a", "Aug 12"), paper("b", "Aug 12, 2023")]))
    assert [u.text for u in mixed.iter(f"{A}updated")] == ["2023-08-12T00:00:00Z"] * 2


def test_feed_updated_is_the_newest_entry() -> None:
    root = valid(feed(PAPERS))
    entries = [u.text or "" for u in root.findall("a:entry/a:updated", NS)]
    assert root.findtext("a:updated", namespaces=NS) == max(entries) == "2025-03-20T00:00:00Z"


def test_site_url_makes_links_absolute() -> None:
    root = valid(feed(PAPERS, site_url="https://kb.example.org/papers-kb"))
    hrefs = [link.get("href") for link in root.iter(f"{A}link")]
    assert hrefs[:2] == [
        "https://kb.example.org/papers-kb/feed.xml",
        "https://kb.example.org/papers-kb/index.html",
    ]
    assert "https://kb.example.org/papers-kb/papers/old.html" in hrefs
    assert feed(PAPERS, site_url="https://kb.example.org/papers-kb/") == feed(
        PAPERS, site_url="https://kb.example.org/papers-kb"
    )
    for bad in ("javascript:alert(1)", "kb.example.org", "/papers", "ftp://x.org/"):
        with pytest.raises(ValueError, match="site_url"):
            feed(PAPERS, site_url=bad)


def test_a_topic_feed_links_relative_to_its_own_folder() -> None:
    document = feed(PAPERS, path="feeds/agents.xml", page="topics/agents.md")
    root = valid(document)
    links = {link.get("rel"): link.get("href") for link in root.findall("a:link", NS)}
    assert links == {"self": "../feeds/agents.xml", "alternate": "../topics/agents.html"}
    hrefs = [e.find("a:link", NS).get("href") for e in root.findall("a:entry", NS)]
    assert hrefs == [f"../papers/{i}.html" for i in DATED]
    assert root.findtext("a:id", namespaces=NS) != FEED_ID


@pytest.mark.parametrize(
    ("path", "page", "url"),
    [
        ("feed.xml", "index.md", "https://someone.github.io/kb/feed.xml"),
        ("feeds/agents.xml", "topics/agents.md", "https://someone.github.io/kb/feeds/agents.xml"),
    ],
)
def test_absolute_links_resolve_a_feed_against_its_address(path: str, page: str, url: str) -> None:
    """What hooks/site_url.py does at build time: the same links as a feed made with the URL."""
    relative = feed(PAPERS, path=path, page=page)
    absolute = absolute_links(relative, url)
    valid(absolute)
    assert absolute == feed(PAPERS, site_url="https://someone.github.io/kb/", path=path, page=page)
    assert 'href="https://someone.github.io/kb/papers/old.html"' in absolute
    assert absolute_links(absolute, url) == absolute
    for bad in ("feed.xml", "/kb/feed.xml", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            absolute_links(relative, bad)


HOSTILE = [
    "</title><script>alert(1)</script>",
    "Tom & Jerry <b>bold</b> ]]> {{ config }} {% raw %}",
    "bell\x07 nul\x00 esc\x1b \ufffe end",
    "<![CDATA[ x ]]>",
    "&amp; &#0; &#x1;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_text(text: str) -> None:
    papers = [paper("x", "Aug 12, 2024", title=text, abstract=text, topics=("a&b<c>",))]
    document = feed(papers)
    root = valid(document)
    shown = " ".join("".join(ch for ch in text if ch >= " " and ch != "\ufffe").split())
    entry = root.find("a:entry", NS)
    assert entry is not None
    assert entry.findtext("a:title", namespaces=NS) == shown
    assert entry.findtext("a:summary", namespaces=NS) == shown
    assert [c.get("term") for c in entry.findall("a:category", NS)] == ["a&b<c>"]
    assert not list(root.iter("{*}script"))
    assert "<script" not in document


@given(st.text(max_size=80), st.text(max_size=80))
def test_any_text_gives_a_valid_feed(title: str, abstract: str) -> None:
    root = valid(feed([paper("x", "Aug 12, 2024", title=title or "t", abstract=abstract)]))
    assert len(root.findall("a:entry", NS)) == 1


def test_deterministic() -> None:
    assert feed(PAPERS) == feed(list(PAPERS))
    assert feed(PAPERS) == feed(PAPERS[::-1], {p.id: n for n, p in enumerate(PAPERS)})


@pytest.mark.parametrize(
    "marker", ["a -- b", "<!-- x -->", "ends with -", "bell\x07", "x" * MARKER_WINDOW]
)
def test_markers_that_cannot_be_comments_are_refused(marker: str) -> None:
    with pytest.raises(ValueError, match="marker"):
        render_feed(PAPERS, {}, title="t", site_url=None, marker=marker)


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="distinct"):
        feed([paper("a"), paper("a", "Aug 12")])


def test_schema_rejects_what_atom_forbids() -> None:
    """The schema itself can fail: a feed without an id or with a date-only updated."""
    root = etree.fromstring(feed(PAPERS).encode())
    feed_id = root.find("a:id", NS)
    assert feed_id is not None
    root.remove(feed_id)
    assert not SCHEMA.validate(root)
    root = etree.fromstring(feed(PAPERS).encode())
    updated = root.find("a:updated", NS)
    assert updated is not None
    updated.text = "2024-01-01"
    assert not SCHEMA.validate(root)
