"""TF-IDF of words and bigrams counted with NumPy: scikit-learn's matrix, bit for bit, faster.

The link stage used scikit-learn's ``TfidfVectorizer(strip_accents="unicode", lowercase=True,
token_pattern=..., stop_words=..., ngram_range=(1, 2), min_df=<int>, max_df=<int>,
sublinear_tf=True, norm=None, dtype=np.float64)``. Its counting is a Python loop over every
word and bigram, and every bigram becomes a string in one vocabulary (millions at 100k papers,
most of them then dropped by ``min_df``): a quarter of a 100k generate run. :func:`tfidf`
computes the same matrix with the per-token work done in C:

1. texts are preprocessed as scikit-learn does (:func:`preprocess`: ``str.lower``, then its
   ``strip_accents_unicode``: text that is not ASCII is NFKD-normalized and loses its
   combining characters) and split into tokens as ``re.findall`` of the token pattern would
   (:func:`splitter`; for the link stage's pattern, ASCII text is cut at C speed by
   ``str.translate`` and ``str.split``, see :data:`WHOLE_RUNS`);
2. tokens become integer codes through a dict whose default is its own length, looked up by
   ``map`` into ``np.fromiter`` (:func:`tokenize`), :data:`CHUNK` texts at a time;
3. stop words are dropped by a mask over the codes *before* bigrams are made, as scikit-learn
   does: a bigram joins two consecutive kept words of one text, across a dropped word;
4. the texts are then taken :data:`BLOCK` at a time (arrays of ~1 MB, reused while they are
   in the CPU cache). In a first pass, sorted int64 keys ``(word, text)`` and ``(w1, w2,
   text)`` give each word's and bigram's document frequency; ``min_df`` and ``max_df``
   (document counts, inclusive) then choose the terms. Columns are in the terms' sorted
   string order, as scikit-learn's, found from the words' order without making the strings
   of bigrams (:meth:`Tfidf.terms` spells them out on demand). A second pass counts the kept
   terms of each text into the CSR matrix, rows sorted by column;
5. weights are computed as scikit-learn's ``TfidfTransformer`` does, the same float64
   operations in the same order: ``log(count) + 1`` times ``log((n + 1) / (df + 1)) + 1``.

The one difference: scikit-learn leaves the terms of a row in the order they were first seen
in the corpus (its matrix's ``has_sorted_indices`` is false); here each row is sorted by
column, the order :func:`generator.stages.link.tfidf_vectors` sorted it into anyway. Errors are
scikit-learn's: a :class:`ValueError` when there is no text, no token that is not a stop word
("empty vocabulary"), no term left after pruning, or ``max_df < min_df``.
``tests/test_tfidf.py`` compares the two on the shipped corpus, a synthetic one and generated
texts (accents, ligatures, other scripts, combining marks, digits, underscores, stop words
only, empty texts, duplicates). NumPy's ``log`` gives the same bits for a value wherever it
sits in an array, which the comparisons at 10k and 100k texts below confirm.

Measured 2026-11-23 on the shared 2-core machine (the lead's timings running alongside),
texts of ``benchmarks/synth.py`` corpora (title + abstract of every parsed entry), with
``.venv/bin/python -m benchmarks.bench_tfidf``; identical matrices and terms at both sizes.
In one process, back to back: :func:`tfidf`, scikit-learn, then :func:`tfidf` again (in the
heap scikit-learn's millions of small objects left, as in a pipeline run); then each alone in
a fresh process, with its peak RSS (``VmHWM``; the loaded texts alone: 133 MB at 10k, 262 MB
at 100k). Ranges of three runs:

* 10,000 entries: one process 0.48-0.54 s, 1.87-2.05 s, 0.45-0.53 s (3.4x to 4.5x); alone
  scikit-learn 1.60-2.28 s, 224-228 MB, :func:`tfidf` 0.52-0.59 s, 198-200 MB.
* 100,000 entries: one process 6.3-7.2 s, 22.2-24.5 s, 5.7-8.7 s (2.7x to 3.9x); alone
  scikit-learn 21.2-24.4 s, 931-932 MB, :func:`tfidf` 6.2-7.2 s, 638-639 MB. (Three earlier
  runs on a quieter machine: 16.8-20.3 s against 5.0-5.2 s alone.)

Terms at 100k: 251,520 kept of 852,246 distinct words and bigrams; 21.8 million entries.
Of this module's ~6 s at 100k, 3 to 4 s are the tokenizing (string objects and dict lookups,
which scikit-learn does too) and ~2 s the counting.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

#: Texts tokenized per step. Small, so that a step's token strings (~100 KB) are freed while
#: still in the CPU cache and the next step reuses that memory: at 100k texts tokenizing took
#: 3.1 to 3.3 s with 16, 4.3 to 8 s with 1,000 (the more, the more fragmented other work had
#: left the heap). Each step costs a small array; 8 to 16 were the fastest.
CHUNK = 16
#: Texts counted per step: the step's arrays (~1 MB each) stay in the CPU cache. At 100k
#: texts the counting took ~1.8 s with 1,024, 2.0 to 2.3 s with 512, 2,048 or 4,096.
BLOCK = 1024
#: Bits of a text's position in its block, in a packed (term, text) key.
TEXT_BITS = (BLOCK - 1).bit_length()
#: Bits of a packed sort key (an int64, kept non-negative).
KEY_BITS = 63
#: Most distinct tokens (2**26): a bigram's two codes and a text's position in its block, or
#: a count of texts of a block, must fit in an int64 (63 bits).
MAX_TOKENS = 1 << (62 - TEXT_BITS) // 2

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
IndexArray = npt.NDArray[np.signedinteger[Any]]
Sparse = Any
"""A SciPy CSR matrix (SciPy ships no type information)."""
Splitter = Callable[[str], list[str]]

#: Token patterns whose tokens are whole runs of word characters (``\w``), with the pattern
#: a run must match. A pattern ``\b X \b`` where X matches only word characters finds
#: exactly the runs that X matches in full: ``\b`` allows a match to start or end only at
#: an end of a run. For these, text that is ASCII once lowercased is split into runs by
#: ``str.translate`` and ``str.split``, a quarter faster than the regex (30k texts: 1.05 s
#: against 1.40 s); runs that do not match are then dropped like stop words (the tests check
#: that the kept runs are what ``re.findall`` finds). Other texts and patterns use the regex.
WHOLE_RUNS = {r"(?u)\b[a-z][a-z0-9]{2,}\b": r"[a-z][a-z0-9]{2,}"}
#: Every ASCII character that is not a word character (for ``re``) to a space.
_ASCII_BREAKS = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}


@dataclass(frozen=True, slots=True, eq=False)
class Tfidf:
    """A TF-IDF matrix and its terms.

    Column ``j`` of :attr:`matrix` is the word ``words[first[j]]`` when ``second[j]`` is -1,
    else the bigram ``words[first[j]] + " " + words[second[j]]``: :meth:`terms` spells them
    out, which the link stage never needs (strings for every bigram are what made
    scikit-learn slow).
    """

    matrix: Sparse
    """``scipy.sparse.csr_matrix`` of float64, one row per text, indices sorted in each row."""
    words: tuple[str, ...]
    """Every distinct token met (for :data:`WHOLE_RUNS`, run of word characters), stop words
    included, in order of first appearance."""
    first: IntArray
    """Per column, the position in :attr:`words` of its (first) word."""
    second: IntArray
    """Per column, the position of a bigram's second word; -1 for a word."""

    def terms(self) -> list[str]:
        """The term of each column, in column (sorted string) order."""
        words = self.words
        return [
            words[a] if b < 0 else f"{words[a]} {words[b]}"
            for a, b in zip(self.first.tolist(), self.second.tolist(), strict=True)
        ]


@functools.cache
def _combining() -> dict[int, None]:
    """``str.translate`` table deleting every character with a nonzero combining class.

    The characters ``unicodedata.combining`` reports under the running Python's Unicode
    version, so deleting them equals scikit-learn's character-by-character filter. Built on
    first use (about 0.2 s), once per process.
    """
    combining = unicodedata.combining
    return {cp: None for cp in range(sys.maxunicode + 1) if combining(chr(cp))}


def preprocess(text: str) -> str:
    """Lowercase, then strip accents, exactly as ``strip_accents="unicode", lowercase=True``.

    Order matters and is scikit-learn's: ``"İ".lower()`` is ``"i̇"`` (i + combining dot above),
    whose dot the stripping then removes. ASCII text is returned as it is, as scikit-learn
    does (NFKD leaves ASCII unchanged and it has no combining character).
    """
    text = text.lower()
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).translate(_combining())


def splitter(token_pattern: str) -> Splitter:
    """A text's tokens as scikit-learn finds them: ``findall`` on the preprocessed text.

    For a pattern of :data:`WHOLE_RUNS` the result holds, for ASCII text, every run of word
    characters instead, to be filtered with :func:`is_token`.
    """
    findall = re.compile(token_pattern).findall
    if token_pattern not in WHOLE_RUNS:
        return lambda text: findall(preprocess(text))

    def split(text: str) -> list[str]:
        text = text.lower()
        if text.isascii():
            return text.translate(_ASCII_BREAKS).split()
        return findall(unicodedata.normalize("NFKD", text).translate(_combining()))

    return split


def is_token(token_pattern: str) -> Callable[[str], bool]:
    """Whether a string :func:`splitter` returned is a token of ``token_pattern``."""
    if token_pattern not in WHOLE_RUNS:
        return lambda token: True
    fullmatch = re.compile(WHOLE_RUNS[token_pattern]).fullmatch
    return lambda token: fullmatch(token) is not None


def tokenize(texts: Sequence[str], split: Splitter) -> tuple[list[str], Int32Array, IntArray]:
    """(distinct tokens, the code of every token of every text in order, tokens per text).

    A token's code is its position in the first list (order of first appearance). Codes come
    from a ``defaultdict`` whose default is its own length (scikit-learn's trick), looked up
    by ``map`` into ``np.fromiter``: one C-level dict lookup per token.
    """
    vocabulary: defaultdict[str, int] = defaultdict()
    vocabulary.default_factory = vocabulary.__len__
    code = vocabulary.__getitem__
    parts: list[Int32Array] = [np.zeros(0, dtype=np.int32)]
    lengths: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(texts), CHUNK):
        tokens = [split(text) for text in texts[start : start + CHUNK]]
        counts = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        flat = itertools.chain.from_iterable(tokens)
        parts.append(np.fromiter(map(code, flat), dtype=np.int32, count=int(counts.sum())))
        lengths.append(counts)
    return list(vocabulary), np.concatenate(parts), np.concatenate(lengths)


def _runs(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Start and length of each run of equal values in ``keys`` (sorted)."""
    change = np.empty(keys.size, dtype=np.bool_)
    change[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    lengths = np.empty_like(starts)
    np.subtract(starts[1:], starts[:-1], out=lengths[:-1])
    lengths[-1:] = keys.size - starts[-1:]
    return starts, lengths


def _distinct(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Sort ``keys`` in place; each distinct key once, and how often it occurs."""
    keys.sort()
    starts, counts = _runs(keys)
    return keys[starts], counts


@dataclass(frozen=True, slots=True)
class _Block:
    """The distinct terms of a block of texts: ``(term << TEXT_BITS) | text`` keys and counts.

    ``text`` is the text's position in the block. A word's term is its token code; a bigram's
    is ``(code of w1 << word_bits) | code of w2``. Keys are sorted, so by term, then text.
    """

    words: IntArray
    word_counts: IntArray
    pairs: IntArray
    pair_counts: IntArray


def _block(
    words: Int32Array, lengths: IntArray, word_bits: int, segments: IntArray | None = None
) -> _Block:
    """Words and bigrams of the texts of one block: their kept words' codes, and how many.

    Stop words are already dropped, so a bigram joins two consecutive kept words of a text;
    with ``segments`` (per kept word, the number of barriers before it), only two words that
    no barrier separates.
    """
    word = words.astype(np.int64)
    text = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    key = word << TEXT_BITS
    key |= text
    distinct_words, word_counts = _distinct(key)
    same = text[1:] == text[:-1]
    if segments is not None:
        same &= segments[1:] == segments[:-1]
    key = word[:-1][same]
    key <<= word_bits
    key |= word[1:][same]
    key <<= TEXT_BITS
    key |= text[1:][same]
    pairs, pair_counts = _distinct(key)
    return _Block(distinct_words, word_counts, pairs, pair_counts)


@dataclass(frozen=True, slots=True)
class _Kept:
    """The kept tokens of a block of texts: codes, how many per text, and their segments."""

    tokens: Int32Array
    counts: IntArray
    segments: IntArray | None

    def block(self, word_bits: int) -> _Block:
        return _block(self.tokens, self.counts, word_bits, self.segments)


def _kept_blocks(
    codes: Int32Array, lengths: IntArray, usable: BoolArray, cut: BoolArray | None
) -> list[_Kept]:
    """Stop words (and runs that are no token) go first, before bigrams are made; then the
    texts are taken in blocks of :data:`BLOCK` texts. ``cut`` marks barrier tokens: dropped
    too, and no bigram spans one (each kept token gets the count of barriers before it)."""
    n = lengths.size
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    blocks: list[_Kept] = []
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        tokens = codes[offsets[start] : offsets[stop]]
        keep = usable[tokens]
        text = np.repeat(np.arange(stop - start, dtype=np.int32), lengths[start:stop])
        segments = None if cut is None else np.cumsum(cut[tokens], dtype=np.int64)[keep]
        counts = np.bincount(text[keep], minlength=stop - start)
        blocks.append(_Kept(tokens[keep], counts, segments))
    return blocks


@dataclass(frozen=True, slots=True)
class _Frequencies:
    """Document frequencies of every word (by code) and of every bigram met (by pair code)."""

    word_df: IntArray
    pair_code: IntArray
    pair_df: IntArray


def _frequencies(blocks: Sequence[_Kept], distinct: int, word_bits: int) -> _Frequencies:
    """A word's document frequency from the blocks. A bigram's from each block's distinct
    bigrams, each with the number of the block's texts that have it (packed in an int64:
    bigram, then that number), sorted all together and summed per bigram."""
    word_df = np.zeros(distinct, dtype=np.int64)
    in_blocks = [np.zeros(0, dtype=np.int64)]
    for kept in blocks:
        block = kept.block(word_bits)
        word_df += np.bincount(block.words >> TEXT_BITS, minlength=distinct)
        pairs = block.pairs >> TEXT_BITS  # sorted
        starts, with_it = _runs(pairs)
        pairs = pairs[starts]
        pairs <<= TEXT_BITS + 1
        pairs |= with_it
        in_blocks.append(pairs)
    packed = np.concatenate(in_blocks)
    del in_blocks
    packed.sort()
    pair_code = packed >> (TEXT_BITS + 1)
    starts, _ = _runs(pair_code)
    pair_code = pair_code[starts]
    pair_df = (
        np.add.reduceat(packed & ((1 << (TEXT_BITS + 1)) - 1), starts) if starts.size else starts
    )
    return _Frequencies(word_df, pair_code, pair_df)


@dataclass(frozen=True, slots=True)
class _Columns:
    """The kept terms in column (string) order, and how to find a term's column."""

    first: IntArray
    second: IntArray
    df: IntArray
    word_column: IntArray
    """Per token code, its column, or -1."""
    pair_code: IntArray
    """Kept bigrams' pair codes, sorted, and their columns."""
    pair_column: IntArray


def _columns(
    words: Sequence[str], freq: _Frequencies, word_bits: int, min_df: int, max_df: int
) -> _Columns:
    """Terms in ``min_df..max_df`` documents, in the terms' string order, computed without the
    strings: tokens hold no character up to the space, so "w1 w2" sorts right after "w1" and
    before any longer token starting with w1, and bigrams sort by (w1, w2). A term's key is
    (rank of its first word, then 0 for a word or 1 + rank of its second word)."""
    good_words = np.flatnonzero((freq.word_df >= min_df) & (freq.word_df <= max_df))
    good = (freq.pair_df >= min_df) & (freq.pair_df <= max_df)
    pair_code, pair_df = freq.pair_code[good], freq.pair_df[good]
    columns = good_words.size + pair_code.size
    if columns == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    rank = np.empty(len(words), dtype=np.int64)
    rank[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
    first = np.concatenate([good_words, pair_code >> word_bits])
    second = np.concatenate(
        [np.full(good_words.size, -1, dtype=np.int64), pair_code & ((1 << word_bits) - 1)]
    )
    after = np.where(second < 0, 0, rank[second] + 1)
    order = np.argsort(rank[first] * (len(words) + 1) + after)  # keys are distinct
    column = np.empty(columns, dtype=np.int64)
    column[order] = np.arange(columns, dtype=np.int64)
    word_column = np.full(len(words), -1, dtype=np.int64)
    word_column[good_words] = column[: good_words.size]
    df = np.concatenate([freq.word_df[good_words], pair_df])[order]
    return _Columns(
        first[order], second[order], df, word_column, pair_code, column[good_words.size :]
    )


def _idf(n: int, df: IntArray) -> npt.NDArray[np.float64]:
    """scikit-learn's smooth idf, operation for operation: ``log((n + 1) / (df + 1)) + 1``."""
    idf = np.full(df.size, fill_value=n + 1, dtype=np.float64)
    idf /= df.astype(np.float64) + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def _weights(blocks: Sequence[_Kept], cols: _Columns, word_bits: int, n: int) -> Sparse:
    """The CSR matrix, block by block: each block's kept terms sorted by (text, column), one
    sort of (text, column, count) packed into an int64 key when they fit; then as
    scikit-learn does, on each value: count as float64, log, + 1 (sublinear_tf), * idf."""
    idf = _idf(n, cols.df)
    columns = cols.df.size
    nnz = int(cols.df.sum())
    index_type = np.int32 if max(nnz, columns) <= np.iinfo(np.int32).max else np.int64
    indptr: IndexArray = np.zeros(n + 1, dtype=index_type)
    indices: IndexArray = np.empty(nnz, dtype=index_type)
    data = np.empty(nnz, dtype=np.float64)
    column_bits = max(1, (columns - 1).bit_length())
    done = 0
    for number, kept in enumerate(blocks):
        block = kept.block(word_bits)
        col, key, count = _block_terms(block, cols)
        rows = np.bincount(key, minlength=kept.counts.size)
        key <<= column_bits
        key |= col
        count_bits = int(count.max(initial=0)).bit_length()
        if TEXT_BITS + column_bits + count_bits <= KEY_BITS:
            key <<= count_bits
            key |= count
            key.sort()
            count = key & ((1 << count_bits) - 1)
            key >>= count_bits
            col = key & ((1 << column_bits) - 1)
        else:  # counts too large to pack with the text and column: never seen in practice
            sequence = np.argsort(key)
            col, count = col[sequence], count[sequence]
        end = done + col.size
        indices[done:end] = col
        weights = data[done:end]
        weights[:] = count
        np.log(weights, out=weights)
        weights += 1.0
        weights *= idf[col]
        start = number * BLOCK + 1
        np.cumsum(rows, out=indptr[start : start + kept.counts.size])
        indptr[start : start + kept.counts.size] += done
        done = end
    matrix = csr_matrix((data, indices, indptr), shape=(n, columns))
    matrix.has_sorted_indices = True  # sorted by construction (the tests check)
    return matrix


def _block_terms(block: _Block, cols: _Columns) -> tuple[IntArray, IntArray, IntArray]:
    """The kept terms of a block: (column, text in the block, count), words then bigrams. Each
    of the block's bigrams is looked up once among the kept ones (both sorted)."""
    text_mask = (1 << TEXT_BITS) - 1
    word_col = cols.word_column[block.words >> TEXT_BITS]
    kept = word_col >= 0
    pairs = block.pairs >> TEXT_BITS
    starts, repeats = _runs(pairs)
    pairs = pairs[starts]
    pair_code = cols.pair_code
    at = np.searchsorted(pair_code, pairs)
    found = at < pair_code.size
    found[found] = pair_code[at[found]] == pairs[found]
    pair_col = np.full(pairs.size, -1, dtype=np.int64)
    pair_col[found] = cols.pair_column[at[found]]
    pair_col = np.repeat(pair_col, repeats)
    hit = pair_col >= 0
    col = np.concatenate([word_col[kept], pair_col[hit]])
    key = np.concatenate([block.words[kept] & text_mask, block.pairs[hit] & text_mask])
    count = np.concatenate([block.word_counts[kept], block.pair_counts[hit]])
    return col, key, count


def tfidf(
    texts: Sequence[str],
    *,
    token_pattern: str = "",
    stop_words: Collection[str],
    min_df: int,
    max_df: int,
    split: Splitter | None = None,
    barriers: Collection[str] = (),
) -> Tfidf:
    """TF-IDF rows of ``texts``: words and bigrams, sublinear tf, smooth idf, not normalized.

    Equal to scikit-learn's ``TfidfVectorizer(strip_accents="unicode", lowercase=True,
    token_pattern=token_pattern, stop_words=stop_words, ngram_range=(1, 2), min_df=min_df,
    max_df=max_df, sublinear_tf=True, norm=None, dtype=np.float64).fit_transform(texts)``
    (with its rows' indices sorted), and :meth:`Tfidf.terms` to its
    ``get_feature_names_out()``. A term is kept when it is in at least ``min_df`` and at most
    ``max_df`` texts.

    Two options go beyond scikit-learn's vectorizer (``tools/suggest`` uses them; without them
    the result is the one above, bit for bit): ``split``, a function giving a text's tokens
    instead of ``token_pattern`` (it does its own lowercasing), and ``barriers``, tokens that
    are dropped like stop words but also cut: no bigram joins the words on either side of one
    (a stop word lets its neighbours form a bigram, as in scikit-learn).

    Raises :class:`ValueError` where scikit-learn does (see the module docstring), and for a
    token pattern that matches an empty string or a character up to the space (a bigram's
    string would then not sort as its pair of words; no pattern of word characters does).
    Raises :class:`OverflowError` beyond :data:`MAX_TOKENS` distinct tokens.
    """
    n = len(texts)
    words, codes, lengths = tokenize(texts, split or splitter(token_pattern))
    if not all(words) or min("".join(words), default="!") <= " ":
        raise ValueError("token pattern matched an empty string or a space: not supported")
    if len(words) > MAX_TOKENS:
        raise OverflowError(f"{len(words):,} distinct tokens: at most {MAX_TOKENS:,} fit")
    stops, cuts = frozenset(stop_words), frozenset(barriers)
    valid = is_token(token_pattern) if split is None else lambda token: True
    usable = np.fromiter(
        (w not in stops and w not in cuts and valid(w) for w in words),
        dtype=np.bool_,
        count=len(words),
    )
    cut = np.fromiter((w in cuts for w in words), dtype=np.bool_, count=len(words))
    blocks = _kept_blocks(codes, lengths, usable, cut if cuts else None)
    del codes, lengths
    if not any(kept.tokens.size for kept in blocks):
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    if max_df < min_df:
        raise ValueError("max_df corresponds to < documents than min_df")
    word_bits = max(1, (len(words) - 1).bit_length())
    freq = _frequencies(blocks, len(words), word_bits)
    cols = _columns(words, freq, word_bits, min_df, max_df)
    del freq
    matrix = _weights(blocks, cols, word_bits, n)
    return Tfidf(matrix, tuple(words), cols.first, cols.second)


def l2_rows(matrix: Sparse) -> Sparse:
    """``matrix`` (CSR, float64) with each row scaled to unit length, in place; returned.

    scikit-learn's ``normalize(matrix, norm="l2", copy=False)``, bit for bit: each row's squares
    summed one after another in index order (``np.add.at`` is unbuffered and in order), the
    square root taken, and every value divided by it; a row of zeros stays as it is.
    """
    data = matrix.data
    lengths = np.diff(matrix.indptr)
    squares = np.zeros(matrix.shape[0], dtype=np.float64)
    np.add.at(squares, np.repeat(np.arange(matrix.shape[0]), lengths), data * data)
    norms = np.sqrt(squares)
    norms[norms == 0.0] = 1.0
    data /= np.repeat(norms, lengths)
    return matrix
