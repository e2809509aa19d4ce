"""The prebuilt search index: format, determinism, size and escaping."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA

from generator.model import Paper, Topic
from generator.render import MARKER_TOKEN, SEARCH_DIR
from generator.search import (
    INDEX_FILE,
    MAX_ABSTRACT_TERMS,
    STOP_WORDS,
    build_index,
    render_search,
    tokens,
)
from generator.write import MARKER_WINDOW

TOPICS = (
    Topic("diffusion", "Diffusion & friends", "Diffusion models."),
    Topic("agents", "Agents", "LLM agents."),
)
PREFIX = "window.paperkbSearch = "


def paper(pid: str, title: str, abstract: str, topics: tuple[str, ...] = ()) -> Paper:
    return Paper(pid, pid, title, abstract, (), (), topics)


PAPERS = (
    paper("b", "Fast Diffusion Samplers", "We sample quickly with fewer steps.", ("diffusion",)),
    paper("a", "Agents that Plan", "Planning agents use tools and memory.", ("agents",)),
    paper("c", "Zebra Café", "Naïve zebras crossing roads, unsorted.", ()),
)


def load(content: str) -> dict[str, Any]:
    body = content.split("\n", 1)[1]
    assert body.startswith(PREFIX)
    assert body.endswith(";\n")
    data: dict[str, Any] = json.loads(body[len(PREFIX) : -2])
    return data


def decode(data: dict[str, Any]) -> dict[str, list[tuple[int, bool]]]:
    """Postings per term, as (paper number, in title)."""
    result = {}
    for term, encoded in zip(data["terms"].split(" "), data["postings"].split(";"), strict=True):
        number = 0
        entries = []
        for part in encoded.split(","):
            value = int(part, 36)
            number += value >> 1
            entries.append((number, bool(value & 1)))
        result[term] = entries
    return result


def test_one_file_under_search_with_the_marker_first() -> None:
    files = render_search(PAPERS, TOPICS)
    assert list(files) == [INDEX_FILE]
    assert INDEX_FILE.startswith(f"{SEARCH_DIR}/")
    content = files[INDEX_FILE]
    assert content.startswith("/*")
    assert MARKER_TOKEN.encode() in content.encode()[:MARKER_WINDOW]
    assert content.index("*/") < content.index(PREFIX)


def test_the_index_lists_papers_a_to_z_with_their_topics() -> None:
    data = load(render_search(PAPERS, TOPICS)[INDEX_FILE])
    assert data["version"] == 1
    assert data["topics"] == [
        ["diffusion", "Diffusion & friends"],
        ["agents", "Agents"],
        ["unsorted", "Unsorted"],
    ]
    assert data["docs"] == [
        ["a", "Agents that Plan", [1]],
        ["b", "Fast Diffusion Samplers", [0]],
        ["c", "Zebra Café", [2]],
    ]
    postings = decode(data)
    assert data["terms"].split(" ") == sorted(postings)
    assert postings["diffusion"] == [(1, True)]
    assert postings["planning"] == [(0, False)]
    assert postings["zebra"] == [(2, True)]
    assert postings["naive"] == [(2, False)]  # accents folded
    assert postings["cafe"] == [(2, True)]
    assert not set(postings) & STOP_WORDS


def test_title_words_are_flagged_and_not_repeated_from_the_abstract() -> None:
    papers = [paper("x", "Memory Agents", "Agents with memory remember.")]
    postings = decode(load(render_search(papers, ())[INDEX_FILE]))
    assert postings["memory"] == [(0, True)]
    assert postings["agents"] == [(0, True)]
    assert postings["remember"] == [(0, False)]


def test_output_is_deterministic_whatever_the_input_order() -> None:
    reference = render_search(PAPERS, TOPICS)
    shuffled = list(PAPERS)
    random.Random(7).shuffle(shuffled)
    assert render_search(shuffled, TOPICS) == reference
    assert render_search(PAPERS, TOPICS) == reference


@pytest.mark.parametrize(
    "title",
    [
        "</script><script>alert(1)</script>",
        "<!-- x --> & <b>bold</b>",
        "line\u2028separator\u2029paragraph",
        'quote " and backslash \\ and */ comment end',
    ],
)
def test_hostile_titles_stay_inside_the_string(title: str) -> None:
    papers = [paper("evil", title, f"{title} abstract words here")]
    content = render_search(papers, ())[INDEX_FILE]
    body = content.split("\n", 1)[1]
    for unsafe in ("<", ">", "&", "\u2028", "\u2029"):
        assert unsafe not in body
    assert body.count("\n") == 1  # one line: nothing can end the statement early
    assert load(content)["docs"][0][1] == title


def test_abstract_terms_are_capped_keeping_the_rarest() -> None:
    common = " ".join(f"common{i}" for i in range(MAX_ABSTRACT_TERMS))
    papers = [
        paper("p1", "One", f"{common} rareword"),
        paper("p2", "Two", common),
    ]
    postings = decode(load(render_search(papers, ())[INDEX_FILE]))
    assert postings["rareword"] == [(0, False)]
    indexed_p1 = [t for t, entries in postings.items() if (0, False) in entries]
    assert len(indexed_p1) == MAX_ABSTRACT_TERMS


def test_tokens_fold_case_and_accents_and_split_on_punctuation() -> None:
    assert tokens("Naïve GPT-4o, 3D-Scenes (ViTok)") == [
        "naive",
        "gpt",
        "4o",
        "3d",
        "scenes",
        "vitok",
    ]
    assert tokens("Ärger über Übersetzung") == ["arger", "uber", "ubersetzung"]
    assert tokens("İstanbul") == ["istanbul"]
    assert tokens("深度学习 模型") == ["深度学习", "模型"]


@pytest.mark.slow
def test_shipped_data_needs_less_than_1_kb_per_paper() -> None:
    from generator.pipeline import make_plan

    plan = make_plan(Path(DATA))
    content = render_search(plan.papers, plan.topics)[INDEX_FILE]
    assert len(content.encode()) / len(plan.papers) < 1000
    data = build_index(plan.papers, plan.topics)
    assert len(data["docs"]) == len(plan.papers)  # type: ignore[arg-type]


def test_base36_round_trips_inside_and_past_the_lookup_table() -> None:
    from generator.search import _BASE36, _base36

    numbers = [*range(0, 2000), *range(len(_BASE36) - 50, len(_BASE36) + 50), 10**6, 2**40]
    for number in numbers:
        spelled = _base36(number)
        assert int(spelled, 36) == number
        assert spelled == "0" or not spelled.startswith("0")


def test_postings_decode_to_every_paper_with_large_gaps() -> None:
    """A term held by the first and the last of 3,000 papers: a gap past 36**2."""
    many = [paper(f"p{i:05d}", f"Paper {i:05d}", "filler words") for i in range(3000)]
    many[0] = paper("p00000", "Paper 00000", "filler words zyzzyva")
    many[-1] = paper("p02999", "Paper 02999", "filler words zyzzyva")
    postings = decode(load(render_search(many, ())[INDEX_FILE]))
    assert postings["zyzzyva"] == [(0, False), (2999, False)]
    assert len(postings["filler"]) == 3000
