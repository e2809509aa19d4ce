"""The reading list (issue 25) in headless Chromium: keep papers with the star, read them on
the reading-list page as the site's rows, export them (each export parses, and its entries are
the site's own citation entries), import them into a fresh profile, clear and undo, and follow
a kept paper that was merged into another.

Every test runs from ``file://`` with the network off and over http under ``/kb/`` as GitHub
project Pages serve a site (:class:`test_browser.SubPathPages`); every request must stay on the
site and no console error may happen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rispy  # type: ignore[import-untyped]
import test_browser
from conftest import make_project
from test_browser import SubPathPages, _require_chromium, build_site, loopback
from test_citations import VALIDATOR, parse_bib

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TOPIC = "topics/state-space-models.html"
MAMBA = "mamba-linear-time-sequence-modeling-with-selective-state-spaces"
#: Two shipped papers without an arXiv id, merged in :func:`merged_site` (test_redirects.py).
FIRST = "0-1-data-makes-segment-anything-slim"
SECOND = "dragonfly-multi-resolution-zoom-supercharges-large-visual-language-model"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_chromium()
    return build_site(tmp_path_factory.mktemp("keep"))


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    with loopback(site, SubPathPages) as root:
        yield root + "kb/"


browser = test_browser.browser


class Tab:
    """A page of a fresh browser context on the site at ``root``; with ``profile``, of a second
    Chromium of its own started on that new, empty ``--user-data-dir``."""

    def __init__(self, browser: Any, root: str, offline: bool, profile: Path | None = None) -> None:
        self.root = root
        self.sites = [root]
        options: dict[str, Any] = {
            "offline": offline,
            "accept_downloads": True,
            "viewport": {"width": 1280, "height": 900},
        }
        if profile is None:
            self.context = browser.new_context(**options)
        else:
            assert not profile.exists()
            self.context = browser.browser_type.launch_persistent_context(
                str(profile),
                executable_path=str(test_browser.CHROMIUM),
                args=test_browser.CHROMIUM_ARGS,
                **options,
            )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> None:
        self.page.goto(self.root + path)

    def star(self, paper_id: str) -> None:
        button = f".pkb-star[data-pkb-star='{paper_id}']"
        self.page.click(button)
        assert self.page.get_attribute(button, "aria-pressed") == "true"

    def reading_list(self) -> list[str]:
        """Open the reading list; the ids of its rows, in order."""
        self.open("reading-list.html")
        self.page.wait_for_selector("[data-pkb-reading][data-pkb-ready]")
        ids: list[str] = self.page.eval_on_selector_all(
            ".pkb-reading__rows > li > .pkb-star", "bs => bs.map(b => b.dataset.pkbStar)"
        )
        return ids

    def export(self, label: str) -> str:
        with self.page.expect_download() as info:
            self.page.click(f"[data-pkb-export='{label}']")
        return Path(info.value.path()).read_text(encoding="utf-8")

    def close(self) -> None:
        try:
            off_site = [u for u in self.requests if not u.startswith((*self.sites, "blob:"))]
            assert off_site == [], "requests left the site"
            assert self.errors == [], "console errors"
        finally:
            self.context.close()


@pytest.fixture(params=["file", "http-sub-path"])
def where(request: pytest.FixtureRequest, site: Path, served: str) -> tuple[str, bool]:
    """The site's address and whether the network is off."""
    if request.param == "file":
        return site.resolve().as_uri() + "/", True
    return served, False


@pytest.fixture
def tab(browser: Any, where: tuple[str, bool]) -> Iterator[Tab]:
    opened = Tab(browser, *where)
    try:
        yield opened
    finally:
        opened.close()


def site_entries(site: Path) -> dict[str, dict[str, str]]:
    """Each paper's entry in the site's own citation files (cite/index.*), by key."""
    bib = (site / "cite" / "index.bib").read_text(encoding="utf-8").split("\n", 1)[1]
    ris = (site / "cite" / "index.ris").read_text(encoding="utf-8")
    csl = (site / "cite" / "index.json").read_text(encoding="utf-8").splitlines()[1:-1]
    out: dict[str, dict[str, str]] = {}
    for entry in re.findall(r"@misc\{[^\n]*\n(?:  [^\n]*\n)*\}\n", bib):
        out.setdefault(entry[6 : entry.index(",")], {})["bib"] = entry
    for record in re.findall(r"TY  - [^\n]*\n(?:[^\n]*\n)*?ER  - \n", ris):
        out[re.search(r"\nID  - (.*)\n", record).group(1)]["ris"] = record  # type: ignore[union-attr]
    for line in csl:
        item = line.rstrip(",")
        out[json.loads(item)["id"]]["csl"] = item
    return out


def kept_three(tab: Tab) -> list[str]:
    """Star two rows of a topic page and a paper on its page: the ids, newest kept first."""
    tab.open(TOPIC)
    tab.page.wait_for_selector("article ul.pkb-rows .pkb-star")
    ids = tab.page.eval_on_selector_all(
        "article ul.pkb-rows > li > .pkb-star", "bs => bs.map(b => b.dataset.pkbStar)"
    )
    first, second = ids[1], ids[4]
    tab.star(first)
    tab.star(second)
    assert tab.page.get_attribute(f".pkb-star[data-pkb-star='{ids[0]}']", "aria-pressed") == "false"
    tab.open(f"papers/{MAMBA}.html")
    tab.star(MAMBA)
    label = tab.page.get_attribute(".pkb-reading-link", "aria-label")
    assert label == "Reading list, 3 papers"
    return [MAMBA, second, first]


def test_kept_papers_are_the_reading_list_as_the_site_s_rows(
    tab: Tab,
) -> None:
    kept = kept_three(tab)
    assert tab.reading_list() == kept
    page = tab.page
    assert page.inner_text("article h1") == "Reading list (3)"
    assert page.inner_text(".pkb-reading__status").startswith("3 papers, newest kept first")
    shown = page.eval_on_selector_all(
        ".pkb-reading__rows > li", "ls => ls.map(l => [l.querySelector('a').href, l.innerText])"
    )
    # the same rows as the A-Z list's, text and links
    tab.open("papers/index.html")
    for href, text in shown:
        name = href.rsplit("/", 1)[1]
        row = page.eval_on_selector(
            f"article ul.pkb-rows > li > a[href='{name}']", "a => a.parentElement.innerText"
        )
        assert text == row
        assert href == tab.root + "papers/" + name
    # a star let go of on the list keeps its row until the page is left
    tab.reading_list()
    page.click(f".pkb-reading__rows .pkb-star[data-pkb-star='{kept[1]}']")
    assert page.inner_text("article h1") == "Reading list (2)"
    assert tab.reading_list() == [kept[0], kept[2]]


def test_each_export_parses_and_holds_the_site_s_own_entries(tab: Tab, site: Path) -> None:
    kept = kept_three(tab)
    tab.reading_list()
    entries = site_entries(site)
    bib = tab.export("BibTeX")
    library = parse_bib(bib)
    assert [e.key for e in library.entries] == kept
    assert bib == "\n".join(entries[k]["bib"] for k in kept)
    ris = tab.export("RIS")
    assert [r["id"] for r in rispy.loads(ris)] == kept
    assert ris == "\n".join(entries[k]["ris"] for k in kept)
    csl = tab.export("CSL-JSON")
    items = json.loads(csl)
    assert list(VALIDATOR.iter_errors(items)) == []
    assert [i["id"] for i in items] == kept
    assert csl == "[\n" + ",\n".join(entries[k]["csl"] for k in kept) + "\n]\n"


def test_the_json_export_imports_into_a_fresh_profile_and_merges(
    tab: Tab, browser: Any, tmp_path: Path
) -> None:
    kept = kept_three(tab)
    tab.reading_list()
    exported = tmp_path / "reading-list.paperkb.json"
    exported.write_text(tab.export("JSON"), encoding="utf-8")
    fresh = Tab(browser, tab.root, tab.root.startswith("file:"), profile=tmp_path / "profile")
    try:
        assert fresh.reading_list() == []
        assert fresh.page.inner_text(".pkb-reading__status") == "No papers kept yet."
        fresh.open(TOPIC)
        other = fresh.page.eval_on_selector(
            "article ul.pkb-rows > li:last-child > .pkb-star", "b => b.dataset.pkbStar"
        )
        fresh.star(other)  # kept there before the import: kept after it
        fresh.reading_list()
        fresh.page.set_input_files("#pkb-reading-import", str(exported))
        fresh.page.wait_for_function(
            "() => document.querySelectorAll('.pkb-reading__rows > li').length === 4"
        )
        assert "Imported 3 papers" in fresh.page.inner_text(".pkb-reading__message")
        assert fresh.reading_list() == [other, *kept]
        # again: nothing new
        fresh.page.set_input_files("#pkb-reading-import", str(exported))
        fresh.page.wait_for_selector(".pkb-reading__message:has-text('Imported 0 papers')")
        # a file that is not a reading list adds nothing and says so
        bad = tmp_path / "bad.json"
        bad.write_text('[{"id": "x"}]', encoding="utf-8")
        fresh.page.set_input_files("#pkb-reading-import", str(bad))
        fresh.page.wait_for_selector(".pkb-reading__message:has-text('not a reading list')")
        assert fresh.reading_list() == [other, *kept]
    finally:
        fresh.close()


def test_clear_then_undo_brings_the_list_back_even_after_a_reload(
    tab: Tab,
) -> None:
    kept = kept_three(tab)
    tab.reading_list()
    page = tab.page
    page.click("[data-pkb-clear]")
    page.wait_for_selector(".pkb-reading__message:has-text('Cleared 3 papers.')")
    assert page.evaluate("document.activeElement.hasAttribute('data-pkb-undo')")
    assert tab.reading_list() == []  # reloaded: still empty, and Undo still offered
    page.click("[data-pkb-undo]")
    page.wait_for_function("() => document.querySelectorAll('.pkb-reading__rows > li').length")
    assert tab.reading_list() == kept
    assert page.is_hidden("[data-pkb-undo]")


def test_the_star_is_a_toggle_button_a_keyboard_can_use(tab: Tab) -> None:
    tab.open(f"papers/{MAMBA}.html")
    page = tab.page
    star = page.wait_for_selector(".pkb-star--labelled")
    assert star is not None
    assert star.evaluate("b => b.tagName") == "BUTTON"
    assert star.get_attribute("aria-pressed") == "false"
    assert "Mamba: Linear-Time" in (star.get_attribute("aria-label") or "")
    star.focus()
    page.keyboard.press("Enter")
    assert star.get_attribute("aria-pressed") == "true"
    page.keyboard.press("Space")
    assert star.get_attribute("aria-pressed") == "false"


@pytest.fixture(scope="module")
def merged_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped site with SECOND merged into FIRST: SECOND's id now redirects."""
    from generator.cli import main

    root = make_project(tmp_path_factory.mktemp("keep-merged") / "project")
    (root / "data" / "overrides.yaml").write_text(
        f"merge:\n  - [{SECOND}, {FIRST}]\n", encoding="utf-8"
    )
    assert main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]) == 0
    redirects = json.loads((root / "site" / "papers.json").read_text(encoding="utf-8"))["redirects"]
    assert redirects == {SECOND: f"papers/{FIRST}.html"}
    return root / "site"


def test_a_kept_paper_that_was_merged_follows_its_redirect(
    browser: Any, site: Path, merged_site: Path
) -> None:
    """Kept on the site as it was, read on the site after the merge (both from file://, one
    browser profile): the list holds the paper under the id it has now."""
    tab = Tab(browser, site.resolve().as_uri() + "/", True)
    try:
        tab.open(f"papers/{SECOND}.html")
        tab.star(SECOND)
        tab.open(f"papers/{MAMBA}.html")
        tab.star(MAMBA)
        tab.root = merged_site.resolve().as_uri() + "/"
        tab.sites.append(tab.root)
        assert tab.reading_list() == [MAMBA, FIRST]
        stored = tab.page.evaluate("() => localStorage.getItem('paperkb.reading-list')")
        assert [p["id"] for p in json.loads(stored)["papers"]] == [MAMBA, FIRST]
        assert (
            tab.page.get_attribute(f".pkb-star[data-pkb-star='{FIRST}']", "aria-pressed") == "true"
        )
    finally:
        tab.close()
