"""Structured records: the daily papers API JSON and hand-written YAML, with located problems.

The fixtures under ``tests/fixtures/records/`` are a ``records`` folder, so ``tests/fixtures``
is the data directory they are read from; ``bad/`` holds one example of every problem.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.datafiles import RECORDS_DIR
from generator.inputs.fields import arxiv_id
from generator.inputs.hubjson import parse_api_json
from generator.inputs.records import read_records, record_paths
from generator.inputs.yamlrecords import parse_yaml_records
from generator.model import Entry, Metadata, Source

RECORDS = FIXTURES / RECORDS_DIR


def parsed(name: str) -> tuple[list[Entry], list[str]]:
    """The entries of one fixture file and its problems as printed."""
    path = RECORDS / name
    parse = parse_api_json if path.suffix == ".json" else parse_yaml_records
    entries, problems = parse(path.read_text(encoding="utf-8"), f"records/{name}")
    return entries, [str(p) for p in problems]


MOE_TITLE = "MoE-Mamba: Efficient Selective State Space Models with Mixture of Experts"


# --- API JSON -------------------------------------------------------------------------------


def test_an_api_list_gives_one_entry_per_record_at_its_line() -> None:
    entries, problems = parsed("api.json")
    assert problems == []
    moe, deepseek = entries
    assert moe.title == MOE_TITLE
    assert moe.abstract.startswith("State Space Models (SSMs) have become serious contenders")
    assert moe.source == Source("records/api.json", 2, None)
    assert moe.origin == "api"
    # whitespace in names collapsed, accents kept; unknown fields (_id, user, ...) ignored
    assert moe.meta == Metadata(
        arxiv="2401.04081",
        authors=("Maciej Pióro", "Kamil Ciebiera"),
        published="2024-01-08",
        upvotes=70,
        comments=3,  # the item's numComments
    )
    assert deepseek.source == Source("records/api.json", 20, None)
    assert deepseek.meta == Metadata(arxiv="2401.02954", published="2024-01-05", upvotes=0)


def test_a_single_api_object_is_one_record_and_nulls_are_absent_fields() -> None:
    entries, problems = parsed("single.json")
    assert problems == []
    (mamba,) = entries
    assert mamba.title == "Mamba: Linear-Time Sequence Modeling with Selective State Spaces"
    assert mamba.source == Source("records/single.json", 2, None)  # after a blank first line
    assert mamba.meta == Metadata(arxiv="2312.00752")  # "arXiv:" prefix and "v2" dropped


def test_every_api_problem_names_the_json_path_at_the_record_line() -> None:
    entries, problems = parsed("bad/fields.json")
    assert [(e.title, e.source.line) for e in entries] == [("Good", 17)]
    file = "records/bad/fields.json"
    arxiv_help = "not an arXiv id (like 2401.04081 or cs/0112017)"
    assert problems == [
        f"{file}:2: [0].paper: missing",
        f"{file}:3: [1].paper: must be an object, got a string",
        f"{file}:4: [2]: must be an object, got a list",
        f"{file}:5: [3].paper.id: missing",
        f"{file}:5: [3].paper.title: missing",
        f"{file}:5: [3].paper.summary: missing",
        f"{file}:6: [4].paper.id: must be a string, got a number",
        f"{file}:6: [4].paper.title: must be a string, got a list",
        f"{file}:6: [4].paper.summary: must be a string, got null",
        f"{file}:7: [5].paper.id: must not be empty",
        f"{file}:7: [5].paper.title: must not be empty",
        f"{file}:7: [5].paper.summary: must not be empty",
        f"{file}:8: [6].paper.id: {arxiv_help}: '2401.4081'",
        f"{file}:9: [7].paper.publishedAt: not an ISO 8601 date and time "
        "(like 2024-01-08T18:59:59.000Z): 'last Monday'",
        f"{file}:10: [8].paper.publishedAt: must be a string, got an integer",
        f"{file}:11: [9].paper.upvotes: must not be negative, got -1",
        f"{file}:12: [10].paper.upvotes: must be an integer, got a boolean",
        f"{file}:13: [11].paper.upvotes: must be an integer, got a number",
        f"{file}:14: [12].paper.authors: must be a list of objects with a 'name', got a string",
        f"{file}:15: [13].paper.authors[1].name: missing",
        f"{file}:15: [13].paper.authors[2]: must be an object with a 'name', got a string",
        f"{file}:15: [13].paper.authors[3].name: must not be empty",
    ]


def test_paths_of_a_single_object_start_at_paper() -> None:
    entries, problems = parse_api_json('{"paper": {"id": "2401.04081"}}', "records/d.json")
    assert entries == []
    assert [str(p) for p in problems] == [
        "records/d.json:1: paper.title: missing",
        "records/d.json:1: paper.summary: missing",
    ]
    assert [str(p) for p in parse_api_json("\n\n{}", "records/d.json")[1]] == [
        "records/d.json:3: paper: missing"
    ]


def test_invalid_json_is_one_problem_with_line_and_column() -> None:
    assert parsed("bad/invalid.json") == (
        [],
        ["records/bad/invalid.json:3: invalid JSON: Expecting ',' delimiter (line 3, column 3)"],
    )
    assert parsed("bad/top.json")[1] == [
        "records/bad/top.json:1: the top level must be a list of records or one record, "
        "got a string"
    ]


def test_an_empty_api_list_is_no_records_and_no_problem() -> None:
    assert parse_api_json(" [ ] ", "records/d.json") == ([], [])


def test_record_lines_follow_the_layout_of_the_array() -> None:
    text = (
        '[{"paper": {"id": "2401.04081", "title": "A", "summary": "S"}} ,\n'
        "\n"
        "\n"
        '  {"paper": {"id": "2401.04082", "title": "B", "summary": "S"}}, {"x": "[{\\n"},\n'
        '"{"]'
    )
    entries, problems = parse_api_json(text, "records/d.json")
    assert [(e.title, e.source.line) for e in entries] == [("A", 1), ("B", 4)]
    assert [str(p) for p in problems] == [
        "records/d.json:4: [2].paper: missing",  # the escaped newline is no line break
        "records/d.json:5: [3]: must be an object, got a string",
    ]


# --- the Hub's display fields (lenient) -----------------------------------------------------


def hub_item(**paper: object) -> dict[str, object]:
    """An item in the daily papers shape; ``top_*`` keys go to the item, the rest to the paper."""
    top = {k.removeprefix("top_"): v for k, v in paper.items() if k.startswith("top_")}
    fields: dict[str, object] = {"id": "2412.01234", "title": "T", "summary": "S"}
    fields |= {k: v for k, v in paper.items() if not k.startswith("top_")}
    return {"paper": fields, **top}


def hub_meta(*items: dict[str, object], file: str = "records/d.json") -> list[Metadata]:
    entries, problems = parse_api_json(json.dumps(list(items)), file)
    assert problems == []
    assert len(entries) == len(items)  # an optional field never rejects a paper
    return [e.meta for e in entries]


FULL_ITEM = hub_item(
    submittedOnDailyAt="2024-12-03T01:23:45.000Z",
    githubRepo="https://github.com/x/y",
    githubStars=42,
    projectPage="https://example.org/proj",
    ai_summary="A  machine\nsummary.",
    ai_keywords=["diffusion", "video", "diffusion"],
    withdrawnAt="2024-12-05T10:00:00.000Z",
    organization={"name": "lab", "fullname": "The Lab"},
    discussionId="674e",
    top_numComments=3,
    top_organization={"name": "other"},
    top_thumbnail="https://cdn.example/x.png",
)


def test_the_hubs_display_fields_are_read() -> None:
    (meta,) = hub_meta(FULL_ITEM)
    assert meta == Metadata(
        arxiv="2412.01234",
        listed="2024-12-03",
        comments=3,
        organization="The Lab",  # the paper's organization before the item's
        github="https://github.com/x/y",
        stars=42,
        project="https://example.org/proj",
        ai_summary="A machine summary.",  # on one line
        ai_keywords=("diffusion", "video"),  # without repeats
        withdrawn="2024-12-05",
    )


def test_organization_falls_back_to_name_and_to_the_item() -> None:
    by_name, top, none = hub_meta(
        hub_item(organization={"name": "lab"}),
        hub_item(organization={"fullname": ""}, top_organization={"fullname": "Top Lab"}),
        hub_item(organization="lab", top_organization=["x"]),
    )
    assert (by_name.organization, top.organization, none.organization) == ("lab", "Top Lab", None)


def test_listed_is_submitted_on_daily_at_else_the_date_of_a_hub_day_file() -> None:
    item = hub_item()
    assert hub_meta(item, file="records/hub/2024-12-03.json")[0].listed == "2024-12-03"
    dated = hub_item(submittedOnDailyAt="2024-12-02T23:59:00.000Z")
    assert hub_meta(dated, file="records/hub/2024-12-03.json")[0].listed == "2024-12-02"
    for file in (
        "records/2024-12-03.json",  # not a day file of paperkb fetch
        "records/hub/resolved.json",
        "records/hub/2024-02-30.json",  # no such day
        "records/hub/x/2024-12-03.json",
    ):
        assert hub_meta(item, file=file)[0].listed is None, file
    assert hub_meta(item, file="records/hub/2024-12-03.json")[0] == Metadata(
        arxiv="2412.01234", listed="2024-12-03"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"submittedOnDailyAt": "yesterday"},
        {"submittedOnDailyAt": 1733190225},
        {"githubRepo": 42, "githubStars": 5},
        {"githubRepo": {"url": "https://github.com/x/y"}},
        {"githubRepo": "https://github.com/x/y", "githubStars": "42"},
        {"githubRepo": "https://github.com/x/y", "githubStars": -1},
        {"githubRepo": "https://github.com/x/y", "githubStars": True},
        {"githubRepo": "https://github.com/x/y", "githubStars": 4.5},
        {"githubRepo": "https://github.com/x/y", "githubStars": 10**30},
        {"githubStars": 42},  # stars of no repository
        {"projectPage": ["https://example.org"]},
        {"ai_summary": 7},
        {"ai_summary": "   "},
        {"ai_summary": "x" * 20_001},
        {"ai_keywords": "diffusion"},
        {"ai_keywords": [1, None, "", {"k": "v"}, "k" * 101]},
        {"withdrawnAt": True},
        {"withdrawnAt": "soon"},
        {"organization": {"fullname": 3, "name": None}},
        {"organization": {"fullname": "x" * 301}},
        {"top_numComments": "3"},
        {"top_numComments": -2},
        {"top_numComments": False},
    ],
)
def test_a_malformed_optional_field_is_ignored_not_an_error(fields: dict[str, object]) -> None:
    (meta,) = hub_meta(hub_item(**fields))
    base = Metadata(arxiv="2412.01234")
    github = fields.get("githubRepo")
    if github == "https://github.com/x/y":  # only the stars were malformed
        base = Metadata(arxiv="2412.01234", github="https://github.com/x/y")
    assert meta == base


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        " javascript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://example.org/x",
        "//example.org/x",
        "/relative/path",
        "example.org",
        "https://",
        "https:///path",
        "http://exa mple.org/",
        "https://example.org/\u200bx",  # an invisible character
        "https://[::1/",
        "https://example.org/" + "x" * 2_000,
    ],
)
def test_only_http_and_https_urls_are_kept(url: str) -> None:
    (meta,) = hub_meta(hub_item(githubRepo=url, githubStars=3, projectPage=url))
    assert (meta.github, meta.stars, meta.project) == (None, None, None)


def test_http_urls_are_kept_as_written() -> None:
    (meta,) = hub_meta(
        hub_item(githubRepo=" HTTPS://GitHub.com/x/y ", projectPage="http://a.b/?q=1&r=(2)")
    )
    assert (meta.github, meta.project) == ("HTTPS://GitHub.com/x/y", "http://a.b/?q=1&r=(2)")


def test_the_required_fields_are_still_strict_beside_the_lenient_ones() -> None:
    item = hub_item(githubRepo="javascript:alert(1)", upvotes="12")
    entries, problems = parse_api_json(json.dumps([item]), "records/d.json")
    assert entries == []  # upvotes were checked before and still are
    assert [str(p) for p in problems] == [
        "records/d.json:1: [0].paper.upvotes: must be an integer, got a string"
    ]


# --- YAML records ---------------------------------------------------------------------------


def test_a_yaml_list_of_records_with_every_field() -> None:
    entries, problems = parsed("records.yaml")
    assert problems == []
    moe, old = entries
    assert moe.title == MOE_TITLE
    # a folded block scalar: lines joined, the final newline stripped
    assert moe.abstract == (
        "State space models meet a mixture of experts: a curated abstract that replaces the "
        "one read from the listing."
    )
    assert moe.source == Source("records/records.yaml", 2, None)
    assert moe.origin == "record"
    # an unquoted id is a YAML float and an unquoted date a YAML date: both are accepted
    assert moe.meta == Metadata(
        arxiv="2401.04081",
        authors=("Maciej Pióro", "Kamil Ciebiera"),
        published="2024-01-08",
        note="Read together with Mamba.",
        topics=("mixture-of-experts", "state-space-models"),
    )
    assert old.source == Source("records/records.yaml", 12, None)
    assert old.meta == Metadata(arxiv="cs/0112017", published="2001-12-10")


def test_a_yaml_file_may_hold_one_record() -> None:
    entries, problems = parsed("one.yaml")
    assert problems == []
    assert entries == [
        Entry(
            "A Paper Known Only by Its Title and Abstract",
            "A single mapping is a file of one record.\nOnly the title and the abstract are "
            "required.",
            Source("records/one.yaml", 1, None),
            "record",
        )
    ]


def test_every_yaml_problem_has_its_line_and_unknown_keys_are_errors() -> None:
    entries, problems = parsed("bad/fields.yaml")
    assert entries == []
    file = "records/bad/fields.yaml"
    allowed = (
        "title, abstract, arxiv, authors, date, topics, note, verified_at, authors_from, date_from"
    )
    slug_help = (
        "is not a topic slug (lowercase ASCII letters and digits in words joined by single "
        "hyphens, like 'image-generation')"
    )
    assert problems == [
        f"{file}:2: record 1: unknown key 'abstarct' (allowed: {allowed})",
        f"{file}:3: record 2: missing 'title'",
        f"{file}:4: record 3: 'title' must be a string, got an integer",
        f"{file}:5: record 3: 'abstract' must not be empty",
        f"{file}:8: record 4: 'arxiv' is not an arXiv id (like 2401.04081 or cs/0112017): "
        "'2401.4081'",
        f"{file}:11: record 5: 'arxiv' must be an arXiv id, got a list",
        f"{file}:14: record 6: 'authors' must be a list of strings, got a string",
        f"{file}:17: record 7: 'authors' item 2 must be a string, got an integer",
        f"{file}:17: record 7: 'authors' item 3 must not be empty",
        f"{file}:20: record 8: 'date' must be a date YYYY-MM-DD (or a month, YYYY-MM), got "
        "'2024-02-30'",
        f"{file}:23: record 9: 'date' must be a date YYYY-MM-DD (or a month, YYYY-MM), got "
        "'2024-01-08 10:00:00'",
        f"{file}:26: record 10: topic 'Image Generation' {slug_help}",
        f"{file}:29: record 11: 'note' must be a string, got a list",
        f"{file}:30: record 12: a record must be a mapping, got a string",
        f"{file}:32: record 13: duplicate key 'title'",
    ]


def test_malformed_yaml_files() -> None:
    assert parsed("bad/invalid.yaml")[1] == [
        "records/bad/invalid.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    assert parsed("bad/empty.yaml")[1] == ["records/bad/empty.yaml: no records: the file is empty"]
    assert parsed("bad/scalar.yaml")[1] == [
        "records/bad/scalar.yaml:1: the top level must be a record or a list of records, "
        "got a string"
    ]
    assert [str(p) for p in parse_yaml_records("[]", "r.yaml")[1]] == [
        "r.yaml:1: no records: the list is empty"
    ]


def test_a_yaml_record_with_a_single_problem_is_left_out() -> None:
    text = "- title: Fine\n  abstract: Fine.\n- title: Not fine\n  abstract: X\n  arxiv: 12\n"
    entries, problems = parse_yaml_records(text, "r.yaml")
    assert [e.title for e in entries] == ["Fine"]
    assert [str(p) for p in problems] == [
        "r.yaml:5: record 2: 'arxiv' must be an arXiv id, got an integer"
    ]


# --- arXiv ids ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.04081", "2401.04081"),
        ("2401.04081v2", "2401.04081"),
        ("arXiv:2401.04081v12", "2401.04081"),
        ("arxiv:2401.04081", "2401.04081"),
        (" 2401.04081 ", "2401.04081"),
        ("1412.1234", "1412.1234"),  # 4-digit serials until 2014
        ("0704.0001", "0704.0001"),  # the first new-style id
        ("cs/0112017v1", "cs/0112017"),
        ("CS/0112017", "cs/0112017"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("math.gt/0309136", "math.GT/0309136"),
        ("hep-th/9901001", "hep-th/9901001"),
    ],
)
def test_accepted_arxiv_ids_are_stored_without_prefix_and_version(text: str, expected: str) -> None:
    assert arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2401.4081",  # 4 digits after 2014
        "1412.12345",  # 5 digits before 2015
        "0703.1234",  # before new-style ids
        "2413.04081",  # month 13
        "2401.04081v0",
        "2401.04081v",
        "2401.04081 v2",
        "https://arxiv.org/abs/2401.04081",
        "doi:10.1000/xyz",
        "cs/012017",
        "cs/0113017",  # month 13
        "/0112017",
        "arXiv:",
        "\u0662\u0664\u0660\u0661.\u0660\u0664\u0660\u0668\u0661",  # Arabic-Indic digits
    ],
)
def test_anything_else_is_not_an_arxiv_id(text: str) -> None:
    assert arxiv_id(text) is None


# --- the folder -----------------------------------------------------------------------------


def test_read_records_reads_every_file_under_records_in_path_order() -> None:
    entries, problems = read_records(FIXTURES)
    good = [(e.source.file, e.source.line) for e in entries]
    assert good == [
        ("records/api.json", 2),
        ("records/api.json", 20),
        ("records/bad/fields.json", 17),
        ("records/nested/more.yml", 1),
        ("records/one.yaml", 1),
        ("records/records.yaml", 2),
        ("records/records.yaml", 12),
        ("records/single.json", 2),
    ]
    (nested,) = [e for e in entries if e.source.file.endswith(".yml")]
    assert nested.meta == Metadata(arxiv="math.GT/0309136")
    files = {p.file for p in problems}
    assert files == {
        f"records/bad/{name}"
        for name in (
            "empty.yaml",
            "fields.json",
            "fields.yaml",
            "invalid.json",
            "invalid.yaml",
            "scalar.yaml",
            "top.json",
        )
    }
    assert len(problems) == 22 + 15 + 5  # fields.json, fields.yaml, one each
    assert all(not p.warning for p in problems)
    names = [p.relative_to(FIXTURES).as_posix() for p in record_paths(FIXTURES)]
    assert names == sorted(names)


def test_no_records_folder_is_no_records_and_no_problem(tmp_path: Path) -> None:
    assert read_records(tmp_path) == ([], [])


def test_files_are_decoded_strictly_and_crlf_keeps_lines(tmp_path: Path) -> None:
    folder = tmp_path / RECORDS_DIR
    folder.mkdir()
    (folder / "a.json").write_bytes(
        b'\xef\xbb\xbf[\r\n{"paper": {"id": "2401.04081", "title": "T", "summary": "S"}},\r\n'
        b'{"paper": {"id": "2401.04082", "title": "U", "summary": "S"}}]'
    )
    (folder / "b.yaml").write_bytes(b"title: caf\xe9\nabstract: x\n")
    (folder / "c.yml").write_bytes(b"title: a\x00\n")
    (folder / "d.txt").write_text("a listing, not a record", encoding="utf-8")
    entries, problems = read_records(tmp_path)
    assert [(e.title, e.source) for e in entries] == [
        ("T", Source("records/a.json", 2, None)),
        ("U", Source("records/a.json", 3, None)),
    ]
    assert [str(p) for p in problems] == [
        "records/b.yaml: not valid UTF-8 at byte offset 10 (bytes e9 0a 61 62): invalid "
        "continuation byte",
        "records/c.yml: binary content: NUL byte at byte offset 8",
    ]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    for parse in (parse_api_json, parse_yaml_records):
        entries, problems = parse(text, "records/x")
        assert all(p.file == "records/x" for p in problems)
        assert all(e.title.strip() and e.abstract.strip() for e in entries)


@settings(max_examples=40, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=12,
    )
)
def test_arbitrary_json_values_never_raise(value: object) -> None:
    for wrapped in (value, [value], {"paper": value}, [{"paper": value}]):
        entries, problems = parse_api_json(json.dumps(wrapped), "records/x.json")
        assert entries or problems or wrapped == []
