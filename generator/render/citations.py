"""Citations of a whole topic, and of the whole knowledge base, as files to download (pure).

Researchers take papers into Zotero, BibTeX and Pandoc. For every topic (``Unsorted``
included) and for the knowledge base as a whole, :func:`citation_files` makes three files in
``docs/cite/``, which MkDocs copies to the site unchanged:

* ``<slug>.bib``: BibTeX, one :func:`generator.render.cite.bibtex` entry per paper;
* ``<slug>.json``: CSL-JSON (a JSON array of :func:`generator.render.cite.csl_item`), which Zotero
  imports and Pandoc (``--bibliography``) and citeproc read;
* ``<slug>.ris``: RIS, one :func:`generator.render.cite.ris` record per paper (Zotero, EndNote,
  Mendeley).

The whole knowledge base is ``index.bib``, ``index.json`` and ``index.ris``: ``index`` is a
reserved name that no topic slug can take (:mod:`generator.layout`), so it never clashes with a
topic's files. Topic pages link their files as ``../cite/<slug>.bib`` and the home page the
knowledge base's as ``cite/index.bib`` (:mod:`generator.render.lists`, :mod:`.home`).

Keys are the papers' permanent ids (:func:`generator.render.cite.cite_key`): unique across the
knowledge base and never changed by papers added later, so one key means one paper in every
file and on the paper's page. Papers are in id order, so a file changes only where papers
joined or left it, and the same inputs make the same bytes.

**Which file is paperkb's.** The writer only overwrites or deletes files that carry an exact
marker line in a fixed place (:func:`generator.writers.docs.is_generated`). A ``.bib`` file starts
with :func:`bib_marker`, a BibTeX ``@comment`` that every BibTeX reader skips. CSL-JSON (a
JSON array: no comment, and an item that is not a reference would be imported as one) and RIS
(no comment syntax; a stray line before the first record upsets some readers) have no place
for a marker, so a ``.json`` or ``.ris`` file in ``cite/`` is paperkb's exactly when the
``.bib`` file of the same name beside it is: the three are made and removed together. A
hand-written file there without a marked ``.bib`` twin is never touched.

Size: about 0.4 KB per paper and format for each file a paper is in (the whole knowledge base
and each of its topics); see ``benchmarks/results/suggest.md`` for the measurement at 100,000
papers. Abstracts are left out: they would multiply the size, and the paper's page has them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence

from generator.layout import CITE_DIR
from generator.model import Paper
from generator.render.cite import bibtex, csl_item, ris
from generator.render.files import Content, Deferred

#: The name of the knowledge base's own files (a reserved name: never a topic slug).
ALL_NAME = "index"
#: The formats, as file suffixes, in the order pages list them, with their labels.
FORMATS = ((".bib", "BibTeX"), (".json", "CSL-JSON"), (".ris", "RIS"))


def cite_path(name: str, suffix: str) -> str:
    """Docs-relative path of a citation file: ``cite/<name><suffix>``."""
    return f"{CITE_DIR}/{name}{suffix}"


def bib_marker(marker_text: str) -> str:
    """The first line of every generated ``.bib`` file: the marker text (the one
    :mod:`generator.layout` keeps, passed in) in a BibTeX comment.

    ``@comment{...}`` is BibTeX's own comment command; the marker text has balanced braces
    (none), so the comment ends where the line does.
    """
    if "{" in marker_text or "}" in marker_text or "\n" in marker_text:
        raise ValueError("the marker text must hold no brace and no line break")
    return f"@comment{{{marker_text}}}"


class _Entries:
    """Each paper's entry in one format, made once per process and reused by every file."""

    def __init__(self, make: Callable[[Paper], str]) -> None:
        self.make = make
        self.made: dict[str, str] = {}

    def __call__(self, paper: Paper) -> str:
        entry = self.made.get(paper.id)
        if entry is None:
            entry = self.made[paper.id] = self.make(paper)
        return entry


def _csl_line(paper: Paper) -> str:
    return json.dumps(csl_item(paper), ensure_ascii=False, separators=(", ", ": "))


def _bib_chunks(marker: str, papers: Sequence[Paper], entry: _Entries) -> Iterator[str]:
    yield marker + "\n"
    for paper in papers:
        yield "\n" + entry(paper)


def _json_chunks(papers: Sequence[Paper], entry: _Entries) -> Iterator[str]:
    if not papers:
        yield "[]\n"
        return
    yield "[\n"
    last = len(papers) - 1
    for number, paper in enumerate(papers):
        yield entry(paper) + (",\n" if number < last else "\n")
    yield "]\n"


def _ris_chunks(papers: Sequence[Paper], entry: _Entries) -> Iterator[str]:
    for number, paper in enumerate(papers):
        yield ("\n" if number else "") + entry(paper)


def citation_files(
    papers: Sequence[Paper], members: Mapping[str, Sequence[Paper]], marker_text: str
) -> dict[str, Content]:
    """The citation files: every paper's (:data:`ALL_NAME`), then each topic's in ``members``
    (slug -> its papers), each as ``.bib``, ``.json`` and ``.ris``, made when written."""
    marker = bib_marker(marker_text)
    bib, csl, rec = _Entries(bibtex), _Entries(_csl_line), _Entries(ris)
    files: dict[str, Content] = {}
    for name, group in [(ALL_NAME, papers), *members.items()]:
        ordered = sorted(group, key=lambda p: p.id)
        files[cite_path(name, ".bib")] = Deferred(
            functools.partial(_bib_chunks, marker, ordered, bib)
        )
        files[cite_path(name, ".json")] = Deferred(functools.partial(_json_chunks, ordered, csl))
        files[cite_path(name, ".ris")] = Deferred(functools.partial(_ris_chunks, ordered, rec))
    return files


def cite_links(name: str, prefix: str) -> str:
    """The Markdown links to one name's files, e.g. ``[BibTeX](../cite/x.bib) · ...``."""
    return " · ".join(f"[{label}]({prefix}{cite_path(name, suffix)})" for suffix, label in FORMATS)
