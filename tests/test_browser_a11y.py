"""Accessibility of every page kind, in both palettes, checked by axe-core in Chromium.

axe-core (npm, test-only: ``package.json``) is injected into each built page; a serious or
critical violation of any rule fails the test and is listed with its nodes. Pages are opened
from ``file://`` with the network off, as a reader opens a downloaded site, and at a desktop
and a phone width.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser
from conftest import ROOT
from test_browser import SubPathPages, _require_chromium, build_site, loopback, require

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

#: One page of each kind: home, indexes, a large and a small topic, Unsorted, a paper with a
#: record (authors, arXiv) and one from a listing only, an author, the hand-written page, the
#: merge report, the page about the knowledge base and the date pages (issue 24). The 404 page
#: is served by a server only: it is tested over http, under a
#: sub-path as GitHub project Pages serve it (:func:`test_the_404_page_under_a_sub_path`).
PAGES = [
    "index.html",
    "topics/index.html",
    "topics/state-space-models.html",
    "topics/reasoning.html",
    "topics/unsorted.html",
    "papers/index.html",
    "papers/mamba-linear-time-sequence-modeling-with-selective-state-spaces.html",
    "papers/binary-latent-diffusion.html",
    "authors/index.html",
    "authors/albert-gu.html",
    "about.html",
    "merges.html",
    "knowledge-base.html",
    "dates/index.html",
    "dates/2025-08-12.html",
    "dates/2025-w33.html",
    "dates/2024-02.html",
    "reading-list.html",
]
#: The new page kinds of issue 24 with every field of a row (upvotes, comments, code, authors),
#: on the shipped data as a season of Daily Papers (conftest.make_dated_project).
DATED_PAGES = [
    "index.html",
    "dates/index.html",
    "dates/2024-08-12.html",
    "dates/2024-w33.html",
    "dates/2024-08.html",
    "papers/index.html",
    "topics/image-generation.html",
    "authors/author-3-0.html",
]
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_chromium()
    require(AXE, "npm ci")
    return build_site(tmp_path_factory.mktemp("a11y"))


# The browser of test_browser.py, on this module's site.
browser = test_browser.browser


def violations(
    browser: Any,
    url: str,
    scheme: str,
    width: int,
    *,
    offline: bool = True,
    setup: Callable[[Any], None] | None = None,
) -> list[str]:
    """The serious or critical violations axe finds on ``url`` (after ``setup(page)``)."""
    context = browser.new_context(
        offline=offline, color_scheme=scheme, viewport={"width": width, "height": 900}
    )
    try:
        page = context.new_page()
        page.goto(url)
        if setup is not None:
            setup(page)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    finally:
        context.close()
    return [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def both_widths(browser: Any, page: Path, scheme: str) -> list[str]:
    """The serious violations of a built page, opened from disk, at 1280 and 390 px."""
    assert page.is_file(), page
    url = page.resolve().as_uri()
    return violations(browser, url, scheme, 1280) + violations(browser, url, scheme, 390)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violation(
    site: Path, browser: Any, page: str, scheme: str
) -> None:
    assert both_widths(browser, site / page, scheme) == []


def search_for(query: str) -> Callable[[Any], None]:
    """Opens the search panel (the header's button on a phone) and types ``query``."""

    def setup(page: Any) -> None:
        if page.viewport_size["width"] < 768:
            page.click("label.md-header__button[for='__search']")
        else:
            page.click(".md-search__input")
        # Keys typed before the box has the focus are lost (the phone's header button opens the
        # panel with a transition): wait for the focus, as a person would.
        page.wait_for_function(
            "document.activeElement?.classList.contains('md-search__input') === true"
        )
        page.keyboard.type(query)
        page.wait_for_function(
            "q => document.querySelector('[data-paperkb-query]')?.dataset.paperkbQuery === q",
            arg=query,
        )
        page.keyboard.press("ArrowDown")  # the first result has the keyboard
        page.wait_for_timeout(300)  # Material's opening transition

    return setup


#: Queries that show every part of the panel: a corrected word and marked results; papers with
#: some of the words under their own line and buttons for the words alone; nothing found.
PANEL_QUERIES = ["transfomer", "qqzzx mamba graph", "qqzzx wwvvk"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("query", PANEL_QUERIES)
def test_no_serious_accessibility_violation_with_the_search_panel_open(
    site: Path, browser: Any, scheme: str, width: int, query: str
) -> None:
    """Before (issue 25): 8-9 serious color-contrast nodes in every palette, unseen because
    these tests never opened the panel."""
    url = (site / "index.html").resolve().as_uri()
    assert violations(browser, url, scheme, width, setup=search_for(query)) == []


def keep_some(page: Any) -> None:
    """Keeps three papers of a topic page, then opens the reading list."""
    topic = page.url.rsplit("/", 1)[0] + "/topics/state-space-models.html"
    page.goto(topic)
    for n in (0, 2, 5):
        page.click(f"article ul.pkb-rows > li:nth-child({n + 1}) > .pkb-star")
    page.goto(topic.replace("topics/state-space-models.html", "reading-list.html"))
    page.wait_for_selector("[data-pkb-reading][data-pkb-ready]")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violation_on_the_reading_list_with_papers_kept(
    site: Path, browser: Any, scheme: str
) -> None:
    url = (site / "index.html").resolve().as_uri()
    for width in (1280, 390):
        assert violations(browser, url, scheme, width, setup=keep_some) == []


@pytest.fixture(scope="module")
def dated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import make_dated_project

    from generator.cli import main

    root = make_dated_project(tmp_path_factory.mktemp("a11y-dated") / "project")
    assert main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]) == 0
    return root / "site"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page", DATED_PAGES)
def test_no_serious_accessibility_violation_in_rows_with_every_field(
    dated_site: Path, browser: Any, page: str, scheme: str
) -> None:
    assert both_widths(browser, dated_site / page, scheme) == []


@pytest.fixture(scope="module")
def sub_path_site(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped site built for https://example.org/kb/, served at http://127.0.0.1:N/kb/."""
    from conftest import make_project

    from generator.cli import main

    root = make_project(tmp_path_factory.mktemp("subpath") / "project")
    args = ["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]
    assert main([*args, "--site-url", "https://example.org/kb/"]) == 0
    with loopback(root / "site", SubPathPages) as server_root:
        yield server_root + "kb/"


def test_the_404_page_under_a_sub_path_is_styled_and_complete(
    browser: Any, sub_path_site: str
) -> None:
    context = browser.new_context()
    failed: list[str] = []
    try:
        page = context.new_page()
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.on(
            "response",
            lambda response: (
                failed.append(response.url)
                if response.status >= 400 and not response.url.endswith("/no/such/page.html")
                else None
            ),
        )
        response = page.goto(sub_path_site + "no/such/page.html")
        assert response is not None and response.status == 404
        page.wait_for_load_state("networkidle")
        # Material's stylesheet applied: the header is a coloured bar, not unstyled text.
        header = page.eval_on_selector(".md-header", "e => getComputedStyle(e).position")
        assert header in ("sticky", "fixed")
        home = page.eval_on_selector(".md-header__button.md-logo", "a => a.href")
        assert home.startswith(sub_path_site)
    finally:
        context.close()
    assert failed == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_404_page_has_no_serious_accessibility_violation(
    browser: Any, sub_path_site: str, scheme: str
) -> None:
    url = sub_path_site + "no/such/page.html"
    found = violations(browser, url, scheme, 1280, offline=False)
    found += violations(browser, url, scheme, 390, offline=False)
    assert found == []


#: Chart text as rendered, in CSS pixels: an SVG text's font size times the scale of its
#: picture, and the font size of a bar chart's labels and values (HTML text).
RENDERED_TEXT_SIZES = """() => [
  ...Array.from(document.querySelectorAll('.pkb-chart svg')).flatMap(svg => {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Array.from(svg.querySelectorAll('text')).map(
      t => parseFloat(getComputedStyle(t).fontSize) * scale);
  }),
  ...Array.from(document.querySelectorAll('.pkb-bar-label, .pkb-bar-value')).map(
    e => parseFloat(getComputedStyle(e).fontSize)),
]"""
#: The right edge of every bar of the bar charts, in CSS pixels.
BAR_ENDS = """() => Array.from(document.querySelectorAll('.pkb-bar-rect')).map(
  r => r.getBoundingClientRect().right)"""


@pytest.mark.parametrize("page", ["index.html", "topics/state-space-models.html"])
def test_chart_labels_are_readable_on_a_phone(site: Path, browser: Any, page: str) -> None:
    context = browser.new_context(offline=True, viewport={"width": 390, "height": 844})
    try:
        tab = context.new_page()
        tab.goto((site / page).resolve().as_uri())
        sizes: list[float] = tab.evaluate(RENDERED_TEXT_SIZES)
        assert sizes and min(sizes) >= 12, sorted(sizes)[:5]
        assert max(tab.evaluate(BAR_ENDS), default=0) <= 390  # bars on screen, not scrolled
        # The page itself does not scroll sideways: only the chart's own box does.
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_a_topic_page_lists_its_papers_before_the_map_on_a_phone(site: Path, browser: Any) -> None:
    url = (site / "topics" / "state-space-models.html").resolve().as_uri()
    order = """() => [document.querySelector('.pkb-topic-map').getBoundingClientRect().top,
                     document.querySelector('article ul.pkb-rows').getBoundingClientRect().top]"""
    for width, papers_first in ((390, True), (1280, False)):
        context = browser.new_context(offline=True, viewport={"width": width, "height": 844})
        try:
            tab = context.new_page()
            tab.goto(url)
            picture, first_group = tab.evaluate(order)
            assert (first_group < picture) == papers_first, (width, picture, first_group)
            if width == 390:
                assert first_group < 844  # the list starts on the first screen
        finally:
            context.close()


def test_the_merge_report_gives_spellings_room_to_read(site: Path, browser: Any) -> None:
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        tab.goto((site / "merges.html").resolve().as_uri())
        widths: list[float] = tab.evaluate(
            "() => Array.from(document.querySelectorAll('article table tbody tr td:first-child'))"
            ".map(td => td.getBoundingClientRect().width)"
        )
    finally:
        context.close()
    assert widths and min(widths) >= 120, min(widths)  # not one word per line (60-70 px before)


def test_pages_carry_their_own_description(site: Path) -> None:
    import re

    def description(page: str) -> str:
        html = (site / page).read_text(encoding="utf-8")
        found = re.search(r'<meta name="description" content="([^"]*)"', html)
        assert found, page
        return found.group(1)

    site_wide = description("about.html")
    paper = description(
        "papers/mamba-linear-time-sequence-modeling-with-selective-state-spaces.html"
    )
    topic = description("topics/state-space-models.html")
    assert len({site_wide, paper, topic}) == 3
    assert paper.startswith("Foundation models")
