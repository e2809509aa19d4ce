"""MkDocs hook: drop the indentation and blank lines Material's templates leave in every page.

A paper page is ~20 KB of HTML, ~3 KB of which is template indentation. Whitespace between
and inside tags collapses to one space when rendered, so replacing "newline + indentation" by a
newline changes nothing a reader sees, except inside ``<pre>`` and ``<textarea>`` (kept as they
are: the BibTeX block) and ``<script>`` (left untouched out of caution). Measured on the
shipped site and at 10k papers: see benchmarks/results/pipeline.md.

Plain MkDocs hook (``hooks:`` in mkdocs.yml); a site built without it is only bigger.
"""

from __future__ import annotations

import re
from typing import Any

_KEEP = re.compile(r"(<(pre|textarea|script)\b.*?</\2>)", re.S | re.I)
_INDENT = re.compile(r"\n[ \t]+")
_BLANK_LINES = re.compile(r"\n{2,}")


def compact(html: str) -> str:
    """``html`` without indentation and blank lines outside pre, textarea and script."""
    out: list[str] = []
    position = 0
    for match in _KEEP.finditer(html):
        out.append(_BLANK_LINES.sub("\n", _INDENT.sub("\n", html[position : match.start()])))
        out.append(match.group(1))
        position = match.end()
    out.append(_BLANK_LINES.sub("\n", _INDENT.sub("\n", html[position:])))
    return "".join(out)


def on_post_page(output: str, page: Any, config: Any) -> str:
    return compact(output)
