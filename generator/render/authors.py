"""The author index and an author's page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.layout import PAPERS_DIR
from generator.model import Paper
from generator.render.lists import _gist_item
from generator.render.markdown import _letter, _link, front_matter, text
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
    by_letter: dict[str, list[Author]] = {}
    for author in authors:
        by_letter.setdefault(_letter(author.name), []).append(author)
    for letter in sorted(by_letter, key=lambda x: (x == "#", x)):
        lines += [f"## {'Other' if letter == '#' else letter}", ""]
        lines += [
            f"- {_link(a.name, f'{a.id}.md')} ({len(a.papers)})"
            for a in sorted(by_letter[letter], key=lambda a: (sort_key(a.name), a.id))
        ]
        lines.append("")
    return "\n".join(lines)


def render_author(author: Author, by_id: Mapping[str, Paper]) -> str:
    papers = sorted((by_id[pid] for pid in author.papers), key=lambda p: sort_key(p.title))
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
    lines += [f"{len(papers)} {noun} in this knowledge base.", ""]
    lines += [_gist_item(p, f"../{PAPERS_DIR}/", "") for p in papers]
    lines.append("")
    return "\n".join(lines)
