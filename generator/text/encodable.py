"""Text that no file can hold: one home for the rule that refuses it where it is read.

Inputs are decoded as strict UTF-8, so their text is encodable, except what escapes make: JSON's
``"\ud800"`` and YAML's ``"\ud800"`` / ``"\U0000d800"`` give a lone surrogate, a code point that
UTF-8 cannot encode. Writing one fails half way through the write stage, so every reader
refuses it, located, before anything is written (issue 22).
"""

from __future__ import annotations

import re

#: A lone surrogate, as a character or as the escape that makes one (JSON, YAML).
_SUSPECT = re.compile(r"[\ud800-\udfff]|\\(?:u|U0000)[dD][89a-fA-F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def may_hold_surrogates(text: str) -> bool:
    """Whether ``text`` (a file's, before decoding its escapes) could yield a lone surrogate:
    a cheap test that spares the walk of every decoded string in almost every file."""
    return _SUSPECT.search(text) is not None


def surrogate_problem(value: str) -> str | None:
    """Why ``value`` cannot be written (a lone surrogate, and where), or ``None`` when it can."""
    found = _SURROGATE.search(value)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    return (
        f"holds a lone surrogate ({code}) at character {found.start() + 1}, which no UTF-8 file "
        "can hold (an escape such as \\ud800 without its pair)"
    )
