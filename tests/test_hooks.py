"""The MkDocs hooks: compact_html drops template indentation only; literal_text builds the
generated link lists and plain text as Python Markdown would, as literal text, and MkDocs still
checks their links."""

from __future__ import annotations

import html as html_module
import logging
import unicodedata
from html.parser import HTMLParser
from types import ModuleType
from typing import Any

import markdown
import pytest
from conftest import ROOT, load_hook
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import UNTRUSTED, untrusted_paper

from generator.model import Metadata, Paper, Source
from generator.render.markdown import text
from generator.render.paper import render_paper
from generator.stages.authors import author_key


def load() -> ModuleType:
    return load_hook("compact_html")


def test_indentation_and_blank_lines_go_outside_pre_script_and_textarea() -> None:
    compact = load().compact
    html = (
        "<div>\n    <p>\n      text\n    </p>\n\n\n"
        "<pre><code>@misc{k,\n  title = {T}\n}</code></pre>\n  <script>\n  var a = 1;\n</script>"
        "\n   <TEXTAREA>\n  keep\n</TEXTAREA>\n</div>"
    )
    assert compact(html) == (
        "<div><p>\ntext</p>\n"
        "<pre><code>@misc{k,\n  title = {T}\n}</code></pre>\n<script>\n  var a = 1;\n</script>"
        "\n<TEXTAREA>\n  keep\n</TEXTAREA></div>"
    )


def test_line_breaks_go_only_before_block_tags() -> None:
    compact = load().compact
    html = (
        "<li>\n<a>x</a>\n<span>y</span>\n</li>\n<LI class=a>z\n<label>w</label>\n<script></script>"
    )
    assert (
        compact(html)
        == "<li>\n<a>x</a>\n<span>y</span></li><LI class=a>z\n<label>w</label>\n<script></script>"
    )


def test_compacting_is_idempotent_and_keeps_every_non_space_character() -> None:
    compact = load().compact
    html = "<ul>\n  <li>a b</li>\n\t<li>c</li>\n</ul>\n<pre>\n  x\n</pre>\n"
    once = compact(html)
    assert compact(once) == once
    assert "".join(once.split()) == "".join(html.split())


def literal_text() -> ModuleType:
    return load_hook("literal_text")


class Document(HTMLParser):
    """Elements, attributes and text (character references decoded), in document order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.items.append(("start", tag, *(f"{k}={v}" for k, v in attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.items.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.items and self.items[-1][0] == "text":
            data = self.items.pop()[1] + data
        self.items.append(("text", data))


def document(html: str) -> list[tuple[str, ...]]:
    parser = Document()
    parser.feed(html)
    parser.close()
    return parser.items


def convert(source: str, hook: ModuleType | None) -> tuple[str, int]:
    """HTML of ``source`` and how many blocks the hook built (0 without it)."""
    extensions: list[Any] = ["tables", "toc"]
    built = 0
    if hook is not None:
        extension = hook.LiteralTextExtension()
        extensions.append(extension)
    md = markdown.Markdown(extensions=extensions)
    if hook is not None:
        processor = md.parser.blockprocessors["paperkb_link_blocks"]
        run = processor.run

        def counting(parent: Any, blocks: list[str]) -> None:
            nonlocal built
            built += 1
            run(parent, blocks)

        processor.run = counting
    return md.convert(source), built


def flat(value: str) -> str:
    kept = "".join(ch for ch in value if ch.isspace() or unicodedata.category(ch) != "Cc")
    return " ".join(kept.split())


@settings(max_examples=300, deadline=None)
@given(a=UNTRUSTED, b=UNTRUSTED, c=UNTRUSTED)
def test_the_hook_makes_the_same_document_and_input_stays_text(a: str, b: str, c: str) -> None:
    if not flat(a) or not flat(b):
        return
    source = (
        f"# {text(a)}\n\n**Topics:** [{text(a)}](../topics/x.md) · [{text(b)}](../topics/y.md)\n\n"
        f"## Abstract\n\n{text(a)}\n\n"
        f"## Related papers\n\n- [{text(a)}](p.md)\n- [{text(b)}](q-2.md): {text(c) or 'x'}\n"
    )
    plain, _ = convert(source, None)
    fast, built = convert(source, literal_text())
    assert built >= 2  # the chips and the list (and the abstract, unless it has syntax)
    assert document(fast) == document(plain)
    for item in document(fast):
        if item[0] == "start":
            assert item[1] in {"h1", "h2", "p", "strong", "a", "ul", "li"}
            assert all(attr.split("=")[0] in ("href", "id") for attr in item[2:])
    texts = [item[1] for item in document(fast) if item[0] == "text"]
    assert texts.count(flat(a)) >= 4  # heading, chip, paragraph, list item: exactly the input


@settings(max_examples=200, deadline=None)
@given(
    title=UNTRUSTED,
    abstract=UNTRUSTED,
    name=UNTRUSTED,
    path=UNTRUSTED,
    arxiv=st.sampled_from([None, "2412.01234", "hep-th/9901001v2"]),
)
def test_the_hook_makes_the_same_document_of_any_paper_page(
    title: str, abstract: str, name: str, path: str, arxiv: str | None
) -> None:
    """Whole pages as paperkb writes them (byline, facts, chips, lists), from hostile input."""
    paper = untrusted_paper(
        title,
        abstract,
        meta=Metadata(
            authors=(name or "n", "Ada Lovelace"),
            arxiv=arxiv,
            published="2024-12-01",
            upvotes=12,
            comments=3,
            organization=name or None,
            github="https://github.com/" + path,
            project="https://example.org/" + path + "?a=1&b=(2)",
        ),
    )
    ids = {author_key("Ada Lovelace"): "ada-lovelace"}
    body = render_paper(paper, {}, {"p": paper}, ids).split("\n---\n", 1)[1]
    plain, _ = convert(body, None)
    fast, built = convert(body, literal_text())
    assert built >= 1  # the topic chips at least (the byline too unless a field is blank)
    assert document(fast) == document(plain)


def test_a_paper_byline_is_built_by_the_hook() -> None:
    source = (
        "**Authors:** [A](../authors/a.md), B  \n"
        "**Published:** 2024 · **arXiv:** [2103&#46;13630](https://arxiv.org/abs/2103.13630) "
        "([PDF](https://arxiv.org/pdf/2103.13630)) · [Hugging Face](https://huggingface.co/p)  \n"
        "**Code:** [github.com/a/b](https://github.com/a/b?x=1&amp;y=%282%29) (1,234 stars)"
    )
    fast, built = convert(source, literal_text())
    assert built == 1
    assert fast == convert(source, None)[0].replace("2103&#46;13630", "2103.13630")


@pytest.mark.parametrize(
    "source",
    [
        "- [a](b.md) *emphasis*",  # syntax in the text after the link
        "- [a *b*](c.md)",  # syntax in the label
        "- [a](b.md)\n  continued",  # a lazy continuation line
        "- one\n\n- [a](b.md)",  # Markdown continues the list before (a loose list)
        "- [a](https://example.com/x(1))",  # parentheses in a URL: paperkb encodes them
        "- [a](b.md) and text",  # a list item
        "    [a](b.md)",  # an indented block
        "**Topics:** [a](b.md) ** c ** d",  # a ** between spaces is text for Markdown
        "**Topics:** [a](b.md)\n**More:** [c](d.md)",  # a line break that is not a hard one
        "**Topics:** [a](b.md)   \n**More:** [c](d.md)",  # three spaces
        "**Topics:** [a](b.md)  \n  **More:** [c](d.md)",  # an indented line
        "**Topics:** [a](<b.md>)",  # a target in angle brackets
        '**Topics:** [a](b.md "title")',  # a link title
        "**a** *b*",  # emphasis
        "[a](b.md)[c]",  # a bracket that is no link
        "1. an ordered list",  # other processors come first
        "---",
        "A paragraph\nof two lines",
        "<p>raw HTML</p>",
        "- [a](b.md)\n- [c](d.md) `code`",
    ],
)
def test_other_blocks_are_left_to_markdown(source: str) -> None:
    fast, built = convert(source, literal_text())
    assert built == 0
    assert fast == convert(source, None)[0]


@pytest.mark.parametrize(
    "source",
    [
        "- [a](b.md)\n\n- [c](d.md)",  # one loose list
        "- [a](b.md): x\n\n    more of the last item",
        "- [a](b.md)\n\n1. [c](d.md)",
    ],
)
def test_lists_that_markdown_joins_come_out_as_markdown_makes_them(source: str) -> None:
    assert convert(source, literal_text())[0] == convert(source, None)[0]


def test_mkdocs_still_checks_the_links_the_hook_builds(caplog: pytest.LogCaptureFixture) -> None:
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    assert any(type(e).__name__ == "LiteralTextExtension" for e in config.markdown_extensions)
    source = "# P\n\n**Topics:** [T](../topics/t.md)\n\n- [Q](q.md)\n- [Gone](gone.md): gist\n"
    page_file = File.generated(config, "papers/p.md", content=source)
    files = Files(
        [
            page_file,
            File.generated(config, "papers/q.md", content="# Q\n"),
            File.generated(config, "topics/t.md", content="# T\n"),
        ]
    )
    page = Page(None, page_file, config)
    page.read_source(config)
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        page.render(config, files)
    assert page.content is not None
    assert '<a href="../topics/t.html">T</a>' in page.content
    assert '<a href="q.html">Q</a>' in page.content
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "'gone.md'" in warnings[0]
    assert html_module.unescape(page.content).count("Gone") == 1


@pytest.mark.parametrize(
    ("path", "left_out"),
    [
        ("assets/javascripts/lunr/min/lunr.de.min.js", True),
        ("assets/javascripts/workers/search.a7633da7.min.js", True),
        ("assets/javascripts/bundle.a5f9d56c.min.js.map", True),
        ("assets/stylesheets/main.57a0d79d.min.css.map", True),
        ("assets/javascripts/bundle.a5f9d56c.min.js", False),
        ("assets/stylesheets/main.57a0d79d.min.css", False),
        ("assets/javascripts/paperkb-search.js", False),
        ("search/index.js", False),
    ],
)
def test_unused_assets_are_only_lunr_workers_and_source_maps(path: str, left_out: bool) -> None:
    assert load_hook("unused_assets").unused(path) is left_out


def test_unused_assets_keeps_hand_written_files_of_the_same_names(tmp_path: Any) -> None:
    from mkdocs.structure.files import File, Files

    docs, theme = tmp_path / "docs", tmp_path / "theme"
    for root, rel in [(docs, "assets/mine.js.map"), (theme, "assets/javascripts/x.js.map")]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("{}")
    files = Files(
        [
            File("assets/mine.js.map", str(docs), str(tmp_path / "site"), False),
            File("assets/javascripts/x.js.map", str(theme), str(tmp_path / "site"), False),
        ]
    )
    kept = load_hook("unused_assets").on_files(files, {"docs_dir": str(docs)})
    assert [f.src_uri for f in kept] == ["assets/mine.js.map"]


# --- hooks/site_url.py (issue 24) ------------------------------------------------------------


def _feed_files(tmp_path: Any, feeds: dict[str, str]) -> Any:
    from mkdocs.structure.files import File, Files

    docs = tmp_path / "docs"
    for rel, content in feeds.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(content, encoding="utf-8")
    return Files([File(rel, str(docs), str(tmp_path / "site"), False) for rel in feeds])


def _relative_feed(path: str) -> str:
    from generator.layout import MARKER_TEXT
    from generator.render.feed import render_feed

    paper = Paper("p", "p", "P", "A.", (), (Source("listings/2024-08-12.txt", 1, "Aug 12, 2024"),))
    return render_feed([paper], {}, title="t", site_url=None, marker=MARKER_TEXT, path=path)


@pytest.mark.parametrize("site_url", ["https://someone.github.io/kb/", None])
def test_the_site_url_hook_makes_only_paperkbs_feeds_absolute(
    tmp_path: Any, site_url: str | None
) -> None:
    """With a site URL: feed.xml and feeds/*.xml that carry the marker, against their own
    address; a hand-written feed, another XML file and everything without a URL: as they are."""
    hook = load_hook("site_url")
    theirs = _relative_feed("feeds/x.xml").replace("paperkb:generated", "someone else")
    files = _feed_files(
        tmp_path,
        {
            "feed.xml": _relative_feed("feed.xml"),
            "feeds/t.xml": _relative_feed("feeds/t.xml"),
            "feeds/theirs.xml": theirs,
            "cite/t.xml": _relative_feed("feed.xml"),
        },
    )
    out = {f.src_uri: f.content_string for f in hook.on_files(files, {"site_url": site_url})}
    if site_url is None:
        assert 'href="https://' not in "".join(out.values())
        return
    assert 'href="https://someone.github.io/kb/papers/p.html"' in out["feed.xml"]
    assert 'href="https://someone.github.io/kb/papers/p.html"' in out["feeds/t.xml"]
    assert 'href="https://someone.github.io/kb/feeds/t.xml"' in out["feeds/t.xml"]
    assert out["feeds/theirs.xml"] == theirs
    assert 'href="https://' not in out["cite/t.xml"]
    assert (tmp_path / "docs" / "feed.xml").read_text() == _relative_feed("feed.xml")


def test_the_site_url_hook_gives_the_404_page_a_base_and_relative_links() -> None:
    from mkdocs.config.defaults import MkDocsConfig

    hook = load_hook("site_url")
    config = MkDocsConfig()
    config.load_dict({"site_name": "kb", "extra_css": ["assets/x.css"], "extra": {}})
    context = {"base_url": "/kb/", "extra_css": ["/kb/assets/x.css"], "extra_javascript": []}
    assert hook.on_template_context(dict(context), "sitemap.xml", config) == context
    made = hook.on_template_context(dict(context), "404.html", config)
    assert made["pkb_base"] == "/kb/" and made["base_url"] == "."
    assert made["extra_css"] == ["./assets/x.css"]
    assert config.extra["scope"] == "/kb/"  # Material's stored palette: the site root's
    hook.on_post_template("<html>", "404.html", config)
    assert "scope" not in config.extra  # only while the 404 page is made
    config.extra["scope"] = "/own/"
    hook.on_template_context(dict(context), "404.html", config)
    hook.on_post_template("<html>", "404.html", config)
    assert config.extra["scope"] == "/own/"
