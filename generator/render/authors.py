"""The author index and an author's page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.layout import PAPERS_DIR
from generator.model import Paper
from generator.render.lists import by_letter, letter_index
from generator.render.markdown import _link, front_matter, text
from generator.render.rows import Rows, sort_box
from generator.stages.authors import Author
from generator.text.folding import sort_key


def render_authors_index(authors: Sequence[Author]) -> str:
    lines = [
        front_matter("Authors"),
        "# Authors",
        "",
        f"{len(authors):,} authors of papers whose records name them (listings do not).",
        "",
    ]
    groups = by_letter(authors, lambda a: a.name)
    if groups:
        lines += [letter_index([x for x, _ in groups]), ""]
    for letter, group in groups:
        lines += [f"## {'Other' if letter == '#' else letter}", ""]
        lines += [
            f"- {_link(a.name, f'{a.id}.md')} ({len(a.papers)})"
            for a in sorted(group, key=lambda a: (sort_key(a.name), a.id))
        ]
        lines.append("")
    return "\n".join(lines)


def render_author(author: Author, by_id: Mapping[str, Paper], rows: Rows | None = None) -> str:
    """An author's papers as rows, newest first."""
    papers = [by_id[pid] for pid in author.papers]
    rows = rows or Rows.of(papers, {})
    noun = "paper" if len(papers) == 1 else "papers"
    lines = [
        front_matter(
            author.name,
            hide_toc=True,
            description=f"Papers by {author.name} in the knowledge base.",
        ),
        f"# {text(author.name)}",
        "",
    ]
    lines += [f"{len(papers)} {noun} in this knowledge base, newest first.", ""]
    lines += [sort_box("newest"), "", rows.html(papers, f"../{PAPERS_DIR}/", "newest"), ""]
    return "\n".join(lines)
