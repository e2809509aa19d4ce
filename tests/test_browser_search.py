"""paperkb's search in the built site, in headless Chromium: over http and from file:// with the
network blocked (the ``session`` fixture runs every test both ways and fails on any request that
leaves the site and on any console error).

The ranking cases are the ones a new user tried (issue 19): an author's name, a topic's name, a
paper's name, a typo, an exact title, two words of an abstract.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import test_browser
from test_browser import Session, _sample, distinctive_words

from generator.inputs.taxonomy import load_taxonomy
from generator.render.search.words import tokens

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The fixtures of test_browser.py: the shipped data's site, served and opened both ways.
site = test_browser.site
papers = test_browser.papers
http_root = test_browser.http_root
browser = test_browser.browser
session = test_browser.session

MAMBA = "papers/mamba-linear-time-sequence-modeling-with-selective-state-spaces.html"


def search_files(session: Session) -> list[str]:
    return [u for u in session.requests if "/search/" in u]


def rows(session: Session) -> list[dict[str, Any]]:
    """The shown results: link, title, the details line and the snippet line."""
    found: list[dict[str, Any]] = session.page.eval_on_selector_all(
        ".md-search-result__link",
        """links => links.map(a => ({
            href: a.href,
            title: a.querySelector("h1").textContent,
            lines: Array.from(a.querySelectorAll(".pkb-search-line")).map(p => p.textContent),
        }))""",
    )
    return found


def test_exact_title_finds_the_paper_first(session: Session, papers: list[dict[str, Any]]) -> None:
    session.open("index.html")
    for paper in _sample(papers):
        hrefs = session.search(paper["title"])
        assert hrefs, paper["title"]
        assert hrefs[0] == session.root + paper["url"], paper["title"]


def test_two_abstract_words_find_the_paper_in_the_top_5(
    session: Session, papers: list[dict[str, Any]]
) -> None:
    session.open("papers/index.html")
    words = distinctive_words(papers)
    for paper in _sample(papers):
        query = " ".join(words[paper["id"]])
        hrefs = session.search(query)
        assert session.root + paper["url"] in hrefs[:5], (query, paper["title"])


def test_an_authors_name_finds_the_author_then_their_papers(
    session: Session, papers: list[dict[str, Any]]
) -> None:
    """Before: authors were not indexed and "Albert Gu" found "Guiding Language Models" first."""
    session.open("index.html")
    hrefs = session.search("Albert Gu")
    assert hrefs[0] == session.root + "authors/albert-gu.html"
    his = {
        session.root + p["url"]
        for p in papers
        if {"name": "Albert Gu", "url": "authors/albert-gu.html"} in p["authors"]
    }
    assert len(his) > 3  # the shipped papers' authors (issue 26)
    assert hrefs[1] in his
    assert session.search("gu albert")[0] == session.root + "authors/albert-gu.html"


def test_a_topics_name_finds_the_topic_first(session: Session, site: Path) -> None:
    """Before: the topic ranked below 23 papers for "State space models"."""
    session.open("papers/index.html")
    topic = session.root + "topics/state-space-models.html"
    assert session.search("State space models")[0] == topic
    topics, _ = load_taxonomy(site.parent / "data" / "topics.yaml", "topics.yaml")
    for each in topics:
        assert session.search(each.name)[0] == session.root + f"topics/{each.slug}.html"


def test_a_papers_name_finds_that_paper_first(session: Session) -> None:
    """Before: "mamba" put the Mamba paper 12th, after every shorter title with the word."""
    session.open("index.html")
    hrefs = session.search("mamba")
    assert hrefs[0] == session.root + MAMBA
    assert len(hrefs) == 10  # and more papers that mention it


def test_one_typo_is_tolerated_in_longer_words(session: Session) -> None:
    """Before: "transfomer" found nothing."""
    session.open("index.html")
    found = rows(session) if session.search("transfomer") else []
    assert len(found) == 10
    assert all("transformer" in " ".join(tokens(r["title"])) for r in found[:5])
    marks = session.page.eval_on_selector_all(
        ".md-search-result h1 mark", "ms => ms.map(m => m.textContent.toLowerCase())"
    )
    assert "transformer" in marks
    assert session.search("attentoin mechanism")  # a swap, in a query of two words


def test_a_paper_title_beats_a_topic_that_shares_its_words(
    session: Session, papers: list[dict[str, Any]]
) -> None:
    session.open("index.html")
    paper = next(
        p for p in sorted(papers, key=lambda p: p["id"]) if "diffusion" in tokens(p["title"])
    )
    assert session.search(paper["title"])[0] == session.root + paper["url"]


def test_result_rows_show_date_first_authors_and_a_snippet(session: Session) -> None:
    session.open("index.html")
    session.search("Mamba: Linear-Time Sequence Modeling with Selective State Spaces")
    first = rows(session)[0]
    assert first["href"] == session.root + MAMBA
    details, snippet = first["lines"]
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, 20\d\d", details.split(" · ")[0]), details
    assert " · Albert Gu, Tri Dao · State space models" in details
    assert snippet.startswith("Foundation models, now powering most of")
    assert len(snippet) <= 141
    # each line is one line on screen
    heights = session.page.eval_on_selector_all(
        ".md-search-result__item:first-child .pkb-search-line",
        "ps => ps.map(p => p.getBoundingClientRect().height"
        " / parseFloat(getComputedStyle(p).lineHeight))",
    )
    assert all(h < 1.5 for h in heights), heights


def test_search_loads_only_a_few_small_files_under_search(
    session: Session, papers: list[dict[str, Any]]
) -> None:
    page = session.page
    session.open("topics/index.html")
    page.wait_for_load_state("load")
    assert search_files(session) == []  # nothing before the search box is used
    paper = _sample(papers)[3]
    session.search(paper["title"])
    loaded = search_files(session)
    assert loaded[0] == session.root + "search/meta.js"
    assert all(u.startswith(session.root + "search/") and u.endswith(".js") for u in loaded)
    assert len(loaded) == len(set(loaded))  # kept for the page's life: never loaded twice
    assert len(loaded) <= len(tokens(paper["title"])) + 12
    session.search(paper["title"])  # again: nothing more
    assert search_files(session) == loaded


def test_keyboard_navigation(session: Session, papers: list[dict[str, Any]]) -> None:
    """ "/" opens the box, arrows move through the results, Enter follows the one focused (or
    the first), Escape closes."""
    page = session.page
    session.open("about.html")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type("mamba")
    page.wait_for_selector("[data-paperkb-query='mamba']")
    hrefs = page.eval_on_selector_all(".md-search-result__link", "ls => ls.map(a => a.href)")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == hrefs[0]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == hrefs[1]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('__search').checked")
    paper = _sample(papers)[0]
    page.keyboard.press("/")
    page.keyboard.press("Control+A")
    page.keyboard.type(paper["title"])
    page.wait_for_function(
        "q => document.querySelector('[data-paperkb-query]')?.dataset.paperkbQuery === q",
        arg=paper["title"],
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == session.root + paper["url"]


def test_hostile_query_is_shown_as_text(session: Session) -> None:
    session.open("index.html")
    hrefs = session.search("<img src=x onerror=alert(1)> diffusion")
    assert hrefs
    assert session.page.locator(".md-search-result img").count() == 0


def test_search_from_the_header_button_on_a_phone(
    session: Session, papers: list[dict[str, Any]]
) -> None:
    page = session.page
    page.set_viewport_size({"width": 375, "height": 700})
    paper = _sample(papers)[-1]
    session.open(paper["url"])
    page.click("label.md-header__button[for='__search']")
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('md-search__input')"
    )
    page.keyboard.type(paper["title"])
    page.wait_for_selector("[data-paperkb-query]")
    with page.expect_navigation():
        page.click(".md-search-result__link >> nth=0")
    assert page.url == session.root + paper["url"]


def test_more_results_load_on_scroll(session: Session) -> None:
    page = session.page
    session.open("index.html")
    session.search("models")
    assert page.locator(".md-search-result__item").count() == 10
    page.eval_on_selector(".md-search__scrollwrap", "w => w.scrollTo(0, w.scrollHeight)")
    page.wait_for_function("document.querySelectorAll('.md-search-result__item').length > 10")


def test_the_search_box_is_built_in_the_placeholder_with_materials_markup(
    session: Session,
) -> None:
    """The page carries only a placeholder (overrides/partials/search.html); the script builds
    Material's search box in it, words from the theme's language, icons included."""
    page = session.page
    session.open("about.html")
    box = "[data-paperkb-search]"
    assert page.get_attribute(box, "data-placeholder") == "Search"
    assert page.locator(f"{box} > label.md-search__overlay[for='__search']").count() == 1
    form = f"{box} > .md-search__inner[role='search'] > form.md-search__form"
    assert page.get_attribute(f"{form} > input.md-search__input", "placeholder") == "Search"
    assert page.locator(f"{form} > label.md-search__icon svg path").count() == 2
    assert page.get_attribute(f"{form} button[type='reset']", "title") == "Clear"
    assert page.locator(f"{form} button[type='reset'] svg path").count() == 1
    meta = f"{box} .md-search__scrollwrap [data-paperkb-search-result] .md-search-result__meta"
    assert page.inner_text(meta) == "Type to start searching"
    assert page.locator(f"{box} ol.md-search-result__list").count() == 1
