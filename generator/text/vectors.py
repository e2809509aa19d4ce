"""TF-IDF vectors of texts, as the link stage and the learned assignment weigh them.

:func:`term_vectors` is :func:`generator.text.tfidf.tfidf` with the project's terms
(:data:`generator.text.words.TERM_PATTERN`, :data:`generator.text.words.TERM_STOP_WORDS`,
words and bigrams, sublinear tf), each row scaled to unit length; :func:`blend` joins such
blocks side by side (a paper's whole text and its title, say) so that the dot product of two
rows is the weighted sum of their blocks' cosines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from generator.text.tfidf import Sparse, l2_rows, tfidf
from generator.text.words import TERM_PATTERN, TERM_STOP_WORDS


def term_counts(texts: Sequence[str], *, min_df: int, max_df: int | None = None) -> Sparse:
    """TF-IDF rows (CSR, sorted indices, not normalized) of ``texts``; terms in ``min_df`` to
    ``max_df`` texts (default: all). No text, or no such term: a matrix of no columns."""
    try:  # scikit-learn's TfidfVectorizer, bit for bit (generator/text/tfidf.py), faster
        return tfidf(
            texts,
            token_pattern=TERM_PATTERN,
            stop_words=TERM_STOP_WORDS,
            min_df=min_df,
            max_df=len(texts) if max_df is None else max_df,
        ).matrix
    except ValueError:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float64)


def term_vectors(texts: Sequence[str], *, min_df: int, max_df: int | None = None) -> Sparse:
    """:func:`term_counts`, each row scaled to unit length."""
    return l2_rows(term_counts(texts, min_df=min_df, max_df=max_df))


def blend(parts: Sequence[tuple[Sparse, float]]) -> Sparse:
    """Blocks of unit-length rows side by side, each scaled by the square root of its weight,
    then each row to unit length again.

    The dot product of two rows is then a weighted sum of their blocks' cosines: with both
    rows' blocks all non-empty, exactly the weighted sum (weights summing to 1); a block that
    is empty in a row gives its weight to the others. The norm is known without summing the
    squares (each block's row is of length 1 or 0). Columns keep their order within a block, so
    indices stay sorted and every dot product sums in the same order.
    """
    rows = parts[0][0].shape[0] if parts else 0
    mass = np.zeros(rows, dtype=np.float64)
    for matrix, weight in parts:
        mass += weight * (np.diff(matrix.indptr) > 0)
    norms = np.sqrt(mass)
    norms[norms == 0.0] = 1.0
    scaled = [
        sparse.csr_matrix(sparse.diags(math.sqrt(weight) / norms) @ matrix)
        for matrix, weight in parts
    ]
    joined = sparse.hstack(scaled, format="csr")
    joined.sort_indices()
    return joined
