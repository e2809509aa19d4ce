"""Which words of a title keep their case when a citation style changes it.

Citation styles re-case titles: BibTeX styles such as ``plain`` make them sentence case, CSL
styles title or sentence case. Words written with a capital after their first letter (``LLM``,
``ViTok``, ``GPT-4``, ``2D``, ``iPhone``) and the name a title opens with (``Mamba`` in
``Mamba: Linear-Time ...``, ``Graph Mamba: ...``) are names and acronyms, and must come out as
written. Zotero and Better BibTeX protect the same words, with braces in BibTeX and
``<span class="nocase">`` in CSL-JSON; :mod:`generator.render.cite` writes both from
:func:`protected_words`.
"""

from __future__ import annotations

import re

#: A title's name, before its first colon, is at most this many words.
MAX_NAME_WORDS = 3
_PARTS = re.compile(r"[-/–—]")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def _mixed_case(word: str) -> bool:
    """Whether a part of a word has a capital after its first character (``LLM``, ``2D``)."""
    core = _EDGE.sub("", word)
    return any(ch.isupper() for ch in core[1:])


def protected_words(title: str) -> list[bool]:
    """For each word of ``title`` (split on spaces), whether it keeps its case.

    A word keeps its case when one of its hyphen- or slash-separated parts has a capital
    after its first character (``Vision-LLM``, ``GPT-4``; not ``Self-Supervised``), or when it
    is a capitalized word of the title's name: the words before a first colon, when they are
    at most :data:`MAX_NAME_WORDS`.
    """
    words = title.split(" ")
    keep = [any(_mixed_case(part) for part in _PARTS.split(word)) for word in words]
    head, colon, _ = title.partition(":")
    named = head.split(" ")
    if colon and 0 < len(named) <= MAX_NAME_WORDS:
        for index, word in enumerate(named):
            core = _EDGE.sub("", word)
            if core[:1].isupper():
                keep[index] = True
    return keep
