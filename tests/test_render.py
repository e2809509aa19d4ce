"""Render stage: page content, links, and untrusted text that stays text."""

from __future__ import annotations

import json

import markdown
import pytest

from generator.model import Paper, Rule, Source, Topic
from generator.render import MARKER, Account, render_paper, render_site, sort_key, text

TOPIC = Topic("diffusion", "Diffusion", "Diffusion models.", Rule(title=("diffusion",)))
ACCOUNT = Account(listings=1, entries=3, papers=2, merged=1, rejected=0, topics=1, unsorted=1)


def paper(pid: str, title: str, **kw: object) -> Paper:
    fields: dict[str, object] = {
        "id": pid,
        "key": pid,
        "title": title,
        "abstract": f"Abstract of {title}.",
        "aliases": (),
        "sources": (Source("listings/a.txt", 3, "Aug 12"),),
    }
    fields.update(kw)
    return Paper(**fields)  # type: ignore[arg-type]


def html_of(markdown_text: str) -> str:
    md = markdown.Markdown(extensions=["tables", "toc", "attr_list", "md_in_html", "admonition"])
    html: str = md.convert(markdown_text)
    return html


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "# Heading | a | b |",
    "*emphasis* _under_ `code` ~~strike~~",
    "{{ config }} {% include x %}",
    "--- key: value",
    "1. ordered",
    "- bullet",
    "> quote",
    "!!! note",
    "$x^2$ \\(y\\)",
    "<http://example.com>",
    "{: .cls onclick=alert(1)}",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_untrusted_text_renders_as_literal_text(value: str) -> None:
    html = html_of(f"# {text(value)}\n\n{text(value)}\n")
    for tag in ("<script", "<img", "<a ", "<em", "<code", "<table", "<ol", "<ul", "<blockquote"):
        assert tag not in html
    assert html.count("<h1") == 1
    assert html.startswith("<h1")
    assert html.count("<p>") == 1
    # what the reader sees is exactly the input
    import html as html_module

    body = html.split("<p>", 1)[1].split("</p>", 1)[0]
    assert html_module.unescape(body) == value


def test_paper_page_has_title_topics_abstract_related_sources_and_aliases() -> None:
    p = paper(
        "a",
        "Diffusion A",
        topics=("diffusion",),
        related=("b",),
        aliases=("diffusion a",),
        sources=(Source("listings/a.txt", 3, "Aug 12"), Source("listings/b.txt", 9, None)),
    )
    page = render_paper(p, {"diffusion": TOPIC}, {"a": "Diffusion A", "b": "B"})
    assert page.startswith('---\ntitle: "Diffusion A"\n---\n' + MARKER)
    assert "# Diffusion A" in page
    assert "[Diffusion](../topics/diffusion.md)" in page
    assert "- [B](b.md)" in page
    assert "| listings/a.txt | 3 | Aug 12 |" in page
    assert "| listings/b.txt | 9 | — |" in page
    assert "## Other spellings\n\n- diffusion a" in page


def test_unsorted_paper_links_to_unsorted_and_has_no_empty_sections() -> None:
    page = render_paper(paper("b", "B"), {}, {"b": "B"})
    assert "[Unsorted](../topics/unsorted.md)" in page
    assert "## Related papers" not in page
    assert "## Other spellings" not in page


def test_site_files_and_json() -> None:
    papers = [paper("a", "Diffusion A", topics=("diffusion",)), paper("b", "B")]
    files = render_site(papers, [TOPIC], {}, ACCOUNT)
    assert sorted(files) == [
        "index.md",
        "papers.json",
        "papers/a.md",
        "papers/b.md",
        "papers/index.md",
        "topics/diffusion.md",
        "topics/index.md",
        "topics/unsorted.md",
    ]
    assert "| [Diffusion](diffusion.md) | 1 |" in files["topics/index.md"]
    assert "| [Unsorted](unsorted.md) | 1 |" in files["topics/index.md"]
    assert "- [B](../papers/b.md)" in files["topics/unsorted.md"]
    record = json.loads(files["papers.json"])
    assert record["account"]["distinct_papers"] == 2
    assert record["papers"][0] == {
        "id": "a",
        "title": "Diffusion A",
        "abstract": "Abstract of Diffusion A.",
        "url": "papers/a.html",
        "topics": ["diffusion"],
        "related": [],
        "sources": [{"file": "listings/a.txt", "line": 3, "date": "Aug 12"}],
        "aliases": [],
    }


def test_a_to_z_groups_by_folded_first_letter() -> None:
    papers = [paper("z", "Zeta"), paper("e", "Élan"), paper("a", "alpha"), paper("n", "3D")]
    page = render_site(papers, [], {}, ACCOUNT)["papers/index.md"]
    assert page.index("## A") < page.index("## E") < page.index("## Z") < page.index("## Other")
    assert page.index("[alpha]") < page.index("[Élan]")
    assert sort_key("Élan") < sort_key("Eta")
