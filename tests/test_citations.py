"""Citation files of each topic and of the whole knowledge base: BibTeX, CSL-JSON and RIS.

Each file is read back with a parser that researchers' tools share the rules of: bibtexparser
(BibTeX), jsonschema against the CSL-JSON schema (``tests/schemas/csl-data.json``) and rispy
(RIS). Keys are unique and stay the same when papers are added.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema  # type: ignore[import-untyped]
import pytest
import rispy  # type: ignore[import-untyped]
from conftest import DATA, FIXTURES, MakeTree, abstract, listing
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cite import balanced, unlatex

from generator.errors import WriteError
from generator.layout import CITE_DIR, MARKER_LINES, MARKER_TEXT
from generator.model import NO_METADATA, Metadata, Paper, Source
from generator.pipeline import generate, make_plan
from generator.render.citations import ALL_NAME, bib_marker, citation_files, cite_links, cite_path
from generator.render.cite import cite_key, csl_item, name_parts, ris
from generator.render.files import Files
from generator.writers.docs import is_generated, write_docs

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "csl-data.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
#: Control characters the writers drop (whitespace apart, which they collapse).
_CONTROLS = {c: None for c in [*range(32), *range(127, 160)] if not chr(c).isspace()}


def one_line(value: str) -> str:
    return " ".join(value.translate(_CONTROLS).split())


def paper(pid: str, title: str, meta: Metadata = NO_METADATA, topics: Sequence[str] = ()) -> Paper:
    return Paper(pid, pid, title, "abs", (), (Source("f", 1),), topics=tuple(topics), meta=meta)


def parse_bib(text: str) -> Any:
    library = bibtexparser.parse_string(text)  # type: ignore[attr-defined]
    assert library.failed_blocks == []
    return library


def uncase(title: str) -> str:
    """A CSL-JSON title as plain text again: without the nocase spans paperkb wrote and the
    zero-width space it put after a ``<`` that would start a tag
    (:func:`generator.render.cite.csl_title`)."""
    plain = title.replace('<span class="nocase">', "").replace("</span>", "")
    return re.sub("<\u200b(?=\u200b|/?(?:i|b|sup|sub|span)\\b)", "<", plain, flags=re.IGNORECASE)


def check_files(files: Mapping[str, str], papers: Sequence[Paper]) -> None:
    """Every citation file parses, holds exactly its papers once each, in id order."""
    by_id = {p.id: p for p in papers}
    names = {rel.rsplit("/", 1)[1].rsplit(".", 1)[0] for rel in files if rel.startswith("cite/")}
    assert ALL_NAME in names
    for name in sorted(names):
        bib = files[cite_path(name, ".bib")]
        assert bib.split("\n", 1)[0] == bib_marker(MARKER_TEXT)
        library = parse_bib(bib)
        assert [c.comment for c in library.comments] == [MARKER_TEXT]
        keys = [e.key for e in library.entries]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        assert all(e.entry_type == "misc" for e in library.entries)
        if name == ALL_NAME:
            assert sorted(keys) == sorted(cite_key(p) for p in papers)
        else:  # a topic's file: its papers (no topic at all: the Unsorted page)
            assert set(keys) == {p.id for p in papers if name in (p.topics or ("unsorted",))}, name
        items = json.loads(files[cite_path(name, ".json")])
        VALIDATOR.validate(items)
        assert [item["id"] for item in items] == keys
        records = rispy.loads(files[cite_path(name, ".ris")])
        assert [r["id"] for r in records] == keys
        for entry, item, record in zip(library.entries, items, records, strict=True):
            p = by_id[entry.key]
            title = one_line(p.title)
            assert balanced(entry["title"])
            assert unlatex(entry["title"]) == title
            assert uncase(item["title"]) == title == record["title"]
            assert item["citation-key"] == entry.key
            authors = [one_line(a) for a in p.meta.authors if one_line(a)]
            assert len(record.get("authors", [])) == len(item.get("author", [])) == len(authors)


# -- the shipped knowledge base ---------------------------------------------------------------


@cache
def shipped() -> tuple[Files, tuple[Paper, ...]]:
    plan = make_plan(DATA, parallel=False)
    return plan.files, plan.papers


def test_shipped_files_parse_and_hold_every_paper_once() -> None:
    files, papers = shipped()
    check_files(files, papers)
    cite = [rel for rel in files if rel.startswith(f"{CITE_DIR}/")]
    topics = [rel for rel in files if rel.startswith("topics/") and rel != "topics/index.md"]
    assert len(cite) == 3 * (len(topics) + 1)  # every topic page's, and the whole KB's


def test_shipped_records_with_metadata_are_cited_in_full() -> None:
    files, papers = shipped()
    rich = [p for p in papers if p.meta.arxiv and p.meta.authors and p.meta.published]
    assert rich  # the shipped records give some
    items = {item["id"]: item for item in json.loads(files[cite_path(ALL_NAME, ".json")])}
    records = {r["id"]: r for r in rispy.loads(files[cite_path(ALL_NAME, ".ris")])}
    library = parse_bib(files[cite_path(ALL_NAME, ".bib")])
    entries = {e.key: e for e in library.entries}
    for p in rich:
        key = cite_key(p)
        assert entries[key]["eprint"] == p.meta.arxiv
        assert items[key]["number"] == f"arXiv:{p.meta.arxiv}"
        assert (
            items[key]["URL"] == records[key]["urls"][0] == f"https://arxiv.org/abs/{p.meta.arxiv}"
        )
        year = int((p.meta.published or "")[:4])
        assert items[key]["issued"]["date-parts"][0][0] == year
        assert records[key]["year"] == str(year)


def test_pages_link_their_files() -> None:
    files, _papers = shipped()
    kb = files["knowledge-base.md"]  # the page about the knowledge base (issue 24)
    assert f"Cite the whole knowledge base: {cite_links(ALL_NAME, '')}" in kb
    assert "[BibTeX](cite/index.bib) · [CSL-JSON](cite/index.json) · [RIS](cite/index.ris)" in kb
    for rel in files:
        if rel.startswith("topics/") and rel != "topics/index.md":
            slug = rel.removeprefix("topics/").removesuffix(".md")
            assert f"[BibTeX](../cite/{slug}.bib)" in files[rel], rel
            for suffix in (".bib", ".json", ".ris"):
                assert cite_path(slug, suffix) in files


def test_same_files_whatever_the_order_of_papers() -> None:
    files, papers = shipped()
    shuffled = list(papers)
    random.Random(5).shuffle(shuffled)
    members: dict[str, list[Paper]] = {}
    for p in shuffled:
        for slug in p.topics or ("unsorted",):
            members.setdefault(slug, []).append(p)
    again = Files(citation_files(shuffled, members, MARKER_TEXT))
    for rel in again:
        assert again[rel] == files[rel], rel


# -- keys ---------------------------------------------------------------------------------------


def test_keys_are_unique_and_stay_when_papers_are_added(make_tree: MakeTree) -> None:
    """Papers are added, one of them with the title of an existing paper but another abstract
    (so a new paper whose id, and key, needs a suffix): every published key keeps its paper,
    and no two papers share one."""
    small = FIXTURES / "small"
    tree = {
        f"data/{p.relative_to(small).as_posix()}": p.read_text(encoding="utf-8")
        for p in small.rglob("*")
        if p.is_file()
    }
    data = make_tree(tree) / "data"
    docs = data.parent / "docs"
    generate(data, docs, parallel=False)

    def keys() -> dict[str, str]:
        entries = parse_bib((docs / "cite/index.bib").read_text(encoding="utf-8")).entries
        return {e.key: unlatex(e["title"]) for e in entries}

    before = keys()
    assert len(before) >= 3
    taken = sorted(before.values())[0]
    (data / "listings" / "2099-01-01.txt").write_text(
        listing(
            (taken + ": A Sequel", abstract("a wholly different subject", 7)),
            ("Brand New Paper on Citations", abstract("citations", 9)),
            ("Another Paper About Keys", abstract("keys", 3)),
            date=None,
        ),
        encoding="utf-8",
    )
    generate(data, docs, parallel=False)
    after = keys()
    assert len(after) == len(before) + 3
    for key, title in before.items():
        assert after[key] == title  # same key, same paper
    items = json.loads((docs / "cite/index.json").read_text(encoding="utf-8"))
    assert len({i["id"] for i in items}) == len(items) == len(after)


def test_the_key_is_the_permanent_id() -> None:
    p = paper("attention-is-all-you-need", "Attention Is All You Need", Metadata(authors=("A",)))
    assert cite_key(p) == "attention-is-all-you-need"
    assert csl_item(p)["id"] == csl_item(p)["citation-key"] == "attention-is-all-you-need"
    assert "ID  - attention-is-all-you-need\n" in ris(p)


# -- hostile text -------------------------------------------------------------------------------

HOSTILE = 'Break}} out {{ \\end{document} "quoted" 100% $a_b$ & #1 ~ `x`\nER  - \nTY  - JOUR\n'
NAMES = ("Ann and Bo", "Lee, Ann", "A, B, C, D", "Zoë {Smith}\\", 'Bob "Q" van der Berg\nER  - ')


def test_hostile_titles_and_names_stay_inside_their_fields() -> None:
    meta = Metadata(arxiv="2401.04081", authors=NAMES, published="2024-02-29")
    papers = [paper("hostile", HOSTILE, meta, ("t",)), paper("plain", "Plain", topics=("t",))]
    files = Files(citation_files(papers, {"t": papers}, MARKER_TEXT))
    check_files(files, papers)
    records = rispy.loads(files[cite_path("t", ".ris")])
    assert len(records) == 2
    assert records[0]["title"] == one_line(HOSTILE)
    assert records[0]["authors"] == [
        "and Bo, Ann",  # as BibTeX reads it: "and" is a lower-case particle
        "Lee, Ann",
        "A, B, C, D",
        "{Smith}\\, Zoë",
        'van der Berg ER -, Bob "Q"',
    ]
    ris_text = files[cite_path("t", ".ris")]
    assert ris_text.count("ER  - ") == 2
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*|", line) for line in ris_text.split("\n"))
    assert [r["type_of_reference"] for r in records] == ["UNPB", "UNPB"]
    library = parse_bib(files[cite_path("t", ".bib")])
    assert [e.key for e in library.entries] == ["hostile", "plain"]
    assert len(library.entries[0]["author"].split(" and ")) == len(NAMES)
    items = json.loads(files[cite_path("t", ".json")])
    assert items[0]["issued"] == {"date-parts": [[2024, 2, 29]]}
    assert uncase(items[0]["title"]) == one_line(HOSTILE)


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Ashish Vaswani", {"given": "Ashish", "family": "Vaswani"}),
        ("Vaswani, Ashish", {"given": "Ashish", "family": "Vaswani"}),
        ("King, Jr, Martin", {"given": "Martin", "suffix": "Jr", "family": "King"}),
        (
            "Ludwig van Beethoven",
            {"given": "Ludwig", "non-dropping-particle": "van", "family": "Beethoven"},
        ),
        ("张伟", {"family": "张伟"}),
        ("A, B, C, D", {"literal": "A, B, C, D"}),
        ("Lee,", {"literal": "Lee,"}),
        (" \n\x00", {}),
    ],
)
def test_names_are_read_as_bibtex_reads_them(name: str, parts: dict[str, str]) -> None:
    assert name_parts(name) == parts


TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60
)


@settings(max_examples=150, deadline=None)
@given(title=TEXT, names=st.lists(st.text(max_size=20), max_size=3))
def test_any_text_makes_files_the_parsers_read_back(title: str, names: list[str]) -> None:
    if not one_line(title):
        return  # the pipeline refuses a title with no visible character
    p = paper("any-paper", title, Metadata(authors=tuple(names), published="2024-01"))
    files = Files(citation_files([p], {"t": [p]}, MARKER_TEXT))
    check_files({rel: files[rel] for rel in files}, [dataclass_topics(p)])


def dataclass_topics(p: Paper) -> Paper:
    """``p`` as a member of topic ``t`` (for :func:`check_files`)."""
    return Paper(p.id, p.key, p.title, p.abstract, (), p.sources, topics=("t",), meta=p.meta)


def test_an_empty_topic_has_valid_empty_files() -> None:
    files = Files(citation_files([], {"empty": []}, MARKER_TEXT))
    assert files[cite_path("empty", ".bib")] == bib_marker(MARKER_TEXT) + "\n"
    assert json.loads(files[cite_path("empty", ".json")]) == []
    VALIDATOR.validate([])
    assert rispy.loads(files[cite_path("empty", ".ris")]) == []
    assert parse_bib(files[cite_path("empty", ".bib")]).entries == []


def test_the_schema_catches_a_wrong_item() -> None:
    """The schema copy is not a formality: the mistakes it exists for fail."""
    good = csl_item(paper("p", "T", Metadata(published="2024-01-02")))
    VALIDATOR.validate([good])
    for bad in (
        {**good, "type": "preprint"},  # not a CSL 1.0 type
        {**good, "url": "https://x"},  # misspelt: CSL says URL
        {k: v for k, v in good.items() if k != "id"},
        {**good, "issued": {"date-parts": [[2024, 1, 2, 3]]}},
        {**good, "author": [{"name": "A"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate([bad])


# -- which files are paperkb's -----------------------------------------------------------------


def test_the_bib_marker_is_a_marker_line_and_its_twins_follow_it(tmp_path: Path) -> None:
    assert bib_marker(MARKER_TEXT).encode() in MARKER_LINES
    docs = tmp_path / "docs"
    p = paper("a", "A", topics=("t",))
    files = Files(citation_files([p], {"t": [p]}, MARKER_TEXT))
    write_docs(docs, files, parallel=False)
    for rel in files:
        assert is_generated(docs / rel), rel
    # A hand-written file in cite/ with no marked .bib beside it is not paperkb's.
    (docs / "cite" / "reading-list.json").write_text("[]\n")
    (docs / "cite" / "mine.ris").write_text("TY  - JOUR\nER  - \n")
    (docs / "cite" / "mine.bib").write_text("@misc{x, title={mine}}\n")
    assert not is_generated(docs / "cite" / "reading-list.json")
    assert not is_generated(docs / "cite" / "mine.ris")
    # A .bib merely quoting the marker on a later line is not paperkb's, nor its twins.
    (docs / "cite" / "quote.bib").write_text("% notes\n" + bib_marker(MARKER_TEXT) + "\n")
    (docs / "cite" / "quote.json").write_text("[]\n")
    assert not is_generated(docs / "cite" / "quote.json")
    report = write_docs(docs, Files(citation_files([], {}, MARKER_TEXT)), parallel=False)
    assert sorted(report.deleted) == [cite_path("t", s) for s in (".bib", ".json", ".ris")]
    assert sorted(report.kept) == [
        "cite/mine.bib",
        "cite/mine.ris",
        "cite/quote.bib",
        "cite/quote.json",
        "cite/reading-list.json",
    ]


def test_a_hand_written_twin_is_never_overwritten(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "cite").mkdir(parents=True)
    (docs / "cite" / "t.json").write_text("[]\n")  # a curator's own list, no marked t.bib
    p = paper("a", "A", topics=("t",))
    with pytest.raises(WriteError, match=r"cite/t\.json"):
        write_docs(docs, Files(citation_files([p], {"t": [p]}, MARKER_TEXT)), parallel=False)
    assert (docs / "cite" / "t.json").read_text() == "[]\n"
    assert not (docs / "cite" / "t.bib").exists()
