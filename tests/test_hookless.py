"""The hooks in ``hooks/`` are optimizations only (issue 28, engine insurance): the shipped site
built from a configuration without ``hooks:`` is the same site. Every page is the same document
(elements, attributes and text; only white space between tags differs, which compact_html
drops), the search files are the same bytes, and the search works in a real browser. An engine
that cannot run MkDocs hooks (Zensical today) loses speed and bytes, not content."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser
from conftest import make_project
from test_hooks import document

from generator.cli import main
from generator.sitebuild.engine import build_site

pytestmark = pytest.mark.slow

#: What unused_assets leaves out: Material's lunr search, its worker, source maps.
LEFT_OUT = re.compile(r"assets/javascripts/(lunr|workers)/.*|.*\.map")


def without_hooks(config: Path) -> Path:
    """A configuration beside ``config`` that is ``config`` without its ``hooks:`` list."""
    text = config.read_text(encoding="utf-8")
    kept = re.sub(r"(?m)^hooks:\n(?:  - .*\n)+", "", text)
    assert kept != text and "hooks/" not in kept.replace("# ", "")
    plain = config.with_name("mkdocs-without-hooks.yml")
    plain.write_text(kept, encoding="utf-8")
    return plain


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The shipped site built with its hooks, and without them."""
    root = make_project(tmp_path_factory.mktemp("hookless") / "project")
    assert main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")]) == 0
    hooked = root / "site"
    build_site(root / "mkdocs.yml", hooked, show=False)
    plain = root / "site-without-hooks"
    build_site(without_hooks(root / "mkdocs.yml"), plain, show=False)
    return hooked, plain


def files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def page(html: str) -> list[tuple[str, ...]]:
    """The document with white space runs in text as one space, white-space-only text gone."""
    out = []
    for item in document(html):
        if item[0] == "text":
            text = " ".join(item[1].split())
            if not text:
                continue
            item = ("text", text)
        out.append(item)
    return out


def test_without_hooks_the_site_has_every_file_and_only_unused_assets_more(
    sites: tuple[Path, Path],
) -> None:
    hooked, plain = sites
    assert files(hooked) <= files(plain)
    extra = files(plain) - files(hooked)
    assert extra and all(LEFT_OUT.fullmatch(rel) for rel in extra)


def test_without_hooks_every_page_is_the_same_document(sites: tuple[Path, Path]) -> None:
    hooked, plain = sites
    pages = sorted(rel for rel in files(hooked) if rel.endswith(".html"))
    assert len(pages) > 300
    differ = [
        rel
        for rel in pages
        if page((hooked / rel).read_text(encoding="utf-8"))
        != page((plain / rel).read_text(encoding="utf-8"))
    ]
    # The one page the hooks change in what it does: the 404 page. hooks/site_url.py gives it
    # a <base> so that it is styled when opened from disk too; without the hook its links stay
    # absolute to the server's root, which is where a server shows it (its purpose).
    assert differ == ["404.html"]
    missing = (plain / "404.html").read_text(encoding="utf-8")
    assert "<base " not in missing
    assert 'href="/assets/stylesheets/' in missing
    # And the hooks did something: the pages are smaller with them.
    size = sum((hooked / rel).stat().st_size for rel in pages)
    assert size < 0.95 * sum((plain / rel).stat().st_size for rel in pages)


def test_without_hooks_the_search_files_are_the_same(sites: tuple[Path, Path]) -> None:
    hooked, plain = sites
    search = sorted(rel for rel in files(hooked) if rel.startswith(("search/", "assets/java")))
    assert any(rel.startswith("search/") for rel in search)
    assert [
        rel for rel in search if (hooked / rel).read_bytes() != (plain / rel).read_bytes()
    ] == []


@pytest.fixture
def plain_session(sites: tuple[Path, Path]) -> Iterator[test_browser.Session]:
    from playwright.sync_api import sync_playwright

    test_browser.require(test_browser.CHROMIUM, "apt-get install chromium")
    plain = sites[1]
    with (
        test_browser.loopback(plain) as root,
        sync_playwright() as p,
    ):
        # A fresh profile of its own, as in test_browser.py (Playwright makes one per launch).
        browser = p.chromium.launch(
            executable_path=str(test_browser.CHROMIUM), args=test_browser.CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            session = test_browser.Session(root, page)
            page.on("pageerror", lambda exc: session.errors.append(str(exc)))
            yield session
            assert session.errors == []
        finally:
            browser.close()


@pytest.mark.browser
def test_without_hooks_the_search_finds_papers_in_a_browser(
    plain_session: test_browser.Session, sites: tuple[Path, Path]
) -> None:
    import json

    record: dict[str, Any] = json.loads((sites[1] / "papers.json").read_text(encoding="utf-8"))
    plain_session.open("index.html")
    for paper in test_browser._sample(record["papers"])[:4]:
        hrefs = plain_session.search(paper["title"])
        assert hrefs and hrefs[0] == plain_session.root + paper["url"], paper["title"]
