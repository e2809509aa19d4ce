"""Dedupe stage: exact and fuzzy passes, guards against hard negatives, report, determinism.

The labelled set perturbs real titles and abstracts of the shipped corpus: every kind of
spelling variant the issue names must join its paper (recall 1.0) and every kind of hard
negative must stay a paper of its own (precision 1.0), with the whole shipped corpus around
them as distractors.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import random
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from itertools import combinations

import pytest
from conftest import DATA, ROOT

from generator.inputs.listings import read_listings
from generator.model import Cluster, Entry, Source
from generator.stages.dedupe import TITLE_MAX_EDITS, DedupeResult, MergeGroup, dedupe
from generator.stages.normalize import normalize
from generator.text.folding import title_key


def entry(title: str, abstract: str = "An abstract.", file: str = "a.txt", line: int = 1) -> Entry:
    return Entry(title, abstract, Source(file, line, None))


# --- the exact pass (behaviour kept from the first version) ---------------------------------


def test_spellings_differing_in_case_spacing_punctuation_merge() -> None:
    clusters = dedupe(
        [
            entry("Scaling Laws: A Study", line=1),
            entry("scaling laws - a study", line=3),
            entry("Scaling  Laws: A Study", file="b.txt", line=1),
            entry("Scaling Laws: A Study", file="b.txt", line=5),
            entry("Other Paper", line=7),
        ]
    ).clusters
    assert len(clusters) == 2
    merged = next(c for c in clusters if c.merged)
    assert merged.title == "Scaling Laws: A Study"  # the most frequent spelling
    assert merged.aliases == ("scaling laws - a study", "Scaling  Laws: A Study")
    assert [(s.file, s.line) for s in merged.sources] == [
        ("a.txt", 1),
        ("a.txt", 3),
        ("b.txt", 1),
        ("b.txt", 5),
    ]


def test_tie_goes_to_the_earliest_source_whatever_the_input_order() -> None:
    entries = [entry("Deep Nets", line=9), entry("deep nets", file="0.txt", line=4)]
    for order in (entries, entries[::-1]):
        (only,) = dedupe(order).clusters
        assert only.title == "deep nets"
        assert only.aliases == ("Deep Nets",)


def test_different_titles_stay_apart() -> None:
    titles = ["Hydra: Sequence Models", "Hydra: Multi-head Attention", "X v2: Foo", "X: Foo"]
    assert len(dedupe([entry(t) for t in titles]).clusters) == 4


def test_result_is_also_the_sequence_of_its_clusters() -> None:
    result = dedupe([entry("B paper"), entry("A paper", line=3)])
    assert isinstance(result, DedupeResult)
    assert list(result) == list(result.clusters)
    assert len(result) == 2
    assert result[0].title == "A paper"
    assert all(isinstance(c, Cluster) for c in result)


@functools.cache
def shipped() -> tuple[Entry, ...]:
    entries, problems = read_listings(DATA)
    assert not problems
    return tuple(normalize(entries))


def test_shipped_corpus_gives_313_papers_in_any_order() -> None:
    entries = list(shipped())
    result = dedupe(entries)
    assert len(result.clusters) == 313
    assert sum(c.merged for c in result.clusters) == 378 - 313
    # the fuzzy pass finds nothing more than the exact pass there
    assert {m.kinds for m in result.merges} <= {(), ("exact",)}
    assert result.problems == ()
    shuffled = list(entries)
    random.Random(7).shuffle(shuffled)
    assert dedupe(shuffled) == result


def test_the_two_real_hydra_papers_stay_apart() -> None:
    hydras = sorted(
        c.title for c in dedupe(list(shipped())).clusters if c.title.startswith("Hydra:")
    )
    assert hydras == [
        "Hydra: Bidirectional State Space Models Through Generalized Matrix Mixers",
        "Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding",
    ]


# --- the labelled set -----------------------------------------------------------------------

VARIANTS_FILE = "listings/zz_variants.txt"
NEW_SENTENCE = "We additionally release an interactive demonstration for practitioners."


def revised(abstract: str, sentence: str = NEW_SENTENCE) -> str:
    """The abstract with its last sentence rewritten (revised by one sentence)."""
    head, _, _ = abstract.rstrip(".").rpartition(". ")
    return f"{head}. {sentence}"


def extended(abstract: str) -> str:
    """The abstract with one sentence added."""
    return f"{abstract} {NEW_SENTENCE}"


def drop_letter(title: str, word: str, index: int) -> str:
    assert word in title
    return title.replace(word, word[:index] + word[index + 1 :], 1)


def swap_letters(title: str, word: str, index: int) -> str:
    assert word in title
    swapped = word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    return title.replace(word, swapped, 1)


@dataclasses.dataclass(frozen=True)
class Labelled:
    kind: str
    title: str
    abstract: str
    truth: str
    """Title key of the shipped paper this is a spelling of, or ``new:<kind>`` if distinct."""
    merge: bool


def labelled_set() -> list[Labelled]:
    """Positives and hard negatives of every kind, made from real shipped papers."""
    papers = {c.title: c for c in dedupe(list(shipped())).clusters}

    def paper(title: str) -> Cluster:
        return papers[title]

    items: list[Labelled] = []

    def same(kind: str, original: str, title: str, abstract: str | None = None) -> None:
        p = paper(original)
        items.append(Labelled(kind, title, abstract or p.abstract, p.key, True))

    def other(kind: str, original: str, title: str, abstract: str | None = None) -> None:
        p = paper(original)
        truth = f"new:{kind}:{title}"
        sentence = f"We also report results on benchmark suite number {len(items)}."
        items.append(Labelled(kind, title, abstract or revised(p.abstract, sentence), truth, False))

    ape = "APE: Faster and Longer Context-Augmented Generation via Adaptive Parallel Encoding"
    draft = "Adaptive Draft-Verification for Efficient Large Language Model Decoding"
    raw = "It's Raw! Audio Generation with State-Space Models"
    climax = "ClimaX: A foundation model for weather and climate"
    trans = (
        "TransRAC: Encoding Multi-scale Temporal Correlation with Transformers for "
        "Repetitive Action Counting"
    )
    multicap = "MultiCapCLIP: Auto-Encoding Prompts for Zero-Shot Multilingual Visual Captioning"
    hash_ = "Neural networks behave as hash encoders: An empirical study"
    compressed = "Training LLMs over Neurally Compressed Text"
    yonos = (
        "You Only Need One Step: Fast Super-Resolution with Stable Diffusion via Scale Distillation"
    )
    mmamba = (
        "Multimodal Mamba: Decoder-only Multimodal State Space Model via Quadratic to Linear "
        "Distillation"
    )
    muvera = "MUVERA: Multi-Vector Retrieval via Fixed Dimensional Encodings"
    transdae = (
        "TransDAE: Dual Attention Mechanism in a Hierarchical Transformer for Efficient Medical "
        "Image Segmentation"
    )
    ernie = (
        "ERNIE 3.0: Large-scale Knowledge Enhanced Pre-training for Language Understanding and "
        "Generation"
    )
    dnabert = "DNABERT-2: Efficient Foundation Model and Benchmark For Multi-Species Genome"
    slim = "0.1% Data Makes Segment Anything Slim"
    matryoshka = "2D Matryoshka Sentence Embeddings"
    bitnet = "BitNet b1.58 Reloaded: State-of-the-art Performance Also on Smaller Networks"
    squeeze = (
        "Recalibrating Fully Convolutional Networks with Spatial and Channel "
        "'Squeeze & Excitation' Blocks"
    )
    hydra = "Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding"

    # Positives: spellings of one paper.
    same("case", ape, ape.upper())
    same(
        "spacing",
        draft,
        "Adaptive  Draft-Verification\tfor Efficient Large Language Model  Decoding",
    )
    same("punctuation", ape, ape.replace(":", " --").replace("-Augmented", " Augmented") + "!")
    accented = climax.replace("climate", "clímate").replace("weather", "wéather")
    same("NFC accents", climax, unicodedata.normalize("NFC", accented))
    same("NFD accents", climax, unicodedata.normalize("NFD", accented))
    same("en dash", draft, draft.replace("-", "\u2013"))
    same("curly quotes", raw, raw.replace("'", "\u2019"))
    same(
        "curly quotes",
        squeeze,
        squeeze.replace("'Squeeze", "\u2018Squeeze").replace("n' B", "n\u2019 B"),
    )
    same("trailing period", hash_, hash_ + ".")
    same("glued words", compressed, compressed.replace("over Neurally", "overNeurally"))
    same("one letter dropped", trans, drop_letter(trans, "Correlation", 4))
    same(
        "two letters dropped",
        yonos,
        drop_letter(drop_letter(yonos, "Distillation", 3), "Resolution", 5),
    )
    same("letters swapped", multicap, swap_letters(multicap, "Multilingual", 5))
    same(
        "letter dropped, abstract revised",
        mmamba,
        drop_letter(mmamba, "Quadratic", 2),
        revised(paper(mmamba).abstract),
    )
    same("abstract revised", muvera, muvera, revised(paper(muvera).abstract))
    same(
        "letters swapped, abstract extended",
        transdae,
        swap_letters(transdae, "Hierarchical", 3),
        extended(paper(transdae).abstract),
    )
    same(
        "retitled",
        ernie,
        "Knowledge-Enhanced Pre-training at Scale for Understanding and Generation",
    )
    same("retitled", hydra, "Medusa Decoding with Sequentially Dependent Draft Heads")

    # Hard negatives: different papers with similar titles. Their abstracts are revised copies
    # of the original's, so only the title guards keep most of them apart.
    other("v2", climax, "ClimaX v2: A foundation model for weather and climate")
    other("X-2", muvera, "MUVERA-2: Multi-Vector Retrieval via Fixed Dimensional Encodings")
    other("Towards X", compressed, "Towards Training LLMs over Neurally Compressed Text")
    other("same name before the colon", ape, ape.replace("Generation", "Retrieval"))
    other("number differs", slim, "0.2% Data Makes Segment Anything Slim")
    other("number differs", matryoshka, "3D Matryoshka Sentence Embeddings")
    other("version differs", ernie, ernie.replace("3.0", "3.5"))
    other("version differs", dnabert, dnabert.replace("DNABERT-2", "DNABERT-3"))
    other("version differs", bitnet, bitnet.replace("b1.58", "b1.5"))
    other("version word", mmamba, mmamba.replace("Multimodal Mamba", "Multimodal Mamba Pro"))
    unrelated = " ".join(reversed(paper(climax).abstract.split(". ")))
    other("close title, different abstract", trans, drop_letter(trans, "Temporal", 3), unrelated)
    other(
        "close title, different abstract",
        multicap,
        swap_letters(multicap, "Captioning", 5),
        revised(paper(slim).abstract, "Nothing else is shared with the slim paper."),
    )
    return items


def labelled_entries() -> list[Entry]:
    extra = [
        Entry(item.title, item.abstract, Source(VARIANTS_FILE, 1 + 4 * n, None))
        for n, item in enumerate(labelled_set())
    ]
    return list(shipped()) + normalize(extra)


def truth_of_entries() -> dict[Source, str]:
    truth = {e.source: title_key(e.title) for e in shipped()}
    for n, item in enumerate(labelled_set()):
        truth[Source(VARIANTS_FILE, 1 + 4 * n, None)] = item.truth
    return truth


def pairs(groups: Sequence[Sequence[Source]]) -> set[tuple[Source, Source]]:
    return {pair for group in groups for pair in combinations(sorted(group), 2)}


def test_labelled_set_covers_every_kind() -> None:
    kinds = {item.kind for item in labelled_set()}
    for kind in (
        "case",
        "spacing",
        "punctuation",
        "NFD accents",
        "en dash",
        "curly quotes",
        "trailing period",
        "glued words",
        "one letter dropped",
        "two letters dropped",
        "letters swapped",
        "abstract revised",
        "retitled",
        "v2",
        "X-2",
        "Towards X",
        "same name before the colon",
        "number differs",
        "version differs",
        "close title, different abstract",
    ):
        assert kind in kinds
    assert all(unicodedata.is_normalized("NFD", i.title) for i in labelled_set() if "NFD" in i.kind)
    assert any(not unicodedata.is_normalized("NFC", i.title) for i in labelled_set())


def test_precision_and_recall_are_1_on_the_labelled_set() -> None:
    result = dedupe(labelled_entries())
    truth = truth_of_entries()
    predicted = pairs([c.sources for c in result.clusters])
    by_truth: dict[str, list[Source]] = {}
    for source, label in truth.items():
        by_truth.setdefault(label, []).append(source)
    actual = pairs(list(by_truth.values()))
    true_positives = predicted & actual
    precision = len(true_positives) / len(predicted)
    recall = len(true_positives) / len(actual)
    assert predicted - actual == set(), "false merges"
    assert actual - predicted == set(), "missed merges"
    assert (precision, recall) == (1.0, 1.0)
    # 313 shipped papers, plus one per hard negative
    negatives = sum(1 for item in labelled_set() if not item.merge)
    assert len(result.clusters) == 313 + negatives


@pytest.mark.parametrize("item", labelled_set(), ids=lambda i: f"{i.kind}:{i.title[:30]}")
def test_each_labelled_item(item: Labelled) -> None:
    """The same verdict, one item at a time, so a failure names its kind."""
    result = dedupe(labelled_entries())
    source = Source(VARIANTS_FILE, 1 + 4 * labelled_set().index(item), None)
    (home,) = [c for c in result.clusters if source in c.sources]
    if item.merge:
        assert home.key == item.truth
        assert len(home.sources) > 1
    else:
        assert home.sources == (source,)


def test_merge_report_says_how_each_spelling_joined() -> None:
    result = dedupe(labelled_entries())
    how: dict[str, MergeGroup] = {m.title: m for m in result.merges}
    trans = how[
        "TransRAC: Encoding Multi-scale Temporal Correlation with Transformers for "
        "Repetitive Action Counting"
    ]
    (typo,) = [s for s in trans.spellings if s.how == "fuzzy"]
    assert "Corrlation" in typo.title
    assert typo.matched == trans.title
    assert typo.title_score is not None and typo.title_score >= 95
    assert typo.abstract_score == 100.0
    assert trans.spellings[0].how == "canonical"
    assert trans.spellings[0].title == trans.title
    ernie = next(m for m in result.merges if m.title.startswith("ERNIE 3.0"))
    (retitled,) = [s for s in ernie.spellings if s.how == "retitled"]
    assert retitled.abstract_score == 100.0
    assert retitled.sources == (Source(VARIANTS_FILE, retitled.sources[0].line, None),)
    climax = next(m for m in result.merges if m.title.startswith("ClimaX:"))
    assert {s.how for s in climax.spellings} == {"canonical", "exact"}
    assert sorted(climax.sources) == list(climax.sources)
    mmamba = next(m for m in result.merges if m.title.startswith("Multimodal Mamba:"))
    (revised_typo,) = [s for s in mmamba.spellings if s.how == "fuzzy"]
    assert revised_typo.abstract_score is not None and 80 <= revised_typo.abstract_score < 100
    # every merged cluster is reported, and only those
    assert {m.key for m in result.merges} == {c.key for c in result.clusters if c.merged}


def test_kept_apart_lists_the_closest_rejected_pairs_with_reasons() -> None:
    result = dedupe(labelled_entries())
    reasons = {
        frozenset((title_key(m.title_a), title_key(m.title_b))): m.reason for m in result.kept_apart
    }
    assert len(reasons) == len(result.kept_apart)  # one line per pair of papers

    def reason(a: str, b: str) -> str:
        return reasons[frozenset((title_key(a), title_key(b)))]

    climax = "ClimaX: A foundation model for weather and climate"
    assert reason(climax, climax.replace("ClimaX", "ClimaX v2")) == "version/number differs"
    compressed = "Training LLMs over Neurally Compressed Text"
    assert reason(compressed, "Towards " + compressed) == "'Towards' differs"
    ape = "APE: Faster and Longer Context-Augmented Generation via Adaptive Parallel Encoding"
    assert (
        reason(ape, ape.replace("Generation", "Retrieval"))
        == "same name before the colon, different title"
    )
    trans = (
        "TransRAC: Encoding Multi-scale Temporal Correlation with Transformers for "
        "Repetitive Action Counting"
    )
    assert reason(trans, trans.replace("Temporal", "Temoral")) == "abstracts disagree"
    scores = [(-m.title_score, m.title_a, m.title_b) for m in result.kept_apart]
    assert scores == sorted(scores)
    assert all(m.title_score >= 80 for m in result.kept_apart)
    disagree = [m for m in result.kept_apart if m.reason == "abstracts disagree"]
    assert disagree and all(m.abstract_score < 90 for m in disagree)


def test_typo_budget_is_the_named_threshold() -> None:
    abstract = "One. Two sentences here. Three sentences in all."
    base = "Hierarchical Transformers Generalize Compositionally"
    three = base.replace("Hierarchical", "Hirarchcal").replace("Generalize", "Generaize")
    two = base.replace("Hierarchical", "Hirarchcal")
    assert TITLE_MAX_EDITS == 2
    assert len(dedupe([entry(base, abstract), entry(two, abstract, line=3)]).clusters) == 1
    assert len(dedupe([entry(base, abstract), entry(three, abstract, line=3)]).clusters) == 2


def test_a_typo_in_a_short_word_does_not_merge() -> None:
    abstract = "One. Two sentences here. Three sentences in all."
    titles = ["Sparse Attention for Video Generation", "Sparse Attention fr Video Generation"]
    assert len(dedupe([entry(t, abstract, line=n) for n, t in enumerate(titles)]).clusters) == 2


def test_placeholder_abstracts_do_not_make_different_titles_one_paper() -> None:
    result = dedupe([entry("Graph Mamba"), entry("Vision Mamba", line=3)])
    assert len(result.clusters) == 2


def test_fuzzy_merges_are_deterministic_under_shuffling() -> None:
    entries = labelled_entries()
    expected = dedupe(entries)
    for seed in range(3):
        shuffled = list(entries)
        random.Random(seed).shuffle(shuffled)
        assert dedupe(shuffled) == expected


def digest() -> str:
    """A hash of the whole result (sets, whose repr follows the hash seed, as sorted lists)."""
    result = dedupe(labelled_entries())
    clusters = [(dataclasses.astuple(c)[:-1], sorted(c.keys)) for c in result.clusters]
    whole = (clusters, result.merges, result.kept_apart, result.problems)
    return hashlib.sha256(repr(whole).encode()).hexdigest()


def test_result_does_not_depend_on_the_hash_seed() -> None:
    script = (
        "import sys\nsys.path.insert(0, 'tests')\nfrom test_dedupe import digest\nprint(digest())\n"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1
    assert digests == {digest()}
