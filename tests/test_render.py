"""Render stage: page content, links, and untrusted text that stays text."""

from __future__ import annotations

import json

import markdown
import pytest

from generator.authors import author_key
from generator.model import Metadata, Paper, Rule, Source, Topic
from generator.render import (
    FILTER_BOX,
    FILTER_MIN_PAPERS,
    GIST_MAX_CHARS,
    MARKER,
    Account,
    gist,
    render_paper,
    render_site,
    render_topic,
    sort_key,
    text,
)

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
    ": definition",
    ":smile: and a:b",
    "R&D & co &",
    "??? note",
    "/// note",
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
    assert page.startswith(
        '---\ntitle: "Diffusion A"\ncitation: [["citation_title", "Diffusion A"]]\n'
        "hide: [toc]\n---\n" + MARKER
    )
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
        "authors/index.md",
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
    assert "- [B](../papers/b.md): Abstract of B." in files["topics/unsorted.md"]
    record = json.loads(files["papers.json"])
    assert record["account"]["distinct_papers"] == 2
    assert record["papers"][0] == {
        "id": "a",
        "title": "Diffusion A",
        "abstract": "Abstract of Diffusion A.",
        "url": "papers/a.html",
        "arxiv": None,
        "authors": [],
        "published": None,
        "upvotes": None,
        "note": None,
        "topics": ["diffusion"],
        "pinned_topics": [],
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


def test_paper_page_shows_record_metadata_links_authors_and_cites() -> None:
    meta = Metadata(
        arxiv="2312.00752",
        authors=("Albert Gu", "Tri <b>Dao</b>"),
        published="2023-12-01",
        upvotes=1234,
        note="Read *this* first <script>",
    )
    p = paper("mamba", "Mamba", meta=meta)
    ids = {author_key("Albert Gu"): "albert-gu"}
    page = render_paper(p, {}, {"mamba": "Mamba"}, ids)
    assert "**Authors:** [Albert Gu](../authors/albert-gu.md), Tri &#60;b&#62;Dao" in page
    assert f"**Published:** {text('2023-12-01')}" in page
    assert f"[{text('2312.00752')}](https://arxiv.org/abs/2312.00752)" in page
    assert "[Hugging Face](https://huggingface.co/papers/2312.00752)" in page
    assert "**Upvotes:** 1,234" in page
    assert "> **Curator's note:** Read &#42;this&#42; first &#60;script&#62;" in page
    html = html_of(page.split("---\n", 2)[2])
    assert "<pre><code>@misc{" in html
    assert "eprint = {2312.00752}" in html
    assert "<script>" not in html and "<b>" not in html
    head = page.split("---\n", 2)[1]
    assert '["citation_arxiv_id", "2312.00752"]' in head
    assert '["citation_author", "Tri <b>Dao</b>"]' in head  # escaped by overrides/main.html


def test_listing_only_paper_invents_nothing() -> None:
    page = render_paper(paper("b", "B"), {}, {"b": "B"})
    assert "**Authors:**" not in page and "arXiv" not in page and "Upvotes" not in page
    assert "Curator" not in page
    assert "eprint" not in page and "author =" not in page and "year =" not in page


def test_topic_page_groups_by_date_newest_first_with_gists() -> None:
    members = [
        paper(
            "a",
            "Beta",
            abstract="First sentence. Second one.",
            sources=(Source("l.txt", 1, "Aug 7"),),
        ),
        paper("b", "Alpha", sources=(Source("l.txt", 5, "Aug 12"),)),
        paper("c", "Gamma", sources=(Source("l.txt", 9, "Aug 12"),)),
        paper("d", "Delta", sources=(Source("l.txt", 9, None),)),
    ]
    other = Topic("other", "Other", "Other things.")
    page = render_topic(TOPIC, members, [("other", 2)], {"diffusion": TOPIC, "other": other})
    order = [
        page.index(x) for x in ("### Aug 12", "[Alpha]", "[Gamma]", "### Aug 7", "### Undated")
    ]
    assert order == sorted(order)
    assert "- [Beta](../papers/a.md): First sentence." in page
    assert "Second one" not in page
    assert "[Other](other.md) (2)" in page
    assert '<figure class="pkb-chart' in page and 'href="other.html"' in page
    assert FILTER_BOX not in page  # small topics need no filter


def test_large_topic_pages_get_the_filter_box() -> None:
    members = [paper(f"p{i}", f"Paper {i}") for i in range(FILTER_MIN_PAPERS + 1)]
    assert FILTER_BOX in render_topic(TOPIC, members, [], {"diffusion": TOPIC})


def test_gist_is_the_first_sentence_cut_at_a_word() -> None:
    assert gist("We do X. Then Y.") == "We do X."
    assert gist("Value is 3.5 here. Next.") == "Value is 3.5 here."
    long = "word " * 100
    assert len(gist(long)) <= GIST_MAX_CHARS and gist(long).endswith("…")


def test_author_pages_and_index() -> None:
    a = paper("a", "A", meta=Metadata(authors=("Zoë Smith",)))
    b = paper("b", "B", meta=Metadata(authors=("Zoe Smith", "Al Jones")))
    files = render_site([a, b], [], {}, ACCOUNT)
    index = files["authors/index.md"]
    assert "[Zoe Smith](zoe-smith.md) (2)" in index or "[Zoë Smith](zoe-smith.md) (2)" in index
    assert "[Al Jones](al-jones.md) (1)" in index
    page = files["authors/zoe-smith.md"]
    assert "- [A](../papers/a.md)" in page and "- [B](../papers/b.md)" in page
    assert "[Al Jones](../authors/al-jones.md)" in files["papers/b.md"]
    record = json.loads(files["papers.json"])
    assert record["papers"][1]["authors"][1] == {"name": "Al Jones", "url": "authors/al-jones.html"}


def test_home_page_has_charts_with_links_to_topics() -> None:
    papers = [paper("a", "Diffusion A", topics=("diffusion",)), paper("b", "B")]
    home = render_site(papers, [TOPIC], {}, ACCOUNT)["index.md"]
    assert home.count('<figure class="pkb-chart') == 2
    assert 'href="topics/diffusion.html"' in home and 'href="topics/unsorted.html"' in home
    assert "Papers per listing date" in home
