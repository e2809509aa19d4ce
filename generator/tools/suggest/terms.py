"""The terms a proposal can be made of, and the TF-IDF vectors of the papers' terms.

Terms are cut where :mod:`generator.stages.classify` cuts its phrases (:class:`Analyzer`), so a
proposed phrase matches where its term was seen; the vectors are :func:`generator.text.tfidf.tfidf`
over those cuts (its ``split`` and ``barriers`` options), each row scaled to unit length.
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from generator.model import Paper
from generator.text.tfidf import Sparse, l2_rows, tfidf
from generator.text.words import ABSTRACT_WORDS, ENGLISH_STOP_WORDS, SHORT_WORDS, SUGGEST_WORDS

#: Short function words and words every abstract uses: they name no topic.
STOP_WORDS = ENGLISH_STOP_WORDS | ABSTRACT_WORDS | SHORT_WORDS | SUGGEST_WORDS
#: The token :meth:`Analyzer.tokens` writes for a barrier: punctuation, a stop word, a number.
BARRIER = "|"

# A word, hyphenated words counting as one ("multi-task"), or a run of punctuation (a barrier):
# generator.stages.classify's tokens, except that it reads a hyphen as a space.
_TOKEN = re.compile(r"\w+(?:-+\w+)*|[^\w\s-]+")
# The same for ASCII text, faster: punctuation but hyphens and underscores becomes a barrier
# (one character for one keeps str.translate on its fast path; "|" is spaced out after).
_ASCII_SPLIT = str.maketrans({char: "|" for char in string.punctuation if char not in "-_"})
_WORD = re.compile(r"\w+")
_COMPOUND = re.compile(r"\w+(?:-+\w+)*")


class Analyzer:
    """Unigrams and bigrams of a text that can be written as phrases of the taxonomy.

    Lowercased with ``str.lower`` as the matcher does, and cut where classify's matching is cut:
    a bigram is two words with nothing but spaces between them, so the phrase made of it
    matches where the bigram was seen. Hyphenated words stay whole (``multi-task``, not a
    bigram ``controllable multi`` cut out of ``controllable multi-task``). Stop words, numbers
    and one-letter words are dropped and break bigrams. Each token is judged once per analyzer
    (a corpus has far fewer distinct tokens than tokens).
    """

    def __init__(self) -> None:
        # token -> the word it stands for, "" for a barrier, None for a lone hyphen (nothing)
        self.seen: dict[str, str | None] = {}

    def words(self, text: str) -> list[str]:
        """The text's words in order, ``""`` where a barrier cuts (lone hyphens are dropped)."""
        lower = text.lower()
        # ASCII, the common case, is split in C as generator.stages.classify does.
        tokens = (
            lower.translate(_ASCII_SPLIT).replace("|", " | ").split()
            if lower.isascii()
            else _TOKEN.findall(lower)
        )
        seen = self.seen
        kept = [seen[t] if t in seen else self._judge(t) for t in tokens]
        return [word for word in kept if word is not None]

    def tokens(self, text: str) -> list[str]:
        """:meth:`words` with :data:`BARRIER` for each cut: the ``split`` of :func:`vectors`."""
        return [word or BARRIER for word in self.words(text)]

    def __call__(self, text: str) -> list[str]:
        kept = self.words(text)
        terms: list[str] = [word for word in kept if word]
        terms += [f"{a} {b}" for a, b in itertools.pairwise(kept) if a and b]
        return terms

    def _judge(self, token: str) -> str | None:
        word: str | None = token.strip("-")
        if not word:
            word = None  # classify reads a run of hyphens as a space
        elif not (
            len(word) > 1
            and _COMPOUND.fullmatch(word) is not None  # a phrase can say it
            and not word.replace("-", "").isdigit()
            and word not in STOP_WORDS
        ):
            word = ""
        self.seen[token] = word
        return word


def analyze(text: str) -> list[str]:
    """Unigrams and bigrams of ``text`` that can be written as phrases (see :class:`Analyzer`)."""
    return Analyzer()(text)


def paper_text(paper: Paper) -> str:
    """Title and abstract as one text, with a barrier between them: no bigram spans the two."""
    return f"{paper.title} {BARRIER} {paper.abstract}"


def vectors(texts: Sequence[str]) -> tuple[Sparse, list[str]]:
    """Unit-length TF-IDF rows of ``texts``' terms (:class:`Analyzer`), and the terms (sorted).

    What scikit-learn's ``TfidfVectorizer(analyzer=analyze, sublinear_tf=True)`` computes
    (``tests/test_suggest.py`` compares the two): :func:`generator.text.tfidf.tfidf` with the
    analyzer's words as tokens and its cuts as barriers, every term kept, then
    :func:`generator.text.tfidf.l2_rows`. A text without a term gets an empty row.
    """
    try:
        result = tfidf(
            texts,
            split=Analyzer().tokens,
            stop_words=(),
            barriers=(BARRIER,),
            min_df=1,
            max_df=len(texts),
        )
    except ValueError:  # no text, or no term in any
        return sparse.csr_matrix((len(texts), 0), dtype=np.float64), []
    return l2_rows(result.matrix), result.terms()


def same(phrase: str) -> str:
    """What classify sees of a phrase: its lowercased words, and whether it ends in ``*``."""
    text = phrase.strip().lower()
    return " ".join(_WORD.findall(text)) + ("*" if text.endswith("*") else "")


def presence(matrix: Sparse) -> Sparse:
    """``matrix`` with every stored value 1: which rows hold which terms."""
    present = matrix.copy()
    present.data[:] = 1.0
    return present


def memberships(
    papers: Sequence[Paper], rows: Sequence[int], slugs: Sequence[str]
) -> npt.NDArray[np.float64]:
    """A 0/1 matrix: for each of ``rows``, the topics of ``slugs`` its paper is in (a slug
    the taxonomy does not know counts for nothing)."""
    column = {slug: j for j, slug in enumerate(slugs)}
    member = np.zeros((len(rows), len(slugs)), dtype=np.float64)
    for r, i in enumerate(rows):
        for slug in papers[i].topics:
            if slug in column:
                member[r, column[slug]] = 1.0
    return member
