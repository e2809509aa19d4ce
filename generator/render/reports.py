"""The merge report (what dedupe merged and nearly merged) and the redirect pages of old ids."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from generator.layout import REDIRECT_MARKER
from generator.model import Paper
from generator.render.markdown import _link, text
from generator.stages.dedupe import DedupeResult


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def render_merge_report(
    result: DedupeResult,
    paper_ids: Mapping[str, str],
    prefix: str,
    escape: Callable[[str], str] = text,
) -> str:
    """Every merged group with its spellings, sources and scores; the closest pairs kept apart.

    ``paper_ids`` maps a group's key to its paper id; links start with ``prefix`` (the path
    from the report to the papers folder), or are left out when ``prefix`` is empty (terminal).
    ``escape`` makes untrusted text inert; a terminal report passes ``str`` to print it as is.
    """
    spellings = sum(len(g.spellings) for g in result.merges)
    lines = [
        "# Merge report",
        "",
        f"{len(result.merges)} papers were read more than once or under more than one spelling "
        f"({spellings} spellings); {len(result.kept_apart)} close pairs were kept apart. Scores "
        "are similarity ratios from 0 to 100 (title / abstract). Overrides: "
        "data/overrides.yaml.",
        "",
        "## Merged",
        "",
    ]
    for group in result.merges:
        pid = paper_ids.get(group.key, "")
        heading = _link(group.title, f"{prefix}{pid}.md") if prefix and pid else escape(group.title)
        lines += [f"### {heading}", "", "| Spelling | How | Title | Abstract | Sources |"]
        lines.append("| --- | --- | --: | --: | --- |")
        for sp in group.spellings:
            where = ", ".join(f"{s.file}:{s.line}" for s in sp.sources)
            lines.append(
                f"| {escape(sp.title)} | {sp.how} | {_score(sp.title_score)} | "
                f"{_score(sp.abstract_score)} | {escape(where)} |"
            )
        lines.append("")
    lines += ["## Kept apart", ""]
    if result.kept_apart:
        lines += ["| Title | Title | Title score | Abstract score | Why |"]
        lines.append("| --- | --- | --: | --: | --- |")
        lines += [
            f"| {escape(m.title_a)} | {escape(m.title_b)} | {_score(m.title_score)} | "
            f"{_score(m.abstract_score)} | {escape(m.reason)} |"
            for m in result.kept_apart
        ]
    else:
        lines.append("No pair of different papers came close enough to be a candidate.")
    lines.append("")
    return "\n".join(lines)


def render_redirect(old_id: str, target: Paper) -> str:
    """A static page at an old paper URL that sends the reader to the paper that holds it now.

    MkDocs copies ``.html`` files from docs/ unchanged, so the page lives at exactly the old URL.
    A meta refresh works on GitHub Pages and from ``file://`` alike (no server rules), and the
    visible link is there for readers whose browser does not follow it.
    """
    href = html.escape(f"{target.id}.html", quote=True)
    title = html.escape(target.title, quote=True)
    return (
        "<!doctype html>\n"
        f"{REDIRECT_MARKER}"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Moved: {title}</title>\n"
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        f'<link rel="canonical" href="{href}">\n'
        '<meta name="robots" content="noindex">\n'
        "</head>\n<body>\n"
        f'<p>This paper ({html.escape(old_id)}) is now at <a href="{href}">{title}</a>.</p>\n'
        "</body>\n</html>\n"
    )
