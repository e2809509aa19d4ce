"""Reading the site like Daily Papers (issue 24), in headless Chromium.

The site is the shipped data as a season of Daily Papers (:func:`conftest.make_dated_project`:
every listing dated, a dozen papers with the Hub's upvotes, comments and code), built for
https://example.org/kb/ and opened two ways: from ``file://`` with the network off, and over
http under ``/kb/`` as GitHub project Pages serve it (:class:`test_browser.SubPathPages`,
whose missing paths get the 404 page).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import test_browser
from conftest import make_dated_project
from test_browser import SubPathPages, _require_chromium, loopback

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE_URL = "https://example.org/kb/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.cli import main

    _require_chromium()
    root = make_dated_project(tmp_path_factory.mktemp("reading") / "project")
    args = ["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]
    assert main([*args, "--site-url", SITE_URL]) == 0
    return root / "site"


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with loopback(site, SubPathPages) as root:
        yield root + "kb/"


browser = test_browser.browser


@pytest.fixture(params=["file", "http"])
def tab(request: pytest.FixtureRequest, browser: Any, site: Path, served: str) -> Iterator[Any]:
    """A page of a fresh context, with ``tab.root`` the site's address; every request must stay
    on the site and no console error may happen."""
    offline = request.param == "file"
    root = site.resolve().as_uri() + "/" if offline else served
    context = browser.new_context(offline=offline, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.root = root
    try:
        yield page
        assert [u for u in requests if not u.startswith(root)] == []
        assert errors == []
    finally:
        context.close()


def rows(page: Any, selector: str = "article ul.pkb-rows > li") -> list[dict[str, Any]]:
    """The visible rows in page order: title, date, upvotes."""
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        selector,
        """items => items.filter(li => li.offsetParent !== null).map(li => ({
            title: li.querySelector('a').textContent,
            d: li.getAttribute('data-d'),
            u: li.hasAttribute('data-u') ? Number(li.getAttribute('data-u')) : null}))""",
    )
    return found


def test_the_home_page_opens_on_the_newest_papers_then_the_most_upvoted_then_topics(
    tab: Any,
) -> None:
    tab.goto(tab.root + "index.html")
    headings = tab.eval_on_selector_all("article h2", "hs => hs.map(h => h.textContent)")
    assert headings[0] == "Newest: Wednesday, Aug 14, 2024"
    assert headings[1] == "Most upvoted in week 33 of 2024"
    assert headings[-1] == "Topics"
    # the papers start on the first screen
    first = tab.eval_on_selector("article ul.pkb-rows", "u => u.getBoundingClientRect().top")
    assert first < 900
    newest = rows(tab, "article h2:nth-of-type(1) + ul.pkb-rows > li")
    assert {r["d"] for r in newest} == {"2024-08-14"}
    voted = rows(tab, "article h2:nth-of-type(2) + ul.pkb-rows > li")
    votes = [r["u"] for r in voted]
    assert votes and votes == sorted(votes, reverse=True)
    text = tab.inner_text("article h2:nth-of-type(2) + ul.pkb-rows > li")
    assert re.search(r"On Daily Papers Aug 12, 2024 · \d+ upvotes · \d comments?", text)
    assert "Structured records" not in tab.inner_text("article")
    footer = tab.eval_on_selector(".md-footer a[href$='knowledge-base.html']", "a => a.href")
    assert footer == tab.root + "knowledge-base.html"


def test_a_day_page_leads_to_the_previous_and_next_days(tab: Any) -> None:
    tab.goto(tab.root + "dates/2024-08-12.html")
    assert tab.inner_text("article h1") == "Monday, Aug 12, 2024"
    with tab.expect_navigation():
        tab.click("article a:text('Aug 7, 2024')")
    assert tab.url == tab.root + "dates/2024-08-07.html"
    assert tab.inner_text("article h1") == "Wednesday, Aug 7, 2024"
    assert {r["d"] for r in rows(tab)} == {"2024-08-07"}
    with tab.expect_navigation():
        tab.click("article a:text('Aug 12, 2024')")
    with tab.expect_navigation():
        tab.click("article a:text('Aug 14, 2024')")
    assert tab.inner_text("article h1") == "Wednesday, Aug 14, 2024"
    assert "Next day" not in tab.inner_text("article")  # the newest day
    with tab.expect_navigation():
        tab.click("article a:text('Week 33 of 2024')")
    assert tab.url == tab.root + "dates/2024-w33.html"
    assert "ISO week (Monday to Sunday)" in tab.inner_text("article")


def _click(page: Any, label: str) -> None:
    page.click(f".pkb-sort button:text-is('{label}')")


def test_a_topic_sorts_by_newest_most_upvoted_and_title_without_a_request(tab: Any) -> None:
    tab.goto(tab.root + "topics/image-generation.html")
    written = rows(tab)
    assert len(written) > 20
    dates = [r["d"] for r in written]
    assert dates == sorted(dates, key=lambda d: d or "", reverse=True)  # newest first as written
    assert tab.get_attribute(".pkb-sort button:text-is('Newest')", "aria-pressed") == "true"
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))

    _click(tab, "Most upvoted")
    voted = rows(tab)
    votes = [r["u"] for r in voted if r["u"] is not None]
    assert votes and votes == sorted(votes, reverse=True)
    assert voted[: len(votes)] == [r for r in voted if r["u"] is not None]  # unknown last
    assert tab.get_attribute(".pkb-sort button:text-is('Most upvoted')", "aria-pressed") == "true"

    _click(tab, "Title")
    titles = [r["title"] for r in rows(tab)]
    assert titles == sorted(titles, key=str.casefold)

    _click(tab, "Newest")
    assert rows(tab) == written
    assert requests == []


def test_the_a_to_z_list_merges_its_letters_to_sort_and_has_a_letter_index(tab: Any) -> None:
    tab.goto(tab.root + "papers/index.html")
    letters = tab.eval_on_selector_all(".pkb-letters a", "as => as.map(a => a.textContent)")
    assert letters[:3] == ["#", "2", "3"] or letters[0] == "A"
    written = rows(tab)
    headings = tab.locator("article h2:visible").count()
    assert headings == len(letters)
    _click(tab, "Newest")
    newest = rows(tab)
    assert sorted(map(str, newest)) == sorted(map(str, written))  # the same rows, one list
    assert [r["d"] for r in newest] == sorted(
        (r["d"] for r in newest), key=lambda d: d or "", reverse=True
    )
    assert tab.locator("article h2:visible").count() == 0
    assert not tab.is_visible(".pkb-letters")
    _click(tab, "Title")
    assert rows(tab) == written
    assert tab.locator("article h2:visible").count() == headings
    assert tab.is_visible(".pkb-letters")


def test_without_javascript_a_list_is_in_its_written_order(browser: Any, site: Path) -> None:
    context = browser.new_context(offline=True, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((site / "topics" / "image-generation.html").resolve().as_uri())
        assert page.locator(".pkb-sort button").count() == 0
        dates = [r["d"] for r in rows(page)]
        assert dates == sorted(dates, key=lambda d: d or "", reverse=True)
    finally:
        context.close()


def test_on_a_phone_the_letters_show_and_a_topic_map_opens_on_its_centre(
    browser: Any, site: Path
) -> None:
    context = browser.new_context(offline=True, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto((site / "papers" / "index.html").resolve().as_uri())
        assert page.is_visible(".pkb-letters")
        page.click(".pkb-letters a:text-is('M')")
        top = page.eval_on_selector("article h2#m", "h => h.getBoundingClientRect().top")
        assert 0 <= top < 200
        page.goto((site / "topics" / "state-space-models.html").resolve().as_uri())
        left, extra = page.eval_on_selector(
            ".pkb-topic-map .pkb-chart__scroll",
            "b => [b.scrollLeft, b.scrollWidth - b.clientWidth]",
        )
        assert extra > 0 and abs(left - extra / 2) <= 1
        # the map's own topic, in its middle, is on the screen
        centre = page.eval_on_selector(".pkb-node-center rect", "r => r.getBoundingClientRect()")
        assert centre["x"] >= 0 and centre["x"] + centre["width"] <= 390
    finally:
        context.close()


def test_a_topic_feed_is_linked_and_absolute_when_the_site_has_an_address(
    tab: Any, site: Path
) -> None:
    tab.goto(tab.root + "topics/state-space-models.html")
    hrefs = tab.eval_on_selector_all(
        "link[type='application/atom+xml']",
        "ls => ls.filter(l => l.relList.contains('alternate')).map(l => l.href)",
    )
    assert hrefs == [tab.root + "feed.xml", tab.root + "feeds/state-space-models.xml"]
    assert (
        tab.get_attribute("article a:text('Atom feed')", "href")
        == "../feeds/state-space-models.xml"
    )
    feed = (site / "feeds" / "state-space-models.xml").read_text(encoding="utf-8")
    links = re.findall(r'<link [^>]*href="([^"]+)"', feed)
    assert links and all(link.startswith(SITE_URL) for link in links)
    assert f"{SITE_URL}papers/" in feed


def test_a_missing_address_offers_a_search_for_its_words(browser: Any, served: str) -> None:
    context = browser.new_context()
    failed: list[str] = []
    try:
        page = context.new_page()
        page.on("requestfailed", lambda r: failed.append(r.url))
        response = page.goto(served + "papers/mamba-linear-time.html")
        assert response is not None and response.status == 404
        page.wait_for_load_state("networkidle")
        assert page.eval_on_selector(".md-header", "e => getComputedStyle(e).position") in (
            "sticky",
            "fixed",
        )
        offer = page.locator("#pkb-missing-search")
        assert (
            offer.is_visible() and offer.inner_text() == "Search this site for “mamba linear time”"
        )
        href = offer.get_attribute("href") or ""
        assert href.startswith(served + "index.html?")
        assert parse_qs(urlsplit(href).query) == {"q": ["mamba linear time"]}
        with page.expect_navigation():
            offer.click()
        page.wait_for_function(
            "() => document.querySelector('[data-paperkb-search-result]')"
            ".getAttribute('data-paperkb-query') === 'mamba linear time'"
        )
        first = page.eval_on_selector(".md-search-result__link", "a => a.href")
        assert first.startswith(served + "papers/mamba-linear-time")
        # an address with nothing to search for offers none
        page.goto(served + "index.htm")
        assert not page.locator("#pkb-missing-search").is_visible()
    finally:
        context.close()
    assert failed == []


def test_the_404_page_opened_from_disk_is_styled(browser: Any, site: Path) -> None:
    context = browser.new_context(offline=True)
    loaded: list[str] = []
    try:
        page = context.new_page()
        page.on("requestfinished", lambda r: loaded.append(r.url))
        page.goto((site / "404.html").resolve().as_uri())
        assert page.eval_on_selector(".md-header", "e => getComputedStyle(e).position") in (
            "sticky",
            "fixed",
        )
        logo = page.eval_on_selector(
            ".md-logo svg, .md-logo img", "e => e.getBoundingClientRect().height"
        )
        assert 0 < logo < 60  # not a giant, unstyled logo
        home = page.eval_on_selector(".md-header__button.md-logo", "a => a.href")
        assert home == (site / "index.html").resolve().as_uri()
        assert not page.locator("#pkb-missing-search").is_visible()
        sheets = page.evaluate("() => [...document.styleSheets].map(s => s.href)")
    finally:
        context.close()
    # Chromium's preload scanner may first ask for /kb/... (the server's base, which it reads
    # without running the page's script): those miss on disk; the sheets in use are the site's.
    assert len(sheets) == 3 and all(s in loaded for s in sheets)
    assert all(s.startswith((site / "assets").resolve().as_uri()) for s in sheets)
