"""Authors as the records name them: one page per person-as-written, never a guessed identity.

Records give author names as free text (``Metadata.authors``), so one person appears under
several spellings: ``Zoë Smith``, ``Zoe Smith``, ``ZOË  SMITH``, ``Zoe-Smith``. :func:`author_key`
folds exactly the differences that cannot tell two people apart: Unicode compatibility forms,
accents, case, letters with a stroke (``ø``, ``ł``), punctuation and spacing. It never guesses
beyond that: ``J. Smith`` and ``John Smith`` stay two authors (an initial could be anyone), and
``Smith, John`` and ``John Smith`` stay two (reordering would need to know which part is the
surname). A missed merge costs a reader one extra click; a wrong merge credits a paper to the
wrong person.

Hyphens and apostrophes are separators like spaces, so ``Jean-Pierre`` matches ``Jean Pierre``
and ``O'Brien`` matches ``O Brien`` (but not ``OBrien``): the letters and their order are the
same, only the punctuation between them differs, which is how the same name gets typed on
different keyboards and exported by different tools.

**URLs.** An author's id (the page ``authors/<id>.md``) is python-slugify's slug of the key, so
it depends only on the normalized name: it stays the same as papers are added or removed, and
whichever spelling is shown. The one limitation: two different keys can slugify alike (``张伟``
and ``Zhang Wei`` both give ``zhang-wei``; keys longer than :data:`MAX_ID_LENGTH` are cut). Such
a collision is resolved in key order, the first key keeping the plain slug and later ones
getting ``-2``, ``-3``, ...; so a newly added author whose key sorts first can take over a slug
another author had, and that author's suffix can change. Authors have no permalink registry
(unlike papers, see :mod:`generator.stages.permalinks`) because collisions are rare and an author
page is a listing, not a citation target.

Pure and deterministic: the result does not depend on the order of the papers given.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from slugify import slugify

from generator.layout import MAX_ID_LENGTH, RESERVED_NAMES
from generator.model import Paper

FALLBACK_ID = "author"
"""The id of an author whose name slugify cannot transliterate (e.g. some Javanese letters)."""

#: Combining marks that are accents on Latin, Greek and Cyrillic letters (Combining Diacritical
#: Marks and its Extended/Supplement blocks, and those for symbols). Only these are stripped:
#: in other scripts (Devanagari, Thai, ...) combining marks are vowels, and dropping them would
#: merge different names.
_ACCENT_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF))
_ACCENTS = {code: None for start, end in _ACCENT_RANGES for code in range(start, end + 1)} | {
    0xFE20 + i: None for i in range(16)
}

#: Latin letters whose diacritic is part of the letter, so NFKD leaves them whole: mapped like
#: the accents above (as slugify's transliteration does). And modifier letters that are typed
#: as apostrophes or primes (``Oʼbrien``, ``ʻOkina``): separators, like the ASCII apostrophe.
#: Applied after casefold.
_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ŧ": "t", "ı": "i", "æ": "ae", "œ": "oe"}
    | dict.fromkeys("ʹʺʻʼʽʾʿˈˊˋ", " ")
)

#: Unicode categories that are part of a word: letters, numbers and (non-accent) combining
#: marks, which are vowel signs in Devanagari, Thai, ... Everything else separates words.
_WORD_CATEGORIES = frozenset("LNM")

#: C0/C1 control characters other than whitespace (which separates words): never shown.
_CONTROLS = dict.fromkeys(
    code for code in [*range(0x20), *range(0x7F, 0xA0)] if not chr(code).isspace()
)


def author_key(name: str) -> str:
    """The normalized form two spellings of one name share; ``""`` for a name without letters.

    Caseless matching as Unicode defines it (NFKD, casefold, NFKD again), with accents dropped,
    then every run of non-alphanumeric characters (spaces, dots, hyphens, commas, apostrophes,
    symbols) collapsed to one space. ``"Zoë  Smith"``, ``"ZOE SMITH"`` and ``"Zoe-Smith"``
    give ``"zoe smith"``; ``"J. Smith"`` gives ``"j smith"``, which is not ``"john smith"``.
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    folded = unicodedata.normalize("NFC", folded.translate(_ACCENTS)).translate(_LETTERS)
    words = "".join(ch if unicodedata.category(ch)[0] in _WORD_CATEGORIES else " " for ch in folded)
    return " ".join(words.split())


def display_name(name: str) -> str:
    """A name as written, cleaned for showing: NFC, no control characters, single spaces."""
    return " ".join(unicodedata.normalize("NFC", name).translate(_CONTROLS).split())


@dataclass(frozen=True, slots=True)
class Author:
    """One author page: everyone whose written name has the same :func:`author_key`.

    ``name`` is the spelling shown: the most frequent written form (after
    :func:`display_name`), ties going to the form that appears in the paper with the smallest
    id, then to the lexicographically smallest. ``papers`` are paper ids, sorted.
    """

    id: str
    name: str
    key: str
    papers: tuple[str, ...]


def make_slug(key: str) -> str:
    """The id an author with this key gets, before collision handling."""
    slug = slugify(key, max_length=MAX_ID_LENGTH, word_boundary=True, save_order=True)
    if not slug:
        return FALLBACK_ID
    if slug in RESERVED_NAMES:
        return f"{slug}-author"
    return slug


def _with_suffix(slug: str, number: int) -> str:
    suffix = f"-{number}"
    return slug[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix


def _assign_ids(keys: Iterable[str]) -> dict[str, str]:
    """Key -> unique id. A plain slug always goes to the first key (in key order) that makes it,
    even when an earlier key's suffixed id would be the same text; suffixed ids then take the
    smallest free number."""
    slugs = {key: make_slug(key) for key in sorted(keys)}
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for key, slug in slugs.items():
        if slug not in taken:
            ids[key] = slug
            taken.add(slug)
    for key, slug in slugs.items():
        if key in ids:
            continue
        number = 2
        while _with_suffix(slug, number) in taken:
            number += 1
        ids[key] = _with_suffix(slug, number)
        taken.add(ids[key])
    return ids


def collect_authors(papers: Sequence[Paper]) -> tuple[Author, ...]:
    """One :class:`Author` per distinct :func:`author_key` over all papers' authors.

    Names whose key is empty (only punctuation or symbols) are not authors and get no page.
    Sorted by key (accent- and case-folded name as written, given name first: surnames are not
    guessed), then id; the order of ``papers`` does not matter.
    """
    forms: dict[str, Counter[str]] = {}
    first_seen: dict[tuple[str, str], str] = {}
    paper_ids: dict[str, set[str]] = {}
    for paper in sorted(papers, key=lambda p: p.id):
        for written in paper.meta.authors:
            key = author_key(written)
            if not key:
                continue
            shown = display_name(written)
            forms.setdefault(key, Counter())[shown] += 1
            first_seen.setdefault((key, shown), paper.id)
            paper_ids.setdefault(key, set()).add(paper.id)
    ids = _assign_ids(forms)
    authors = [
        Author(
            id=ids[key],
            name=min(counts, key=lambda form: (-counts[form], first_seen[key, form], form)),
            key=key,
            papers=tuple(sorted(paper_ids[key])),
        )
        for key, counts in forms.items()
    ]
    return tuple(sorted(authors, key=lambda a: (a.key, a.id)))


def by_key(authors: Iterable[Author]) -> dict[str, Author]:
    """Author key -> author, for looking up a written name with :func:`author_key`."""
    return {author.key: author for author in authors}


def authors_of(paper: Paper, index: Mapping[str, Author]) -> tuple[Author, ...]:
    """A paper's authors in its own order, each once; names without a page are left out."""
    found: dict[str, Author] = {}
    for written in paper.meta.authors:
        author = index.get(author_key(written))
        if author is not None:
            found.setdefault(author.key, author)
    return tuple(found.values())
