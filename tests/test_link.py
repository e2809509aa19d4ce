"""Link stage: related papers by TF-IDF cosine, the shared-topic rate, related topics."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from conftest import DATA
from scipy import sparse

import generator.stages.link as link
from generator.model import Paper, Source
from generator.pipeline import make_plan
from generator.stages.link import (
    FALLBACK_FLOOR,
    MIN_RELATED,
    RELATED_COUNT,
    RELATED_FLOOR,
    SAME_TOPICS,
    SHARED_TERMS,
    SIMILAR_ABSTRACT,
    candidates,
    df_ceiling,
    link_vectors,
    nearest,
    related_counts,
    related_groups,
    related_ids,
    related_papers,
    related_topics,
    shared_topic_rate,
    similar_floor,
    tfidf_vectors,
    with_related,
)


def paper(pid: str, text: str, topics: tuple[str, ...] = ()) -> Paper:
    return Paper(pid, pid, f"Paper {pid}", text, (), (Source("a.txt", 1),), topics)


#: Unrelated papers, so that the words of the papers under test are not in most papers.
FILLER = [paper(f"f{i:02d}", f"filler number{i} topic{i} alpha{i} omega{i}") for i in range(40)]

MAMBA = "mamba selective state space sequence model genomics"
PROTEINS = "protein folding crystallography lattice"


def by_id(papers: list[Paper]) -> dict[str, Paper]:
    return {p.id: p for p in papers}


def score(papers: list[Paper], a: str, b: str) -> float:
    """Cosine of two papers as the link stage computes it."""
    vectors = link_vectors(papers)
    index = {p.id: i for i, p in enumerate(papers)}
    return float((vectors[index[a]] @ vectors[index[b]].T).toarray()[0, 0])


def test_similar_papers_are_related_both_ways_and_dissimilar_are_not() -> None:
    papers = [
        paper("a", MAMBA),
        paper("b", "selective state space mamba genomics benchmark"),
        paper("c", PROTEINS),
        *FILLER,
    ]
    result = by_id(related_papers(papers))
    assert result["a"].related[0] == "b"
    assert result["b"].related[0] == "a"
    assert "c" not in result["a"].related
    assert result["c"].related == ()


def test_a_paper_never_lists_itself_but_lists_a_twin_with_the_same_text_first() -> None:
    near = "selective state space mamba genomics"
    papers = [paper("a", MAMBA), paper("twin", MAMBA), paper("b", near), *FILLER]
    result = by_id(related_papers(papers))
    assert result["a"].related[:2] == ("twin", "b")
    assert result["twin"].related[:2] == ("a", "b")
    assert all(p.id not in p.related for p in result.values())


def reasons(p: Paper) -> list[tuple[str, str]]:
    return list(zip(p.related, p.related_reasons, strict=True))


def test_nothing_under_the_floor_is_listed_for_a_similar_abstract() -> None:
    chemistry = "chemistry ribosome enzyme kinetics solvent catalyst polymer"
    papers = [
        paper("a", MAMBA + " " + PROTEINS),
        paper("weak", "mamba " + chemistry),  # one word in common with "a"
        paper("chemistry", chemistry),
        paper("strong", MAMBA),
        *FILLER,
    ]
    assert (
        FALLBACK_FLOOR < score(papers, "a", "weak") < RELATED_FLOOR <= score(papers, "a", "strong")
    )
    result = by_id(related_papers(papers))
    # Under the floor a paper is only a weaker link, said so, to fill a short list.
    assert reasons(result["a"]) == [("strong", SIMILAR_ABSTRACT), ("weak", SHARED_TERMS)]
    assert reasons(result["weak"])[0] == ("chemistry", SIMILAR_ABSTRACT)
    assert [o for o, why in reasons(result["weak"]) if why == SIMILAR_ABSTRACT] == ["chemistry"]


def words(tag: str, count: int) -> str:
    return " ".join(f"{tag}{i}" for i in range(count))


def test_a_short_list_is_topped_up_to_three_same_topics_first() -> None:
    # "a" has one similar paper; "t1" and "t2" share a word or two with it (and many with a
    # paper of their own), and its topic; "x" shares a word, more strongly than "t2", but no
    # topic: it comes after the topic's papers, so here not at all.
    papers = [
        paper("a", f"{MAMBA} quokka wombat", ("ssm",)),
        paper("strong", MAMBA, ("ssm",)),
        paper("t1", "quokka wombat " + words("lat", 20), ("ssm", "other")),
        paper("d1", words("lat", 20), ("other",)),
        paper("t2", "quokka " + words("fjo", 12), ("ssm",)),
        paper("d2", words("fjo", 12), ("other",)),
        paper("x", "wombat " + words("gla", 6), ("proteins",)),
        paper("d3", words("gla", 6), ("proteins",)),
        *FILLER,
    ]
    t1, t2, x = (score(papers, "a", other) for other in ("t1", "t2", "x"))
    assert FALLBACK_FLOOR < t2 < x < t1 < RELATED_FLOOR <= score(papers, "a", "strong")
    result = by_id(related_papers(papers))
    assert MIN_RELATED == 3
    assert reasons(result["a"]) == [
        ("strong", SIMILAR_ABSTRACT),
        ("t1", SAME_TOPICS),
        ("t2", SAME_TOPICS),
    ]
    # Without its topic, "a" is topped up by score, whatever the topics.
    untopical = [replace(p, topics=()) if p.id == "a" else p for p in papers]
    assert reasons(by_id(related_papers(untopical))["a"]) == [
        ("strong", SIMILAR_ABSTRACT),
        ("t1", SHARED_TERMS),
        ("x", SHARED_TERMS),
    ]
    # A paper that has enough similar ones gets no weaker link at all.
    full = [paper(f"s{i}", f"{MAMBA} extra{i // 2}", ("ssm",)) for i in range(6)]
    assert all(
        why == SIMILAR_ABSTRACT
        for p in related_papers([*full, *FILLER])
        for why in p.related_reasons
    )


def test_weaker_candidates_never_score_under_the_fallback_floor() -> None:
    papers = [
        paper("a", MAMBA, ("ssm",)),
        paper("s", MAMBA, ("ssm",)),
        paper("b", "mamba " + words("gla", 120), ("ssm",)),
        paper("c", words("gla", 120)),
        *FILLER,
    ]
    assert 0 < score(papers, "a", "b") < FALLBACK_FLOOR
    assert reasons(by_id(related_papers(papers))["a"]) == [("s", SIMILAR_ABSTRACT)]


def test_related_groups_put_the_strong_links_first_and_count_by_reason() -> None:
    p = Paper(
        "a", "a", "A", "x", (), (), ("t",), ("b", "c", "d"),
        related_reasons=(SIMILAR_ABSTRACT, SHARED_TERMS, SAME_TOPICS),
    )  # fmt: skip
    assert related_groups(p) == [
        (SIMILAR_ABSTRACT, ("b",)),
        (SAME_TOPICS, ("d",)),
        (SHARED_TERMS, ("c",)),
    ]
    assert related_counts([p]) == {SIMILAR_ABSTRACT: 1, SAME_TOPICS: 1, SHARED_TERMS: 1}
    old = Paper("a", "a", "A", "x", (), (), (), ("b",))  # no reasons: similar abstracts
    assert related_groups(old) == [(SIMILAR_ABSTRACT, ("b",))]


def test_candidates_match_a_brute_force_ranking_with_their_scores() -> None:
    rng = np.random.default_rng(5)
    dense = rng.random((80, 40)) * (rng.random((80, 40)) < 0.12)
    dense = np.round(dense, 1)
    norms = np.linalg.norm(dense, axis=1)
    dense[norms > 0] /= norms[norms > 0, None]
    rank = rng.permutation(80).astype(np.int64)
    scores = np.round(dense @ dense.T, 9)
    expected = []
    for i in range(80):
        order = sorted(range(80), key=lambda j: (-scores[i, j], rank[j]))
        best = [j for j in order if j != i and scores[i, j] >= 0.1][:6]
        expected.append((best, [round(scores[i, j] * link.SCALE) for j in best]))
    assert sum(len(b) for b, _ in expected) > 200
    for chunk in (1, 50, link.CHUNK_SCORES):
        link.CHUNK_SCORES, saved = chunk, link.CHUNK_SCORES
        try:
            got = candidates(sparse.csr_matrix(dense), rank, 6, 0.1)
        finally:
            link.CHUNK_SCORES = saved
        assert [got.row(i) for i in range(80)] == expected


def test_at_most_five_best_first() -> None:
    base = "retrieval augmented generation dense passages reranking"
    # p0 shares the base and the word "extra" with p1..p6, and more words the lower i is.
    papers = [paper("p0", base + " one two three four five six")]
    words = ["one", "two", "three", "four", "five", "six"]
    papers += [paper(f"p{i}", base + " " + " ".join(words[: 7 - i])) for i in range(1, 7)]
    papers += FILLER
    result = by_id(related_papers(papers))
    assert len(result["p0"].related) == RELATED_COUNT
    assert result["p0"].related == ("p1", "p2", "p3", "p4", "p5")
    scores = [score(papers, "p0", other) for other in result["p0"].related]
    assert scores == sorted(scores, reverse=True)


def test_equal_scores_are_ranked_by_id_whatever_the_input_order() -> None:
    base = "retrieval augmented generation dense passages reranking"
    ids = ["q7", "q2", "q9", "q1", "q5", "q3", "q8"]
    papers = [paper(pid, f"{base} extra{pid}") for pid in ids] + FILLER
    result = by_id(related_papers(papers))
    assert result["q7"].related == ("q1", "q2", "q3", "q5", "q8")
    assert result["q1"].related == ("q2", "q3", "q5", "q7", "q8")


def test_the_result_does_not_depend_on_input_order() -> None:
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(60)]
    papers = [
        paper(f"p{i:03d}", " ".join(rng.sample(vocabulary, rng.randint(3, 12)))) for i in range(120)
    ]
    expected = by_id(related_papers(papers))
    assert sum(len(p.related) for p in expected.values()) > 100  # the test has teeth
    for _ in range(3):
        shuffled = papers[:]
        rng.shuffle(shuffled)
        result = related_papers(shuffled)
        assert [p.id for p in result] == [p.id for p in shuffled]  # input order kept
        assert by_id(result) == expected


def test_empty_and_single_paper_corpora() -> None:
    assert related_papers([]) == []
    assert related_papers([paper("a", MAMBA)]) == [paper("a", MAMBA)]
    assert related_papers([paper("a", "the"), paper("b", "of")])[0].related == ()


def test_stop_words_and_short_words_are_not_terms() -> None:
    vectors = tfidf_vectors(
        [paper("a", "The model uses an LLM for AI; we propose Mamba"), paper("b", "LLM Mamba")]
    )
    # Terms in both papers: "llm", "mamba" and the bigram "llm mamba" (bigrams skip stop
    # words). "Paper" (in both titles), "the", "uses", "propose" are stop words; "AI" and the
    # ids "a" and "b" are too short.
    assert vectors.shape == (2, 3)


def test_the_similarity_matrix_is_sparse_and_never_densified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(3)
    vocabulary = [f"word{i}" for i in range(80)]
    papers = [paper(f"p{i:03d}", " ".join(rng.sample(vocabulary, 8))) for i in range(150)]
    expected = related_papers(papers)
    assert sparse.issparse(tfidf_vectors(papers))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a sparse matrix was made dense")

    for kind in (sparse.csr_matrix, sparse.csc_matrix, sparse.coo_matrix):
        monkeypatch.setattr(kind, "toarray", refuse)
        monkeypatch.setattr(kind, "todense", refuse)
    monkeypatch.setattr(link, "CHUNK_SCORES", 50)  # a few rows per chunk
    assert related_papers(papers) == expected
    monkeypatch.setattr(link, "CHUNK_SCORES", 1)  # one row per chunk
    assert related_papers(papers) == expected


def test_nearest_matches_a_brute_force_ranking() -> None:
    rng = np.random.default_rng(11)
    dense = rng.random((60, 30)) * (rng.random((60, 30)) < 0.15)
    dense[5] = dense[6]  # a twin row: equal scores everywhere
    dense = np.round(dense, 1)  # many exactly equal scores
    norms = np.linalg.norm(dense, axis=1)
    dense[norms > 0] /= norms[norms > 0, None]
    rank = rng.permutation(60).astype(np.int64)
    scores = np.round(dense @ dense.T, 9)
    expected = []
    for i in range(60):
        near = [j for j in range(60) if j != i and scores[i, j] >= 0.3]
        expected.append(sorted(near, key=lambda j: (-scores[i, j], rank[j]))[:3])
    assert sum(map(len, expected)) > 60
    assert nearest(sparse.csr_matrix(dense), rank, 3, 0.3) == expected


def test_the_most_common_terms_go_when_the_comparison_budget_is_exceeded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Document frequencies 1, 2, 2, 3, 5: work (df squared) 1, 4, 4, 9, 25.
    df = np.array([5, 2, 1, 3, 2], dtype=np.int64)
    monkeypatch.setattr(link, "WORK_FLOOR", 0)
    monkeypatch.setattr(link, "WORK_PER_PAPER", 9)

    def kept(papers: int) -> list[bool]:
        return [bool(d <= df_ceiling(df, papers)) for d in df]

    assert kept(2) == [False, True, True, True, True]  # 1 + 4 + 4 + 9 = 18 <= 2 * 9
    assert kept(1) == [False, True, True, False, True]  # 1 + 4 + 4 = 9 <= 9
    monkeypatch.setattr(link, "WORK_PER_PAPER", 8)
    assert kept(1) == [False, False, True, False, False]  # both terms of df 2, or neither
    monkeypatch.setattr(link, "WORK_FLOOR", 43)
    assert df_ceiling(df, 1) == 5  # everything: 43 = 1 + 4 + 4 + 9 + 25
    assert df_ceiling(np.array([], dtype=np.int64), 10) == 0


def test_under_a_tight_budget_common_words_no_longer_link_papers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    papers = [paper(f"p{i}", f"common shared unique{i // 2}") for i in range(8)] + FILLER
    wide = by_id(related_papers(papers))
    assert len(wide["p0"].related) > 1
    monkeypatch.setattr(link, "WORK_FLOOR", 0)
    monkeypatch.setattr(link, "WORK_PER_PAPER", 1)
    tight = by_id(related_papers(papers))
    assert tight["p0"].related == ("p1",)  # only the pair's own word is left


def test_shared_topic_rate_counts_links_between_papers_sharing_a_topic() -> None:
    papers = [
        Paper("a", "a", "A", "x", (), (), ("video", "audio"), ("b", "c", "gone")),
        Paper("b", "b", "B", "x", (), (), ("audio",), ("a",)),
        Paper("c", "c", "C", "x", (), (), (), ("a",)),
    ]
    assert shared_topic_rate(papers) == (2, 5)
    assert shared_topic_rate([]) == (0, 0)


def test_related_topics_count_shared_papers() -> None:
    papers = [
        paper("a", "x", ("video", "diffusion")),
        paper("b", "y", ("video", "diffusion")),
        paper("c", "z", ("video", "audio")),
    ]
    assert related_topics(papers) == {
        "audio": [("video", 1)],
        "diffusion": [("video", 2)],
        "video": [("diffusion", 2), ("audio", 1)],
    }


def test_on_the_shipped_corpus_similar_abstracts_share_a_rule_topic() -> None:
    """Issue 27: the similar-abstract links join papers sharing a rule topic at least 90% of the
    time (84.4% before the calibrated floor and the titles), and every paper keeps three."""
    plan = make_plan(DATA)
    papers = plan.papers
    _, links = shared_topic_rate(papers)
    assert links >= 3 * len(papers)
    assert sum(1 for p in papers if len(p.related) >= MIN_RELATED) == len(papers)
    similar_shared, similar = shared_topic_rate(papers, SIMILAR_ABSTRACT)
    assert similar_shared / similar >= link.TARGET_SHARED
    assert similar >= len(papers)  # not by dropping nearly every similar link
    floor = similar_floor(papers, related_ids(papers))
    assert RELATED_FLOOR < floor < link.MAX_FLOOR
    # Same-topic links share a topic, learned ones included (the rate counts rule topics).
    topics = {p.id: set(p.topics) for p in papers}
    for p in papers:
        for other, why in zip(p.related, p.related_reasons, strict=True):
            assert why != SAME_TOPICS or topics[p.id] & topics[other]
    counts = related_counts(papers)
    assert sum(counts.values()) == links
    assert counts[SHARED_TERMS] < 0.05 * links  # the weakest kind stays rare
    assert plan.account.related_similar_shared / plan.account.related_similar >= 0.9


def corpus(n_topics: int, per_topic: int, noise: int) -> list[Paper]:
    """Papers of a few topics: each shares its topic's words, and ``noise`` words drawn from
    a pool every topic uses (the higher, the more cross-topic links)."""
    rng = random.Random(n_topics * 1000 + per_topic * 10 + noise)
    common = [f"common{i}" for i in range(30)]
    papers = []
    for t in range(n_topics):
        own = [f"t{t}word{i}" for i in range(12)]
        for k in range(per_topic):
            text = " ".join(rng.sample(own, 4) + rng.sample(common, noise))
            papers.append(paper(f"t{t}p{k:02d}", text, (f"topic{t}",)))
    return papers


def test_the_floor_is_the_lowest_score_where_links_share_a_topic_nine_times_in_ten() -> None:
    papers = corpus(4, 15, 4)
    found = related_ids(papers)
    floor = similar_floor(papers, found)
    points = round(floor * link.SCALE)
    topics = [set(p.topics) for p in papers]
    # Every candidate link the calibration looks at: the best five at RELATED_FLOOR or above.
    links = []
    for i in range(len(papers)):
        positions, scores = found.row(i)
        for j, value in list(zip(positions, scores, strict=True))[:RELATED_COUNT]:
            if value >= round(RELATED_FLOOR * link.SCALE):
                links.append((value, bool(topics[i] & topics[j])))
    above = [shared for value, shared in links if value >= points]
    assert len(above) >= link.MIN_CALIBRATION
    assert sum(above) >= link.TARGET_SHARED * len(above)
    lower = sorted({value for value, _ in links if value < points})
    assert lower  # the floor did rise above some links, and any lower floor would not do
    for candidate in lower:
        kept = [shared for value, shared in links if value >= candidate]
        assert sum(kept) < link.TARGET_SHARED * len(kept)
    result = with_related(papers, found)
    assert all(len(p.related) >= MIN_RELATED for p in result)
    similar_shared, similar = shared_topic_rate(result, SIMILAR_ABSTRACT)
    assert similar_shared >= link.TARGET_SHARED * similar


def test_a_corpus_too_small_to_calibrate_keeps_the_lowest_floor() -> None:
    papers = corpus(2, 3, 2)
    assert similar_floor(papers, related_ids(papers)) == RELATED_FLOOR


def test_the_floor_ignores_learned_topics() -> None:
    papers = corpus(4, 15, 4)
    found = related_ids(papers)
    floor = similar_floor(papers, found)
    # Every paper of topic 0 loses its rule topic and gets it back by similarity: for the
    # calibration its links now share nothing, so the floor can only rise.
    relearned = [
        replace(p, learned_topics=((p.topics[0], 0.9),)) if p.topics == ("topic0",) else p
        for p in papers
    ]
    assert [p.rule_topics for p in relearned][:15] == [()] * 15
    assert similar_floor(relearned, found) > floor


def test_titles_weigh_in(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two papers whose titles share a term score higher than with the titles apart."""

    def titled(pid: str, title: str, text: str) -> Paper:
        return Paper(pid, pid, title, text, (), (Source("a.txt", 1),))

    first = "selective state space sequence model genomics kernels"
    second = "selective state space sequence model proteins lattice"
    same = [titled("a", "Routing transformers", first), titled("b", "Routing networks", second)]
    apart = [titled("a", "Routing transformers", first), titled("b", "Vision networks", second)]
    rest = [
        titled(f"f{i}", f"Quokka{i // 2} wombat{i % 3}", f"filler{i} number{i} kernels{i}")
        for i in range(20)
    ] + [titled("g", "Vision networks transformers", "unrelated words here")]

    def pair(papers: list[Paper]) -> float:
        vectors = link_vectors([*papers, *rest])
        return float((vectors[0] @ vectors[1].T).toarray()[0, 0])

    weighed = pair(same) - pair(apart)
    monkeypatch.setattr(link, "TITLE_WEIGHT", 0.0)
    assert weighed > pair(same) - pair(apart) > 0  # the title counts in the text too, less


def test_a_page_row_gives_year_authors_and_reason() -> None:
    from generator.model import Metadata
    from generator.render.paper import render_paper

    p = Paper(
        "a", "a", "A", "x", (), (), (), ("b", "c", "d"),
        related_reasons=(SIMILAR_ABSTRACT, SAME_TOPICS, SHARED_TERMS),
    )  # fmt: skip
    others = {
        "b": Paper(
            "b", "b", "Bee", "x", (), (),
            meta=Metadata(arxiv="2312.00752", authors=("Albert Gu", "Tri Dao", "C", "D")),
        ),
        "c": Paper("c", "c", "Sea", "x", (), (), meta=Metadata(published="2021-05-01")),
        "d": Paper("d", "d", "Dee <b>", "x", (), ()),
    }  # fmt: skip
    page = render_paper(p, {}, others)
    related = page.split("## Related papers\n\n", 1)[1].split("\n## ", 1)[0]
    assert related.splitlines() == [
        "- [Bee](b.md) · 2023 · Albert Gu, Tri Dao, C et al. · similar abstract",
        "- [Sea](c.md) · 2021 · same topics, a less similar abstract",
        "- [Dee &#60;b&#62;](d.md) · a few shared terms, no topic in common",
    ]


def test_the_shared_topic_rate_counts_rule_topics_only() -> None:
    """A link between two papers that share only a topic assigned by similarity does not
    count: the similarity it came from is what the rate checks."""
    a = Paper("a", "a", "A", "x", (), (), ("video",), ("b", "c"))
    b = Paper("b", "b", "B", "x", (), (), ("video",), learned_topics=(("video", 0.8),))
    c = Paper("c", "c", "C", "x", (), (), ("video",))
    assert b.rule_topics == ()
    assert shared_topic_rate([a, b, c]) == (1, 2)
