"""Text that XML can carry: shared by the charts (SVG) and the feed (Atom)."""

from __future__ import annotations

import re

#: Characters XML 1.0 forbids, plus C1 controls and lone surrogates.
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def xml_line(value: str) -> str:
    """One line of text: XML-forbidden characters dropped, whitespace runs made one space."""
    return " ".join(XML_INVALID_RE.sub("", value).split())
