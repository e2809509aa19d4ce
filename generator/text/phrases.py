"""The taxonomy's phrase rule, read by the taxonomy reader, the classifier and the suggester."""

from __future__ import annotations

import re

_PHRASE = re.compile(r"\w+(?:[\s-]+\w+)*\*?")


def phrase_error(phrase: str) -> str | None:
    """Why ``phrase`` is not a valid phrase, or ``None`` when it is."""
    text = phrase.strip()
    if not text:
        return "is empty"
    if _PHRASE.fullmatch(text) is None:
        if text.startswith("*") or "*" in text[:-1]:
            return "may hold '*' only at its very end, after a letter or digit"
        return "may hold only letters, digits, underscores, spaces, hyphens and a final '*'"
    return None
