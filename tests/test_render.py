"""Render stage: page content, links, and untrusted text that stays text."""

from __future__ import annotations

import html as html_module
import json
import re
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.account import Account
from generator.layout import MARKER
from generator.model import Metadata, Paper, Rule, Source, Topic
from generator.render.lists import FILTER_BOX, FILTER_MIN_PAPERS, GIST_MAX_CHARS, gist, render_topic
from generator.render.markdown import text, text_with_links
from generator.render.paper import AI_SUMMARY_HEADING, render_paper
from generator.render.site import render_site
from generator.stages.authors import author_key
from generator.text.folding import sort_key

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
    page = render_paper(
        p, {"diffusion": TOPIC}, {"a": paper("a", "Diffusion A"), "b": paper("b", "B")}
    )
    assert page.startswith(
        f'---\n{MARKER}title: "Diffusion A"\ndescription: "Abstract of Diffusion A."\n'
        'citation: [["citation_title", "Diffusion A"]]\nhide: [toc]\n---\n'
    )
    assert "# Diffusion A" in page
    assert "[Diffusion](../topics/diffusion.md)" in page
    assert "- [B](b.md) · similar abstract" in page
    # Where it was read, folded below the content: a listing date without a year is not shown
    provenance = page.split('<details class="pkb-provenance">', 1)[1]
    assert provenance.index("</details>") > provenance.index("diffusion a")
    assert page.index("## Cite") < page.index("<details")
    assert "<tr><td>listings/a.txt</td><td>3</td><td>—</td></tr>" in provenance
    assert "<tr><td>listings/b.txt</td><td>9</td><td>—</td></tr>" in provenance
    assert "<li>diffusion a</li>" in provenance
    assert '<a href="../merges.html">merge report</a>' in provenance
    assert "## Sources" not in page and "## Other spellings" not in page
    dated = render_paper(
        paper("c", "C", sources=(Source("listings/c.txt", 1, "Aug 12, 2024"),)),
        {},
        {"c": paper("c", "C")},
    )
    assert "<td>Aug 12, 2024</td>" in dated
    assert "merge report" not in dated  # one source, one spelling: nothing was merged


def test_unsorted_paper_links_to_unsorted_and_has_no_empty_sections() -> None:
    page = render_paper(paper("b", "B"), {}, {"b": paper("b", "B")})
    assert "[Unsorted](../topics/unsorted.md)" in page
    assert "## Related papers" not in page
    assert "Other spellings" not in page


def test_site_files_and_json() -> None:
    papers = [paper("a", "Diffusion A", topics=("diffusion",)), paper("b", "B")]
    files = render_site(papers, [TOPIC], {}, ACCOUNT)
    assert sorted(files) == [
        "authors/index.md",
        *[
            f"cite/{name}.{ext}"
            for name in ("diffusion", "index", "unsorted")
            for ext in ("bib", "json", "ris")
        ],
        "dates/index.md",  # no paper has a date with a year: no day, week or month page
        "feed.xml",
        "feeds/diffusion.xml",
        "feeds/unsorted.xml",
        "index.md",
        "knowledge-base.md",
        "papers.json",
        "papers/a.md",
        "papers/b.md",
        "papers/index.md",
        "reading-list.md",
        "topics/diffusion.md",
        "topics/index.md",
        "topics/unsorted.md",
    ]
    assert "data-pkb-reading" in files["reading-list.md"]  # the shell paperkb-reading.js fills
    assert "| [Diffusion](diffusion.md) | 1 |" in files["topics/index.md"]
    assert "| [Unsorted](unsorted.md) | 1 |" in files["topics/index.md"]
    assert '<a href="../papers/b.html">B</a>' in files["topics/unsorted.md"]
    record = json.loads(files["papers.json"])
    assert record["account"]["distinct_papers"] == 2
    assert record["papers"][0] == {
        "id": "a",
        "title": "Diffusion A",
        "abstract": "Abstract of Diffusion A.",
        "url": "papers/a.html",
        "arxiv": None,
        "arxiv_url": None,
        "pdf_url": None,
        "hub_url": None,
        "authors": [],
        "published": None,
        "listed": None,
        "upvotes": None,
        "comments": None,
        "comments_url": None,
        "organization": None,
        "github_repo": None,
        "github_stars": None,
        "project_page": None,
        "ai_summary": None,
        "ai_keywords": [],
        "withdrawn": None,
        "note": None,
        "topics": ["diffusion"],
        "pinned_topics": [],
        "learned_topics": [],
        "related": [],
        "related_reasons": [],
        "sources": [{"file": "listings/a.txt", "line": 3, "date": "Aug 12"}],
        "aliases": [],
    }


def test_a_to_z_groups_by_folded_first_letter() -> None:
    papers = [paper("z", "Zeta"), paper("e", "Élan"), paper("a", "alpha"), paper("n", "3D")]
    page = render_site(papers, [], {}, ACCOUNT)["papers/index.md"]
    assert page.index("## A") < page.index("## E") < page.index("## Z") < page.index("## Other")
    assert page.index(">alpha</a>") < page.index(">Élan</a>")
    assert sort_key("Élan") < sort_key("Eta")
    # the letters, linked to their headings on every width, before the sort buttons and lists
    letters = '<a href="#a">A</a> <a href="#e">E</a> <a href="#z">Z</a> <a href="#other">Other</a>'
    assert f'<nav class="pkb-letters" aria-label="Letters">{letters}</nav>' in page
    assert page.index("pkb-letters") < page.index('data-pkb-sort="title"') < page.index("## A")
    html = html_of(page.split("---\n", 2)[2])
    assert all(f'id="{x}"' in html for x in ("a", "e", "z", "other"))


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
    page = render_paper(p, {}, {"mamba": paper("mamba", "Mamba")}, ids)
    assert "**Authors:** [Albert Gu](../authors/albert-gu.md), Tri &#60;b&#62;Dao" in page
    assert "**Published:** Dec 1, 2023" in page
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
    page = render_paper(paper("b", "B"), {}, {"b": paper("b", "B")})
    assert "**Authors:**" not in page and "**arXiv:**" not in page and "Upvotes" not in page
    assert "arxiv.org/abs" not in page and "arxiv.org/pdf" not in page
    assert "huggingface.co/papers/" not in page  # no Hub page without an id: only a search
    assert "Curator" not in page
    assert "eprint" not in page and "author =" not in page and "year =" not in page
    for label in HUB_LABELS:
        assert label not in page


def test_topic_page_lists_rows_newest_first_then_upvotes_then_title() -> None:
    members = [
        paper("a", "Beta", sources=(Source("l.txt", 1, "Aug 7, 2024"),)),
        paper("b", "Alpha", sources=(Source("l.txt", 5, "Aug 12, 2024"),)),
        paper("c", "Gamma", sources=(Source("l.txt", 9, "Aug 12, 2024"),)),
        paper("d", "Delta", sources=(Source("l.txt", 9, "Aug 12"),)),  # no year: no date
        paper("e", "Epsilon", meta=Metadata(listed="2024-08-12", upvotes=3)),
    ]
    other = Topic("other", "Other", "Other things.")
    page = render_topic(TOPIC, members, [("other", 2)], {"diffusion": TOPIC, "other": other})
    titles = re.findall(r'<li[^>]*><a href="\.\./papers/[a-z]\.html">(\w+)</a>', page)
    assert titles == ["Epsilon", "Alpha", "Gamma", "Beta", "Delta"]
    assert "Abstract of" not in page  # rows, not the abstract's first sentence
    assert '<div class="pkb-sort" data-pkb-sort="newest"></div>' in page
    assert "[Other](other.md) (2)" in page
    assert '<figure class="pkb-chart' in page and 'href="other.html"' in page
    assert FILTER_BOX not in page  # small topics need no filter
    # its own feed, linked from the page and its head (front matter -> overrides/main.html)
    assert "[Atom feed](../feeds/diffusion.xml)" in page
    assert '\nfeed: "feeds/diffusion.xml"\n' in page.split("\n---\n", 1)[0] + "\n"


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
    assert '<a href="../papers/a.html">A</a>' in page and '<a href="../papers/b.html">B</a>' in page
    assert '<div class="pkb-sort" data-pkb-sort="newest"></div>' in page
    letters = '<a href="#a">A</a> <a href="#z">Z</a>'
    assert f'<nav class="pkb-letters" aria-label="Letters">{letters}</nav>' in index
    assert "[Al Jones](../authors/al-jones.md)" in files["papers/b.md"]
    record = json.loads(files["papers.json"])
    assert record["papers"][1]["authors"][1] == {"name": "Al Jones", "url": "authors/al-jones.html"}


def test_home_page_has_the_topic_chart_and_no_pipeline_figures() -> None:
    papers = [paper("a", "Diffusion A", topics=("diffusion",)), paper("b", "B")]
    files = render_site(papers, [TOPIC], {}, ACCOUNT)
    home = files["index.md"]
    assert home.count('<figure class="pkb-chart') == 1
    assert 'href="topics/diffusion.html"' in home and 'href="topics/unsorted.html"' in home
    for console in ("Structured records", "Entries read", "Duplicate entries merged", "merges.md"):
        assert console not in home
    kb = files["knowledge-base.md"]
    for figure in ("| Structured records | 0 |", "| Entries read | 3 |", "(merges.md)"):
        assert figure in kb
    assert "[papers.json](papers.json)" in kb and "[About](about.md)" in kb


def test_the_day_chart_counts_placed_papers_and_says_how_many_are_undated() -> None:
    papers = [
        paper("a", "A"),  # listed "Aug 12": no year, so no date
        paper(
            "b", "B", sources=(Source("records/b.yaml", 1),), meta=Metadata(published="2021-03-25")
        ),
        paper("c", "C", sources=(Source("records/c.json", 1),), meta=Metadata(listed="2024-12-03")),
        paper("d", "D", sources=(Source("listings/undated.txt", 3),)),
    ]
    kb = render_site(papers, [TOPIC], {}, ACCOUNT)["knowledge-base.md"]
    labels = re.findall(r'class="pkb-bar-label"[^>]*>([^<]*)<', kb.split("chart-dates", 1)[1])
    assert labels == ["Mar 25, 2021", "Dec 3, 2024"]  # placed by publication date when no other
    assert 'href="dates/2021-03-25.html"' in kb
    assert "2 papers have no date with a year and are not in this chart." in kb
    assert "Aug 12<" not in kb


# --- what the Hub knows (issue 18) ------------------------------------------------------------

#: Labels that only the Hub's fields bring to a page.
HUB_LABELS = (
    "**On Daily Papers:**",
    "**Comments:**",
    "**Organization:**",
    "**Code:**",
    "**Project page:**",
    "stars)",
    "AI summary",
    "machine-written",
    "AI keywords",
    "Withdrawn",
)

HUB_META = Metadata(
    arxiv="2412.01234",
    upvotes=12,
    listed="2024-12-03",
    comments=3,
    organization="Example Lab",
    github="https://github.com/x/y",
    stars=4200,
    project="https://example.org/proj/",
    ai_summary="The Hub's own words about the paper.",
    ai_keywords=("diffusion", "video"),
)


class Anchors(HTMLParser):
    """The ``href`` of every ``<a>`` and the text inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", ""))
            self._open = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            href, _ = self.links[-1]
            self.links[-1] = (href, "".join(self._open))
            self._open = None


def links_of(page: str) -> dict[str, str]:
    """Link text -> href of a rendered page's body (front matter dropped)."""
    parser = Anchors()
    parser.feed(html_of(page.split("---\n", 2)[2]))
    return {label: href for href, label in parser.links}


def test_every_hub_field_is_shown_with_its_label_and_links() -> None:
    page = render_paper(paper("p", "P", meta=HUB_META), {}, {"p": paper("p", "P")})
    assert "**On Daily Papers:** 2024-12-03" in page
    assert "**Upvotes:** 12" in page
    assert "**Comments:** [3](https://huggingface.co/papers/2412.01234#community)" in page
    assert "**Organization:** Example Lab" in page
    assert "**Code:** [github.com/x/y](https://github.com/x/y) (4,200 stars)" in page
    assert "**Project page:** [example.org/proj](https://example.org/proj/)" in page
    links = links_of(page)
    assert links["2412.01234"] == "https://arxiv.org/abs/2412.01234"
    assert links["PDF"] == "https://arxiv.org/pdf/2412.01234"
    assert links["Hugging Face"] == "https://huggingface.co/papers/2412.01234"
    assert links["3"] == "https://huggingface.co/papers/2412.01234#community"
    assert links["github.com/x/y"] == "https://github.com/x/y"
    assert links["example.org/proj"] == "https://example.org/proj/"
    assert "Find it" not in page  # the paper has an id: no search links
    assert "Withdrawn" not in page


def test_the_hub_facts_are_on_the_byline_before_the_topics() -> None:
    page = render_paper(paper("p", "P", meta=HUB_META), {}, {"p": paper("p", "P")})
    title, topics = page.index("# P\n"), page.index("**Topics:**")
    assert title < page.index("**arXiv:**") < page.index("**Organization:**") < topics


@pytest.mark.parametrize(
    ("field", "value", "labels"),
    [
        ("listed", "2024-12-03", ["**On Daily Papers:**"]),
        ("comments", 0, ["**Comments:**"]),
        ("organization", "Lab", ["**Organization:**"]),
        ("github", "https://github.com/x/y", ["**Code:**"]),
        ("project", "https://example.org/", ["**Project page:**"]),
        ("ai_summary", "Summary.", ["AI summary", "machine-written"]),
        ("ai_keywords", ("kw",), ["AI summary", "machine-written", "AI keywords"]),
        ("withdrawn", "2024-12-05", ["Withdrawn"]),
    ],
)
def test_each_hub_field_alone_shows_only_its_own_labels(
    field: str, value: object, labels: list[str]
) -> None:
    meta = Metadata(arxiv="2412.01234", **{field: value})  # type: ignore[arg-type]
    page = render_paper(paper("p", "P", meta=meta), {}, {"p": paper("p", "P")})
    assert [label for label in HUB_LABELS if label in page] == labels
    bare = render_paper(
        paper("p", "P", meta=Metadata(arxiv="2412.01234")), {}, {"p": paper("p", "P")}
    )
    assert [label for label in HUB_LABELS if label in bare] == []


def test_stars_without_a_repository_and_comments_without_an_id_are_not_links() -> None:
    page = render_paper(
        paper("p", "P", meta=Metadata(stars=5, comments=2)), {}, {"p": paper("p", "P")}
    )
    assert "stars" not in page and "**Code:**" not in page
    assert "**Comments:** 2" in page and "#community" not in page


def test_the_ai_summary_is_labelled_machine_written_and_kept_apart_from_the_abstract() -> None:
    p = paper("p", "P", abstract="The authors' abstract.", meta=HUB_META, related=("q",))
    page = render_paper(p, {}, {"p": paper("p", "P"), "q": paper("q", "Q")})
    assert AI_SUMMARY_HEADING == "## Hub's AI summary (machine-written)"
    abstract = page.index("## Abstract")
    ai = page.index(AI_SUMMARY_HEADING)
    assert abstract < ai < page.index("## Related papers")
    between = page[abstract:ai]
    assert "The authors' abstract." in between and "The Hub's own words" not in between
    after = page[ai:].split("## Related papers")[0]
    assert "\n\nThe Hub's own words about the paper.\n\n" in after
    assert "**AI keywords:** diffusion · video" in after
    html = html_of(page.split("---\n", 2)[2])
    assert '<h2 id="hubs-ai-summary-machine-written">Hub\'s AI summary (machine-written)</h2>' in (
        html
    )


def test_a_withdrawn_paper_says_so_at_the_top() -> None:
    meta = Metadata(arxiv="2412.01234", withdrawn="2024-12-05")
    page = render_paper(paper("p", "P", meta=meta), {}, {"p": paper("p", "P")})
    body = page.split("\n---\n", 1)[1]
    assert body.startswith(
        "\n# P\n\n> **Withdrawn:** the Hub marks this paper as withdrawn on 2024-12-05.\n\n"
    )
    html = html_of(body)
    assert "<blockquote>\n<p><strong>Withdrawn:</strong>" in html
    assert html.index("Withdrawn") < html.index("arXiv")


HOSTILE_HUB = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "{{ x }}", "{% x %}"]


def paragraphs(html: str) -> list[str]:
    """What a reader sees of each ``<p>``: tags dropped, references decoded."""
    found = re.findall(r"<p>(.*?)</p>", html, re.DOTALL)
    return [html_module.unescape(re.sub(r"<[^>]+>", "", p)) for p in found]


@pytest.mark.parametrize("value", HOSTILE_HUB)
def test_hostile_hub_text_stays_text(value: str) -> None:
    meta = Metadata(
        arxiv="2412.01234", ai_summary=value, organization=value, ai_keywords=(value, "ok")
    )
    page = render_paper(paper("p", "P", meta=meta), {}, {"p": paper("p", "P")})
    body = page.split("\n---\n", 1)[1]
    assert value not in body and "{{" not in body and "{%" not in body
    html = html_of(body)
    assert "<script" not in html and "{{" not in html and "{%" not in html
    parser = Anchors()
    parser.feed(html)
    assert all(href.startswith(("https://", "../")) for href, _ in parser.links)
    assert "x" not in [label for _, label in parser.links]
    # the reader sees each value exactly as written: organization, summary, keyword
    seen = paragraphs(html)
    assert any(line.endswith(f"Organization: {value}") for line in seen)
    assert value in seen  # the AI summary, a paragraph of its own
    assert f"AI keywords: {value} · ok" in seen


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil.example", ""]
)
def test_a_url_that_is_not_http_is_never_a_link_even_if_it_reaches_the_page(url: str) -> None:
    meta = Metadata(arxiv="2412.01234", github=url, project=url, stars=3)
    page = render_paper(paper("p", "P", meta=meta), {}, {"p": paper("p", "P")})
    assert "**Code:**" not in page and "**Project page:**" not in page
    assert "javascript" not in page.lower() and "evil" not in page and "data:" not in page


def test_odd_characters_in_a_url_cannot_end_the_link() -> None:
    url = 'https://example.org/a)b](c"d<script>{{x}}`e|f\\g'
    meta = Metadata(arxiv="2412.01234", project=url)
    page = render_paper(paper("p", "P", meta=meta), {}, {"p": paper("p", "P")})
    html = html_of(page.split("\n---\n", 1)[1])
    assert "<script" not in html and "{{" not in html
    parser = Anchors()
    parser.feed(html)
    (href,) = [h for h, label in parser.links if label.startswith("example.org")]
    assert href == "https://example.org/a%29b%5D%28c%22d%3Cscript%3E%7B%7Bx%7D%7D%60e%7Cf%5Cg"
    entity = Metadata(arxiv="2412.01234", project="https://example.org/?a=1&copy;&lt;=2&b")
    page = render_paper(paper("p", "P", meta=entity), {}, {})
    assert links_of(page)["example.org"] == "https://example.org/?a=1&copy;&lt;=2&b"
    spaced = Metadata(arxiv="2412.01234", project="https://example.org/a b")
    assert "**Project page:**" not in render_paper(paper("p", "P", meta=spaced), {}, {})


def test_a_paper_without_an_id_gets_title_searches_on_arxiv_and_the_hub() -> None:
    title = "A & B: (C) [d] <e> 50% #1"
    page = render_paper(paper("p", title), {}, {"p": paper("p", title)})
    quoted = "A+%26+B%3A+%28C%29+%5Bd%5D+%3Ce%3E+50%25+%231"
    arxiv = f"https://arxiv.org/search/?query={quoted}&searchtype=title"
    hub = f"https://huggingface.co/papers?q={quoted}"
    assert f"**Find it:** [arXiv]({arxiv}) · [Hugging Face]({hub})" in page
    links = links_of(page)
    assert links["arXiv"] == arxiv and links["Hugging Face"] == hub
    assert page.count("Find it") == 1
    # one line between the title and the topics
    assert page.split("\n---\n", 1)[1].startswith(f"\n# {text(title)}\n\n**Find it:** ")
    with_id = render_paper(paper("p", title, meta=Metadata(arxiv="2412.01234")), {}, {})
    assert "Find it" not in with_id and "arxiv.org/search" not in with_id


def test_papers_json_carries_every_hub_field() -> None:
    meta = Metadata(
        arxiv="2412.01234",
        authors=("A B",),
        published="2024-12-02",
        upvotes=12,
        listed="2024-12-03",
        comments=3,
        organization="Lab <b>",
        github="https://github.com/x/y",
        stars=42,
        project="https://example.org/",
        ai_summary="Machine words {{ x }}.",
        ai_keywords=("k1", "k2"),
        withdrawn="2024-12-05",
    )
    files = render_site([paper("p", "P", meta=meta), paper("q", "Q")], [], {}, ACCOUNT)
    record = json.loads(files["papers.json"])
    p, q = record["papers"]
    assert list(p) == [
        "id", "title", "abstract", "url", "arxiv", "arxiv_url", "pdf_url", "hub_url",
        "authors", "published", "listed", "upvotes", "comments", "comments_url",
        "organization", "github_repo", "github_stars", "project_page", "ai_summary",
        "ai_keywords", "withdrawn", "note", "topics", "pinned_topics", "learned_topics", "related",
        "related_reasons", "sources", "aliases",
    ]  # fmt: skip
    assert {k: p[k] for k in list(p)[4:8]} == {
        "arxiv": "2412.01234",
        "arxiv_url": "https://arxiv.org/abs/2412.01234",
        "pdf_url": "https://arxiv.org/pdf/2412.01234",
        "hub_url": "https://huggingface.co/papers/2412.01234",
    }
    assert {k: p[k] for k in list(p)[10:21]} == {
        "listed": "2024-12-03",
        "upvotes": 12,
        "comments": 3,
        "comments_url": "https://huggingface.co/papers/2412.01234#community",
        "organization": "Lab <b>",  # JSON is data: as written, not escaped
        "github_repo": "https://github.com/x/y",
        "github_stars": 42,
        "project_page": "https://example.org/",
        "ai_summary": "Machine words {{ x }}.",
        "ai_keywords": ["k1", "k2"],
        "withdrawn": "2024-12-05",
    }
    assert list(q) == list(p)
    assert [q[k] for k in list(q)[4:21] if k not in ("authors", "ai_keywords")] == [None] * 15
    assert q["ai_keywords"] == [] and q["authors"] == []


# --- addresses in abstracts become links (issue 17) ---------------------------------------


def _anchors(page_markdown: str) -> list[tuple[str, str]]:
    html = markdown.markdown(page_markdown)
    return [
        (html_module.unescape(href), html_module.unescape(label))
        for href, label in re.findall(r'<a href="([^"]*)">(.*?)</a>', html)
    ]


def test_addresses_in_an_abstract_are_links_to_themselves() -> None:
    abstract = (
        "Code and data are on our webpage.https://github.com/org/repo. A demo "
        "(https://example.org/demo_(v2)) and http://example.com/x?a=1&b=2, too."
    )
    assert _anchors(text_with_links(abstract)) == [
        ("https://github.com/org/repo", "https://github.com/org/repo"),
        ("https://example.org/demo_%28v2%29", "https://example.org/demo_(v2)"),
        ("http://example.com/x?a=1&b=2", "http://example.com/x?a=1&b=2"),
    ]
    page = render_paper(paper("p", "P", abstract=abstract), {}, {"p": paper("p", "P")})
    assert "[https&#58;//github.com/org/repo](https://github.com/org/repo)" in page


@pytest.mark.parametrize(
    "abstract",
    [
        "javascript:alert(1) and data:text/html,x are no web addresses",
        "ftp://example.org/file and //example.org/x stay text",
        "<a href='https://evil.example'>x</a> stays text",
        "[click](https://evil.example) stays literal brackets",
        "https://example.org/[x](javascript:alert(1))",
        'https://example.org/"onmouseover=alert(1)',
        "{{ config }} https://example.org/{{x}} {% raw %}",
    ],
)
def test_only_http_addresses_become_links_and_nothing_else_becomes_markup(abstract: str) -> None:
    linked = text_with_links(abstract)
    html = markdown.markdown(linked)
    tags = set(re.findall(r"</?([a-zA-Z]+)", html))
    assert tags <= {"p", "a"}
    for href, label in _anchors(linked):
        assert href.startswith(("https://", "http://"))
        assert '"' not in href and "<" not in href and " " not in href
        assert label.startswith(("https://", "http://"))
    assert "{{" not in linked and "{%" not in linked


@given(st.text(max_size=80))
def test_any_abstract_with_an_address_renders_as_text_and_http_links(value: str) -> None:
    linked = text_with_links(value + " https://example.org/a " + value)
    html = markdown.markdown(linked)
    assert set(re.findall(r"<([a-zA-Z]+)", html)) <= {"p", "a"}
    assert all(href.startswith(("https://", "http://")) for href, _ in _anchors(linked))


def test_each_page_has_its_own_description_escaped_and_cut() -> None:
    hostile = 'A "quoted" <b>bold</b> & {{ x }} sentence that ends here. Then another one.'
    page = render_paper(paper("p", "P", abstract=hostile), {}, {"p": paper("p", "P")})
    head = page.split("---", 2)[1]
    (line,) = [x for x in head.splitlines() if x.startswith("description: ")]
    value = json.loads(line.removeprefix("description: "))
    assert value == html_module.escape('A "quoted" <b>bold</b> & {{ x }} sentence that ends here.')
    assert "<b>" not in line and '\\"quoted' not in line
    long = paper("q", "Q", abstract="word " * 100 + ".")
    (line,) = [
        x
        for x in render_paper(long, {}, {"q": paper("q", "Q")}).splitlines()
        if "description:" in x
    ]
    assert len(json.loads(line.removeprefix("description: "))) <= 160
    topic = render_topic(TOPIC, [paper("a", "A", topics=("diffusion",))], [], {"diffusion": TOPIC})
    assert 'description: "Diffusion models."' in topic
