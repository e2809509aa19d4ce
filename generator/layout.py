"""Where the generated site lives in ``docs/``, how its files are marked, and the names it reserves.

One home for every generated path and folder (:data:`GENERATED_DIRS`, :data:`GENERATED_FILES`;
adding a generated folder starts here, then ``.gitignore``), for the "generated, do not edit"
marker (:data:`MARKER_TOKEN` and the lines made of it), for the one slug rule (:data:`SLUG`,
:data:`MAX_ID_LENGTH`: paper ids, topic and author slugs) and for the reserved names below.

A paper id, a topic slug or an author slug is a file name in its folder of ``docs/``
(``papers/<id>.md``, ``topics/<slug>.md``, ``authors/<slug>.md``). ``index`` is each folder's
own index page (the A-Z list, the topic index, the author index), and the DOS device names are
files no Windows checkout can hold. A name from the inputs that is one of these is an error at
its file and line wherever it is read (registry, taxonomy); names paperkb makes itself avoid
them (:func:`generator.stages.permalinks.make_slug`, :func:`generator.stages.authors.make_slug`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

MARKER_TOKEN = "paperkb:generated"
_MADE = "made by `paperkb generate`"
#: The marker's words in the formats that carry them in a comment or a field (feed, JSON).
MARKER_TEXT = f"{MARKER_TOKEN}: {_MADE} from data/; do not edit"
#: The marker line of a generated Markdown page: a YAML comment, the first line of its front
#: matter (the second of the file), before any of the page's variable fields, so its place never
#: depends on how much a record holds (a paper of 5,000 authors has a long front matter).
MARKER = f"# {MARKER_TEXT}, it is overwritten on every run\n"
#: The marker line of Markdown pages written before issue 22: an HTML comment right after
#: the front matter, or the first line of a page without one. Still recognised, at any distance
#: from the start, so an upgrade never strands the pages of an existing site.
LEGACY_MARKER = f"<!-- {MARKER_TEXT}, it is overwritten on every run -->\n"
#: The marker line of a redirect page, right after its doctype.
REDIRECT_MARKER = f"<!-- {MARKER_TOKEN}: {_MADE}; do not edit -->\n"
#: The first line of every generated search file (``search/**.js``): a comment with the marker.
SEARCH_HEADER = (
    f"/* {MARKER_TEXT}, it is overwritten on every run. Search index of paperkb, "
    "read by assets/javascripts/paperkb-search.js. */\n"
)
#: The marker line of a feed (right after its XML declaration), of ``papers.json`` (right after
#: its opening brace) and of a citation file (its first line: a BibTeX comment; the CSL-JSON and
#: RIS twins beside it have no place for one, see :data:`TWIN_SUFFIXES`).
FEED_MARKER = f"<!-- {MARKER_TEXT} -->"
PAPERS_JSON_MARKER = f" {json.dumps('generator')}:{json.dumps(MARKER_TEXT)},"
BIB_MARKER = f"@comment{{{MARKER_TEXT}}}"
#: The marker of build state paperkb keeps in docs/ (the run manifest).
STATE_MARKER = f"{MARKER_TOKEN}: build state of `paperkb generate`; safe to delete"

PAPERS_DIR = "papers"
TOPICS_DIR = "topics"
SEARCH_DIR = "search"
AUTHORS_DIR = "authors"
CITE_DIR = "cite"
DATES_DIR = "dates"
FEEDS_DIR = "feeds"
AUTHORS_INDEX = f"{AUTHORS_DIR}/index.md"
HOME_PAGE = "index.md"
TOPICS_INDEX = f"{TOPICS_DIR}/index.md"
ALL_PAPERS = f"{PAPERS_DIR}/index.md"
PAPERS_JSON = "papers.json"
MERGE_REPORT = "merges.md"
FEED_FILE = "feed.xml"
DATES_INDEX = f"{DATES_DIR}/index.md"
#: The page about the knowledge base: its figures, its data files and the merge report.
KB_PAGE = "knowledge-base.md"
#: The reading list's page, which the browser fills with the papers a reader keeps.
READING_LIST = "reading-list.md"

#: Folders of ``docs/`` that hold generated files (hand-written files there are still kept).
GENERATED_DIRS = (PAPERS_DIR, TOPICS_DIR, SEARCH_DIR, AUTHORS_DIR, CITE_DIR, DATES_DIR, FEEDS_DIR)
#: Generated files outside those folders.
GENERATED_FILES = (HOME_PAGE, MERGE_REPORT, PAPERS_JSON, FEED_FILE, KB_PAGE, READING_LIST)

#: The one slug rule: lowercase ASCII letters and digits in hyphen-separated runs. Paper ids,
#: topic slugs and author slugs all follow it.
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: The longest paper id or author slug.
MAX_ID_LENGTH = 80


def paper_path(paper_id: str) -> str:
    return f"{PAPERS_DIR}/{paper_id}.md"


def topic_path(slug: str) -> str:
    return f"{TOPICS_DIR}/{slug}.md"


def author_path(author_id: str) -> str:
    return f"{AUTHORS_DIR}/{author_id}.md"


def day_path(year: int, month: int, day: int) -> str:
    """A day's page: ``dates/2024-08-12.md``."""
    return f"{DATES_DIR}/{year:04d}-{month:02d}-{day:02d}.md"


def week_path(year: int, week: int) -> str:
    """An ISO week's page: ``dates/2024-w33.md``."""
    return f"{DATES_DIR}/{year:04d}-w{week:02d}.md"


def month_path(year: int, month: int) -> str:
    """A month's page: ``dates/2024-08.md``."""
    return f"{DATES_DIR}/{year:04d}-{month:02d}.md"


def topic_feed_path(slug: str) -> str:
    """A topic's Atom feed: ``feeds/<slug>.xml``."""
    return f"{FEEDS_DIR}/{slug}.xml"


def redirect_path(old_id: str) -> str:
    return f"{PAPERS_DIR}/{old_id}.html"


#: File names (without suffix) that no paper, topic or author may take.
RESERVED_NAMES = frozenset(
    {"index", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


def reserved_reason(name: str) -> str | None:
    """Why ``name`` cannot be a page's file name, or ``None`` when it can."""
    if name == "index":
        return "it is the name of the folder's index page"
    if name in RESERVED_NAMES:
        return "it is a device name that Windows cannot use as a file name"
    return None


# --- is this file paperkb's? ----------------------------------------------------------------

#: Every marker line paperkb writes, exactly (one per format, and the one of the layout before
#: the marker moved into the front matter).
MARKER_LINES = frozenset(
    line.rstrip("\n").encode()
    for line in (
        MARKER,
        LEGACY_MARKER,
        REDIRECT_MARKER,
        FEED_MARKER,
        SEARCH_HEADER,
        PAPERS_JSON_MARKER,
        BIB_MARKER,
    )
)
#: First lines a format requires before anything else; the marker is then the second line.
OPENERS = frozenset({b'<?xml version="1.0" encoding="utf-8"?>', b"<!doctype html>", b"{"})
FRONT_MATTER = b"---"
#: Formats with no place for a marker (CSL-JSON, RIS): in the citation folder, such a file is
#: paperkb's when its ``.bib`` twin (same name, beside it) is (:mod:`generator.render.citations`).
TWIN_SUFFIXES = frozenset({".json", ".ris"})
_FRONT_MATTER_MARKER = MARKER.rstrip("\n").encode()
_LEGACY_MARKER = LEGACY_MARKER.rstrip("\n").encode()


def marker_line(lines: Iterable[bytes | None]) -> bytes | None:
    """The line of a file (its lines without their newline, ``None`` for a line too long to be
    a marker) where its marker must stand: the first line; the second when the first is its
    format's opener (an XML declaration, a doctype, the brace of papers.json) or a Markdown
    page's front matter fence, which :data:`MARKER` follows; for a page of the layout before
    the marker moved into the front matter, the line right after the front matter's end
    (read line by line: no window, so a page of 5,000 authors is still found).

    A file is paperkb's when this line is one of :data:`MARKER_LINES` exactly: a hand-written
    page that merely mentions the marker, anywhere, is not paperkb's and is never touched.
    """
    found = iter(lines)
    first = next(found, None)
    if first is None:
        return None
    first = first.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r")
    if first == FRONT_MATTER:
        second = next(found, None)
        if second == _FRONT_MATTER_MARKER:
            return second
        for line in found:
            if line == FRONT_MATTER:
                after = next(found, None)
                return after if after == _LEGACY_MARKER else None
        return None
    if first in OPENERS:
        return next(found, None)
    return first
