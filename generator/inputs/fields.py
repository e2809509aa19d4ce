"""The rules a record's fields share, whatever file they come from: arXiv ids, web addresses,
the longest title and abstract, how an offending value is quoted in a message."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from generator.inputs.listings import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS

#: An arXiv identifier: new style ``YYMM.NNNN(N)`` (since 2007) or old style
#: ``archive(.XX)/YYMMNNN`` (before 2007, e.g. ``cs/0112017``, ``math.GT/0309136``,
#: ``hep-th/9901001``), optionally with a version ``vN`` and an ``arXiv:`` prefix. Only the id
#: proper (group ``id``) is kept.
ARXIV_ID = re.compile(
    r"(?:arxiv:)?(?P<id>"
    r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"  # new style: YYMM.NNNNN
    r"|[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3}"  # old: archive.XX/YYMMNNN
    r")(?:v[1-9]\d*)?",
    re.IGNORECASE | re.ASCII,  # ASCII: ``\d`` must not match other scripts' digits
)
#: New-style ids began in April 2007 with 4-digit serials, 5 digits since January 2015.
_FIRST_NEW_STYLE = "0704"
_FIVE_DIGITS = "1501"
WEB_SCHEMES = frozenset({"http", "https"})
#: The longest URL kept.
MAX_URL_CHARS = 2_000
#: Longest excerpt of an offending value quoted in a message.
_SHOWN_CHARS = 60
#: The longest title and abstract a record may give (as a listing's,
#: :mod:`generator.inputs.listings`), by field name.
LIMITS = {"title": MAX_TITLE_CHARS, "summary": MAX_ABSTRACT_CHARS, "abstract": MAX_ABSTRACT_CHARS}


def arxiv_id(text: str) -> str | None:
    """The arXiv id in ``text`` without prefix and version, or ``None`` if it is not one.

    A new-style id must have the serial length of its month (``2401.4081`` is not an id: since
    2015 serials have 5 digits). Matching ignores case (``arXiv:`` and ``arxiv:`` are both
    seen), so an old-style id is restored to its canonical case: the archive lowercase, the
    subject class uppercase (``math.GT``).
    """
    match = ARXIV_ID.fullmatch(text.strip())
    if match is None:
        return None
    found = match.group("id")
    archive, slash, number = found.partition("/")
    if not slash:
        month, _, serial = found.partition(".")
        if month < _FIRST_NEW_STYLE or len(serial) != (5 if month >= _FIVE_DIGITS else 4):
            return None
        return found
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def shown(value: str) -> str:
    """``repr`` of an offending value, shortened: messages quote it, they do not reproduce it."""
    if len(value) > _SHOWN_CHARS:
        value = value[: _SHOWN_CHARS - 3] + "..."
    return repr(value)


def one_line(text: str) -> str:
    return " ".join(text.split())


def web_url(value: object) -> str | None:
    """``value`` if it is an absolute ``http`` or ``https`` URL with a host, else ``None``.

    No whitespace or control character anywhere (browsers drop some of them, which would make
    the URL another one), at most :data:`MAX_URL_CHARS` characters. Anything else, a
    ``javascript:`` or ``data:`` URL above all, is never a link.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL_CHARS:
        return None
    if any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not host:
        return None
    return url
