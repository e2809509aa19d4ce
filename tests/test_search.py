"""The sharded search index: files, format, ranking data, determinism, size and escaping."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.layout import MARKER_LINES, MARKER_TOKEN, SEARCH_DIR, SEARCH_HEADER
from generator.model import Metadata, Paper, Source, Topic
from generator.render.search import (
    FORMAT_VERSION,
    META_FILE,
    SHARD_CHARS,
    render_search,
)
from generator.render.search.codec import decode_numbers, encode, encode_number
from generator.render.search.postings import ABSTRACT_LIST_CHARS, MAX_ABSTRACT_TERMS
from generator.render.search.rows import DOCS_PER_SHARD, snippet
from generator.render.search.words import STOP_WORDS, tokens
from generator.stages.authors import Author

TOPICS = (
    Topic("diffusion", "Diffusion & friends", "Diffusion models."),
    Topic("agents", "Agents", "LLM agents."),
)


def paper(
    pid: str,
    title: str,
    abstract: str,
    topics: tuple[str, ...] = (),
    date: str | None = None,
    authors: tuple[str, ...] = (),
) -> Paper:
    sources = (Source("listings/a.txt", 1, date),) if date else ()
    return Paper(pid, pid, title, abstract, (), sources, topics, (), Metadata(authors=authors))


PAPERS = (
    paper("b", "Fast Diffusion Samplers", "We sample quickly with fewer steps.", ("diffusion",)),
    paper(
        "a",
        "Mamba: Agents that Plan",
        "Planning agents use tools and memory.",
        ("agents",),
        "Aug 12, 2024",
        ("Albert Gu", "Tri Dao", "Zoë Smith", "Ann Lee"),
    ),
    paper("c", "Zebra Café", "Naïve zebras crossing roads, unsorted.", (), "Aug 13"),
)


def load(files: dict[str, str]) -> dict[str, Any]:
    """Every file's data by its name ("meta", "t/0", ...), checking the script around it."""
    out = {}
    for path, content in files.items():
        first, body = content.split("\n", 1)
        assert first + "\n" == SEARCH_HEADER
        prefix = 'paperkbSearch.add("'
        assert body.startswith(prefix) and body.endswith(");\n"), path
        name, data = body[len(prefix) : -3].split('",', 1)
        assert path == f"{SEARCH_DIR}/{name}.js"
        out[name] = json.loads(data)
    return out


def terms(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per term: its postings, decoded: title [(paper, length, head)], names and abstract
    [paper] (or the abstract's document frequency when left out), people [(author, length)]."""
    out = {}
    shards = sorted((k for k in data if k.startswith("t/")), key=lambda k: int(k[2:]))
    for key in shards:
        shard = data[key]
        for k, word in enumerate(shard["w"]):

            def gaps(values: list[int], step: int) -> list[int]:
                numbers, at = [], 0
                for i in range(0, len(values), step):
                    at += values[i]
                    numbers.append(at)
                return numbers

            title = decode_numbers(shard["t"][k])
            docs = gaps(title, 2)
            people = decode_numbers(shard["e"][k])
            abstract = shard["b"][k]
            out[word] = {
                "title": [(d, c % 32, c // 32) for d, c in zip(docs, title[1::2], strict=True)],
                "names": gaps(decode_numbers(shard["u"][k]), 1),
                "abstract": abstract
                if isinstance(abstract, int)
                else gaps(decode_numbers(abstract), 1),
                "people": list(zip(gaps(people, 2), people[1::2], strict=True)),
            }
    return out


def test_every_file_is_under_search_with_the_marker_line_first() -> None:
    files = render_search(PAPERS, TOPICS)
    assert META_FILE in files
    for path, content in files.items():
        assert path.startswith(f"{SEARCH_DIR}/") and path.endswith(".js")
        assert content.split("\n", 1)[0].encode() in MARKER_LINES
        assert MARKER_TOKEN in content.split("\n", 1)[0]
        assert content.count("\n") == 2  # the marker line and one statement
    data = load(files)
    assert sorted(k.split("/")[0] for k in data) == ["a", "d", "f", "meta", "p", "r", "t"]


def test_meta_tells_counts_shards_and_topics() -> None:
    meta = load(render_search(PAPERS, TOPICS))["meta"]
    assert meta["version"] == FORMAT_VERSION
    assert meta["docs"] == 3
    assert meta["perDoc"] == DOCS_PER_SHARD
    assert meta["authors"] == 4
    assert meta["t"] == []  # one term shard
    assert meta["topics"] == [
        ["diffusion", "Diffusion & friends", 1],
        ["agents", "Agents", 1],
        ["unsorted", "Unsorted", 1],
    ]
    assert set(meta["stop"].split()) == STOP_WORDS
    assert meta["titleLength"] == pytest.approx((3 + 3 + 2) / 3, abs=0.001)


def test_rows_are_numbered_newest_first_with_the_fields_of_the_site_s_rows() -> None:
    rows = load(render_search(PAPERS, TOPICS))["d/0"]
    assert [r[0] for r in rows] == ["a", "c", "b"]  # dated, then year-less, then undated
    assert rows[0] == [
        "a",
        "Mamba: Agents that Plan",
        "Albert Gu, Tri Dao, Zoë Smith et al.",
        "l2024-08-12",  # listed on that day
        "Planning agents use tools and memory.",
        [1],
    ]
    assert rows[1][2:4] == ["", ""]  # "Aug 13" has no year: a date is never shown without it
    assert rows[2][3] == "" and rows[2][5] == [0]
    assert rows[1][5] == []  # unsorted: no topic, as in the site's rows


def test_a_row_holds_upvotes_comments_code_and_topics_by_similarity() -> None:
    meta = Metadata(listed="2024-08-12", upvotes=12, comments=0, github="https://github.com/a/b")
    hub = dataclasses.replace(
        PAPERS[0], meta=meta, topics=("diffusion", "agents"), learned_topics=(("agents", 0.5),)
    )
    (row,) = load(render_search([hub], TOPICS))["d/0"]
    assert row[3] == "d2024-08-12"  # on Daily Papers that day
    assert row[5:] == [[0, -2], 12, 0, "https://github.com/a/b"]
    no_votes = dataclasses.replace(hub, meta=Metadata(comments=3))
    (row,) = load(render_search([no_votes], TOPICS))["d/0"]
    assert row[6:] == [None, 3]  # unknown in the middle, left out at the end
    unsafe = dataclasses.replace(hub, meta=Metadata(github="javascript:alert(1)"))
    (row,) = load(render_search([unsafe], TOPICS))["d/0"]
    assert len(row) == 6  # not a web address: no code link


def test_every_paper_and_moved_id_is_in_its_facts_shard() -> None:
    from generator.render.search.facts import IDS_PER_SHARD, shard_of_id

    many = [
        paper(f"p{n}", f"Paper {n}", "Words.", authors=("A B", "C D"))
        for n in range(3 * IDS_PER_SHARD)
    ]
    cited = dataclasses.replace(
        many[0], meta=Metadata(authors=("Ann Lee",), published="2024-02", arxiv="2402.00001")
    )
    many[0] = cited
    data = load(render_search(many, TOPICS, redirects={"old-id": "p1"}))
    shards = data["meta"]["facts"]
    assert shards == 4  # 97 ids, 32 a shard
    facts = {k: v for name, d in data.items() if name.startswith("p/") for k, v in d.items()}
    assert sorted(facts) == sorted([*(p.id for p in many), "old-id"])
    for name, entries in data.items():
        if name.startswith("p/"):
            assert all(shard_of_id(i, shards) == int(name[2:]) for i in entries)
    assert facts["old-id"] == "p1"
    number, authors, date, arxiv = facts["p0"]
    assert data[f"d/{number // DOCS_PER_SHARD}"][number % DOCS_PER_SHARD][0] == "p0"
    assert (authors, date, arxiv) == (["Ann Lee"], "2024-02", "2402.00001")
    assert facts["p5"][1:] == [["A B", "C D"]]  # no date, no arXiv id: left out
    assert len({shard_of_id(p.id, shards) for p in many}) == shards


def test_postings_carry_title_length_head_names_and_authors() -> None:
    data = load(render_search(PAPERS, TOPICS))
    postings = terms(data)
    assert data["t/0"]["w"] == sorted(postings)
    # "Mamba: Agents that Plan": three indexed words, "Mamba" a head of one word
    assert postings["mamba"]["title"] == [(0, 3, 1)]
    assert postings["agents"]["title"] == [(0, 3, 0)]
    assert postings["diffusion"]["title"] == [(2, 3, 0)]
    assert postings["planning"]["abstract"] == [0]
    assert postings["naive"]["abstract"] == [1]  # accents folded
    assert postings["cafe"]["title"] == [(1, 2, 0)]
    assert postings["gu"]["names"] == [0]
    assert postings["zoe"]["names"] == [0]
    # author pages by key: albert gu, ann lee, tri dao, zoe smith; two words each
    assert postings["gu"]["people"] == [(0, 2)]
    assert postings["smith"]["people"] == [(3, 2)]
    assert not set(postings) & STOP_WORDS
    assert "agents" not in [w for w, p in postings.items() if 0 in p["abstract"]]  # in title


def test_author_rows_follow_the_given_authors() -> None:
    people = (Author("x-y", "X Y", "x y", ("a", "b")),)
    data = load(render_search(PAPERS, TOPICS, people))
    assert data["a/0"] == [["x-y", "X Y", 2]]
    assert terms(data)["y"]["people"] == [(0, 2)]


def test_output_is_deterministic_whatever_the_input_order() -> None:
    reference = render_search(PAPERS, TOPICS)
    shuffled = list(PAPERS)
    random.Random(7).shuffle(shuffled)
    assert render_search(shuffled, TOPICS) == reference
    assert list(reference) == sorted(reference)


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
    papers = [paper("evil", title, f"{title} abstract words here", authors=(title,))]
    files = render_search(papers, ())
    for content in files.values():
        body = content.split("\n", 1)[1]
        for unsafe in ("<", ">", "&", "\u2028", "\u2029"):
            assert unsafe not in body
        assert body.count("\n") == 1  # one line: nothing can end the statement early
    data = load(files)
    assert data["d/0"][0][1] == title
    assert data["a/0"][0][1] == " ".join(title.split())


def test_abstract_terms_are_capped_keeping_the_rarest() -> None:
    common = " ".join(f"common{i}" for i in range(MAX_ABSTRACT_TERMS))
    papers = [paper("p1", "One", f"{common} rareword"), paper("p2", "Two", common)]
    postings = terms(load(render_search(papers, ())))
    assert postings["rareword"]["abstract"] == [0]
    indexed_p1 = [t for t, p in postings.items() if 0 in p["abstract"]]
    assert len(indexed_p1) == MAX_ABSTRACT_TERMS


def test_long_abstract_lists_are_left_out_with_their_frequency() -> None:
    many = [paper(f"p{i:05d}", f"Paper {i:05d}", "everywhere somewhere") for i in range(12_000)]
    many[5] = paper("p00005", "Paper everywhere", "somewhere")
    postings = terms(load(render_search(many, ())))
    assert postings["everywhere"]["abstract"] == 11_999  # only the frequency is kept
    assert len(postings["everywhere"]["title"]) == 1  # the title still counts
    assert isinstance(postings["somewhere"]["abstract"], int)
    assert ABSTRACT_LIST_CHARS < 12_000


def test_term_shards_are_ranges_of_about_the_target_size() -> None:
    rng = random.Random(5)
    vocabulary = [f"w{i:04d}" for i in range(3000)]
    papers = [
        paper(
            f"p{i:04d}", " ".join(rng.sample(vocabulary, 5)), " ".join(rng.sample(vocabulary, 40))
        )
        for i in range(1500)
    ]
    files = render_search(papers, ())
    data = load(files)
    shards = [data[f"t/{n}"] for n in range(len(data["meta"]["t"]) + 1)]
    assert len(shards) > 5
    assert [s["w"][0] for s in shards[1:]] == data["meta"]["t"]
    words = [w for s in shards for w in s["w"]]
    assert words == sorted(words) and len(words) == len(set(words))
    for n in range(len(shards)):
        assert len(files[f"{SEARCH_DIR}/t/{n}.js"]) < SHARD_CHARS * 2.5
    assert len(data) - len(shards) < 200


def test_lexicon_lists_longer_terms_forwards_and_reversed() -> None:
    data = load(render_search(PAPERS, TOPICS))
    forward = data["f/0"]["w"].split(" ")
    backward = data["r/0"]["w"].split(" ")
    assert forward == sorted(forward)
    assert backward == sorted(backward)
    assert sorted(w[::-1] for w in backward) == forward
    assert all(len(w) >= 4 for w in forward)
    assert "zebra" in forward and "zebras" in forward and "gu" not in forward
    counts = dict(zip(forward, decode_numbers(data["f/0"]["n"]), strict=True))
    assert counts["diffusion"] == 1 and counts["zebras"] == 1


def test_snippet_is_the_first_sentence_cut_at_a_word() -> None:
    assert snippet("One sentence.  Two sentences.") == "One sentence."
    long = "word " * 100
    cut = snippet(long)
    assert cut.endswith("…") and len(cut) <= 141 and " " not in cut[-3:]


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


@given(st.text(max_size=60))
def test_ascii_fast_path_splits_like_the_unicode_pattern(value: str) -> None:
    from generator.render.search.words import _WORD, fold

    assert tokens(value) == _WORD.findall(fold(value))


@given(st.lists(st.integers(min_value=0, max_value=2**40), max_size=50))
def test_numbers_round_trip_and_match_the_definition(numbers: list[int]) -> None:
    text, ends = encode(np.array(numbers, dtype=np.int64))
    assert text == "".join(encode_number(n) for n in numbers)
    assert decode_numbers(text) == numbers
    assert ends.tolist() == np.cumsum([len(encode_number(n)) for n in numbers]).tolist()


def test_number_digits_need_no_escaping() -> None:
    for number in (0, 31, 32, 1023, 1024, 2**35):
        assert json.dumps(encode_number(number))[1:-1] == encode_number(number)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(
                st.sampled_from(["model", "Modèle", "the", "GPT-4o", "zebra", "x²"]), max_size=6
            ),
            st.lists(st.sampled_from(["model", "of", "深度", "3d", "zebra", "other"]), max_size=10),
        ),
        max_size=8,
    )
)
def test_postings_equal_a_plain_reading_of_the_papers(
    texts: list[tuple[list[str], list[str]]],
) -> None:
    papers = [paper(f"p{i}", " ".join(t), " ".join(a)) for i, (t, a) in enumerate(texts)]
    data = load(render_search(papers, TOPICS))
    order = [r[0] for r in data["d/0"]] if "d/0" in data else []
    postings = terms(data)
    expected: dict[str, dict[str, list[Any]]] = {}
    by_id = {p.id: p for p in papers}
    for number, pid in enumerate(order):
        title = [w for w in dict.fromkeys(tokens(by_id[pid].title)) if w not in STOP_WORDS]
        for w in title:
            expected.setdefault(w, {"title": [], "abstract": []})["title"].append(
                (number, min(len(title), 31), 0)
            )
        for w in dict.fromkeys(tokens(by_id[pid].abstract)):
            if w not in STOP_WORDS and w not in title:
                expected.setdefault(w, {"title": [], "abstract": []})["abstract"].append(number)
    assert {w: {"title": p["title"], "abstract": p["abstract"]} for w, p in postings.items()} == (
        expected
    )


@pytest.mark.slow
def test_shipped_data_index_is_small_per_paper_and_per_shard() -> None:
    from generator.pipeline import make_plan

    plan = make_plan(Path(DATA))
    files = render_search(plan.papers, plan.topics)
    total = sum(len(content.encode()) for content in files.values())
    # The shipped papers have their authors (issue 26): ~5 names each, indexed as author
    # pages and in the papers' postings.
    assert total / len(plan.papers) < 2200
    assert max(len(content.encode()) for content in files.values()) < 40_000
    # Without them, what the index costs per paper is what it was.
    bare = [
        dataclasses.replace(p, meta=dataclasses.replace(p.meta, authors=())) for p in plan.papers
    ]
    files = render_search(bare, plan.topics)
    assert sum(len(content.encode()) for content in files.values()) / len(bare) < 1500
