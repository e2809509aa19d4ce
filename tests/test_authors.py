"""Author pages: which spellings are one author, which are not, and stable, unique ids."""

from __future__ import annotations

import itertools

import pytest

from generator.layout import MAX_ID_LENGTH, SLUG
from generator.model import Metadata, Paper
from generator.stages.authors import (
    Author,
    author_key,
    authors_of,
    by_key,
    collect_authors,
    display_name,
    make_slug,
)


def paper(paper_id: str, *authors: str) -> Paper:
    return Paper(
        paper_id, paper_id, paper_id.title(), "abs", (), (), meta=Metadata(authors=authors)
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "Zoë Smith",
        "Zoe Smith",
        "ZOE SMITH",
        "zoë  smith",
        " Zoe\tSmith\n",
        "Zoe-Smith",
        "Zoe\u0308 Smith",  # decomposed ë
        "Ｚｏｅ Ｓｍｉｔｈ",  # fullwidth
        "Zoe. Smith",
    ],
)
def test_spellings_of_one_name_share_a_key(spelling: str) -> None:
    assert author_key(spelling) == "zoe smith"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Søren Łukasz", "Soren Lukasz"),
        ("Jean-Pierre Dupont", "Jean Pierre Dupont"),
        ("O'Brien", "O\u2019Brien"),
        ("O\u02bcBrien", "O Brien"),
        ("J.R. Smith", "J R Smith"),
        ("Straße", "STRASSE"),
        ("ﬁlip", "Filip"),
    ],
)
def test_punctuation_accents_and_case_never_tell_names_apart(a: str, b: str) -> None:
    assert author_key(a) == author_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("J. Smith", "John Smith"),  # an initial could be anyone: never guessed
        ("Smith, John", "John Smith"),  # which part is the surname: never guessed
        ("Zoe Smith", "Zoey Smith"),
        ("OBrien", "O'Brien"),
        ("Wei Zhang", "张伟"),
        ("कि", "क"),  # Devanagari vowel signs are letters, not accents
        ("が", "か"),  # nor is the Japanese voicing mark
    ],
)
def test_different_letters_stay_different_authors(a: str, b: str) -> None:
    assert author_key(a) != author_key(b)


def test_a_name_without_letters_has_no_key_and_no_page() -> None:
    assert author_key(" ... -- ") == ""
    assert collect_authors([paper("p1", "...", "Ann Lee")]) == (
        Author("ann-lee", "Ann Lee", "ann lee", ("p1",)),
    )


def test_display_name_drops_controls_and_extra_spaces() -> None:
    assert display_name(" Ann\x00\x1b  Lee\n") == "Ann Lee"
    assert display_name("Zoe\u0308") == "Zoë"


def test_one_author_per_key_with_sorted_papers() -> None:
    authors = collect_authors(
        [
            paper("p3", "Zoë Smith", "Bo Li"),
            paper("p1", "Zoe Smith"),
            paper("p2", "ZOË SMITH", "J. Smith"),
        ]
    )
    assert [(a.id, a.key, a.papers) for a in authors] == [
        ("bo-li", "bo li", ("p3",)),
        ("j-smith", "j smith", ("p2",)),
        ("zoe-smith", "zoe smith", ("p1", "p2", "p3")),
    ]


def test_shown_name_is_the_most_frequent_spelling() -> None:
    authors = collect_authors(
        [paper("a", "Zoe Smith"), paper("b", "Zoë Smith"), paper("c", "Zoë  Smith")]
    )
    assert [a.name for a in authors] == ["Zoë Smith"]


def test_spelling_ties_go_to_the_smallest_paper_id_then_the_smallest_text() -> None:
    tied = collect_authors([paper("b", "ZOE SMITH"), paper("a", "Zoe Smith")])
    assert [a.name for a in tied] == ["Zoe Smith"]  # though "ZOE SMITH" sorts first
    same_paper = collect_authors([paper("a", "Zoe Smith", "ZOE SMITH")])
    assert [a.name for a in same_paper] == ["ZOE SMITH"]


def test_ids_are_slugs_of_the_key_whatever_spelling_is_shown() -> None:
    first = collect_authors([paper("a", "ZOË SMITH")])
    later = collect_authors(
        [paper("a", "ZOË SMITH"), paper("b", "Zoe Smith"), paper("c", "Zoe Smith")]
    )
    assert first[0].id == later[0].id == "zoe-smith"
    assert later[0].name == "Zoe Smith"


def test_slug_collisions_get_suffixes_in_key_order() -> None:
    # "wei zhang" and "张伟" ("zhang-wei") differ; "zhang wei" and "张伟" collide.
    papers = [paper("p1", "张伟"), paper("p2", "Zhang Wei"), paper("p3", "Zhang-Wei")]
    authors = collect_authors(papers)
    assert {a.key: a.id for a in authors} == {"zhang wei": "zhang-wei", "张伟": "zhang-wei-2"}


def test_suffixes_skip_ids_another_author_has_as_plain_slug() -> None:
    # slugify drops the Javanese letter, so "ann lee ꦲ" makes "ann-lee" too; its "-2" is
    # the plain slug of "ann lee 2", which keeps it.
    authors = collect_authors([paper("p", "Ann Lee ꦲ", "Ann Lee 2"), paper("q", "ann_lee")])
    assert {a.key: a.id for a in authors} == {
        "ann lee": "ann-lee",
        "ann lee 2": "ann-lee-2",
        "ann lee ꦲ": "ann-lee-3",
    }


def test_collisions_of_truncated_slugs_stay_unique_and_bounded() -> None:
    long_names = [("Bartholomew " * 10) + end for end in ("Gamma", "Alpha", "Beta")]
    authors = collect_authors([paper("p", *long_names)])
    base = "-".join(["bartholomew"] * 6)  # 71 characters: a seventh word would pass 80
    assert [a.id for a in authors] == [base, f"{base}-2", f"{base}-3"]
    assert [a.key.rsplit(" ", 1)[1] for a in authors] == ["alpha", "beta", "gamma"]
    assert all(len(a.id) <= MAX_ID_LENGTH and SLUG.fullmatch(a.id) for a in authors)


def test_suffixes_never_pass_the_length_limit() -> None:
    names = ["x" * 79 + " a", "x" * 79 + " b"]  # slugify keeps the 79 x's for both
    ids = [a.id for a in collect_authors([paper("p", *names)])]
    assert ids == ["x" * 79, "x" * 78 + "-2"]


def test_untransliterable_and_reserved_names_get_safe_ids() -> None:
    authors = collect_authors([paper("p", "ꦲ", "ꦱ", "Index", "CON")])
    ids = sorted(a.id for a in authors)
    assert ids == ["author", "author-2", "con-author", "index-author"]
    assert make_slug("ꦲ") == "author"
    assert make_slug("index") == "index-author"


def test_result_does_not_depend_on_input_order() -> None:
    papers = [
        paper("p1", "Zoe Smith", "张伟"),
        paper("p2", "Zoë Smith", "Zhang Wei"),
        paper("p3", "ZOE SMITH", "J. Smith", "Zhang-Wei"),
        paper("p4", "J Smith", "zoë smith"),
    ]
    expected = collect_authors(papers)
    for order in itertools.permutations(papers):
        assert collect_authors(order) == expected
    reordered = [paper(p.id, *reversed(p.meta.authors)) for p in papers]
    assert collect_authors(reordered) == expected


def test_authors_of_keeps_the_paper_order_once_each() -> None:
    p = paper("p", "Bo Li", "...", "Zoe Smith", "Zoë Smith", "Ann Lee")
    index = by_key(collect_authors([p]))
    assert [a.name for a in authors_of(p, index)] == ["Bo Li", "Zoe Smith", "Ann Lee"]
    assert authors_of(paper("q", "Nobody Known"), index) == ()
