"""The one rule for an abstract's first sentence, cut to a length: the gist under a title in the
site's lists and a page's description (:func:`generator.render.lists.gist`), and a search
result's snippet (:func:`generator.render.search.rows.snippet`)."""

from __future__ import annotations

import re

#: A sentence ends at ``.``, ``!`` or ``?`` followed by space and what starts a sentence.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
#: How far past the limit a sentence end is looked for (further, the text is cut anyway).
_LOOKAHEAD = 60


def first_sentence(text: str, max_chars: int) -> str:
    """``text``'s first sentence; when longer than ``max_chars``, cut at a word and ended with
    an ellipsis. Only the first ``max_chars + 60`` characters are read: text from the inputs is
    already on one line (:func:`generator.stages.normalize.clean_text`)."""
    flat = " ".join(text[: max_chars + _LOOKAHEAD].split())
    end = SENTENCE_END.search(flat)
    first = flat[: end.start()] if end else flat
    if len(first) <= max_chars:
        return first
    cut = first[: max_chars - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:…") + "…"
