"""Untrusted text through the real MkDocs + Material build: it reaches the reader as text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, make_project

from generator.cli import main

pytestmark = pytest.mark.slow

HOSTILE_TITLE = '<script>alert("title")</script> & [A link](javascript:alert(1)) | *Not emphasis*'


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.title = ""
        self._in: list[str] = []
        self.script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "title":
            self.title += data
        if self._in and self._in[-1] == "script":
            self.script_text.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("hostile") / "project", FIXTURES / "small")
    assert main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]) == 0
    return root / "site"


def parse(page: Path) -> Elements:
    parser = Elements()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_no_element_or_attribute_comes_from_the_input(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        parsed = parse(page)
        for tag, attrs in parsed.tags:
            assert tag not in ("img", "iframe", "object", "embed"), (page, tag)
            for name, value in attrs:
                assert not name.startswith("on"), (page, tag, name)
                if tag == "meta" and name == "content":
                    continue  # plain text for indexers (citation_title), never a URL or markup
                assert "javascript:" not in (value or "").lower(), (page, tag, name, value)
        assert not any("alert(" in text for text in parsed.script_text), page


def test_hostile_title_is_the_literal_page_title_and_heading(site: Path) -> None:
    (page,) = (site / "papers").glob("script-*.html")
    parsed = parse(page)
    assert parsed.title == f"{HOSTILE_TITLE} - Paper knowledge base"
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;img src=x onerror" in html or "&#60;img src&#61;x onerror" in html


def test_hostile_title_is_the_literal_citation_title(site: Path) -> None:
    (page,) = (site / "papers").glob("script-*.html")
    metas = [dict(attrs) for tag, attrs in parse(page).tags if tag == "meta"]
    titles = [m["content"] for m in metas if m.get("name") == "citation_title"]
    assert titles == [HOSTILE_TITLE]
    html = page.read_text(encoding="utf-8")
    assert 'content="&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;' in html


def test_titles_with_punctuation_keep_their_page_title(site: Path) -> None:
    page = site / "papers" / "fast-diffusion-sampling-with-consistency-distillation.html"
    assert parse(page).title == (
        "Fast Diffusion Sampling with Consistency Distillation - Paper knowledge base"
    )
