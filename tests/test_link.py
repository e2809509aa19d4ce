"""Link stage: related papers by shared rare words (plus shared topics), related topics."""

from __future__ import annotations

from generator.link import RELATED_COUNT, content_words, related_papers, related_topics
from generator.model import Paper, Source


def paper(pid: str, text: str, topics: tuple[str, ...] = ()) -> Paper:
    return Paper(pid, pid, pid, text, (), (Source("a.txt", 1),), topics)


FILLER = [paper(f"f{i}", f"filler number{i} topic{i} alpha{i}") for i in range(40)]


def test_similar_papers_are_related_both_ways_and_dissimilar_are_not() -> None:
    papers = [
        paper("a", "mamba selective state space sequence model genomics"),
        paper("b", "selective state space mamba genomics benchmark"),
        paper("c", "protein folding crystallography lattice"),
        *FILLER,
    ]
    result = {p.id: p for p in related_papers(papers)}
    assert result["a"].related[0] == "b"
    assert result["b"].related[0] == "a"
    assert "c" not in result["a"].related
    assert result["c"].related == ()
    assert all(p.id not in p.related for p in result.values())


def test_at_most_five_best_first_and_deterministic() -> None:
    base = "retrieval augmented generation dense passages reranking"
    papers = [paper(f"p{i}", base + f" extra{i}") for i in range(7)] + FILLER
    result = related_papers(papers)
    first = next(p for p in result if p.id == "p0")
    assert len(first.related) == RELATED_COUNT
    assert first.related == tuple(sorted(first.related))  # equal scores: ties by id
    assert related_papers(list(reversed(papers))) == list(reversed(result))


def test_stop_words_and_short_words_are_ignored() -> None:
    assert content_words("The model uses an LLM for AI; we propose Mamba") == {
        "model",
        "llm",
        "mamba",
    }


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
