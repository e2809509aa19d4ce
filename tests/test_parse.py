"""Parse stage: listings -> entries with provenance; every problem located and reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DATA, HEADER, MakeTree, abstract, listing

from generator.inputs.listings import (
    blocks_of,
    dated_by_name,
    decode,
    is_title_like,
    parse_listing,
    read_listings,
)
from generator.model import Source


def test_real_header_date_and_pairs() -> None:
    text = listing(("A Title", abstract("x")), ("Another: Title", abstract("y")), date="Aug 7")
    entries, problems = parse_listing(text, "listings/a.txt")
    assert problems == []
    assert [e.title for e in entries] == ["A Title", "Another: Title"]
    assert entries[0].source == Source("listings/a.txt", 13, "Aug 7")
    assert entries[1].source.line == 17
    assert entries[1].abstract == abstract("y")


def test_no_date_line_and_by_ak_variant() -> None:
    text = "new\n\nSubscribe\n\nby AK and the research community\n\nT\n\n" + abstract("t") + "\n"
    entries, problems = parse_listing(text, "f.txt")
    assert problems == []
    assert len(entries) == 1
    assert entries[0].source == Source("f.txt", 7, None)


def test_wrapped_abstract_lines_are_joined() -> None:
    text = "Title\n\nFirst half of the abstract. It goes on.\nSecond half. " + abstract("z")
    entries, _ = parse_listing(text, "f.txt")
    assert entries[0].abstract.startswith("First half of the abstract. It goes on. Second half.")


def test_title_without_abstract_is_reported_and_the_rest_still_pairs() -> None:
    text = listing(("Lost Abstract", ""), ("Good Title", abstract("g")))
    text = text.replace("Lost Abstract\n\n\n\n", "Lost Abstract\n\n")
    entries, problems = parse_listing(text, "f.txt")
    assert [e.title for e in entries] == ["Good Title"]
    assert len(problems) == 1
    assert problems[0].line == 13
    assert "title with no abstract" in problems[0].message
    assert "'Lost Abstract'" in problems[0].message


def test_abstract_without_title_and_truncated_end() -> None:
    text = listing(("T1", abstract("a"))) + abstract("orphan") + "\n\nDangling Title\n"
    entries, problems = parse_listing(text, "f.txt")
    assert [e.title for e in entries] == ["T1"]
    messages = [p.message for p in problems]
    assert len(problems) == 2
    assert messages[0].startswith("abstract with no title")
    assert "followed by the end of the file" in messages[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "empty listing"), ("\n \n", "empty listing"), (HEADER + "Aug 1\n", "no entries")],
)
def test_empty_and_header_only(text: str, message: str) -> None:
    entries, problems = parse_listing(text, "f.txt")
    assert entries == []
    assert len(problems) == 1
    assert message in problems[0].message


def test_decode_bom_crlf_and_errors() -> None:
    assert decode(b"\xef\xbb\xbfa\r\nb\rc", "f") == ("a\nb\nc", [])
    text, problems = decode(b"ok\n\xff\xfe", "f.txt")
    assert text is None
    assert "byte offset 3" in str(problems[0])
    text, problems = decode(b"\xef\xbb\xbfok\xc3", "f.txt")
    assert "byte offset 5" in str(problems[0])
    text, problems = decode(b"abc\x00def", "f.txt")
    assert text is None
    assert "NUL byte at byte offset 3" in problems[0].message


def test_blocks_and_title_heuristic() -> None:
    assert [b.line for b in blocks_of("a\n\n\nb\nc\n\n")] == [1, 4]
    assert is_title_like("Hydra: A Title. With a subtitle")
    assert is_title_like("x" * 400)
    assert not is_title_like("x" * 501)
    assert not is_title_like("One sentence. Two sentence. Three sentence.")


def test_read_listings_collects_every_problem_in_every_file(make_tree: MakeTree) -> None:
    root = make_tree(
        {
            "listings/b.txt": listing(("Fine", abstract("f"))),
            "listings/a.txt": b"\xff",
            "listings/sub/c.txt": "",
            "topics.yaml": "not a listing",
        }
    )
    entries, problems = read_listings(root)
    assert [e.source.file for e in entries] == ["listings/b.txt"]
    assert [p.file for p in problems] == ["listings/a.txt", "listings/sub/c.txt"]


def test_an_empty_folder_has_no_listings_and_is_an_error_of_the_run(tmp_path: Path) -> None:
    from generator.errors import InputError
    from generator.pipeline import make_plan

    assert read_listings(tmp_path) == ([], [])
    with pytest.raises(InputError, match="no listings"):
        make_plan(tmp_path)


def test_records_alone_make_a_knowledge_base(tmp_path: Path) -> None:
    """A knowledge base fed only by `paperkb fetch` has records and no listing."""
    from conftest import MINIMAL_TAXONOMY

    from generator.pipeline import make_plan

    (tmp_path / "topics.yaml").write_text(MINIMAL_TAXONOMY)
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "a.yaml").write_text(
        "title: Only A Record\nabstract: " + "A long enough abstract sentence. " * 5 + "\n"
    )
    plan = make_plan(tmp_path)
    assert [p.title for p in plan.papers] == ["Only A Record"]


def test_shipped_corpus_has_378_entries() -> None:
    entries, problems = read_listings(DATA)
    assert problems == []
    assert len(entries) == 378
    assert {e.source.file for e in entries} == {
        f"listings/{p.name}" for p in (DATA / "listings").glob("*.txt")
    }
    dates = {e.source.file: e.source.date for e in entries}
    # Three listings are saved under their dates (issue 26), which give their date lines a year.
    assert sorted(d for d in dates.values() if d) == ["Aug 12, 2025", "Aug 7, 2025", "Mar 20, 2025"]


@pytest.mark.parametrize(
    ("line", "file", "expected"),
    [
        ("Aug 12", "listings/2024-08-12.txt", "Aug 12, 2024"),
        ("Dec 30", "listings/2025-01-02.txt", "Dec 30, 2024"),  # saved after new year
        ("Aug 12, 2023", "listings/2024-08-12.txt", "Aug 12, 2023"),  # the page's year wins
        (None, "2024-12-03.txt", "2024-12-03"),
        ("Aug 12", "listings/000_101f9d493b61407f.txt", "Aug 12"),  # no date in the name
        ("Aug 12", "listings/2024-02-30.txt", "Aug 12"),  # no such day
        (None, "listings/notes.txt", None),
    ],
)
def test_a_listing_named_by_its_date_gives_its_date_line_a_year(
    line: str | None, file: str, expected: str | None
) -> None:
    assert dated_by_name(line, file) == expected


def test_entries_of_a_dated_listing_carry_the_year() -> None:
    entries, _ = parse_listing(
        HEADER + "Dec 3\n\nA Title\n\n" + abstract("x") + "\n", "listings/2024-12-03.txt"
    )
    assert [e.source.date for e in entries] == ["Dec 3, 2024"]
