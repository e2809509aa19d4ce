"""The taxonomy loader: strict validation, every problem at its file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import Problem
from generator.inputs.taxonomy import load_taxonomy, parse_taxonomy
from generator.model import Rule, Topic

FILE = "data/topics.yaml"

GOOD = """\
topics:
  - name: Diffusion models
    description: Generative diffusion.
    match:
      title: [diffusion]
      abstract: [diffusion model*, denoising]
  - name: Speech
    description: Speech and audio.
    slug: speech-audio
    match:
      title: [speech, audio]
      exclude: [music]
      min_abstract_hits: 3
"""


def messages(text: str) -> list[str]:
    _topics, problems = parse_taxonomy(text, FILE)
    assert problems, "expected problems"
    return [str(p) for p in problems]


def one(text: str) -> str:
    found = messages(text)
    assert len(found) == 1, found
    return found[0]


def test_good_file_parses_in_order_with_defaults() -> None:
    topics, problems = parse_taxonomy(GOOD, FILE)
    assert problems == []
    assert topics == [
        Topic(
            slug="diffusion-models",
            name="Diffusion models",
            description="Generative diffusion.",
            rule=Rule(title=("diffusion",), abstract=("diffusion model*", "denoising")),
        ),
        Topic(
            slug="speech-audio",
            name="Speech",
            description="Speech and audio.",
            rule=Rule(title=("speech", "audio"), exclude=("music",), min_abstract_hits=3),
        ),
    ]
    assert topics[0].rule.min_abstract_hits == 2
    assert topics[0].rule.exclude == ()


def test_slug_defaults_to_slugified_name() -> None:
    text = (
        "topics:\n  - {name: 'Diffusion & Image Generation', description: d, match: {title: [x]}}\n"
    )
    topics, problems = parse_taxonomy(text, FILE)
    assert problems == []
    assert topics[0].slug == "diffusion-image-generation"


def test_yaml_syntax_error_has_its_line() -> None:
    text = "topics:\n  - name: A\n    description: [unclosed\n    match: {}\n"
    message = one(text)
    assert message.startswith(f"{FILE}:4: invalid YAML:"), message


def test_unknown_topic_key_names_key_and_allowed_keys() -> None:
    text = (
        "topics:\n"
        "  - name: Diffusion models\n"
        "    description: d\n"
        "    match: {title: [diffusion]}\n"
        "    matchs: {title: [x]}\n"
    )
    assert one(text) == (
        f"{FILE}:5: topic 'Diffusion models': unknown key 'matchs' "
        "(allowed: description, learned, match, name, slug)"
    )


def test_unknown_match_key() -> None:
    text = (
        "topics:\n  - name: A\n    description: d\n    match:\n      titel: [x]\n      title: [y]\n"
    )
    assert one(text) == (
        f"{FILE}:5: topic 'A': 'match': unknown key 'titel' "
        "(allowed: abstract, exclude, min_abstract_hits, title)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", f"{FILE}: the file is empty; expected a mapping with the key 'topics'"),
        (
            "- a\n- b\n",
            f"{FILE}:1: the top level must be a mapping with the key 'topics', got a list",
        ),
        ("topic: []\n", f"{FILE}:1: unknown key 'topic' (allowed: learned, topics)"),
        ("topics: {a: 1}\n", f"{FILE}:1: 'topics' must be a list, got a mapping"),
        ("topics: []\n", f"{FILE}:1: 'topics' is empty; define at least one topic"),
        ("topics:\n  - just a string\n", f"{FILE}:2: topic #1 must be a mapping, got a string"),
    ],
)
def test_top_level_shape(text: str, expected: str) -> None:
    assert expected in messages(text)


def test_missing_topics_key() -> None:
    found = messages("other: 1\n")
    assert f"{FILE}:1: missing required key 'topics'" in found
    assert f"{FILE}:1: unknown key 'other' (allowed: learned, topics)" in found


def test_missing_required_keys() -> None:
    found = messages("topics:\n  - slug: x\n")
    assert found == [
        f"{FILE}:2: topic #1: missing required key 'name'",
        f"{FILE}:2: topic #1: missing required key 'description'",
        f"{FILE}:2: topic #1: missing required key 'match'",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("name: 12", "3: topic #1: 'name' must be a string, got an integer"),
        ("name: ''", "3: topic #1: 'name' must not be empty"),
        ("description: [a]", "3: topic 'N': 'description' must be a string, got a list"),
        ("slug: true", "3: topic 'N': 'slug' must be a string, got a boolean"),
        (
            "slug: Bad_Slug",
            "3: topic 'N': slug 'Bad_Slug' is invalid: use lowercase ASCII letters and digits "
            "in words joined by single hyphens, like 'image-generation'",
        ),
        ("slug: a--b", "3: topic 'N': slug 'a--b' is invalid"),
        ("slug: " + "a" * 61, "3: topic 'N': slug '" + "a" * 61 + "' is longer than 60 characters"),
        (
            "slug: unsorted",
            "3: topic 'N': slug 'unsorted' is reserved for the page of unmatched papers",
        ),
        ("match: [x]", "3: topic 'N': 'match' must be a mapping, got a list"),
        (
            "match: {title: x}",
            "3: topic 'N': 'match.title' must be a list of strings, got a string",
        ),
        (
            "match: {abstract: [ok, 3]}",
            "3: topic 'N': 'match.abstract' item 2 must be a string, got an integer",
        ),
        (
            "match: {title: [x], exclude: ['  ']}",
            "3: topic 'N': 'match.exclude' item 1 ('  ') is empty",
        ),
        (
            "match: {title: ['c++']}",
            "3: topic 'N': 'match.title' item 1 ('c++') may hold only letters, digits",
        ),
        (
            "match: {title: ['re*trieval']}",
            "3: topic 'N': 'match.title' item 1 ('re*trieval') may hold '*' only at its very end",
        ),
        (
            "match: {title: [x], min_abstract_hits: two}",
            "3: topic 'N': 'match.min_abstract_hits' must be an integer, got a string",
        ),
        (
            "match: {title: [x], min_abstract_hits: 0}",
            "3: topic 'N': 'match.min_abstract_hits' must be at least 1, got 0",
        ),
        (
            "match: {title: [x], min_abstract_hits: true}",
            "3: topic 'N': 'match.min_abstract_hits' must be an integer, got a boolean",
        ),
        (
            "match: {exclude: [x]}",
            "3: topic 'N': 'match' needs at least one 'title' or 'abstract' phrase",
        ),
        (
            "match: {title: [], abstract: []}",
            "3: topic 'N': 'match' needs at least one 'title' or 'abstract' phrase",
        ),
    ],
)
def test_field_problems_are_located(line: str, expected: str) -> None:
    # Line 2 opens the topic with another key; line 3 holds the key under test.
    key = line.split(":", 1)[0]
    fields = {"slug": "s", "name": "N", "description": "d", "match": "{title: [x]}"}
    others = [f"{k}: {v}" for k, v in fields.items() if k != key]
    text = f"topics:\n  - {others[0]}\n    {line}\n" + "".join(f"    {o}\n" for o in others[1:])
    found = messages(text)
    assert any(m.startswith(f"{FILE}:{expected}") for m in found), found


def test_slug_made_from_name_is_validated_too() -> None:
    text = "topics:\n  - {name: Unsorted, description: d, match: {title: [x]}}\n"
    assert one(text) == (
        f"{FILE}:2: topic 'Unsorted': slug 'unsorted' made from the name is reserved for the "
        "page of unmatched papers; set 'slug' explicitly"
    )


def test_duplicate_slugs_and_names() -> None:
    text = (
        "topics:\n"
        "  - name: Video\n"
        "    description: d\n"
        "    match: {title: [video]}\n"
        "  - name: video\n"  # same name, other case
        "    slug: clips\n"
        "    description: d\n"
        "    match: {title: [clip]}\n"
        "  - name: Clips\n"
        "    description: d\n"
        "    match: {title: [clip]}\n"
    )
    topics, problems = parse_taxonomy(text, FILE)
    assert [str(p) for p in problems] == [
        f"{FILE}:5: topic 'video': name 'video' is already used by topic 'Video' (line 2)",
        f"{FILE}:9: topic 'Clips': slug 'clips' is already used by topic 'video' (line 6)",
    ]
    assert [t.slug for t in topics] == ["video"]


def test_duplicate_key_in_one_mapping() -> None:
    text = "topics:\n  - name: A\n    name: B\n    description: d\n    match: {title: [x]}\n"
    assert one(text) == f"{FILE}:3: topic 'A': duplicate key 'name'"


def test_every_problem_is_reported_in_one_call() -> None:
    text = (
        "topics:\n"
        "  - name: First\n"  # 2
        "    description: 5\n"  # 3
        "    match:\n"  # 4
        "      title: [ok, '']\n"  # 5
        "      min_abstract_hits: -1\n"  # 6
        "  - name: Second\n"  # 7
        "    descripton: typo\n"  # 8
        "    match: {title: [x]}\n"  # 9
        "  - name: Third\n"  # 10
        "    description: fine\n"  # 11
        "    slug: unsorted\n"  # 12
        "    match: {title: [x]}\n"  # 13
    )
    topics, problems = parse_taxonomy(text, FILE)
    lines = [p.line for p in problems]
    assert lines == [3, 5, 6, 8, 7, 12]
    assert all(p.file == FILE for p in problems)
    assert topics == []


def test_only_good_topics_are_returned() -> None:
    text = GOOD + "  - name: Broken\n    description: d\n    match: {title: [x], foo: 1}\n"
    topics, problems = parse_taxonomy(text, FILE)
    assert [t.slug for t in topics] == ["diffusion-models", "speech-audio"]
    assert len(problems) == 1


def test_load_reads_file_and_reports_display_name(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_text(GOOD.replace("Speech", "Sprache — Ton"), encoding="utf-8")
    topics, problems = load_taxonomy(path, FILE)
    assert problems == []
    assert [t.name for t in topics] == ["Diffusion models", "Sprache — Ton"]

    path.write_text("topics: [\n", encoding="utf-8")
    _, problems = load_taxonomy(path, "shown.yaml")
    assert len(problems) == 1 and problems[0].file == "shown.yaml"


def test_load_missing_file_is_a_problem(tmp_path: Path) -> None:
    topics, problems = load_taxonomy(tmp_path / "nope.yaml", FILE)
    assert topics == []
    assert problems == [Problem(FILE, None, "taxonomy file not found")]


def test_load_bad_encoding_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "topics.yaml"
    path.write_bytes(b"topics:\n  - name: \xff\n")
    topics, problems = load_taxonomy(path, FILE)
    assert topics == []
    assert len(problems) == 1 and "not valid UTF-8" in problems[0].message


def test_shipped_taxonomy_is_valid() -> None:
    root = Path(__file__).resolve().parent.parent
    topics, problems = load_taxonomy(root / "data" / "topics.yaml", FILE)
    assert problems == []
    assert 15 <= len(topics) <= 26
    assert all(t.description.strip() for t in topics)
