"""The Markdown every generated page is written in: untrusted text made inert, front matter, links.

Untrusted text (titles, abstracts, file names, and even taxonomy text) goes through
:func:`text`, which writes every ASCII punctuation character that Markdown, HTML, MkDocs
extensions or a template engine could read as syntax where it stands as a numeric character
reference. Python Markdown passes such references through untouched, so the reader sees the
literal characters and no input can become a tag, a link, emphasis, a table, a heading or a
template expression. Every page starts with its front matter, whose first line is
:data:`generator.layout.MARKER`, which is how the writer tells its own files from hand-written ones.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from generator.inputs.fields import web_url
from generator.layout import MARKER
from generator.text.folding import sort_key

#: ASCII punctuation that never starts markup in any position once its neighbours are escaped
#: (``(`` and ``)`` only after ``]``, which is always escaped).
_SAFE_PUNCTUATION = frozenset(" ,;%.'()")
#: Punctuation that is syntax only at the start of a line (``-`` list, rule or heading
#: underline; ``:`` definition; ``???`` and ``///`` pymdownx blocks) or, for ``:`` and ``&``,
#: right before a non-space (``:emoji:``, ``scheme:``, ``&name;``). ``-``, ``:`` and ``&`` are
#: the most frequent punctuation in titles and abstracts ("state-of-the-art", "Name: subtitle",
#: "A & B"), and every character reference costs Python Markdown two HTML parser callbacks, an
#: inline pattern match, a stash entry and a placeholder substitution (issue 8: the 31
#: references of a paper page were a sixth of its Markdown time), so they are escaped only
#: where they could be read as syntax.
_CONTEXT_PUNCTUATION = frozenset("-:&?/")
_ALWAYS_ESCAPED = "".join(
    ch
    for ch in map(chr, range(0x21, 0x7F))
    if not ch.isalnum() and ch not in _SAFE_PUNCTUATION | _CONTEXT_PUNCTUATION
)
#: What :func:`text` escapes at the start of the text: the dot of a leading number (an ordered
#: list) or a context character ...
_LEADING_SYNTAX = re.compile(r"(\d+)\.|[-:&?/]")
#: ... and anywhere: every character of :data:`_ALWAYS_ESCAPED`, and ``:`` or ``&`` unless a
#: space follows (the text is on one line with single spaces by then). One character class,
#: which the regex engine scans for quickly; the rare ``:`` / ``&`` is decided per match.
_SYNTAX = re.compile(f"[{re.escape(_ALWAYS_ESCAPED)}:&]")
#: C0/C1 control characters other than whitespace: Python Markdown uses STX/ETX as its own
#: placeholder markers, so they must never reach it.
_CONTROLS = {code: None for code in [*range(0x20), *range(0x7F, 0xA0)] if not chr(code).isspace()}
_CONTROL = re.compile("[" + "".join(map(chr, _CONTROLS)) + "]")


def _reference(match: re.Match[str]) -> str:
    char = match.group()
    if char in ":&" and match.string.startswith(" ", match.end()):
        return char
    return f"&#{ord(char)};"


def text(value: str) -> str:
    """Untrusted text as inert Markdown: one line, markup characters as character references."""
    value = _plain(value)
    head = ""
    if (lead := _LEADING_SYNTAX.match(value)) is not None:
        number = lead.group(1)
        head = f"{number}&#46;" if number is not None else f"&#{ord(lead.group())};"
        value = value[lead.end() :]
    return head + _SYNTAX.sub(_reference, value)


#: A page's description (its ``<meta name="description">``) is cut to this many characters.
DESCRIPTION_CHARS = 160


def front_matter(
    title: str,
    citation: Sequence[tuple[str, str]] = (),
    *,
    hide_toc: bool = False,
    description: str | None = None,
    feed: str | None = None,
) -> str:
    """YAML front matter naming the page, the generated-file marker its first line.

    The title is given explicitly rather than left to MkDocs to take from the page. Themes
    insert ``page.title`` into the HTML unescaped (MkDocs' Jinja environment does not
    autoescape), in element text and attributes, so it is HTML-escaped here, quotes included;
    JSON string syntax is valid YAML.

    ``feed`` is the docs-relative path of the page's own Atom feed (a topic's), which
    ``overrides/main.html`` links from the page's head.

    ``citation`` are Highwire ``citation_*`` (name, content) pairs; ``overrides/main.html``
    writes them as ``<meta>`` tags and escapes them itself, so they are stored as plain text
    (JSON strings, control characters stripped).
    """
    escaped = html.escape(" ".join(title.split()), quote=True)
    lines = ["---", MARKER.rstrip("\n"), f"title: {json.dumps(escaped, ensure_ascii=False)}"]
    if description:  # search engines and link previews: this page's own words, not the site's
        shown = _plain(description)
        if len(shown) > DESCRIPTION_CHARS:
            shown = shown[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0] + "…"
        quoted = json.dumps(html.escape(shown, quote=True), ensure_ascii=False)
        lines.append(f"description: {quoted}")
    if feed:  # a path paperkb makes (generator.layout), never input text
        lines.append(f"feed: {json.dumps(feed)}")
    if citation:
        pairs = [[name, _plain(content)] for name, content in citation]
        lines.append(f"citation: {json.dumps(pairs, ensure_ascii=False)}")
    if hide_toc:  # Material: no table of contents (a paper page's five fixed headings)
        lines.append("hide: [toc]")
    return "\n".join([*lines, "---"]) + "\n"


def _plain(value: str) -> str:
    """``value`` on one line with single spaces, without control characters."""
    if _CONTROL.search(value) is not None:
        value = value.translate(_CONTROLS)
    return " ".join(value.split())


def _link(label: str, target: str) -> str:
    return f"[{text(label)}]({target})"


def _letter(title: str) -> str:
    first = sort_key(title)[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


#: Characters a URL from a record keeps as they are in a link target; every other one is
#: percent-encoded, so no URL can end the Markdown link or the HTML attribute it becomes
#: (quotes too: Python Markdown would read ``'...'`` in a target as the link's title), and no
#: extension reads part of it as syntax (``$...$`` is math to ``pymdownx.arithmatex``).
_URL_SAFE = "!#%&+,/:;=?@~-._"
#: Longest label of a link to a URL from a record (its host and path), then cut with "…".
_URL_LABEL_CHARS = 60


def _href(url: str | None) -> str | None:
    """A record's URL as a Markdown link target (``()[]<>"'``, spaces, backslashes, braces and
    the like percent-encoded, ``&`` as ``&amp;``), or ``None`` unless it is an http(s) URL.

    The records reader keeps only such URLs (:func:`generator.inputs.fields.web_url`); checked
    again here, so that no other scheme can become a link whatever made the :class:`Metadata`. An
    ``&`` is written as a reference because Python Markdown keeps ``&copy;`` in an ``href`` as
    the entity it looks like; ``&amp;`` reaches the browser as the ``&`` the URL has.
    """
    checked = web_url(url)
    return None if checked is None else quote(checked, safe=_URL_SAFE).replace("&", "&amp;")


#: A web address in running text, glued to what precedes it or not ("...webpage.https://x"):
#: the scheme, then everything up to a space, a quote or an angle bracket.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
#: Punctuation that ends a sentence rather than the address it follows.
_URL_TRAILER = ".,;:!?)]}*_"


def text_with_links(value: str) -> str:
    """:func:`text`, with every http(s) address in it a link to itself.

    Only what :func:`_href` accepts (absolute http(s) with a host, percent-encoded so that it
    cannot end the link) becomes a link; the visible text is the address as written, escaped
    like all text, so nothing of the input becomes markup. Trailing sentence punctuation stays
    outside the link, and so does a closing parenthesis that the address did not open.
    """
    plain = _plain(value)
    parts: list[str] = []
    at = 0
    for match in _URL_IN_TEXT.finditer(plain):
        url = _trimmed(match.group())
        target = _href(url)
        if target is None:
            continue
        parts += [_escaped(plain[at : match.start()], leading=at == 0), _link(url, target)]
        at = match.start() + len(url)
    if not parts:
        return text(plain)
    return "".join(parts) + _escaped(plain[at:], leading=False)


def _trimmed(url: str) -> str:
    """``url`` without the sentence punctuation after it (a balanced ``)`` is its own)."""
    while url and url[-1] in _URL_TRAILER:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _escaped(segment: str, *, leading: bool) -> str:
    """A piece of :func:`text` (already on one line): markup characters as references."""
    if leading:
        return text(segment) + (" " if segment.endswith(" ") else "")
    return _SYNTAX.sub(_reference, segment)


def url_label(url: str) -> str:
    """What a link to ``url`` shows: host and path without scheme, ``www.`` or a final ``/``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    label = (host + parts.path).rstrip("/") or host
    if len(label) > _URL_LABEL_CHARS:
        label = label[: _URL_LABEL_CHARS - 1] + "…"
    return label
