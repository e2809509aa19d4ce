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
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from generator.model import Paper
from generator.text.case import protected_words

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


def cite_facts(paper: Paper) -> tuple[tuple[str, ...], str, str]:
    """What the citation writers read of a paper beyond its id and title: its authors as
    written, the known parts of its publication date joined by ``-`` and its arXiv id (``""``
    when unknown). The browser's writers (``paperkb-cite.js``) take these."""
    return paper.meta.authors, "-".join(_date(paper)), _arxiv_id(paper) or ""


def year(paper: Paper) -> str | None:
    """The paper's year when known: its publication date's, else the month its arXiv id
    encodes (``2312.00752``: December 2023; ``hep-th/9901001``: January 1999; arXiv began in
    1991). Listing dates are never used."""
    date = _date(paper)
    if date:
        return date[0]
    arxiv = _arxiv_id(paper)
    if arxiv is None:
        return None
    digits = arxiv.split("/")[-1][:2]
    century = 1900 if "/" in arxiv and int(digits) >= 91 else 2000
    return str(century + int(digits))


def _latex(value: str) -> str:
    return _one_line(value).translate(_LATEX)


#: A word's leading punctuation, its core, its trailing punctuation.
_WORD_PARTS = re.compile(r"([\W_]*)(.*?)([\W_]*)", re.DOTALL)


def _protect(title: str, escape: Callable[[str], str], wrap: Callable[[str], str]) -> str:
    """``title`` on one line, each part escaped; the core of each word that keeps its case
    (:func:`generator.text.case.protected_words`) wrapped, its punctuation left outside."""
    words = _one_line(title).split(" ")
    out = []
    for word, keep in zip(words, protected_words(" ".join(words)), strict=True):
        match = _WORD_PARTS.fullmatch(word)
        assert match is not None  # the pattern matches any text
        lead, core, trail = match.groups()
        if keep and core:
            out.append(escape(lead) + wrap(escape(core)) + escape(trail))
        else:
            out.append(escape(word))
    return " ".join(out)


def bibtex_title(title: str) -> str:
    """The title for BibTeX: LaTeX-safe, each word that keeps its case in braces, so
    case-changing styles (``plain``'s sentence case) leave it as written."""
    return _protect(title, lambda text: text.translate(_LATEX), lambda core: "{" + core + "}")


#: The rich-text tags of CSL processors (citeproc-js, Pandoc's citeproc): a title's own ``<``
#: before one (or before a zero-width space, so that the rule can be undone exactly) gets a
#: zero-width space, so it is shown as text, never read as markup.
_CSL_TAG = re.compile("<(?=\u200b|/?(?:i|b|sup|sub|span)\\b)", re.IGNORECASE)


def csl_title(title: str) -> str:
    """The title for CSL-JSON: plain text on one line, each word that keeps its case in a
    ``<span class="nocase">`` (how Zotero protects case there)."""
    return _protect(
        title,
        lambda text: _CSL_TAG.sub("<\u200b", text),
        lambda core: f'<span class="nocase">{core}</span>',
    )


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


def cite_key(paper: Paper) -> str:
    """The paper's citation key: its permanent id (``attention-is-all-you-need``).

    Ids come from the append-only registry (:mod:`generator.stages.permalinks`): unique across the
    knowledge base, redirects included, and never changed by papers or records added later,
    so a document citing ``@attention-is-all-you-need`` keeps working after every update. A key
    made of author, year and title word (``vaswani2017attention``) is neither: two papers can
    make the same one, and a record that adds the authors would change it. Ids are lower-case
    ASCII letters, digits and single hyphens, which BibTeX, biber and Pandoc all take.
    """
    return re.sub(r"[^a-z0-9-]", "", paper.id.lower()) or "paper"


def bibtex(paper: Paper, primary_class: str | None = None) -> str:
    """An arXiv-style ``@misc`` entry with only the fields we know, ending in a newline."""
    fields: list[tuple[str, str]] = [("title", bibtex_title(paper.title))]
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


# -- CSL-JSON and RIS --------------------------------------------------------------------------


def name_parts(name: str) -> dict[str, str]:
    """One author as CSL-JSON name parts, read the way BibTeX reads the ``author`` field.

    ``Last, First`` and ``Last, Jr, First`` by their commas; otherwise ``First von Last``: the
    last word is the family name, lower-case words before it a particle (``van``, ``de``),
    the rest given names. A single word is a family name. A name with more than two commas
    (which :func:`bibtex` writes with its commas braced) is kept whole as a ``literal``. The
    three formats therefore agree; it is BibTeX's guess, and the name as written is kept in
    the order of its parts. Empty for a name with no visible character.
    """
    clean = _one_line(name)
    if not clean:
        return {}
    parts = [p.strip() for p in clean.split(",")]
    if len(parts) > 3 or not all(parts):
        return {"literal": clean}
    if len(parts) == 3:
        return _named(given=parts[2], suffix=parts[1], family=parts[0])
    if len(parts) == 2:
        return _named(given=parts[1], family=parts[0])
    words = clean.split(" ")
    if len(words) == 1:
        return {"family": clean}
    lower = [i for i in range(1, len(words) - 1) if words[i][:1].islower()]
    if not lower:
        return _named(given=" ".join(words[:-1]), family=words[-1])
    first, last = lower[0], lower[-1]
    return _named(
        given=" ".join(words[:first]),
        particle=" ".join(words[first : last + 1]),
        family=" ".join(words[last + 1 :]),
    )


def _named(*, family: str, given: str = "", particle: str = "", suffix: str = "") -> dict[str, str]:
    parts = {
        "family": family,
        "given": given,
        "non-dropping-particle": particle,
        "suffix": suffix,
    }
    return {key: value for key, value in parts.items() if value}


def csl_item(paper: Paper) -> dict[str, object]:
    """The paper as a CSL-JSON item (for Zotero, Pandoc, citeproc), known fields only.

    ``type`` is ``article``, CSL's type for a preprint; an arXiv paper has ``publisher``
    ``arXiv``, ``number`` ``arXiv:<id>`` and its ``URL`` (what Zotero writes for an arXiv
    preprint); ``issued`` holds the known parts of the publication date as numbers. Keys in a
    fixed order; every string is one line of plain text.
    """
    key = cite_key(paper)
    item: dict[str, object] = {
        "id": key,
        "citation-key": key,
        "type": "article",
        "title": csl_title(paper.title),
    }
    names = [parts for parts in map(name_parts, paper.meta.authors) if parts]
    if names:
        item["author"] = names
    date = _date(paper)
    if date:
        item["issued"] = {"date-parts": [[int(part) for part in date]]}
    arxiv = _arxiv_id(paper)
    if arxiv is not None:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{arxiv}"
        item["URL"] = arxiv_url(arxiv)
    return item


def _ris_name(parts: dict[str, str]) -> str:
    """``Family, Given[, Suffix]`` as RIS writes authors (a particle leads the family name)."""
    if "literal" in parts:
        return parts["literal"]
    family = " ".join(p for p in (parts.get("non-dropping-particle"), parts["family"]) if p)
    return ", ".join(p for p in (family, parts.get("given"), parts.get("suffix")) if p)


#: RIS has no type for a preprint: ``UNPB`` (unpublished work) is the one Zotero and EndNote
#: read as a manuscript not yet published.
RIS_TYPE = "UNPB"


def ris(paper: Paper) -> str:
    """The paper as one RIS record, ending with its ``ER`` line and a newline.

    Each line is a tag, two spaces, a hyphen, a space and a value; values are plain text on one
    line (control characters dropped, whitespace collapsed), so no title or name can start a
    line of its own: none can end the record early (``ER  -``) or add a tag. ``ID`` is the
    citation key; ``PY`` the year and ``DA`` the known date parts (``YYYY/MM/DD/``); an arXiv
    paper has ``UR`` (its abstract page), ``PB`` ``arXiv`` and ``M1`` ``arXiv:<id>``.
    """
    lines = [f"TY  - {RIS_TYPE}", f"ID  - {cite_key(paper)}", f"TI  - {_one_line(paper.title)}"]
    names = [_ris_name(parts) for parts in map(name_parts, paper.meta.authors) if parts]
    lines += [f"AU  - {name}" for name in names]
    date = _date(paper)
    if date:
        lines.append(f"PY  - {date[0]}")
        lines.append("DA  - " + "/".join([*date, *[""] * (3 - len(date))]) + "/")
    arxiv = _arxiv_id(paper)
    if arxiv is not None:
        lines += [f"UR  - {arxiv_url(arxiv)}", "PB  - arXiv", f"M1  - arXiv:{arxiv}"]
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"
