"""Citations: only known fields, and no title or name can break out of its BibTeX value."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Metadata, Paper
from generator.render.cite import (
    arxiv_pdf_url,
    arxiv_search_url,
    arxiv_url,
    bibtex,
    citation_meta,
    cite_key,
    csl_item,
    discussion_url,
    hub_search_url,
    hub_url,
    ris,
)

FULL = Metadata(
    arxiv="1706.03762",
    authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"),
    published="2017-06-12",
    upvotes=42,
    note="A classic.",
)


def paper(title: str = "Attention Is All You Need", meta: Metadata = FULL) -> Paper:
    return Paper("attention-is-all-you-need", "key", title, "abs", (), (), meta=meta)


def fields(entry: str) -> dict[str, str]:
    """Field name -> braced value of a one-field-per-line entry, checking the layout."""
    lines = entry.split("\n")
    assert re.fullmatch(r"@misc\{[a-z0-9-]+,", lines[0])
    assert lines[-2:] == ["}", ""]
    found = {}
    for i, line in enumerate(lines[1:-2]):
        comma = "," if i < len(lines) - 4 else ""
        match = re.fullmatch(r"  ([a-zA-Z]+) = \{(.*)\}" + comma, line)
        assert match, line
        found[match[1]] = match[2]
    return found


_UNESCAPE = {
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textasciigrave": "`",
}


def unlatex(value: str) -> str:
    """Undo the escaping: every backslash in a value starts one of our escapes, and every
    other brace protects a word's case (:func:`generator.render.cite.bibtex_title`)."""
    unprotected = re.sub(r"(\\[a-z]+\{\})|[{}]", lambda m: m[1] or "", value)
    return re.sub(
        r"\\(?:([a-z]+)\{\}|([%&$#_]))",
        lambda m: _UNESCAPE[m[1]] if m[1] else m[2],
        unprotected,
    )


def balanced(value: str) -> bool:
    """BibTeX's own rule: braces count whatever precedes them, depth never below zero."""
    depth = 0
    for ch in value:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def test_bibtex_with_every_field() -> None:
    entry = bibtex(paper(), primary_class="cs.CL")
    assert entry == (
        "@misc{attention-is-all-you-need,\n"
        "  title = {Attention Is All You Need},\n"
        "  author = {Ashish Vaswani and Noam Shazeer and Niki Parmar},\n"
        "  year = {2017},\n"
        "  eprint = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CL},\n"
        "  url = {https://arxiv.org/abs/1706.03762}\n"
        "}\n"
    )


def test_bibtex_without_metadata_has_only_the_title_and_the_id_as_key() -> None:
    assert bibtex(paper(meta=Metadata())) == (
        "@misc{attention-is-all-you-need,\n  title = {Attention Is All You Need}\n}\n"
    )


@pytest.mark.parametrize(
    ("meta", "present", "absent"),
    [
        (Metadata(authors=("A. Author",)), {"title", "author"}, {"year", "eprint", "url"}),
        (Metadata(published="2024-02-29"), {"year"}, {"author", "eprint", "archivePrefix"}),
        (
            Metadata(arxiv="2401.04081"),
            {"eprint", "archivePrefix", "url"},
            {"author", "year", "primaryClass"},
        ),
        (Metadata(arxiv="hep-th/9901001"), {"eprint", "url"}, {"year"}),
        # Not an arXiv id / not a date: unknown, so not cited.
        (Metadata(arxiv="see https://x}"), {"title"}, {"eprint", "url", "archivePrefix"}),
        (Metadata(published="2023-02-30"), {"title"}, {"year"}),
        (Metadata(published="Aug 12"), {"title"}, {"year"}),
    ],
)
def test_bibtex_has_only_known_fields(meta: Metadata, present: set[str], absent: set[str]) -> None:
    found = fields(bibtex(paper(meta=meta)))
    assert present <= found.keys()
    assert not absent & found.keys()


def test_primary_class_only_when_given() -> None:
    assert "primaryClass" not in fields(bibtex(paper()))
    assert fields(bibtex(paper(), primary_class="cs.LG"))["primaryClass"] == "cs.LG"
    assert "primaryClass" not in fields(bibtex(paper(), primary_class=" \n"))


HOSTILE = "Break}} out \\end{document} {{ x }} 100% $a_b^c$ & #1 ~ `code`\n```\n~~~\n@misc{evil,"


def test_hostile_title_stays_inside_its_value() -> None:
    entry = bibtex(paper(HOSTILE))
    assert len(entry.splitlines()) == 8  # @misc, six fields, }
    for line in entry.splitlines():
        assert not line.lstrip().startswith(("```", "~~~"))
    assert "```" not in entry
    title = fields(entry)["title"]
    assert balanced(title)
    assert unlatex(title) == " ".join(HOSTILE.split())
    assert "\\end" not in title.replace("\\textbackslash{}", "")


def test_names_cannot_split_or_break_the_author_list() -> None:
    meta = Metadata(authors=("Ann and Bo", "Lee, Ann", "A, B, C, D", "Zoë {Smith}\\"))
    author = fields(bibtex(paper(meta=meta)))["author"]
    assert author.split(" and ") == [
        "Ann {and} Bo",
        "Lee, Ann",
        "A{,} B{,} C{,} D",
        "Zoë \\textbraceleft{}Smith\\textbraceright{}\\textbackslash{}",
    ]
    assert balanced(author)


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(min_size=1, max_size=80),
    names=st.lists(st.text(max_size=20), max_size=3),
    primary=st.none() | st.text(max_size=10),
)
def test_any_text_gives_a_well_formed_entry(
    title: str, names: list[str], primary: str | None
) -> None:
    entry = bibtex(paper(title, Metadata(authors=tuple(names))), primary_class=primary)
    found = fields(entry)  # layout checked in there: one field per line
    assert all(balanced(value) for value in found.values())
    assert unlatex(found["title"]) == " ".join(
        title.translate(
            {c: None for c in [*range(32), *range(127, 160)] if not chr(c).isspace()}
        ).split()
    )
    assert not any(line.lstrip().startswith(("```", "~~~")) for line in entry.splitlines())


@pytest.mark.parametrize(
    ("authors", "published", "title"),
    [
        (("Ashish Vaswani",), "2017-06-12", "Attention Is All You Need"),
        (("Vaswani, Ashish",), None, "The Attention"),
        (("张伟",), "2024-01-05", "深度学习"),
        ((), "2024-01-05", "Anything"),
    ],
)
def test_cite_key_is_the_permanent_id_whatever_the_metadata(
    authors: tuple[str, ...], published: str | None, title: str
) -> None:
    """Authors, dates and titles change as records arrive; the id never does (the registry
    is append-only), and no two papers share one."""
    p = paper(title, Metadata(authors=authors, published=published))
    assert cite_key(p) == "attention-is-all-you-need"
    assert bibtex(p).startswith("@misc{attention-is-all-you-need,\n")


def test_csl_item_with_every_field() -> None:
    assert csl_item(paper()) == {
        "id": "attention-is-all-you-need",
        "citation-key": "attention-is-all-you-need",
        "type": "article",
        "title": "Attention Is All You Need",
        "author": [
            {"family": "Vaswani", "given": "Ashish"},
            {"family": "Shazeer", "given": "Noam"},
            {"family": "Parmar", "given": "Niki"},
        ],
        "issued": {"date-parts": [[2017, 6, 12]]},
        "publisher": "arXiv",
        "number": "arXiv:1706.03762",
        "URL": "https://arxiv.org/abs/1706.03762",
    }
    assert csl_item(paper(meta=Metadata(published="2024-03"))) == {
        "id": "attention-is-all-you-need",
        "citation-key": "attention-is-all-you-need",
        "type": "article",
        "title": "Attention Is All You Need",
        "issued": {"date-parts": [[2024, 3]]},
    }


def test_ris_record_with_every_field() -> None:
    assert ris(paper()) == (
        "TY  - UNPB\n"
        "ID  - attention-is-all-you-need\n"
        "TI  - Attention Is All You Need\n"
        "AU  - Vaswani, Ashish\n"
        "AU  - Shazeer, Noam\n"
        "AU  - Parmar, Niki\n"
        "PY  - 2017\n"
        "DA  - 2017/06/12/\n"
        "UR  - https://arxiv.org/abs/1706.03762\n"
        "PB  - arXiv\n"
        "M1  - arXiv:1706.03762\n"
        "ER  - \n"
    )
    assert ris(paper(HOSTILE, Metadata(published="2024"))).split("\n") == [
        "TY  - UNPB",
        "ID  - attention-is-all-you-need",
        "TI  - " + " ".join(HOSTILE.split()),
        "PY  - 2024",
        "DA  - 2024///",
        "ER  - ",
        "",
    ]


def test_citation_meta_order_and_content() -> None:
    meta = Metadata(
        arxiv="2401.04081", authors=("Ann  Lee\n", "\x00", "Bo <Li>"), published="2024-01-08"
    )
    assert citation_meta(paper("A <b>title</b>\n with\tspace", meta)) == (
        ("citation_title", "A <b>title</b> with space"),
        ("citation_author", "Ann Lee"),
        ("citation_author", "Bo <Li>"),
        ("citation_publication_date", "2024/01/08"),
        ("citation_arxiv_id", "2401.04081"),
    )


@pytest.mark.parametrize(
    ("meta", "names"),
    [
        (Metadata(), ["citation_title"]),
        (Metadata(published="2024"), ["citation_title", "citation_publication_date"]),
        (Metadata(arxiv="2401.04081"), ["citation_title", "citation_arxiv_id"]),
        (Metadata(arxiv="nope", published="soon"), ["citation_title"]),
    ],
)
def test_citation_meta_omits_what_is_unknown(meta: Metadata, names: list[str]) -> None:
    assert [name for name, _ in citation_meta(paper(meta=meta))] == names


def test_partial_dates_keep_only_their_known_parts() -> None:
    tags = dict(citation_meta(paper(meta=Metadata(published="2024-03"))))
    assert tags["citation_publication_date"] == "2024/03"


def test_urls() -> None:
    assert arxiv_url("2401.04081") == "https://arxiv.org/abs/2401.04081"
    assert arxiv_url("hep-th/9901001") == "https://arxiv.org/abs/hep-th/9901001"
    assert hub_url("2401.04081") == "https://huggingface.co/papers/2401.04081"
    assert arxiv_url('x" onclick=y') == "https://arxiv.org/abs/x%22%20onclick%3Dy"


def test_pdf_and_discussion_urls() -> None:
    assert arxiv_pdf_url("2401.04081") == "https://arxiv.org/pdf/2401.04081"
    assert arxiv_pdf_url("math.GT/0309136") == "https://arxiv.org/pdf/math.GT/0309136"
    assert discussion_url("2401.04081") == "https://huggingface.co/papers/2401.04081#community"
    assert arxiv_pdf_url("x)y z") == "https://arxiv.org/pdf/x%29y%20z"


def test_title_searches_encode_the_whole_title_as_one_query_value() -> None:
    title = "Attention  Is\nAll: (You) [Need] & 100% <b>#1</b>?"
    quoted = "Attention+Is+All%3A+%28You%29+%5BNeed%5D+%26+100%25+%3Cb%3E%231%3C%2Fb%3E%3F"
    assert arxiv_search_url(title) == (f"https://arxiv.org/search/?query={quoted}&searchtype=title")
    assert hub_search_url(title) == f"https://huggingface.co/papers?q={quoted}"


def test_bibtex_has_eprint_and_url_from_the_arxiv_id_only() -> None:
    found = fields(bibtex(paper()))
    assert found["eprint"] == "1706.03762" and found["archivePrefix"] == "arXiv"
    assert found["url"] == "https://arxiv.org/abs/1706.03762"
    assert "url" not in fields(bibtex(paper(meta=Metadata(authors=("A B",)))))
