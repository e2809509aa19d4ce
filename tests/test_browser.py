"""The built site in real headless Chromium, over http and from file:// with networking off.

Debian's Chromium (/usr/bin/chromium) is driven by Playwright; no browser is downloaded. Without
it these tests are skipped, except under CI (env ``CI`` set), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import load_hook

from generator.render.search.words import STOP_WORDS, tokens

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Papers whose titles and abstract words are searched for: spread over the A-Z list.
SAMPLE = 8


def require(path: Path, install: str) -> None:
    """Skip the test when a browser-test tool is missing; under CI (``CI`` set), fail it."""
    if path.exists():
        return
    message = f"{path} is missing ({install})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _require_chromium() -> None:
    require(CHROMIUM, "apt-get install chromium")


def build_site(root: Path) -> Path:
    """Build the shipped data into ``root/site`` with ``paperkb build``; return the site."""
    from conftest import make_project

    from generator.cli import main

    make_project(root)
    code = main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")])
    assert code == 0
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _require_chromium()
    return build_site(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def papers(site: Path) -> list[dict[str, Any]]:
    record = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    result: list[dict[str, Any]] = record["papers"]
    return result


def distinctive_words(papers: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Per paper id: the two rarest words of its abstract (not in its title), by document count."""
    words = {p["id"]: set(tokens(p["abstract"])) - STOP_WORDS for p in papers}
    df = Counter(w for ws in words.values() for w in ws)
    picked = {}
    for paper in papers:
        candidates = sorted(
            (w for w in words[paper["id"]] - set(tokens(paper["title"])) if len(w) > 3),
            key=lambda w: (df[w], w),
        )
        picked[paper["id"]] = (candidates[0], candidates[1])
    return picked


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class SubPathPages(_QuietHandler):
    """GitHub Pages for a project: the site under ``/kb/``, its 404 page for a missing path."""

    def do_GET(self) -> None:
        if not self.path.startswith("/kb/"):
            self.send_error(404)
            return
        self.path = self.path.removeprefix("/kb")
        if Path(self.translate_path(self.path)).is_file():
            super().do_GET()
            return
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def loopback(
    directory: Path, handler: type[http.server.SimpleHTTPRequestHandler] = _QuietHandler
) -> Iterator[str]:
    """``directory`` served by ``handler`` on 127.0.0.1 (a free port) for the block: its URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def http_root(site: Path) -> Iterator[str]:
    with loopback(site) as root:
        yield root


@pytest.fixture(scope="module")
def browser(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Session:
    """One browser context on the site, recording every request and every console error."""

    root: str
    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.root + path)

    def follow(self, selector: str) -> None:
        """Click a link and wait until the page it leads to has loaded.

        Playwright's click does not wait for the navigation it starts, so a
        check right after a bare click can read the page being left.
        """
        with self.page.expect_navigation():
            self.page.click(selector)

    def search(self, query: str) -> list[str]:
        """Type ``query`` into the search box; return the result URLs, best first."""
        page = self.page
        page.click(".md-search__input")
        page.fill(".md-search__input", query)
        page.wait_for_function(
            "q => document.querySelector('[data-paperkb-search-result]')"
            ".getAttribute('data-paperkb-query') === q",
            arg=query,
            timeout=10_000,
        )
        hrefs: list[str] = page.eval_on_selector_all(
            ".md-search-result__link", "links => links.map(a => a.href)"
        )
        return hrefs


@pytest.fixture(params=["http", "file"])
def session(
    request: pytest.FixtureRequest, browser: Any, site: Path, http_root: str
) -> Iterator[Session]:
    offline = request.param == "file"
    root = site.resolve().as_uri() + "/" if offline else http_root
    context = browser.new_context(offline=offline)
    if offline:
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("file:")
                else route.abort("internetdisconnected")
            ),
        )
    page = context.new_page()
    session = Session(root, page)
    context.on("request", lambda req: session.requests.append(req.url))
    page.on(
        "console",
        lambda msg: session.errors.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda exc: session.errors.append(str(exc)))
    try:
        yield session
        foreign = [url for url in session.requests if not url.startswith(root)]
        assert foreign == [], "requests left the site"
        assert session.errors == [], "console errors"
    finally:
        context.close()


def _sample(papers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(papers, key=lambda p: p["id"])
    step = max(1, len(ordered) // SAMPLE)
    return ordered[::step][:SAMPLE]


def test_topic_to_paper_to_related_paper(session: Session, papers: list[dict[str, Any]]) -> None:
    page = session.page
    by_url = {p["url"]: p for p in papers}
    session.open("topics/index.html")
    session.follow("article table a")
    assert "/topics/" in page.url
    topic_heading = page.inner_text("article h1")
    assert topic_heading
    session.follow("article ul li a")
    paper = by_url[page.url.removeprefix(session.root)]
    assert page.inner_text("article h1") == paper["title"]
    if not paper["related"]:
        paper = next(p for p in papers if p["related"])
        session.open(paper["url"])
    related = by_url[f"papers/{paper['related'][0]}.html"]
    session.follow(f"article a[href='{paper['related'][0]}.html']")
    assert page.url == session.root + related["url"]
    assert page.inner_text("article h1") == related["title"]
    # and search still works on a paper page, two folders deep
    assert session.search(related["title"])[0] == session.root + related["url"]


def test_topic_filter_hides_papers_without_every_typed_word(
    session: Session, papers: list[dict[str, Any]]
) -> None:
    page = session.page
    session.open("topics/state-space-models.html")
    shown = "els => els.filter(e => e.offsetParent !== null).map(e => e.textContent.toLowerCase())"
    total = len(page.eval_on_selector_all("article .pkb-filter ~ ul > li", shown))
    assert total > 20
    page.fill(".pkb-filter__input", "graph mamba")
    visible = page.eval_on_selector_all("article .pkb-filter ~ ul > li", shown)
    assert visible and all("graph" in t and "mamba" in t for t in visible)
    assert len(visible) < total
    assert page.inner_text(".pkb-filter__status") == f"{len(visible)} of {total} papers"
    # the filter and the sort buttons work together: re-sorting keeps what the filter hid
    page.click(".pkb-sort button:text-is('Title')")
    titles = page.eval_on_selector_all("article .pkb-filter ~ ul > li", shown)
    assert titles == sorted(visible, key=lambda t: t.split("\n")[0])
    page.fill(".pkb-filter__input", "")
    assert len(page.eval_on_selector_all("article .pkb-filter ~ ul > li", shown)) == total


def test_home_chart_bars_link_to_topic_pages(session: Session) -> None:
    page = session.page
    session.open("index.html")
    assert page.locator("figure.pkb-bar-chart ol.pkb-bars").count() == 1  # papers per topic
    label = page.get_attribute("figure.pkb-bar-chart ol", "aria-labelledby")
    assert label and page.locator(f"figcaption[id='{label}']").count() == 1
    session.follow("figure.pkb-chart a[href='topics/graphs.html']")
    assert page.url == session.root + "topics/graphs.html"
    assert page.locator("figure.pkb-chart a").count() >= 1  # the topic's neighbourhood map


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_text_and_bars_are_readable_in_light_and_dark_palettes(
    session: Session, scheme: str
) -> None:
    page = session.page
    page.emulate_media(color_scheme=scheme)  # Material picks its palette from the media query
    session.open("index.html")
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    ratios = page.evaluate(
        """() => {
        const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => [r, g, b].map(v => {
            v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        }).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
        const bg = lum(rgb(getComputedStyle(document.body).backgroundColor));
        const out = {};
        for (const cls of ["pkb-bar-label", "pkb-bar-value", "pkb-bar-rect"]) {
            const style = getComputedStyle(document.querySelector("." + cls));
            const fg = lum(rgb(cls === "pkb-bar-rect" ? style.backgroundColor : style.color));
            const [a, b] = [fg, bg].sort((x, y) => y - x);
            out[cls] = (a + 0.05) / (b + 0.05);
        }
        return out;
    }"""
    )
    # WCAG: 4.5:1 for text, 3:1 for graphics
    assert ratios["pkb-bar-label"] >= 4.5, ratios
    assert ratios["pkb-bar-value"] >= 4.5, ratios
    assert ratios["pkb-bar-rect"] >= 3.0, ratios


def test_feed_is_discoverable_from_the_head(session: Session) -> None:
    page = session.page
    session.open("topics/index.html")
    href = page.eval_on_selector(
        "link[type='application/atom+xml']",
        "l => l.relList.contains('alternate') ? l.href : null",
    )
    assert href == session.root + "feed.xml"


_LAYOUT = """() => {
  const boxes = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    boxes.push([el.tagName, r.x, r.y, r.width, r.height].join(" "));
  }
  return [boxes, document.body.innerText];
}"""


def _settled_layout(page: Any) -> Any:
    """The page's boxes and text once Material's scripts stop moving them (sidebar heights are
    set from script after load)."""
    page.wait_for_load_state("load")
    last = page.evaluate(_LAYOUT)
    for _ in range(40):
        page.wait_for_timeout(50)
        now = page.evaluate(_LAYOUT)
        if now == last:
            return now
        last = now
    raise AssertionError("the layout kept changing")


@pytest.mark.parametrize("width", [1280, 375])
def test_line_breaks_dropped_before_block_tags_change_no_box_and_no_text(
    browser: Any, site: Path, papers: list[dict[str, Any]], width: int
) -> None:
    """hooks/compact_html.py drops a line break right before block tags: each page must lay out
    to exactly the same boxes and text as the same page with those line breaks put back."""
    import re

    hook = load_hook("compact_html")
    before_block = re.compile(rf"(?=</?(?:{hook.BLOCKS})[\s/>])", re.I)

    def with_breaks(html: str) -> str:
        parts = hook._KEEP.split(html)  # kept blocks at 1, 4, ...; their tag name at 2, 5, ...
        return "".join(
            part if i % 3 else before_block.sub("\n", part)
            for i, part in enumerate(parts)
            if i % 3 != 2
        )

    paper = next(p for p in papers if p["related"])
    pages = [
        "index.html",
        paper["url"],
        "topics/state-space-models.html",
        "topics/index.html",
        "papers/index.html",
        "about.html",
    ]
    context = browser.new_context(offline=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for rel in pages:
            original = site / rel
            html = original.read_text(encoding="utf-8")
            assert hook.compact(html) == html  # the built page is compacted already
            expanded = with_breaks(html)
            assert expanded.count("\n") > html.count("\n") + 50, rel
            # A name of the same kind: a paper page's star is made from its address
            # (papers/<id>.html, paperkb-stars.js).
            copy = original.with_name(f"{original.stem}-breaks{original.suffix}")
            copy.write_text(expanded, encoding="utf-8")
            try:
                layouts = []
                for path in (original, copy):
                    page.goto(path.resolve().as_uri())
                    layouts.append(_settled_layout(page))
            finally:
                copy.unlink()
            assert layouts[0][1] == layouts[1][1], f"{rel}: text differs"
            assert layouts[0][0] == layouts[1][0], f"{rel}: boxes differ"
    finally:
        context.close()
