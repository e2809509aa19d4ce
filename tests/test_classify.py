"""Classification: the phrase contract, the rules, and the shipped taxonomy on the real corpus."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from generator.inputs.taxonomy import load_taxonomy
from generator.model import Paper, Rule, Source, Topic
from generator.stages.classify import classify, topic_members
from generator.text.phrases import phrase_error

ROOT = Path(__file__).resolve().parent.parent


def paper(title: str, abstract: str = "", id: str = "p") -> Paper:
    return Paper(
        id=id, key=id, title=title, abstract=abstract, aliases=(), sources=(Source("f", 1),)
    )


def topic(
    slug: str,
    title: tuple[str, ...] = (),
    abstract: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    min_abstract_hits: int = 2,
) -> Topic:
    rule = Rule(title, abstract, exclude, min_abstract_hits)
    return Topic(slug=slug, name=slug.title(), description="d", rule=rule)


def slugs(title: str, abstract: str, *topics: Topic) -> tuple[str, ...]:
    return classify([paper(title, abstract)], topics)[0].topics


def title_hit(phrase: str, title: str) -> bool:
    return slugs(title, "", topic("t", title=(phrase,))) == ("t",)


@pytest.mark.parametrize(
    ("phrase", "title", "hit"),
    [
        # case-insensitive
        ("diffusion", "DIFFUSION Models", True),
        ("Large Language Model", "a large language model", True),
        # whole words only
        ("rag", "Storage for RAG", True),
        ("rag", "Storage systems", False),
        ("model", "Models of the world", False),
        ("model", "A model, at last", True),
        ("3d", "3D-aware generation", True),
        ("gan", "Organic chemistry", False),
        # spaces and hyphens are interchangeable, in any run
        ("large language model", "Large-Language Model", True),
        ("large-language-model", "large language model", True),
        ("state space", "State - Space models", True),
        ("text-to-image", "text to image synthesis", True),
        # other punctuation breaks a phrase
        ("language model", "language. Model", False),
        ("language model", "language/model", False),
        ("language model", "language \u2013 model", False),
        # a trailing * continues the last word, and only the last word
        ("retriev*", "Retrieval augmented", True),
        ("retriev*", "retrieving", True),
        ("retriev*", "retriev", True),
        ("retriev*", "dense-retrieval", True),
        ("retriev*", "unretrievable", False),
        ("diffusion model*", "Diffusion Models", True),
        ("diffusion model*", "diffusion-modelling", True),
        ("diffusion model*", "diffusions model", False),
        ("state space*", "structured state-spaces", True),
        # a multi-word phrase needs its words in order and adjacent
        ("speculative decoding", "decoding, speculative", False),
        ("speculative decoding", "speculative tree decoding", False),
        # non-ASCII text takes the slow path with the same rules
        ("modèle", "Un Modèle-de langue", True),
        ("language model", "Ünïcode language-model", True),
        ("language model", "Ünïcode language\u2013model", False),
        ("language model", "Ünïcode languagemodel", False),
    ],
)
def test_phrase_semantics(phrase: str, title: str, hit: bool) -> None:
    assert title_hit(phrase, title) is hit


def test_abstract_hits_must_reach_the_minimum() -> None:
    two = topic("t", abstract=("video", "frame*"))
    three = topic("t", abstract=("video", "frame*"), min_abstract_hits=3)
    text = "We edit video. Frames are kept."
    assert slugs("", text, two) == ("t",)
    assert slugs("", text, three) == ()
    assert slugs("", text + " More video.", three) == ("t",)
    assert slugs("", "Video only once.", two) == ()


def test_repeats_of_one_phrase_all_count() -> None:
    assert slugs("", "video, video and video", topic("t", abstract=("video",))) == ("t",)


def test_overlapping_phrases_count_once() -> None:
    rule = topic("t", abstract=("large language model", "language model"))
    assert slugs("", "a large language model", rule) == ()
    assert slugs("", "a large language model and a language model", rule) == ("t",)


def test_title_and_abstract_phrases_are_separate() -> None:
    only_title = topic("t", title=("mamba",), abstract=("ssm",))
    assert slugs("Untitled", "Mamba mamba mamba", only_title) == ()
    assert slugs("Mamba rocks", "", only_title) == ("t",)
    assert slugs("Untitled", "an ssm, another ssm", only_title) == ("t",)
    # abstract phrases in the title do not count either
    assert slugs("ssm ssm ssm", "", only_title) == ()


def test_exclude_vetoes_from_title_or_abstract() -> None:
    rule = topic("t", title=("diffusion",), exclude=("text diffusion",))
    assert slugs("Diffusion for images", "", rule) == ("t",)
    assert slugs("Text Diffusion models", "", rule) == ()
    assert slugs("Diffusion for text", "We propose text-diffusion.", rule) == ()


def test_exclude_only_vetoes_its_own_topic() -> None:
    a = topic("a", title=("video",), exclude=("audio",))
    b = topic("b", title=("audio",))
    assert slugs("Video with audio", "", a, b) == ("b",)


def test_topics_come_in_taxonomy_order_and_papers_keep_theirs() -> None:
    topics = [topic("zeta", title=("video",)), topic("alpha", title=("audio",))]
    papers = [
        paper("Audio and video", id="p1"),
        paper("Nothing here", id="p2"),
        paper("Audio", id="p3"),
    ]
    result = classify(papers, topics)
    assert [p.id for p in result] == ["p1", "p2", "p3"]
    assert [p.topics for p in result] == [("zeta", "alpha"), (), ("alpha",)]
    assert papers[0].topics == ()  # the input is left alone
    assert result[0].title == papers[0].title and result[0].sources == papers[0].sources


def test_phrases_shared_between_topics_and_roles() -> None:
    a = topic("a", title=("speech",), abstract=("speech",))
    b = topic("b", abstract=("speech",), min_abstract_hits=1)
    c = topic("c", title=("asr",), exclude=("speech",))
    assert slugs("Speech", "", a, b, c) == ("a",)
    assert slugs("ASR", "speech", a, b, c) == ("b",)
    assert slugs("ASR", "speech and speech", a, b, c) == ("a", "b")


def test_invalid_phrase_is_a_value_error() -> None:
    assert phrase_error("ok phrase*") is None
    assert phrase_error(" ") == "is empty"
    with pytest.raises(ValueError, match="c\\+\\+"):
        classify([paper("x")], [topic("t", title=("c++",))])


def test_topic_members_lists_every_topic_and_unsorted() -> None:
    topics = [topic("video", title=("video",)), topic("audio", title=("audio",))]
    papers = classify(
        [paper("Video b", id="b"), paper("Plain", id="z"), paper("Video a", id="a")], topics
    )
    assert topic_members(papers, topics) == {
        "video": ["a", "b"],
        "audio": [],
        "unsorted": ["z"],
    }
    assert list(topic_members(papers, topics)) == ["video", "audio", "unsorted"]


def test_topic_members_rejects_unknown_slugs() -> None:
    ghost = Paper("x", "x", "t", "a", (), (), topics=("ghost",))
    with pytest.raises(ValueError, match="'ghost'"):
        topic_members([ghost], [topic("video", title=("video",))])


# --- the shipped taxonomy on the shipped corpus -------------------------------------------

_BOILERPLATE = {
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
    "by AK and the research community",
}
_DATE = re.compile(r"[A-Z][a-z]{2} \d{1,2}")


def corpus_papers(folder: Path) -> list[Paper]:
    """The distinct papers of the listings, by the simple format (not generator.inputs.listings)."""
    found: dict[str, Paper] = {}
    for file in sorted(folder.glob("*.txt")):
        lines = [line.strip() for line in file.read_text(encoding="utf-8").splitlines()]
        blocks = [line for line in lines if line]
        start = 0
        while start < len(blocks) and (
            blocks[start] in _BOILERPLATE or _DATE.fullmatch(blocks[start])
        ):
            start += 1
        body = blocks[start:]
        assert len(body) % 2 == 0, file
        for title, abstract in zip(body[0::2], body[1::2], strict=True):
            key = re.sub(r"[^a-z0-9]", "", title.lower())
            found.setdefault(key, paper(title, abstract, id=key))
    return list(found.values())


@pytest.fixture(scope="module")
def shipped() -> tuple[list[Topic], list[Paper]]:
    topics, problems = load_taxonomy(ROOT / "data" / "topics.yaml", "data/topics.yaml")
    assert problems == []
    papers = corpus_papers(ROOT / "data" / "listings")
    return topics, classify(papers, topics)


def test_corpus_has_the_expected_papers(shipped: tuple[list[Topic], list[Paper]]) -> None:
    _, papers = shipped
    assert len(papers) == 313


def test_shipped_taxonomy_covers_the_corpus(shipped: tuple[list[Topic], list[Paper]]) -> None:
    topics, papers = shipped
    members = topic_members(papers, topics)
    covered = 1 - len(members["unsorted"]) / len(papers)
    assert covered >= 0.90, f"only {covered:.1%} of the papers are in a topic"
    small = {slug: len(ids) for slug, ids in members.items() if len(ids) < 3}
    small.pop("unsorted", None)
    assert small == {}, f"topics with fewer than 3 papers: {small}"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces", "state-space-models"),
        ("SpecTr: Fast Speculative Decoding via Optimal Transport", "efficient-llm-inference"),
        ("8-bit Optimizers via Block-wise Quantization", "model-compression"),
        ("Binary Latent Diffusion", "image-generation"),
        ("2D Matryoshka Sentence Embeddings", "retrieval"),
        ("CodeT5+: Open Code Large Language Models for Code Understanding and Generation", "code"),
        ("Recipe for a General, Powerful, Scalable Graph Transformer", "graphs"),
    ],
)
def test_shipped_taxonomy_spot_checks(
    shipped: tuple[list[Topic], list[Paper]], title: str, expected: str
) -> None:
    _, papers = shipped
    (found,) = [p for p in papers if p.title == title]
    assert expected in found.topics


def _titles(papers: Sequence[Paper], slug: str) -> list[str]:
    return [p.title for p in papers if slug in p.topics]


def test_shipped_taxonomy_avoids_known_false_friends(
    shipped: tuple[list[Topic], list[Paper]],
) -> None:
    _, papers = shipped
    # "graph" is not "graphics", "tracking" in an RNN paper is not video, "Thinner" is not "think".
    assert "Efficient Encoding of Graphics Primitives with Simplex-based Structures" not in _titles(
        papers, "graphs"
    )
    assert "Unlocking State-Tracking in Linear RNNs Through Negative Eigenvalues" not in _titles(
        papers, "video"
    )
    assert "ThinK: Thinner Key Cache by Query-Driven Pruning" not in _titles(papers, "reasoning")
    assert "Autoregressive Diffusion Transformer for Text-to-Speech Synthesis" not in _titles(
        papers, "image-generation"
    )
