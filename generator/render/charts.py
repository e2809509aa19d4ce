"""Charts drawn at build time: no JavaScript, no network, no fonts to fetch.

Each function returns one ``<figure class="pkb-chart">`` block, meant to be put into a
generated Markdown page with a blank line before and after it. Python Markdown passes a raw
HTML block through untouched when it starts at the beginning of a line and holds no blank
line, so the block never contains one and no line of it is indented. MkDocs does not rewrite
links inside raw HTML, so every ``href`` is given by the caller relative to the page the
chart goes on (``topics/agents.html``).

The bar chart is HTML (a list whose items the site's CSS lays out as bars: its text is the
page's text, readable at any width); the topic map is inline SVG with a ``<figcaption>``.
Colours come from Material for MkDocs' CSS custom properties in ``style`` attributes (which
always resolve ``var()``), each with a fallback, and a plain presentation attribute beside it
for renderers without CSS; text is ``currentColor``, so it follows the light and dark palettes.
Classes are ``pkb-`` prefixed so the site's CSS can restyle them.

All text is untrusted (titles and topic names come from the data): it is stripped of characters
XML forbids and written with every ASCII punctuation character that XML, HTML, Markdown or a
template engine could read as syntax as a numeric character reference, so a label such as
``<script>`` or ``{{ x }}`` stays literal text. Sizes are computed from character counts, not
from fonts, so the same input always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from generator.text.markup import XML_INVALID_RE, xml_line

SVG_NS = "http://www.w3.org/2000/svg"

#: At most this many related topics are drawn around a topic; more would overlap on the circle.
MAX_NEIGHBOURS = 8

WIDTH = 640
FONT_SIZE = 13
SMALL_FONT_SIZE = 12
#: Average advance of a character as a fraction of the font size; wide (CJK) characters count
#: twice. Generous for proportional sans-serif fonts (mixed-case English averages about 0.48),
#: so estimated text rarely outgrows its box.
CHAR_WIDTH = 0.55

PRIMARY = "var(--md-primary-fg-color, #4051b5)"
#: Bars: the site's CSS sets ``--pkb-chart-bar`` to a lighter colour in the dark palette, where
#: the primary colour has too little contrast (2.3:1) against the background.
BAR = f"var(--pkb-chart-bar, {PRIMARY})"
PRIMARY_FALLBACK = "#4051b5"
ON_PRIMARY = "var(--md-primary-bg-color, #fff)"
BACKGROUND = "var(--md-default-bg-color, #fff)"
EDGE = "var(--md-default-fg-color--lighter, rgba(0, 0, 0, 0.32))"
EDGE_FALLBACK = "#999"

_IDENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_SAFE_PUNCTUATION = frozenset(" ,.;:?%/()'-")
_ESCAPES = {
    ord(ch): f"&#{ord(ch)};"
    for ch in map(chr, range(0x21, 0x7F))
    if not ch.isalnum() and ch not in _SAFE_PUNCTUATION
}
#: An href must not start with a scheme (``javascript:``, ``http:``) or a network path.
_SCHEME_RE = re.compile(r"[^/?#]*:")


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: what it counts, how many, and the page it links to (page-relative), if any."""

    label: str
    value: int
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Node:
    """A topic on a topic map: its name, page-relative link (if any) and number of papers."""

    label: str
    href: str | None
    count: int


def _esc(value: str) -> str:
    """Untrusted text as inert XML text or double-quoted attribute value."""
    return xml_line(value).translate(_ESCAPES)


def _units(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _text_width(value: str, size: float) -> float:
    return sum(map(_units, value)) * size * CHAR_WIDTH


def _clip(value: str, max_units: int) -> str:
    """``value`` cut to ``max_units`` character widths, with an ellipsis when it was cut."""
    if sum(map(_units, value)) <= max_units:
        return value
    kept: list[str] = []
    used = 0
    for ch in value:
        used += _units(ch)
        if used > max_units - 1:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + "…"


def _wrap(value: str, max_units: int, max_lines: int) -> list[str]:
    """``value`` broken at spaces into at most ``max_lines`` lines, the last one clipped."""
    lines: list[str] = []
    words = value.split(" ")
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and sum(map(_units, f"{line} {words[0]}")) <= max_units:
            line = f"{line} {words.pop(0)}"
        if len(lines) == max_lines - 1 and words:
            line = _clip(" ".join([line, *words]), max_units)
            words = []
        lines.append(_clip(line, max_units))
    return lines or [""]


def _num(value: float) -> str:
    """A coordinate with one decimal, ``12`` rather than ``12.0``: stable across platforms."""
    text = f"{value:.1f}"
    text = "0.0" if text == "-0.0" else text
    return text.removesuffix(".0")


def _href(href: str) -> str:
    """A page-relative link, checked and escaped; a scheme or a network path is refused.

    Browsers drop ASCII tabs and newlines anywhere in a URL and spaces and controls around it,
    so they are dropped before looking for a scheme: ``java\\tscript:`` is refused too.
    """
    probe = re.sub(r"[\x00-\x20\x7f]", "", href)
    if not probe:
        raise ValueError(f"empty href {href!r}: pass None for no link")
    if _SCHEME_RE.match(probe) or probe.startswith(("//", "\\", "/\\")):
        raise ValueError(f"href {href!r} must be a page-relative path without a scheme or host")
    if XML_INVALID_RE.search(href) or probe != href:
        raise ValueError(f"href {href!r} contains whitespace or control characters")
    return href.translate(_ESCAPES)


def _ident(ident: str | None, kind: str, content: object) -> str:
    """The id prefix of a chart's ``<title>`` and ``<desc>``: from ``ident``, else a hash.

    Two charts on one page need different ids; identical charts may share one harmlessly.
    """
    if ident is None:
        payload = json.dumps([kind, content], ensure_ascii=True, separators=(",", ":"))
        return f"pkb-{kind}-{hashlib.sha256(payload.encode()).hexdigest()[:12]}"
    if not _IDENT_RE.fullmatch(ident):
        raise ValueError(f"ident {ident!r} must be 1-64 letters, digits, '-' or '_'")
    return f"pkb-{kind}-{ident}"


def _figure(
    kind: str, ident: str, height: int, title: str, description: str, body: list[str]
) -> str:
    # A picture whose parts are links is a group, not an image: role="img" hides its children
    # from assistive technology, links included (axe: nested-interactive).
    linked = any(line.startswith("<a ") for line in body)
    role = "group" if linked else "img"
    svg_open = (
        f'<svg xmlns="{SVG_NS}" class="pkb-chart-svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="{role}" '
        f'aria-labelledby="{ident}-title {ident}-desc" style="max-width:100%;height:auto">'
    )
    # On a phone the chart keeps a width at which its labels stay readable (paperkb.css) and
    # scrolls sideways in this box. The keyboard reaches it through its links, or, when it has
    # none, as a focusable region of its own.
    scroll = (
        '<div class="pkb-chart__scroll">'
        if linked
        else f'<div class="pkb-chart__scroll" tabindex="0" role="region" '
        f'aria-labelledby="{ident}-title">'
    )
    lines = [
        f'<figure class="pkb-chart pkb-{kind}" id="{ident}">',
        scroll,
        svg_open,
        f'<title id="{ident}-title">{_esc(title)}</title>',
        f'<desc id="{ident}-desc">{_esc(description)}</desc>',
        *body,
        "</svg>",
        "</div>",
        f"<figcaption>{_esc(title)}</figcaption>",
        "</figure>",
    ]
    return "\n".join(lines)


def _open_link(href: str | None, css_class: str) -> str:
    if href is None:
        return f'<g class="{css_class}">'
    return f'<a class="{css_class}" href="{_href(href)}">'


def _close_link(href: str | None) -> str:
    return "</g>" if href is None else "</a>"


def bar_chart(
    bars: Sequence[Bar], *, title: str, description: str, ident: str | None = None
) -> str:
    """Horizontal bars as HTML: a list, one item per bar in the given order.

    Each item is a label, a bar whose length is the value's share of the largest, and the
    value, in a grid the site's CSS lays out (``paperkb.css``): label, bar and value on one
    row on a wide screen, the label above its bar on a phone, so the text keeps the page's
    size at any width. A bar with ``href`` is a link. ``description`` is given to assistive
    technology only (the list itself reads as "label value" per item).

    ``ident`` makes the element ids unique on a page (default: a hash of the content).
    Raises :class:`ValueError` for a negative value or an href with a scheme.
    """
    if any(bar.value < 0 for bar in bars):
        raise ValueError("bar values must not be negative")
    prefix = _ident(
        ident, "bar-chart", [title, description, [[b.label, b.value, b.href] for b in bars]]
    )
    lines = [
        f'<figure class="pkb-chart pkb-bar-chart" id="{prefix}">',
        f'<p class="pkb-visually-hidden" id="{prefix}-desc">{_esc(description)}</p>',
    ]
    if not bars:
        lines.append('<p class="pkb-chart-empty">No data</p>')
    else:
        largest = max(bar.value for bar in bars)
        lines.append(
            f'<ol class="pkb-bars" aria-labelledby="{prefix}-title" '
            f'aria-describedby="{prefix}-desc">'
        )
        for bar in bars:
            share = _num(100 * bar.value / largest) if largest else "0"
            tag, attributes = (
                ("a", f' href="{_href(bar.href)}"') if bar.href is not None else ("span", "")
            )
            lines.append(
                f'<li><{tag} class="pkb-bar"{attributes}>'
                f'<span class="pkb-bar-label">{_esc(xml_line(bar.label))}</span>'
                f'<span class="pkb-bar-track" aria-hidden="true">'
                f'<span class="pkb-bar-rect" style="width:{share}%"></span></span>'
                f'<span class="pkb-bar-value">{bar.value:,}</span></{tag}></li>'
            )
        lines.append("</ol>")
    lines += [f'<figcaption id="{prefix}-title">{_esc(title)}</figcaption>', "</figure>"]
    return "\n".join(lines)


# Topic map layout: the topic in the middle, related topics on an ellipse (wider than tall,
# because labels are wide), starting at the top and going clockwise.
_MAP_HEIGHT = 460
_EMPTY_MAP_HEIGHT = 112
_EMPTY_MAP_CENTER_Y = 40
_RADIUS_X = 200
_RADIUS_Y = 170
_LINE_HEIGHT = 16
_PILL_HEIGHT = 28
_PILL_PAD = 10
_NODE_UNITS = 22
_NODE_LINES = 2
_MIN_EDGE = 1.5
_MAX_EDGE = 6.0
#: A thin outline in the page's background colour keeps small text legible over edges.
_HALO = f"paint-order:stroke;stroke:{BACKGROUND};stroke-width:3px;stroke-linejoin:round"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _pill(
    node: Node, x: float, y: float, *, center: bool, note: str, tooltip: str, css: str
) -> list[str]:
    """A node: a rounded box around its label (up to two lines), and a small note under it."""
    lines = _wrap(xml_line(node.label), _NODE_UNITS, _NODE_LINES)
    width = max(_text_width(line, FONT_SIZE) for line in lines) + 2 * _PILL_PAD
    height = _PILL_HEIGHT + _LINE_HEIGHT * (len(lines) - 1)
    fill, fill_style = (PRIMARY_FALLBACK, PRIMARY) if center else ("#fff", BACKGROUND)
    text_fill = f'fill="#fff" style="fill:{ON_PRIMARY}"' if center else 'fill="currentColor"'
    first = y - _LINE_HEIGHT * (len(lines) - 1) / 2 + FONT_SIZE * 0.35
    spans = "".join(
        f'<tspan x="{_num(x)}" y="{_num(first + _LINE_HEIGHT * row)}">{_esc(line)}</tspan>'
        for row, line in enumerate(lines)
    )
    return [
        _open_link(node.href, css),
        f"<title>{_esc(tooltip)}</title>",
        f'<rect x="{_num(x - width / 2)}" y="{_num(y - height / 2)}" '
        f'width="{_num(width)}" height="{height}" rx="{_PILL_HEIGHT // 2}" '
        f'fill="{fill}" stroke="{PRIMARY_FALLBACK}" stroke-width="1.5" '
        f'style="fill:{fill_style};stroke:{PRIMARY}"/>',
        f'<text class="pkb-node-label" text-anchor="middle" font-size="{FONT_SIZE}" '
        f"{text_fill}>{spans}</text>",
        f'<text class="pkb-node-note" x="{_num(x)}" '
        f'y="{_num(y + height / 2 + SMALL_FONT_SIZE + 2)}" text-anchor="middle" '
        f'font-size="{SMALL_FONT_SIZE}" fill="currentColor" style="{_HALO}">{_esc(note)}</text>',
        _close_link(node.href),
    ]


def topic_map(
    center: Node,
    neighbours: Sequence[tuple[Node, int]],
    *,
    title: str,
    description: str,
    ident: str | None = None,
) -> str:
    """A topic and the topics that share papers with it, as a hub with spokes.

    ``neighbours`` pairs each related topic with the number of papers it shares with
    ``center``. The :data:`MAX_NEIGHBOURS` with the most shared papers are drawn (ties by
    label), so input order does not matter; each spoke's width grows with the shared count.
    Each node links to ``href`` when given; its tooltip says how many papers it has and shares.

    ``ident`` makes the element ids unique on a page (default: a hash of the content).
    Raises :class:`ValueError` for negative counts or an href with a scheme.
    """
    if center.count < 0 or any(node.count < 0 or shared < 0 for node, shared in neighbours):
        raise ValueError("counts must not be negative")
    drawn = sorted(
        neighbours,
        key=lambda pair: (-pair[1], pair[0].label.casefold(), pair[0].label, pair[0].href or ""),
    )[:MAX_NEIGHBOURS]
    prefix = _ident(
        ident,
        "topic-map",
        [
            title,
            description,
            [center.label, center.href, center.count],
            [[n.label, n.href, n.count, shared] for n, shared in drawn],
        ],
    )
    center_name = xml_line(center.label)
    height = _MAP_HEIGHT if drawn else _EMPTY_MAP_HEIGHT
    cx, cy = WIDTH / 2, height / 2 if drawn else _EMPTY_MAP_CENTER_Y
    most = max((shared for _, shared in drawn), default=0)

    edges: list[str] = []
    nodes: list[str] = []
    for index, (node, shared) in enumerate(drawn):
        angle = -math.pi / 2 + 2 * math.pi * index / len(drawn)
        x = cx + _RADIUS_X * math.cos(angle)
        y = cy + _RADIUS_Y * math.sin(angle)
        width = _MIN_EDGE + (_MAX_EDGE - _MIN_EDGE) * (shared / most if most else 0)
        name = xml_line(node.label)
        edge_tip = f"{name} and {center_name}: {_plural(shared, 'shared paper')}"
        edges.append(
            f'<line class="pkb-edge" x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" '
            f'y2="{_num(y)}" stroke="{EDGE_FALLBACK}" stroke-width="{_num(width)}" '
            f'stroke-linecap="round" style="stroke:{EDGE}">'
            f"<title>{_esc(edge_tip)}</title></line>"
        )
        nodes += _pill(
            node,
            x,
            y,
            center=False,
            note=f"{shared} shared",
            tooltip=f"{name}: {_plural(node.count, 'paper')}, {shared} shared with {center_name}",
            css="pkb-node",
        )
    nodes += _pill(
        center,
        cx,
        cy,
        center=True,
        note=_plural(center.count, "paper"),
        tooltip=f"{center_name}: {_plural(center.count, 'paper')}",
        css="pkb-node pkb-node-center",
    )
    body = ['<g class="pkb-edges">', *edges, "</g>", *nodes]
    if not drawn:
        body.append(
            f'<text class="pkb-chart-empty" x="{_num(cx)}" y="{_num(height - 12)}" '
            f'text-anchor="middle" font-size="{SMALL_FONT_SIZE}" fill="currentColor">'
            "No related topics yet</text>"
        )
    return _figure("topic-map", prefix, height, title, description, body)
