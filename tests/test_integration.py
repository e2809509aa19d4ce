"""The real thing: `paperkb build` on the shipped data with `mkdocs build --strict`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import make_project

from generator.cli import main
from generator.inputs import listings as parse
from generator.pipeline import make_plan
from generator.render.kb import CHART_MAX_DAYS
from generator.sitebuild.folders import SITE_MARKER, SITE_MARKER_TEXT
from generator.writers.manifest import MANIFEST_FILE

pytestmark = pytest.mark.slow


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.hrefs.append(value)


def local_targets(page: Path) -> list[Path]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    targets = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        targets.append((page.parent / unquote(parts.path)).resolve())
    return targets


#: A day page of the site (weeks are YYYY-wNN, months YYYY-MM).
DAY_PAGE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\.html")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("built") / "project")
    code = main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")])
    assert code == 0
    return root


def test_every_paper_and_topic_page_is_built(built: Path) -> None:
    site = built / "site"
    record = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    assert len(record["papers"]) == 313
    assert record["account"]["entries_read"] == 381  # 378 listing entries + 3 YAML records
    annotation_files = list((built / "data" / "records" / "annotations").glob("*.yaml"))
    assert record["account"]["records"] == 2 + len(annotation_files)
    assert record["account"]["annotations"] == 297  # issue 26: facts of the shipped papers
    pages = {p.stem for p in (site / "papers").glob("*.html")} - {"index"}
    assert pages == {p["id"] for p in record["papers"]}
    for paper in record["papers"]:
        assert (site / paper["url"]).is_file()
    topic_pages = {p.stem for p in (site / "topics").glob("*.html")} - {"index"}
    used = {t for p in record["papers"] for t in p["topics"]}
    assert used <= topic_pages
    assert "unsorted" in topic_pages


def test_every_local_link_resolves(built: Path) -> None:
    site = built / "site"
    # 404.html is served for any missing path, so MkDocs gives it site-absolute links on purpose
    pages = sorted(p for p in site.rglob("*.html") if p.name != "404.html")
    assert len(pages) > 313
    broken = [
        f"{page.relative_to(site)} -> {target}"
        for page in pages
        for target in local_targets(page)
        if not target.exists()
    ]
    assert broken == []


def test_paper_page_links_to_its_topics_and_related_papers(built: Path) -> None:
    site = built / "site"
    record = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    with_related = [p for p in record["papers"] if p["related"]]
    assert len(with_related) > 250
    for paper in record["papers"]:
        targets = {
            t.relative_to(site.resolve()).as_posix() for t in local_targets(site / paper["url"])
        }
        for topic in paper["topics"] or ["unsorted"]:
            assert f"topics/{topic}.html" in targets
        for other in paper["related"]:
            assert f"papers/{other}.html" in targets


def test_paper_pages_are_not_in_the_nav(built: Path) -> None:
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    navs = "".join(re.findall(r"<nav\b.*?</nav>", home, re.S))
    assert navs and len(re.findall(r'href="papers/(?!index)[^"]+\.html"', navs)) == 0
    # Only the home page's newest and most upvoted papers link papers: some, not all 313.
    linked = re.findall(r'href="papers/(?!index)([^"]+)\.html"', home)
    assert 3 <= len(set(linked)) <= 100
    assert all((built / "site" / "papers" / f"{pid}.html").is_file() for pid in linked)
    size = sum(p.stat().st_size for p in (built / "site" / "papers").glob("*.html"))
    assert size / 313 < 60_000


def test_pages_carry_no_unused_chrome_and_the_site_no_unused_assets(built: Path) -> None:
    """Issue 8 (bytes per paper): what the trims leave out, and what they must keep."""
    site = built / "site"
    paper = next(p for p in (site / "papers").glob("*.html") if p.name != "index.html")
    page = paper.read_text(encoding="utf-8")
    assert "md-sidebar--secondary" not in page  # no hidden table of contents
    assert "md-sidebar--primary" in page  # the navigation drawer stays
    assert "Made with" not in page
    topic = (site / "topics" / "index.html").read_text(encoding="utf-8")
    assert "md-sidebar--secondary" in topic  # pages that show a table of contents keep it
    assert not list(site.rglob("*.map"))
    assert not (site / "assets" / "javascripts" / "lunr").exists()
    assert not (site / "assets" / "javascripts" / "workers").exists()
    bundle = list((site / "assets" / "javascripts").glob("bundle.*.min.js"))
    assert len(bundle) == 1 and f'src="../assets/javascripts/{bundle[0].name}"' in page


def test_second_run_writes_nothing_and_output_is_identical(built: Path) -> None:
    docs = built / "docs"
    before = {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    code = main(["generate", "--data", str(built / "data"), "--config", str(built / "mkdocs.yml")])
    assert code == 0
    after = {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    assert after == before


def test_listing_order_does_not_change_the_output(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = make_plan(built / "data").files
    original = parse.listing_paths
    monkeypatch.setattr(parse, "listing_paths", lambda d: list(reversed(original(d))))
    assert make_plan(built / "data").files == reference


@pytest.mark.parametrize("seed", ["0", "12345"])
def test_hash_seed_does_not_change_the_output(built: Path, tmp_path: Path, seed: str) -> None:
    docs = tmp_path / "docs"
    env = dict(os.environ, PYTHONHASHSEED=seed, LC_ALL="C")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            "--data",
            str(built / "data"),
            "--docs",
            str(docs),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    for path in sorted(docs.rglob("*")):
        if path.is_file() and path.name != MANIFEST_FILE:
            rel = path.relative_to(docs)
            assert path.read_bytes() == (built / "docs" / rel).read_bytes(), rel


def test_hand_written_pages_survive_generate_and_build_byte_for_byte(built: Path) -> None:
    from conftest import ROOT

    for rel in ("about.md", "assets/paperkb.css"):
        assert (built / "docs" / rel).read_bytes() == (ROOT / "docs" / rel).read_bytes()
    assert "hand-written" in (built / "site" / "about.html").read_text(encoding="utf-8")


# --- issue 7: pictures and the feed; issue 9: records, authors, citations ---------------------

SVG_RE = re.compile(r'<figure class="pkb-chart[^>]*>.*?(<svg\b.*?</svg>)', re.S)


def _svg_links(page: Path) -> list[tuple[Path, str]]:
    """Every inline SVG of a built page, parsed as XML, with the targets of its links."""
    from xml.etree import ElementTree as ET

    found = []
    for block in SVG_RE.findall(page.read_text(encoding="utf-8")):
        root = ET.fromstring(block)  # raises on anything that is not well-formed XML
        assert root.find("{http://www.w3.org/2000/svg}title") is not None
        assert root.find("{http://www.w3.org/2000/svg}desc") is not None
        for anchor in root.iter("{http://www.w3.org/2000/svg}a"):
            href = anchor.get("href") or ""
            found.append(((page.parent / href).resolve(), href))
    return found


BAR_CHART_RE = re.compile(r'<figure class="pkb-chart pkb-bar-chart".*?</figure>', re.S)


def _bar_links(page: Path) -> list[tuple[Path, str]]:
    """Every HTML bar chart of a built page, parsed as XML, with the targets of its links."""
    from xml.etree import ElementTree as ET

    found = []
    for block in BAR_CHART_RE.findall(page.read_text(encoding="utf-8")):
        root = ET.fromstring(block)  # raises on anything that is not well-formed XML
        assert root.find("figcaption") is not None and root.find("ol") is not None
        for anchor in root.iter("a"):
            href = anchor.get("href") or ""
            found.append(((page.parent / href).resolve(), href))
    return found


def test_home_bar_charts_and_topic_maps_are_well_formed_and_their_links_resolve(
    built: Path,
) -> None:
    site = built / "site"
    home = site / "index.html"
    assert len(BAR_CHART_RE.findall(home.read_text(encoding="utf-8"))) == 1  # per topic
    kb = site / "knowledge-base.html"
    assert len(BAR_CHART_RE.findall(kb.read_text(encoding="utf-8"))) == 1  # per day
    home_links = _bar_links(home)
    assert {href for _, href in home_links} >= {"topics/unsorted.html"}
    day_links = _bar_links(kb)
    days = {
        f"dates/{p.name}" for p in (site / "dates").glob("*.html") if DAY_PAGE.fullmatch(p.name)
    }
    assert len(days) > CHART_MAX_DAYS
    # a bar for each of the latest days that have papers
    assert {href for _, href in day_links} == set(sorted(days)[-CHART_MAX_DAYS:])
    for target, href in home_links + day_links:
        assert target.is_file(), href
    maps = 0
    for page in sorted((site / "topics").glob("*.html")):
        links = _svg_links(page)
        maps += bool(links)
        for target, href in links:
            assert target.is_file(), (page, href)
    assert maps >= 20  # nearly every topic shares papers with another


def test_feed_is_valid_atom_linked_from_the_head_and_points_at_pages(built: Path) -> None:
    from conftest import ROOT
    from lxml import etree

    site = built / "site"
    feed = etree.parse(str(site / "feed.xml"))
    schema = etree.RelaxNG(etree.parse(str(ROOT / "tests" / "schemas" / "atom.rng")))
    assert schema.validate(feed), schema.error_log
    ns = {"a": "http://www.w3.org/2005/Atom"}
    links = feed.xpath("/a:feed/a:entry/a:link[@rel='alternate']/@href", namespaces=ns)
    # only papers with a real date (no stand-in date for the others), the 50 newest
    assert len(links) == 50
    assert all((site / href).is_file() for href in links)
    for topic in sorted((site / "topics").glob("*.html")):
        if topic.name == "index.html":
            continue
        own = etree.parse(str(site / "feeds" / f"{topic.stem}.xml"))
        assert schema.validate(own), (topic.name, schema.error_log)
        hrefs = own.xpath("//a:link/@href", namespaces=ns)
        assert all((site / "feeds" / href).resolve().is_file() for href in hrefs), topic
        assert f'href="../feeds/{topic.stem}.xml"' in topic.read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate feed" type="application/atom+xml"' in home
    assert 'href="feed.xml"' in home


def test_records_give_authors_citations_and_meta_tags_in_the_html(built: Path) -> None:
    site = built / "site"
    record = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    mamba = next(p for p in record["papers"] if p["arxiv"] == "2312.00752")
    assert [a["name"] for a in mamba["authors"]] == ["Albert Gu", "Tri Dao"]
    assert mamba["published"] == "2023-12-01"
    html = (site / mamba["url"]).read_text(encoding="utf-8")
    for tag in (
        '<meta name="citation_title" content="Mamba: Linear-Time Sequence Modeling with '
        'Selective State Spaces">',
        '<meta name="citation_author" content="Albert Gu">',
        '<meta name="citation_author" content="Tri Dao">',
        '<meta name="citation_publication_date" content="2023/12/01">',
        '<meta name="citation_arxiv_id" content="2312.00752">',
    ):
        assert tag in html
    assert "eprint = {2312.00752}" in html
    for author in mamba["authors"]:
        page = site / author["url"]
        assert mamba["url"].removeprefix("papers/") in page.read_text(encoding="utf-8")
    assert (site / "authors" / "index.html").is_file()
    # a paper known only from listings gets a title tag and nothing invented
    plain = next(p for p in record["papers"] if not p["arxiv"])
    plain_html = (site / plain["url"]).read_text(encoding="utf-8")
    assert '<meta name="citation_title"' in plain_html
    assert "citation_author" not in plain_html and "citation_arxiv_id" not in plain_html


def test_topic_pages_list_rows_newest_first_with_a_filter_when_large(built: Path) -> None:
    site = built / "site"
    page = (site / "topics" / "state-space-models.html").read_text(encoding="utf-8")
    assert 'class="pkb-filter"' in page and 'data-pkb-sort="newest"' in page
    dates = re.findall(r'<li(?: data-d="([0-9-]+)")?', page.split('class="pkb-rows"', 1)[1])
    known = [d for d in dates if d]
    assert known and known == sorted(known, reverse=True)  # newest first, undated after
    assert dates.index("") == len(known)
    assert "assets/javascripts/paperkb-lists.js" in page
    # no date is shown without its year: the shipped listings' "Mar 20" is no date at all
    assert not re.search(
        r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d+(?!\d|, \d{4})",
        page.split("<article", 1)[1],
    )


def test_the_nav_cache_hook_changes_no_byte(built: Path) -> None:
    """The same site built without hooks/nav_cache.py: every file identical (and the hook is on)."""
    config = built / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - hooks/nav_cache.py\n" in text
    plain = built / "mkdocs-no-nav-cache.yml"
    plain.write_text(text.replace("  - hooks/nav_cache.py\n", ""), encoding="utf-8")
    other = built / "site-no-nav-cache"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(plain)]
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([*command, "-d", str(other)], check=True, env=env)

    def files(site: Path) -> dict[str, bytes]:
        return {
            p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()
        }

    with_hook, without = files(built / "site"), files(other)
    assert with_hook.pop(SITE_MARKER) == SITE_MARKER_TEXT.encode()  # paperkb's, not MkDocs'
    assert len(with_hook) > 300
    assert with_hook == without
