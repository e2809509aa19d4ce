"""Where a paper was read: its sources, the other spellings of its title and the merge report,
folded below the paper's content (a ``<details>`` element, closed until the reader opens it).

One raw HTML block (Python Markdown passes it through untouched): no blank line, no indented
line, every text escaped by :func:`generator.render.rows.html_text`. Listing dates are shown
with their year or not at all (:func:`generator.text.dates.date_label`).
"""

from __future__ import annotations

from generator.inputs.fields import web_url
from generator.layout import MERGE_REPORT
from generator.model import Paper
from generator.render.markdown import url_label
from generator.render.rows import html_text
from generator.text.dates import date_label, listing_date_key


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render_provenance(paper: Paper, prefix: str) -> list[str]:
    """The folded block's lines, then a blank line; ``prefix`` leads to the site root."""
    parts = [_plural(len(paper.sources), "source")]
    if paper.aliases:
        parts.append(_plural(len(paper.aliases), "other spelling"))
    lines = [
        '<details class="pkb-provenance">',
        f"<summary>Where this paper was read ({', '.join(parts)})</summary>",
        "<table>",
        "<thead><tr><th>File</th><th>Line</th><th>Listing date</th></tr></thead>",
        "<tbody>",
    ]
    for source in paper.sources:
        shown = date_label(listing_date_key(source.date)) or "—"
        lines.append(
            f"<tr><td>{html_text(source.file)}</td><td>{source.line}</td><td>{shown}</td></tr>"
        )
    lines += ["</tbody>", "</table>"]
    if paper.aliases:
        lines.append("<p>Other spellings of its title:</p>")
        lines.append("<ul>")
        lines += [f"<li>{html_text(alias)}</li>" for alias in paper.aliases]
        lines.append("</ul>")
    checked = [url for url in paper.meta.verified if web_url(url) is not None]
    if checked:
        links = ", ".join(
            f'<a href="{html_text(url)}">{html_text(url_label(url))}</a>' for url in checked
        )
        lines.append(f"<p>Facts checked by a curator at: {links}.</p>")
    if len(paper.sources) > 1 or paper.aliases:
        report = MERGE_REPORT.removesuffix(".md") + ".html"
        lines.append(
            f'<p>How its entries were merged into one paper: the <a href="{prefix}{report}">'
            "merge report</a>.</p>"
        )
    lines += ["</details>", ""]
    return lines
