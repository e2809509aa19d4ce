"""Every number and word list the dedupe decision uses, each with its reason."""

from __future__ import annotations

from typing import Literal

# --- thresholds: every number the decision uses, with its reason ----------------------------

#: At most this many single-letter edits (Levenshtein on title keys) make a title a typo of
#: another: "a letter or two dropped or swapped" (a swap is 2). The closest distinct titles in
#: the shipped corpus differ by 18 edits (ratio 74), so 2 leaves a wide margin; whole-word
#: differences (``Towards``, ``v2``, ``-2``) are caught by the guards below anyway.
TITLE_MAX_EDITS = 2

#: Every edit must fall inside a word of at least this many letters (in the title that has the
#: letter): typos in long words are the variants seen; a changed letter in a short word
#: (``Net``/``Nets``, ``GAN``/``GANs``) too often names a different thing.
LONG_WORD_MIN = 5

#: ...and the titles' ``fuzz.ratio`` (0-100, on title keys) must be at least this: two edits in
#: a very short title are not a typo. 2 edits in a 40-letter key score 95; in a 20-letter key 90.
TITLE_MIN_RATIO = 90.0

#: Candidate pairs at least this similar (``fuzz.ratio`` on title keys) are scored in full and,
#: when not merged, reported as near misses. ``Towards X``/``X`` and ``X v2: Y``/``X: Y`` for
#: typical titles score 85-95; the closest distinct shipped titles score 74.
NEAR_MISS_MIN_RATIO = 80.0

#: Abstracts agree when they share at least this many sentences...
ABSTRACT_MIN_SHARED_SENTENCES = 2
#: ...and the longer one has at most this many sentences not in the other ("revised by one
#: sentence": one changed, added or removed). Shipped abstracts have 6-15 sentences, and no
#: two different shipped papers share a single one.
ABSTRACT_MAX_CHANGED_SENTENCES = 1
#: ...or, failing the sentence test (e.g. a one-sentence abstract with a typo fixed), when their
#: keys' ``fuzz.ratio`` is at least this. Unrelated English abstracts score 40-60 (different
#: shipped papers: at most 47), so 90 leaves a wide margin.
ABSTRACT_MIN_RATIO = 90.0

#: A title edit outside long words (a letter lost in ``UI-JEPA``, ``KMM``, ``HPC``) still makes
#: a typo when the abstracts are this close: they agree (above) and their keys'
#: ``fuzz.ratio`` is at least this, both being at least :data:`RETITLE_MIN_ABSTRACT_CHARS`
#: long. Different shipped papers score at most 47; an abstract revised by one sentence (one
#: added, removed or replaced) scores 84-97 (the shortest shipped abstracts, 6 sentences,
#: give the low end). The guards (numbers, version words, ``Towards``) still apply.
CLOSE_ABSTRACT_MIN_RATIO = 80.0

#: A retitled paper is recognised by an identical abstract only when the abstract is at least
#: this long: placeholder abstracts ("Abstract.", "TBD") must not merge different titles. The
#: shortest shipped abstract has 1,358 characters.
RETITLE_MIN_ABSTRACT_CHARS = 200

#: Blocking: every pair of a title's 4 rarest tokens is a block key. Two edits touch at most
#: two tokens per title, so the two rarest *shared* tokens are among both titles' 4 rarest.
BLOCK_PAIR_TOKENS = 4
#: Also each of the 3 rarest tokens alone, when its document frequency is at most 64: cheap
#: (blocks stay small) and finds near misses whose token counts differ (``Towards X``/``X``).
BLOCK_SINGLE_TOKENS = 3
BLOCK_SINGLE_MAX_DF = 64
#: Titles of at most 3 tokens may share fewer than 2 tokens with their typo, so they are also
#: blocked on every token, among short titles only (a few percent of all titles).
SHORT_TITLE_TOKENS = 3
#: Above this block size, candidates are scored with ``rapidfuzz.process.extract`` (a C loop).
BLOCK_C_LOOP = 16

#: The report lists at most this many closest pairs that were kept apart.
MAX_NEAR_MISSES = 50

#: Whole words that mark a version or variant of a paper: titles must agree on them.
VERSION_WORDS = frozenset(
    {"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii"}
    | {"plus", "pro", "lite", "mini", "nano", "tiny", "turbo", "next", "xl", "xxl"}
)
#: A leading word that makes a different (position) paper: "Towards X" is not "X".
HEDGE_WORDS = frozenset({"toward", "towards"})

Kind = Literal["canonical", "arxiv", "exact", "fuzzy", "retitled", "override"]
