"""MkDocs hook: drop the indentation and blank lines Material's templates leave in every page.

A paper page is ~20 KB of HTML, ~3 KB of which is template indentation. Whitespace between
and inside tags collapses to one space when rendered, so replacing "newline + indentation" by a
newline changes nothing a reader sees, except inside ``<pre>`` and ``<textarea>`` (kept as they
are: the BibTeX block) and ``<script>`` (left untouched out of caution). A line break right
before a block element's tag (:data:`BLOCKS`) goes too (about 100 bytes a page): CSS drops
white space at the end of a line and between block boxes; tests/test_browser.py checks that
pages lay out to the same boxes and text with and without those line breaks. Measured on the
shipped site and at 10k papers: see benchmarks/results/pipeline.md.

Plain MkDocs hook (``hooks:`` in mkdocs.yml); a site built without it is only bigger.
"""

from __future__ import annotations

import re
from typing import Any

_KEEP = re.compile(r"(<(pre|textarea|script)\b.*?</\2>)", re.S | re.I)
#: A line break with the indentation and blank lines after it (one pass: a line break stays).
_BREAK_AND_SPACE = re.compile(r"\n[ \t\n]+")
#: Elements that are blocks (or table parts, or only in <head>) in every browser's default
#: style sheet and in Material's: a line break right before one of their tags is white space at
#: the end of a line or between boxes, which CSS drops. Not inline elements, not <script>.
BLOCKS = (
    "html|head|body|meta|link|title|div|nav|ul|ol|li|dl|dt|dd|header|footer|main|article|"
    "section|aside|form|fieldset|table|caption|thead|tbody|tfoot|tr|th|td|h[1-6]|p|"
    "blockquote|figure|figcaption|hr|details|summary"
)
_BEFORE_BLOCK = re.compile(rf"\n(?=</?(?:{BLOCKS})[\s/>])", re.I)

#: Keeps no state across pages: paperkb's parallel build may run it in several processes.
PARALLEL_SAFE = True


def _squeeze(part: str) -> str:
    return _BEFORE_BLOCK.sub("", _BREAK_AND_SPACE.sub("\n", part))


def compact(html: str) -> str:
    """``html`` without indentation, blank lines and line breaks before block tags, outside
    pre, textarea and script."""
    out: list[str] = []
    position = 0
    for match in _KEEP.finditer(html):
        out.append(_squeeze(html[position : match.start()]))
        out.append(match.group(1))
        position = match.end()
    out.append(_squeeze(html[position:]))
    return "".join(out)


def on_post_page(output: str, page: Any, config: Any) -> str:
    return compact(output)
