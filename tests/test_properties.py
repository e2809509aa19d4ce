"""Property tests: arbitrary text never crashes parse or render, and never becomes markup."""

from __future__ import annotations

import html as html_module
import unicodedata
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

import markdown
import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.inputs.fields import web_url
from generator.inputs.listings import decode, parse_listing
from generator.layout import MAX_ID_LENGTH, SLUG
from generator.model import NO_METADATA, Metadata, Paper, Source
from generator.render.cite import arxiv_search_url, hub_search_url
from generator.render.markdown import text
from generator.render.paper import render_paper
from generator.stages.normalize import clean_text, clean_title
from generator.stages.permalinks import make_slug
from generator.text.folding import title_key

# Text heavy in markup characters, plus anything Unicode.
MARKUP = st.sampled_from(
    [
        "<",
        ">",
        "&",
        '"',
        "'",
        "`",
        "*",
        "_",
        "[",
        "]",
        "(",
        ")",
        "{",
        "}",
        "#",
        "|",
        "!",
        "-",
        "=",
        ":",
        "~",
        "^",
        "$",
        "\\",
        "\n",
        " ",
        "<script>",
        "javascript:",
        "{{",
        "{%",
        "&lt;",
        "&#60;",
        "---",
        "1.",
        "<img src=x onerror=alert(1)>",
        "```",
        "    ",
        ":smile:",
        "https://x.org",
        "???",
        "///",
        "~~",
        "==",
        "{--",
        "++",
        "&amp;",
    ]
)
UNTRUSTED = st.lists(st.one_of(MARKUP, st.text(max_size=8)), max_size=30).map("".join)


def untrusted_paper(
    title: str,
    abstract: str,
    *,
    aliases: tuple[str, ...] = (),
    date: str | None = None,
    meta: Metadata = NO_METADATA,
) -> Paper:
    """The paper ``p`` with an untrusted title and abstract, cleaned as the reading stage does."""
    return Paper(
        id="p",
        key="p",
        title=clean_title(title) or "t",
        abstract=clean_text(abstract) or "a",
        aliases=aliases,
        sources=(Source("listings/x.txt", 1, date),),
        meta=meta,
    )


# Extensions a Material site commonly enables: the escaping must hold under all of them.
# Left out: pymdownx.magiclink links a bare "www.example.com", which no escaping of punctuation
# prevents; pymdownx.critic reads "{--" ... "--}" even inside code blocks (the BibTeX block).
EXTENSIONS = [
    "tables",
    "toc",
    "attr_list",
    "md_in_html",
    "admonition",
    "footnotes",
    "def_list",
    "abbr",
    "pymdownx.emoji",
    "pymdownx.tilde",
    "pymdownx.caret",
    "pymdownx.mark",
    "pymdownx.keys",
    "pymdownx.betterem",
    "pymdownx.arithmatex",
    "pymdownx.inlinehilite",
    "pymdownx.details",
    "pymdownx.tasklist",
    "pymdownx.blocks.admonition",
]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def to_html(markdown_text: str) -> str:
    result: str = markdown.Markdown(extensions=EXTENSIONS).convert(markdown_text)
    return result


@settings(max_examples=300, deadline=None)
@given(UNTRUSTED)
def test_escaped_text_is_one_paragraph_of_exactly_the_input(value: str) -> None:
    # control characters are dropped (Python Markdown reserves STX/ETX for itself)
    kept = "".join(ch for ch in value if ch.isspace() or unicodedata.category(ch) != "Cc")
    flat = " ".join(kept.split())
    produced = to_html(text(value))
    if not flat:
        assert produced == ""
        return
    parser = Tags()
    parser.feed(produced)
    assert [tag for tag, _ in parser.tags] == ["p"]
    assert parser.tags[0][1] == []
    inner = produced.removeprefix("<p>").removesuffix("</p>")
    assert html_module.unescape(inner) == flat


#: The folded block of where a paper was read (generator/render/provenance.py): its own
#: elements, never the input's.
PROVENANCE = ("details", "summary", "ul", "li")


def _an_address_of(href: str | None, abstract: str) -> bool:
    """Whether ``href`` is an http(s) address written in ``abstract`` (its link to itself)."""
    address = unquote(html_module.unescape(href or ""))
    return address.startswith(("http://", "https://")) and address in unquote(abstract)


@settings(max_examples=150, deadline=None)
@given(title=UNTRUSTED, abstract=UNTRUSTED, alias=UNTRUSTED, date=UNTRUSTED)
def test_rendered_paper_pages_only_hold_our_own_elements(
    title: str, abstract: str, alias: str, date: str
) -> None:
    paper = untrusted_paper(
        title,
        abstract,
        aliases=(alias,),
        date=date,
        meta=Metadata(authors=(alias or "n", title or "m"), note=abstract or None),
    )
    page = render_paper(paper, {}, {"p": paper})
    _, head, body = page.split("---\n", 2)  # the front matter is read by MkDocs, not Markdown
    meta = yaml.safe_load(head)
    assert html_module.unescape(meta["title"]) == " ".join(paper.title.split())
    assert meta["citation"][0] == ["citation_title", " ".join(paper.title.split())]
    parser = Tags()
    parser.feed(to_html(body))
    allowed = {
        "h1",
        "h2",
        "p",
        "pre",
        "code",
        "blockquote",
        "strong",
        "a",
        "br",
        "ul",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        *PROVENANCE,
    }
    # our links only: the topic, the title searches of a paper without an arXiv id and the
    # merge report (the paper has another spelling)
    searches = {arxiv_search_url(paper.title), hub_search_url(paper.title), "../merges.html"}
    for tag, attrs in parser.tags:
        assert tag in allowed
        for name, value in attrs:
            assert name in ("href", "id", "style", "class"), (tag, name)
            if name == "class":
                assert (tag, value) == ("details", "pkb-provenance")
            if name == "href":
                # ... and the abstract's own web addresses, as links to themselves
                assert value in {"../topics/unsorted.md", *searches} or _an_address_of(
                    value, paper.abstract
                ), value
            if name == "style":
                assert value in ("text-align: left;", "text-align: right;", "text-align: center;")


@settings(max_examples=150, deadline=None)
@given(summary=UNTRUSTED, organization=UNTRUSTED, keyword=UNTRUSTED, path=UNTRUSTED)
def test_the_hubs_fields_never_add_an_element_or_a_link_of_their_own(
    summary: str, organization: str, keyword: str, path: str
) -> None:
    """Hub text (AI summary, organization, keywords) and Hub URLs, whatever they hold."""
    url = "https://example.org/" + path
    paper = Paper(
        id="p",
        key="p",
        title="t",
        abstract="a",
        aliases=(),
        sources=(Source("listings/x.txt", 1, None),),
        meta=Metadata(
            arxiv="2412.01234",
            organization=organization or None,
            ai_summary=summary or None,
            ai_keywords=(keyword,) if keyword else (),
            github=url,
            project="javascript:" + path,
            withdrawn="2024-12-05",
        ),
    )
    html = to_html(render_paper(paper, {}, {}).split("---\n", 2)[2])
    parser = Tags()
    parser.feed(html)
    ours = {
        "../topics/unsorted.md",
        "https://arxiv.org/abs/2412.01234",
        "https://arxiv.org/pdf/2412.01234",
        "https://huggingface.co/papers/2412.01234",
    }
    allowed = {"h1", "h2", "p", "pre", "code", "blockquote", "strong", "a", "br"}
    allowed |= {"table", "thead", "tbody", "tr", "th", "td", *PROVENANCE}
    for tag, attrs in parser.tags:
        assert tag in allowed
        for name, value in attrs:
            assert name in ("href", "id", "style", "class"), (tag, name)
            if name == "class":
                assert (tag, value) == ("details", "pkb-provenance")
            if name == "href":
                assert value is not None
                assert value in ours or value.startswith("https://example.org/"), value
                assert not set(value) & set(' "<>()[]{}\\`'), value
                if value not in ours:  # the URL as the Hub gave it, percent-encoded
                    assert unquote(value) == unquote(web_url(url) or "")
    assert sum(1 for tag, _ in parser.tags if tag == "a") == len(ours) + (web_url(url) is not None)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_decoding_or_parsing(data: bytes) -> None:
    text_value, problems = decode(data, "f.txt")
    if text_value is None:
        assert problems
        return
    entries, problems = parse_listing(text_value, "f.txt")
    for entry in entries:
        assert entry.title
        assert entry.abstract
        assert entry.source.line >= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_titles_give_safe_bounded_ids_and_keys(title: str) -> None:
    slug = make_slug(title)
    assert SLUG.fullmatch(slug)
    assert 0 < len(slug) <= MAX_ID_LENGTH
    assert ".." not in slug
    cleaned = clean_title(title)
    assert cleaned == " ".join(cleaned.split())
    if cleaned:
        assert title_key(cleaned)


@pytest.fixture(scope="module")
def mkdocs_config() -> Any:
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does first
    return config.plugins.on_config(config)  # hooks/literal_text.py adds its Markdown extension


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=UNTRUSTED, abstract=UNTRUSTED)
def test_the_html_mkdocs_makes_from_a_paper_page_has_no_element_from_the_input(
    mkdocs_config: Any, title: str, abstract: str
) -> None:
    """Rendered by MkDocs itself (its Markdown setup from mkdocs.yml, its link processing)."""
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    paper = untrusted_paper(title, abstract)
    source = File.generated(mkdocs_config, "papers/p.md", content=render_paper(paper, {}, {}))
    topic = File.generated(mkdocs_config, "topics/unsorted.md", content="# Unsorted\n")
    page = Page(None, source, mkdocs_config)
    page.read_source(mkdocs_config)
    page.render(mkdocs_config, Files([source, topic]))
    assert html_module.unescape(page.title) == " ".join(paper.title.split())
    parser = Tags()
    assert page.content is not None
    parser.feed(page.content)
    for tag, attrs in parser.tags:
        assert tag in {
            *("h1", "h2", "p", "strong", "a", "pre", "code"),
            *("table", "thead", "tbody", "tr", "th", "td", *PROVENANCE),
        }
        for name, value in attrs:
            assert name in ("href", "id", "style", "class"), (tag, name)
            if name == "class":
                assert (tag, value) == ("details", "pkb-provenance")
            if name == "href":
                assert value in {
                    "../topics/unsorted.html",
                    arxiv_search_url(paper.title),
                    hub_search_url(paper.title),
                } or _an_address_of(value, paper.abstract), value
