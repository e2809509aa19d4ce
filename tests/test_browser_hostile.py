"""A site built from hostile input, visited page by page in real headless Chromium.

Every page of the site made from ``tests/fixtures/hostile`` (script tags, event handlers,
javascript: links, entities that decode to tags, Markdown, template and front-matter syntax,
CJK, emoji, reserved and traversal names) is opened from ``file://`` with the network cut:
no dialog may open, no element or attribute from the input may exist, no request may leave.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, make_project
from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

from generator.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Attributes the theme itself never puts on an element: any of them came from the input.
PROBE = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'object', 'embed'].includes(tag)) found.push(tag);
    if (tag === 'img' && !(el.getAttribute('src') || '').startsWith('data:')) found.push('img');
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) found.push(tag + '[' + attr.name + ']');
      if (/^\\s*javascript:/i.test(attr.value)) found.push(tag + '[' + attr.name + '=js]');
    }
    if (tag === 'script' && /alert|pwned/.test(el.textContent)) found.push('script text');
  }
  return found;
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_chromium()
    root = make_project(tmp_path_factory.mktemp("hostile") / "project", FIXTURES / "hostile")
    assert main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]) == 0
    return root / "site"


@pytest.fixture(scope="module")
def page(site: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True)

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith("file://"):
                request_route.continue_()
            else:
                foreign.append(url)
                request_route.abort()

        context.route("**/*", route)
        tab = context.new_page()

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        tab.on("dialog", on_dialog)
        try:
            yield tab, dialogs, foreign
        finally:
            browser.close()


def test_every_page_shows_the_input_as_text_only(
    site: Path, page: tuple[Any, list[str], list[str]]
) -> None:
    tab, dialogs, foreign = page
    pages = sorted(p for p in site.rglob("*.html") if p.name != "404.html")
    assert len(pages) >= 15
    for path in pages:
        tab.goto(path.as_uri())
        tab.wait_for_load_state("load")
        assert tab.evaluate(PROBE) == [], path.relative_to(site)
    assert dialogs == []
    assert foreign == []


def test_hostile_title_is_visible_as_literal_text(
    site: Path, page: tuple[Any, list[str], list[str]]
) -> None:
    tab, dialogs, _ = page
    (path,) = (site / "papers").glob("script-alert-script-title-script.html")
    tab.goto(path.as_uri())
    assert tab.inner_text("article h1") == '<script>alert("script title")</script>'
    assert tab.title().startswith('<script>alert("script title")</script>')
    body = tab.inner_text("article")
    assert '<img src=x onerror=alert("img")>' in body
    assert dialogs == []


def test_searching_for_hostile_text_runs_nothing(
    site: Path, page: tuple[Any, list[str], list[str]]
) -> None:
    tab, dialogs, foreign = page
    tab.goto((site / "index.html").as_uri())
    tab.click(".md-search__input")
    tab.fill(".md-search__input", "script alert")
    tab.wait_for_selector("[data-paperkb-search-result] li", timeout=10_000)
    assert tab.evaluate(PROBE) == []
    assert "script" in tab.inner_text("[data-paperkb-search-result]").casefold()
    assert dialogs == []
    assert foreign == []
