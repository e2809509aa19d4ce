"""Folding text for comparison and order: one home for the Unicode rules that keys share.

:func:`title_key` is the exact-deduplication key of a title (dedupe, the permalink registry,
overrides, fetch); :func:`sort_key` the locale-independent A-Z order of the rendered lists.
"""

from __future__ import annotations

import unicodedata


def title_key(title: str) -> str:
    """The exact-deduplication key of a (cleaned) title.

    Compatibility-decomposes, drops combining marks, casefolds and keeps only alphanumeric
    characters, so case, spacing, punctuation, dashes, quotes, Unicode form and words glued
    together (``Recipefor``) do not matter. A title of symbols only falls back to its
    casefolded NFC form without whitespace, so distinct symbol titles keep distinct keys.
    """
    decomposed = unicodedata.normalize("NFKD", title)
    folded = unicodedata.normalize("NFKD", decomposed.casefold())
    key = "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))
    if key:
        return key
    return "".join(unicodedata.normalize("NFC", title).casefold().split())


def sort_key(title: str) -> tuple[str, str]:
    """Locale-independent A-Z order: accents and case folded, then the raw title."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    if folded.isascii():  # no combining marks to drop: the common case
        return (folded, title)
    return ("".join(ch for ch in folded if not unicodedata.combining(ch)), title)
