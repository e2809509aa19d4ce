"""How to cite a paper: a BibTeX entry, Highwire Press ``<meta>`` tags and the paper's URLs.

Only what a record told us is cited; nothing is invented. A paper without an arXiv id has no
``eprint``, ``archivePrefix`` or ``url`` field and no ``citation_arxiv_id`` tag, one without a
publication date has no ``year``, one without authors no ``author``. The listing dates a paper
appeared under are not its publication date and are never used. An ``arxiv`` value that is not
shaped like an arXiv id (:data:`ARXIV_ID_RE`), or a ``published`` value that is not an ISO date
(``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), counts as unknown.

**BibTeX safety.** Titles and names are untrusted, so every value is plain text on one line:
control characters are dropped, all whitespace (line breaks, Unicode line and paragraph
separators included) collapses to single spaces, and every character LaTeX or BibTeX reads as
syntax is replaced (:data:`_LATEX`). Braces become ``\\textbraceleft{}`` /
``\\textbraceright{}`` rather than ``\\{`` / ``\\}``, because BibTeX counts braces without looking
at backslashes: ``\\{`` alone would leave a value unbalanced. Every brace in a value is therefore
one we wrote, in ``{}`` pairs, and no title can close its field. The word ``and`` inside a name
is braced so BibTeX does not split one name into two.

**Markdown fences.** The entry is meant to be shown in a code block. Every line of it starts
with ``@misc{``, with two spaces and a field name, or is the closing ``}``: values never contain
a line break, so no line can start with three backticks or ``~~~`` and end a fenced block
early, nor leave an indented block. Backticks are escaped as well (``\\textasciigrave{}``), so
a value never even contains three backticks in a row.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote, quote_plus

from slugify import slugify

from generator.model import Paper
from generator.words import ENGLISH_STOP_WORDS

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_PDF = "https://arxiv.org/pdf/"
HUB_PAPERS = "https://huggingface.co/papers/"
#: Title searches, for a paper without an arXiv id (``{}`` is the title, URL-encoded).
ARXIV_TITLE_SEARCH = "https://arxiv.org/search/?query={}&searchtype=title"
HUB_SEARCH = "https://huggingface.co/papers?q={}"

ARXIV_ID_RE = re.compile(
    r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.ASCII
)
"""New-style (``2401.04081``, ``0704.0001``) or old-style (``hep-th/9901001``,
``math.GT/0309136``) arXiv ids, with an optional version."""

_ISO_DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)

#: C0/C1 control characters other than whitespace (which :func:`_one_line` collapses).
_CONTROLS = dict.fromkeys(
    code for code in [*range(0x20), *range(0x7F, 0xA0)] if not chr(code).isspace()
)

#: Characters TeX or BibTeX read as syntax, as LaTeX text commands that print them.
_LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "%": r"\%",
        "&": r"\&",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        # Not syntax, but LaTeX prints two as an opening quote; escaped, a value has no ```.
        "`": r"\textasciigrave{}",
    }
)

_AND_RE = re.compile(r"\band\b", re.IGNORECASE)
#: Words of a title worth naming a citation key after: not a stop word, not a lone letter.
_KEY_STOP_WORDS = ENGLISH_STOP_WORDS | {"a", "an", "of", "on", "in", "to", "the", "for", "via"}
_KEY_PART_LENGTH = 30


def _one_line(value: str) -> str:
    """Plain text on one line: no control characters, whitespace runs as single spaces."""
    return " ".join(value.translate(_CONTROLS).split())


def arxiv_url(arxiv_id: str) -> str:
    """The paper's arXiv abstract page. The id is percent-encoded, so any text stays a path."""
    return ARXIV_ABS + quote(arxiv_id, safe="/")


def arxiv_pdf_url(arxiv_id: str) -> str:
    """The paper's PDF on arXiv (the latest version), percent-encoded like :func:`arxiv_url`."""
    return ARXIV_PDF + quote(arxiv_id, safe="/")


def hub_url(arxiv_id: str) -> str:
    """The paper's page on Hugging Face Papers, which is keyed by arXiv id."""
    return HUB_PAPERS + quote(arxiv_id, safe="/")


def discussion_url(arxiv_id: str) -> str:
    """The comments of the paper's Hub discussion: the community section of its Hub page."""
    return hub_url(arxiv_id) + "#community"


def arxiv_search_url(title: str) -> str:
    """arXiv's search for papers with ``title`` (plain text on one line) in their title.

    Every character but ASCII letters, digits and ``_.-~`` is percent-encoded (spaces as
    ``+``), so any title stays one query value: it cannot end the URL or a Markdown link.
    """
    return ARXIV_TITLE_SEARCH.format(quote_plus(_one_line(title)))


def hub_search_url(title: str) -> str:
    """The Hub's paper search for ``title``, encoded like :func:`arxiv_search_url`."""
    return HUB_SEARCH.format(quote_plus(_one_line(title)))


def _arxiv_id(paper: Paper) -> str | None:
    value = paper.meta.arxiv
    return value if value is not None and ARXIV_ID_RE.fullmatch(value) else None


def _date(paper: Paper) -> tuple[str, ...]:
    """The publication date's known parts as strings (year[, month[, day]]); () if unknown."""
    value = paper.meta.published
    match = _ISO_DATE_RE.fullmatch(value) if value is not None else None
    if match is None:
        return ()
    parts = tuple(p for p in match.groups() if p is not None)
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        datetime.date(*numbers)
    except ValueError:
        return ()
    return parts


def _latex(value: str) -> str:
    return _one_line(value).translate(_LATEX)


def _bibtex_name(name: str) -> str:
    """One author for BibTeX's ``and``-separated list.

    A name as written with one or two commas is read by BibTeX as ``Last, First`` or
    ``Last, Jr, First``, which is how such names are written; more commas would be an error, so
    then every comma is braced into plain text.
    """
    value = _AND_RE.sub(lambda m: "{" + m.group() + "}", _latex(name))
    if value.count(",") > 2:
        value = value.replace(",", "{,}")
    return value


def _ascii_word(value: str) -> str:
    """Lower-case ASCII letters and digits of a word (transliterated), bounded."""
    return slugify(value, separator="")[:_KEY_PART_LENGTH]


def _surname(name: str) -> str:
    """The part of a name a citation key uses: before a comma (``Last, First``), else the last
    word. Only a key: a wrong guess costs nothing, the ``author`` field keeps the name whole."""
    clean = _one_line(name)
    if "," in clean:
        before = clean.split(",", 1)[0].strip()
        if _ascii_word(before):
            return _ascii_word(before)
    words = [w for w in (_ascii_word(w) for w in clean.split()) if w]
    return words[-1] if words else ""


def _title_word(title: str) -> str:
    words = [w for w in (_ascii_word(w) for w in re.split(r"[\s\-–—/:]+", title)) if w]
    return next((w for w in words if w not in _KEY_STOP_WORDS and len(w) > 1), "")


def cite_key(paper: Paper) -> str:
    """A deterministic ASCII key like ``smith2024attention``: first author's surname, year and
    first significant title word. Without authors, the paper id (already a slug)."""
    surname = next((s for s in map(_surname, paper.meta.authors) if s), "")
    if not surname:
        return re.sub(r"[^a-z0-9-]", "", paper.id.lower()) or "paper"
    year = _date(paper)[:1]
    return surname + "".join(year) + _title_word(paper.title)


def bibtex(paper: Paper, primary_class: str | None = None) -> str:
    """An arXiv-style ``@misc`` entry with only the fields we know, ending in a newline."""
    fields: list[tuple[str, str]] = [("title", _latex(paper.title))]
    names = [n for n in (_bibtex_name(a) for a in paper.meta.authors) if n]
    if names:
        fields.append(("author", " and ".join(names)))
    date = _date(paper)
    if date:
        fields.append(("year", date[0]))
    arxiv = _arxiv_id(paper)
    if arxiv is not None:
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
    if primary_class is not None and _latex(primary_class):
        fields.append(("primaryClass", _latex(primary_class)))
    if arxiv is not None:
        fields.append(("url", arxiv_url(arxiv)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{cite_key(paper)},\n{body}\n}}\n"


def citation_meta(paper: Paper) -> tuple[tuple[str, str], ...]:
    """Highwire Press tags as ``(name, content)`` pairs, for Google Scholar and Zotero.

    In this order: ``citation_title``; ``citation_author`` once per author, in the paper's
    order; ``citation_publication_date`` as ``YYYY/MM/DD`` (or ``YYYY/MM``, ``YYYY``: Google
    Scholar's format), when known; ``citation_arxiv_id``, when known. Contents are plain text
    on one line; the template HTML-escapes them.
    """
    tags: list[tuple[str, str]] = [("citation_title", _one_line(paper.title))]
    tags += [("citation_author", n) for n in map(_one_line, paper.meta.authors) if n]
    date = _date(paper)
    if date:
        tags.append(("citation_publication_date", "/".join(date)))
    arxiv = _arxiv_id(paper)
    if arxiv is not None:
        tags.append(("citation_arxiv_id", arxiv))
    return tuple(tags)
