"""The prebuilt search index: format, determinism, size and escaping."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build.write import MARKER_WINDOW
from generator.layout import MARKER_TOKEN, SEARCH_DIR
from generator.model import Paper, Topic
from generator.render.search import (
    INDEX_FILE,
    MAX_ABSTRACT_TERMS,
    STOP_WORDS,
    build_index,
    render_search,
    tokens,
)

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
    from generator.render.search import _BASE36, _base36

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


def test_spelled_postings_equal_base36_numbers_joined() -> None:
    """The byte-array speller against the one-number-at-a-time definition."""
    from generator.render.search import _base36, _spell

    rng = random.Random(8)
    for _ in range(200):
        groups = [
            [
                rng.choice(
                    [0, 1, 35, 36, 1295, 1296, 46655, 46656, 36**5 + 7, rng.randrange(10**7)]
                )
                for _ in range(rng.randint(1, 4))
            ]
            for _ in range(rng.randint(1, 5))
        ]
        values = np.array([v for group in groups for v in group], dtype=np.int64)
        starts = np.array([i == 0 for group in groups for i in range(len(group))])
        expected = ";".join(",".join(_base36(v) for v in group) for group in groups)
        assert _spell(values, starts) == expected


@given(st.text(max_size=60))
def test_ascii_fast_path_splits_like_the_unicode_pattern(value: str) -> None:
    from generator.render.search import _WORD, fold

    assert tokens(value) == _WORD.findall(fold(value))


def reference_index(papers: Sequence[Paper]) -> tuple[str, str]:
    """(terms, postings) as the first version made them, one Python step at a time."""
    from generator.render.search import _base36
    from generator.text.folding import sort_key

    def terms_of(value: str) -> list[str]:
        return [t for t in dict.fromkeys(tokens(value)) if t not in STOP_WORDS]

    ordered = sorted(papers, key=lambda p: (*sort_key(p.title), p.id))
    titles = [terms_of(p.title) for p in ordered]
    abstracts = [terms_of(p.abstract) for p in ordered]
    df = Counter(t for terms in abstracts for t in terms)
    postings: dict[str, list[int]] = {}
    for number, (in_title, in_abstract) in enumerate(zip(titles, abstracts, strict=True)):
        extra = [t for t in in_abstract if t not in set(in_title)]
        if len(extra) > MAX_ABSTRACT_TERMS:
            extra = sorted(extra, key=df.__getitem__)[:MAX_ABSTRACT_TERMS]
        for term in in_title:
            postings.setdefault(term, []).append(number << 1 | 1)
        for term in extra:
            postings.setdefault(term, []).append(number << 1)
    encoded = []
    for term in sorted(postings):
        previous, parts = 0, []
        for code in postings[term]:
            parts.append(_base36(code - previous))
            previous = code & ~1
        encoded.append(",".join(parts))
    return " ".join(sorted(postings)), ";".join(encoded)


WORDS = st.sampled_from(
    ["model", "Modèle", "the", "of", "a", "GPT-4o", "zebra", "x²", "深度", "3d"]
)
TEXTS = st.lists(WORDS, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXTS, TEXTS), max_size=8))
def test_index_equals_the_reference_on_random_papers(texts: list[tuple[str, str]]) -> None:
    papers = [paper(f"p{i}", title, abstract) for i, (title, abstract) in enumerate(texts)]
    data = build_index(papers, TOPICS)
    assert (data["terms"], data["postings"]) == reference_index(papers)


def test_index_equals_the_reference_with_capped_abstracts() -> None:
    """Synthetic abstracts of up to 150 distinct words out of 400: the cap and its ties bind."""
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(400)]
    papers = [
        paper(
            f"p{i:03d}",
            " ".join(rng.sample(vocabulary, 4)),
            " ".join(rng.choices(vocabulary, k=rng.randint(0, 300))),
        )
        for i in range(300)
    ]
    data = build_index(papers, TOPICS)
    assert (data["terms"], data["postings"]) == reference_index(papers)
    assert max(len(set(p.abstract.split())) for p in papers) > MAX_ABSTRACT_TERMS
