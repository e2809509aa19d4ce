"""Candidate topics of each unsorted paper: the cosine to each topic's centroid, the votes of
its nearest sorted papers, and the topic's members closest to it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from generator.model import Paper, Topic
from generator.text.tfidf import Sparse
from generator.tools.suggest.records import (
    CANDIDATES,
    CHUNK,
    NEIGHBOURS,
    SUPPORT,
    Candidate,
    Neighbour,
    UnsortedPaper,
    rounded,
)
from generator.tools.suggest.terms import memberships


def candidates(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    matrix: Sparse,
    unsorted_rows: Sequence[int],
) -> tuple[UnsortedPaper, ...]:
    """Rank topics for each unsorted paper by the cosine to their centroids; count the votes
    of its nearest classified neighbours and name the closest members as support."""
    slugs = [t.slug for t in topics]
    sorted_rows = [i for i, p in enumerate(papers) if p.topics]
    if not sorted_rows or not slugs:
        return tuple(UnsortedPaper(papers[i].id, papers[i].title, ()) for i in unsorted_rows)
    # Rows are in id order, so a column index of `classified` breaks ties by paper id.
    classified = matrix[sorted_rows]
    member = memberships(papers, sorted_rows, slugs)
    centroids = sparse.csr_matrix(sparse.csr_matrix(member.T) @ classified)  # sums
    norms = np.sqrt(np.asarray(centroids.multiply(centroids).sum(axis=1)).ravel())
    centroids = sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ centroids)
    result: list[UnsortedPaper] = []
    for start in range(0, len(unsorted_rows), CHUNK):
        rows = list(unsorted_rows[start : start + CHUNK])
        block = matrix[rows]
        similar = sparse.csr_matrix(block @ classified.T)
        to_centroid = np.asarray((block @ centroids.T).todense())
        for offset, row in enumerate(rows):
            lo, hi = similar.indptr[offset], similar.indptr[offset + 1]
            order = np.lexsort((similar.indices[lo:hi], -similar.data[lo:hi]))
            cols, sims = similar.indices[lo:hi][order], similar.data[lo:hi][order]
            found = _ranked(
                topics, to_centroid[offset], sims[:NEIGHBOURS] @ member[cols[:NEIGHBOURS]]
            )
            ranked = tuple(
                Candidate(
                    slugs[j],
                    topics[j].name,
                    score,
                    votes,
                    tuple(
                        Neighbour(
                            papers[sorted_rows[cols[k]]].id,
                            papers[sorted_rows[cols[k]]].title,
                            rounded(sims[k]),
                        )
                        for k in np.flatnonzero(member[cols, j])[:SUPPORT]
                    ),
                )
                for j, score, votes in found
            )
            result.append(UnsortedPaper(papers[row].id, papers[row].title, ranked))
    return tuple(result)


def _ranked(
    topics: Sequence[Topic], score: npt.NDArray[np.float64], votes: npt.NDArray[np.float64]
) -> list[tuple[int, float, float]]:
    """The :data:`CANDIDATES` best topics (index, score, votes): score, then votes, then slug."""
    scores = [rounded(value) for value in score.tolist()]
    voted = [rounded(value) for value in votes.tolist()]
    ranked = sorted(
        (j for j in range(len(topics)) if scores[j] > 0),
        key=lambda j: (-scores[j], -voted[j], topics[j].slug),
    )[:CANDIDATES]
    return [(j, scores[j], voted[j]) for j in ranked]
