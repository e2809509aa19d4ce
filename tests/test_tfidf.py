"""generator/text/tfidf.py against scikit-learn: the same matrix, bit for bit, and the same terms.

The reference is the vectorizer the link stage used before (its configuration is repeated
here, as is the old ``tfidf_vectors``), on the shipped corpus, a synthetic one and generated
texts full of the hard cases: accents, ligatures, other scripts, combining marks, digits,
underscores, stop words only, empty texts and duplicates. scikit-learn leaves each row's
terms in the order they were first seen; it is compared with its indices sorted.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from conftest import DATA
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import strip_accents_unicode
from sklearn.preprocessing import normalize

import generator.stages.link as link
import generator.text.tfidf as tfidf_module
from benchmarks import synth
from benchmarks.bench_tfidf import sklearn_vectorizer
from generator.inputs.listings import parse_all
from generator.model import Paper
from generator.pipeline import make_plan
from generator.stages.link import MAX_DF, MIN_DF, STOP_WORDS, TOKEN_PATTERN, df_ceiling
from generator.stages.normalize import normalize as normalize_entries
from generator.text.tfidf import (
    WHOLE_RUNS,
    Tfidf,
    is_token,
    l2_rows,
    preprocess,
    splitter,
    tfidf,
)

Matrix = Any


def reference(
    texts: Sequence[str],
    min_df: int = MIN_DF,
    max_df: int | None = None,
    stop_words: frozenset[str] = STOP_WORDS,
    token_pattern: str = TOKEN_PATTERN,
) -> tuple[Matrix, list[str]]:
    """scikit-learn's matrix (indices sorted) and terms, in the link stage's configuration."""
    vectorizer = sklearn_vectorizer(
        link_max_df(texts) if max_df is None else max_df, min_df, stop_words, token_pattern
    )
    matrix = vectorizer.fit_transform(texts).tocsr()
    matrix.sort_indices()
    return matrix, [str(term) for term in vectorizer.get_feature_names_out()]


def ours(
    texts: Sequence[str],
    min_df: int = MIN_DF,
    max_df: int | None = None,
    stop_words: frozenset[str] = STOP_WORDS,
    token_pattern: str = TOKEN_PATTERN,
) -> Tfidf:
    return tfidf(
        texts,
        token_pattern=token_pattern,
        stop_words=stop_words,
        min_df=min_df,
        max_df=link_max_df(texts) if max_df is None else max_df,
    )


def link_max_df(texts: Sequence[object]) -> int:
    return max(MIN_DF, int(MAX_DF * len(texts)))


def assert_same_matrix(a: Matrix, b: Matrix) -> None:
    """Same shape, index arrays (and their types) and float64 values, bit for bit."""
    assert type(a) is type(b)
    assert a.shape == b.shape
    assert a.indptr.dtype == b.indptr.dtype
    assert a.indices.dtype == b.indices.dtype
    assert a.data.dtype == b.data.dtype == np.float64
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert a.data.tobytes() == b.data.tobytes()


def assert_matches_sklearn(texts: Sequence[str], **options: Any) -> Tfidf | None:
    """Our result equals scikit-learn's, or both raise ValueError; returns ours."""
    try:
        expected, terms = reference(texts, **options)
    except ValueError:
        with pytest.raises(ValueError):
            ours(texts, **options)
        return None
    result = ours(texts, **options)
    assert_same_matrix(result.matrix, expected)
    assert result.terms() == terms
    # Indices are sorted in every row, and the matrix says so.
    assert result.matrix.has_sorted_indices
    starts = result.matrix.indptr[1:-1]
    step = np.diff(result.matrix.indices)
    assert np.all((step > 0) | np.isin(np.arange(1, result.matrix.nnz), starts))
    return result


def old_tfidf_vectors(papers: Sequence[Paper]) -> Matrix:
    """``generator.stages.link.tfidf_vectors`` as it was with scikit-learn's vectorizer."""
    texts = [f"{p.title}\n{p.abstract}" for p in papers]
    try:
        matrix, _ = reference(texts)
    except ValueError:
        return csr_matrix((len(papers), 0), dtype=np.float64)
    df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)
    ceiling = df_ceiling(df, len(papers))
    if ceiling < df.max(initial=0):
        matrix = matrix[:, np.flatnonzero(df <= ceiling)].tocsr()
    matrix.sort_indices()
    return normalize(matrix, norm="l2", copy=False).tocsr()


def texts_of(papers: Sequence[Paper]) -> list[str]:
    return [f"{p.title}\n{p.abstract}" for p in papers]


@pytest.fixture(scope="module")
def shipped() -> list[Paper]:
    return list(make_plan(DATA).papers)


@pytest.fixture(scope="module")
def synthetic() -> list[Paper]:
    """~2,000 entries of benchmarks/synth.py, each one paper (planted duplicates included)."""
    entries, problems = parse_all(synth.corpus(2_000).listings)
    assert problems == []
    return [
        Paper(f"s{n:05d}", f"s{n:05d}", e.title, e.abstract, (), (e.source,))
        for n, e in enumerate(normalize_entries(entries))
    ]


def test_shipped_corpus_matches_sklearn(shipped: list[Paper]) -> None:
    result = assert_matches_sklearn(texts_of(shipped))
    assert result is not None
    assert result.matrix.shape == (313, 5908)  # the figures in link.py's docstring


def test_synthetic_corpus_matches_sklearn(synthetic: list[Paper]) -> None:
    texts = texts_of(synthetic)
    assert len(texts) == 2_000
    assert sum(not text.isascii() for text in texts) > 0
    result = assert_matches_sklearn(texts)
    assert result is not None
    assert result.matrix.nnz > 100_000


def test_link_vectors_are_unchanged(shipped: list[Paper], synthetic: list[Paper]) -> None:
    for papers in (shipped, synthetic, shipped[:3], shipped[:1], []):
        assert_same_matrix(link.tfidf_vectors(papers), old_tfidf_vectors(papers))


def test_link_vectors_are_unchanged_when_the_ceiling_binds(
    synthetic: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(link, "WORK_FLOOR", 1_000_000)
    monkeypatch.setattr(link, "WORK_PER_PAPER", 500)
    new, old = link.tfidf_vectors(synthetic), old_tfidf_vectors(synthetic)
    assert_same_matrix(new, old)
    assert new.shape[1] < ours(texts_of(synthetic)).matrix.shape[1]  # it did bind


def test_blocks_chunks_and_the_unpacked_sort_give_the_same_matrix(
    synthetic: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Texts split over many blocks and chunks, and the argsort path for huge counts."""
    texts = [*texts_of(synthetic[:300]), "", "the of and", "x", *texts_of(synthetic[300:400])]
    expected = ours(texts)
    monkeypatch.setattr(tfidf_module, "CHUNK", 7)
    monkeypatch.setattr(tfidf_module, "BLOCK", 16)
    monkeypatch.setattr(tfidf_module, "TEXT_BITS", 4)
    small = ours(texts)
    monkeypatch.setattr(tfidf_module, "KEY_BITS", 0)
    unpacked = ours(texts)
    for result in (small, unpacked):
        assert_same_matrix(result.matrix, expected.matrix)
        assert result.terms() == expected.terms()
    assert_matches_sklearn(texts)


def test_other_token_patterns_use_the_regex_and_match_sklearn(
    synthetic: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [*texts_of(synthetic[:200]), "snake_case x86 Ⅻ 東京 ﬁne", "snake_case 東京 x1"]
    expected = assert_matches_sklearn(texts, token_pattern=r"(?u)\b\w\w+\b")  # the default
    assert expected is not None
    assert "snake_case" in expected.terms()
    link_pattern = ours(texts)
    monkeypatch.setattr(tfidf_module, "WHOLE_RUNS", {})  # the link stage's pattern by regex
    by_regex = assert_matches_sklearn(texts)
    assert by_regex is not None
    assert_same_matrix(by_regex.matrix, link_pattern.matrix)


@pytest.mark.parametrize(
    ("texts", "min_df", "max_df"),
    [
        ([], 2, 2),  # no text: empty vocabulary
        (["", ""], 2, 2),
        (["The and of", "of THE"], 1, 5),  # stop words only
        (["a1 b2 c3 to 12 34", "__init__ x_y"], 1, 5),  # no token at all
        (["alpha beta", "gamma delta"], 2, 2),  # nothing in two texts
        (["alpha beta", "alpha beta", "alpha beta"], 1, 2),  # everything in too many
        (["alpha beta", "alpha beta"], 3, 2),  # max_df < min_df
        (["alpha", "beta"], 1, 1),
        (["alpha alpha alpha beta"], 1, 1),
        (["alpha the beta", "alpha beta"], 2, 2),  # a stop word inside a bigram
        (["Café CAFÉ cafe\u0301 naïve", "cafe naive"], 2, 2),
        (["ﬁnal ﬁeld", "final field", "straße strasse"], 2, 3),
        (["İstanbul ISTANBUL istanbul", "ıstanbul istanbul"], 1, 2),
        (["東京 tokyo москва moscow αβγ abc", "tokyo moscow abc"], 2, 2),
        (["gpt4 3dgs x86 a100 l2loss", "gpt4 3dgs a100 l2loss"], 2, 2),
        (["snake_case foo_bar foo bar", "foo bar"], 2, 2),
        (["alpha\nbeta\tgamma", "alpha beta gamma"], 2, 2),
        # Column order: "model zoo" sorts after "model" and before "model0" and "modelzoo".
        (["model zoo modelzoo model0 model aaa model"] * 2 + ["zoo model0"], 2, 3),
        (["ǅemal Ⅻ ℌello ｆｕｌｌｗｉｄｔｈ", "dzemal xii fullwidth hello"], 1, 2),
    ],
)
def test_edge_cases_match_sklearn(texts: list[str], min_df: int, max_df: int) -> None:
    assert_matches_sklearn(texts, min_df=min_df, max_df=max_df)


def test_errors_are_value_errors_like_sklearn() -> None:
    with pytest.raises(ValueError, match="empty vocabulary"):
        ours([])
    with pytest.raises(ValueError, match="no terms remain"):
        ours(["alpha beta", "gamma delta"])
    with pytest.raises(ValueError, match="max_df"):
        ours(["alpha beta"], min_df=3, max_df=2)
    with pytest.raises(ValueError, match="not supported"):
        tfidf(["alpha beta"], token_pattern=r"\w+ \w+", stop_words=(), min_df=1, max_df=1)


def test_too_many_distinct_tokens_is_no_value_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a ValueError, which tfidf_vectors would turn into "nothing is related"."""
    monkeypatch.setattr(tfidf_module, "MAX_TOKENS", 3)
    with pytest.raises(OverflowError):
        ours(["alpha beta gamma delta", "alpha beta"])


def test_preprocess_is_sklearns_on_every_code_point() -> None:
    everything = "".join(map(chr, range(sys.maxunicode + 1)))
    assert preprocess(everything) == strip_accents_unicode(everything.lower())


#: Words that make the hard cases: stop words, accents (composed and not), ligatures,
#: letters that change length when lowercased, other scripts, digits and underscores.
WORDS = [
    "model",
    "models",
    "language",
    "diffusion",
    "the",
    "and",
    "of",
    "we",
    "propose",
    "Model",
    "MODEL",
    "café",
    "cafe\u0301",
    "naïve",
    "Ångström",
    "ﬁne",
    "ﬂow",
    "straße",
    "STRASSE",
    "İzmir",
    "ıi̇",
    "東京",
    "Москва",
    "αβγ",
    "ǅungla",
    "ℌilbert",
    "ＡＢＣ",
    "x86",
    "3d",
    "gpt4",
    "12345",
    "a1",
    "foo_bar",
    "_private",
    "e\u0301e\u0301e\u0301",
    "\u00a0",
    "—",
    "...",
]
separators = st.sampled_from([" ", "\n", "  ", ", ", ".", "-", "/", "", "\t", "\u2009"])
documents = st.lists(st.tuples(st.sampled_from(WORDS), separators), min_size=3, max_size=16).map(
    lambda pairs: "".join(word + gap for word, gap in pairs)
)
noise = st.text(max_size=30)


@settings(max_examples=150, deadline=None)
@given(
    pool=st.lists(st.one_of(documents, documents, documents, noise), min_size=1, max_size=6),
    picks=st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=12),
    min_df=st.integers(min_value=1, max_value=3),
    extra=st.integers(min_value=0, max_value=8),
)
def test_generated_texts_match_sklearn(
    pool: list[str], picks: list[int], min_df: int, extra: int
) -> None:
    """Duplicates come from picking texts of a small pool more than once."""
    texts = [pool[i % len(pool)] for i in picks]
    assert_matches_sklearn(texts, min_df=min_df, max_df=min_df + extra)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80))
def test_preprocess_is_sklearns(text: str) -> None:
    assert preprocess(text) == strip_accents_unicode(text.lower())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            documents,
            st.text(alphabet=st.sampled_from("abcxyz019_ -.,'\n\tABCZ\u00a0é東"), max_size=20),
            st.text(max_size=10),
        ),
        max_size=4,
    ).map("".join)
)
def test_whole_runs_are_the_regex_tokens(text: str) -> None:
    """The split-and-filter tokenizer finds what the token pattern finds, in order."""
    assert TOKEN_PATTERN in WHOLE_RUNS
    for pattern in WHOLE_RUNS:
        runs = [run for run in splitter(pattern)(text) if is_token(pattern)(run)]
        assert runs == re.findall(pattern, preprocess(text))


def test_l2_rows_is_sklearns_normalize_bit_for_bit(
    shipped: list[Paper], synthetic: list[Paper]
) -> None:
    """The link stage's one scikit-learn call, replaced: the same bits, empty rows kept."""
    for texts in (texts_of(shipped), texts_of(synthetic), ["alpha beta", "", "alpha beta gamma"]):
        matrix = ours(texts, min_df=1, max_df=len(texts)).matrix
        assert_same_matrix(l2_rows(matrix.copy()), normalize(matrix.copy(), norm="l2"))
    empty = csr_matrix((3, 0), dtype=np.float64)
    assert l2_rows(empty.copy()).shape == (3, 0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "the", "|"]), max_size=12),
        min_size=1,
        max_size=6,
    )
)
def test_barriers_cut_bigrams_and_nothing_else(docs: list[list[str]]) -> None:
    """``split`` gives the tokens; a barrier is dropped and no bigram spans it, a stop word is
    dropped and its neighbours still make one: scikit-learn with an analyzer doing just that."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    def analyzer(text: str) -> list[str]:
        segments = [[w for w in part.split() if w != "the"] for part in text.split("|")]
        words = [w for segment in segments for w in segment]
        return words + [f"{a} {b}" for seg in segments for a, b in itertools.pairwise(seg)]

    texts = [" ".join(doc) for doc in docs]
    options: dict[str, Any] = {"stop_words": {"the"}, "min_df": 1, "max_df": len(texts)}
    try:
        vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, norm=None)
        expected = vectorizer.fit_transform(texts).tocsr()
    except ValueError:
        with pytest.raises(ValueError):
            tfidf(texts, split=str.split, barriers={"|"}, **options)
        return
    expected.sort_indices()
    result = tfidf(texts, split=str.split, barriers={"|"}, **options)
    assert result.terms() == list(vectorizer.get_feature_names_out())
    assert np.array_equal(result.matrix.indptr, expected.indptr)
    assert np.array_equal(result.matrix.indices, expected.indices)
    assert result.matrix.data.tobytes() == expected.data.astype(np.float64).tobytes()


def test_a_barrier_cuts_where_a_stop_word_does_not() -> None:
    texts = ["alpha the beta", "alpha | beta", "alpha beta"]
    joined = tfidf(texts, split=str.split, stop_words={"the", "|"}, min_df=1, max_df=3)
    cut = tfidf(texts, split=str.split, stop_words={"the"}, barriers={"|"}, min_df=1, max_df=3)
    assert "alpha beta" in joined.terms()
    bigram = cut.terms().index("alpha beta")
    assert cut.matrix[:, bigram].nnz == 2  # the first text (across "the") and the last
    assert cut.matrix[1, bigram] == 0
