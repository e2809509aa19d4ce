"""MkDocs hook: paperkb's generated link lists, and text without inline syntax, as literal text
that Python Markdown's inline parser does not read.

Python Markdown spends most of a generated page's time on its links: each ``[label](target)``
is found by two inline patterns that walk the label character by character, the target is
walked again, and the label is parsed once more (issue 8; profile in
benchmarks/results/profile-mkdocs.md). paperkb writes about eleven links per paper, almost all
in two shapes:

* a block whose every line is ``- [label](target)``, optionally followed by ``: text``
  (related papers, topic pages, the A-Z list);
* a paragraph: lines joined by hard line breaks (two spaces, a newline), made of bold names
  ``**Name:**``, links and text, none starting like a list item or indented: topic chips
  (``**Topics:** [label](target) · [label](target)``), a paper's byline (``**Authors:** [A](x),
  [B](y)``, ``**arXiv:** [id](https://...) ([PDF](https://...)) · [Hugging Face](https://...)``,
  ``**Find it:** ...``), an abstract with web addresses as links. A target is a page of the
  site or an http(s) address with nothing but the characters ``generator.render.markdown``
  leaves in one (no space, quote, parenthesis, bracket, backslash, backtick or angle bracket).

And a line of text with no inline syntax at all (an abstract, a heading, a table cell) is
marked as literal text before Python Markdown's inline parser runs, which spares its pattern
scans (about 0.1 ms per 1,000 characters) of text in which no pattern can match.

When label and text hold no Markdown or HTML syntax (ASCII punctuation only as the ``&#NN;``
references that ``generator.render.markdown.text`` writes, or as ``-:()'.,;?%/``, and ``&`` before a
space), such a block becomes the very elements Python Markdown would make, with label and text
as literal text: never parsed, escaped by the serializer. The links are ordinary ``<a href>``
elements of the page's tree, so MkDocs still resolves, rewrites and validates every one of them
(``--strict``). Any other block, and a list that Markdown would join to a neighbouring list or
indented block, is left to Python Markdown: the hook changes how fast pages are made, not what
they hold, and a site built without it is only slower.
"""

from __future__ import annotations

import html
import re
from typing import Any
from xml.etree import ElementTree as etree

from markdown import Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

#: Keeps no state across pages (it only adds a Markdown extension): paperkb's parallel build
#: may run it in several processes.
PARALLEL_SAFE = True

#: Text without Markdown or HTML syntax: no syntax or control character (Python Markdown's
#: placeholders are made of STX/ETX), and ``&`` only in a numeric character reference or before
#: a space.
_PLAIN = r"(?:[^\\`*_\[\]<>&{}|#~^=+$@!\"\x00-\x1f\x7f]|&#[0-9]{1,7};|&(?= ))*"
#: A link target: a page of the site, or an http(s) address written by paperkb's renderers.
_TARGET = r"[A-Za-z0-9._/-]+|https?://[A-Za-z0-9!#$%&+,/:;=?@~._-]+"
_LINK = rf"\[({_PLAIN})\]\(({_TARGET})\)"
_ITEM = re.compile(rf"- {_LINK}(: {_PLAIN})?")
#: One piece of a line of a paragraph of facts: a link, a bold name, or text without a newline.
#: A name neither starts nor ends with white space: Python Markdown keeps a ``**`` between
#: spaces as text.
_PIECE = re.compile(rf"{_LINK}|\*\*([^\s*](?:[^\n*]*[^\s*])?)\*\*|([^\n\[*]+)")
_TEXT = re.compile(_PLAIN)
#: A hard line break: two spaces at the end of a line.
_BREAK = "  \n"
#: A block that Markdown adds to a list right before it: indented, or a list item.
_CONTINUES = re.compile(r"[ \t]|[*+-][ \t]|[0-9]+\.[ \t]")


def _literal(value: str) -> AtomicString:
    # Python Markdown's serializer keeps an "&" that starts an entity as it is (the text
    # "&lt;" would reach the reader as "<"), so every "&" of the literal text is written out.
    if "&" not in value:
        return AtomicString(value)  # nothing to decode or to write out
    return AtomicString(html.unescape(value).replace("&", "&amp;"))


def _link(parent: etree.Element, label: str, target: str) -> etree.Element:
    link = etree.SubElement(parent, "a", {"href": target})
    link.text = _literal(label)
    return link


class LinkBlocks(BlockProcessor):  # type: ignore[misc]  # Markdown ships no type hints
    """The two block shapes above, at the top level of a page."""

    tested: tuple[str, list[list[Piece]] | None] = ("", None)

    def test(self, parent: etree.Element, block: str) -> bool:
        if parent is not self.parser.root or block.endswith(" "):
            return False
        if block.startswith("- ["):
            if len(parent) and parent[-1].tag in ("ul", "ol"):
                return False  # Markdown would continue that list (a loose list)
            return all(_ITEM.fullmatch(line) for line in block.split("\n"))
        self.tested = (block, _facts(block))  # read once: run() builds what test() read
        return self.tested[1] is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        if blocks[0].startswith("- [") and len(blocks) > 1 and _CONTINUES.match(blocks[1]):
            # Markdown makes the next block part of this list: let its list processor do both.
            self.parser.blockprocessors["ulist"].run(parent, blocks)
            return
        block = blocks.pop(0)
        if block.startswith("- ["):
            items = etree.SubElement(parent, "ul")
            for line in block.split("\n"):
                match = _ITEM.fullmatch(line)
                assert match is not None
                label, target, tail = match.groups()
                link = _link(etree.SubElement(items, "li"), label, target)
                if tail:
                    link.tail = _literal(tail)
            return
        tested, lines = self.tested
        if tested is not block:  # Markdown runs a processor right after its test: never here
            lines = _facts(block)
        assert lines is not None
        paragraph = etree.SubElement(parent, "p")
        last: etree.Element | None = None
        for number, pieces in enumerate(lines):
            if number:
                last = etree.SubElement(paragraph, "br")
            for label, target, name, words in pieces:
                if target:
                    last = _link(paragraph, label, target)
                elif name:
                    last = etree.SubElement(paragraph, "strong")
                    last.text = _literal(name)
                elif last is None:
                    paragraph.text = _literal(words)
                else:
                    last.tail = _literal(words)


Piece = tuple[str, str, str, str]
"""A link's label and target, a bold name, or text: one of the three is set."""


def _facts(block: str) -> list[list[Piece]] | None:
    """The lines of a paragraph of facts, in pieces; None for any other block."""
    lines = []
    for line in block.split(_BREAK):
        if not line or line.endswith(" ") or _CONTINUES.match(line):
            return None  # a list item, an indented line: Markdown's own block
        pieces = []
        position = 0
        while position < len(line):
            match = _PIECE.match(line, position)
            if match is None:
                return None
            label, target, name, words = match.groups()
            if target is None and not _TEXT.fullmatch(name or words):
                return None  # syntax in a name or in text: Python Markdown's to read
            pieces.append((label or "", target or "", name or "", words or ""))
            position = match.end()
        lines.append(pieces)
    return lines


class PlainText(Treeprocessor):  # type: ignore[misc]
    """Text and tails of one line without inline syntax become literal text."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            text, tail = element.text, element.tail
            if text and not isinstance(text, AtomicString) and _TEXT.fullmatch(text):
                element.text = _literal(text)
            if tail and not isinstance(tail, AtomicString) and _TEXT.fullmatch(tail):
                element.tail = _literal(tail)


class LiteralTextExtension(Extension):  # type: ignore[misc]
    def extendMarkdown(self, md: Markdown) -> None:
        # After every processor that could claim such a block first (indented code, headings,
        # rules, ordered lists), before Python Markdown's lists (30) and paragraphs (10).
        md.parser.blockprocessors.register(LinkBlocks(md.parser), "paperkb_link_blocks", 35)
        # Right before Python Markdown's inline parser ("inline", 20).
        md.treeprocessors.register(PlainText(md), "paperkb_plain_text", 21)


def on_config(config: Any) -> Any:
    config.markdown_extensions.append(LiteralTextExtension())
    return config
