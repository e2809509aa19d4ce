"""A paper as a row (issue 24): its fields, its date, its sort keys, and text that stays text."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.model import Metadata, Paper, Source, Topic
from generator.render.markdown import _CONTROLS as CONTROLS
from generator.render.rows import (
    ORDER_KEYS,
    Placed,
    Rows,
    placement,
    render_row,
    render_rows,
    row_fields,
)

TOPICS = {"diffusion": Topic("diffusion", "Diffusion <models>", "Diffusion models.")}


def paper(pid: str, *dates: str | None, title: str = "", **meta: object) -> Paper:
    return Paper(
        id=pid,
        key=pid,
        title=title or f"Title {pid}",
        abstract="An abstract.",
        aliases=(),
        sources=tuple(Source(f"listings/{pid}.txt", n + 1, d) for n, d in enumerate(dates)),
        meta=Metadata(**meta),  # type: ignore[arg-type]
    )


def row_html(p: Paper, topics: dict[str, Topic] | None = None) -> str:
    return render_row(row_fields(p, topics or {}, placement(p)), "../papers/")


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        # the day on Daily Papers first, whatever else is known
        (
            paper("a", "Aug 1, 2024", listed="2024-08-14", published="2024-08-02"),
            Placed((2024, 8, 14), "on Daily Papers"),
        ),
        # else the first listing date that has a year: "Aug 7" alone is no date
        (paper("b", "Aug 7", "Aug 20, 2024", "Aug 12, 2024"), Placed((2024, 8, 12), "listed")),
        (paper("c", "Aug 7", published="2023-12-01"), Placed((2023, 12, 1), "published")),
        (paper("d", "Aug 7", None), None),
        (paper("e", listed="not a date", published="2024-13-01"), None),
    ],
)
def test_a_paper_is_placed_by_its_best_real_date(p: Paper, expected: Placed | None) -> None:
    assert placement(p) == expected


def test_a_row_shows_what_is_known_and_nothing_else() -> None:
    full = paper(
        "full",
        "Aug 12, 2024",
        authors=("Ann A", "Bo B", "Cy C", "Di D"),
        listed="2024-08-14",
        upvotes=1234,
        comments=1,
        github="https://github.com/x/y?a=1&b=2",
    )
    p = Paper(**{**{f: getattr(full, f) for f in full.__slots__}, "topics": ("diffusion",)})
    line = row_html(p, TOPICS)
    assert line == (
        '<li data-d="2024-08-14" data-u="1234"><a href="../papers/full.html">Title full</a>'
        "<span>Ann A, Bo B, Cy C et al. · On Daily Papers Aug 14, 2024 · 1,234 upvotes · "
        '1 comment · <a href="https://github.com/x/y?a=1&amp;b=2">code</a> · '
        "Diffusion &lt;models&gt;</span></li>"
    )
    bare = row_html(paper("bare", "Aug 12"))  # a listing without a year, nothing else
    assert bare == '<li><a href="../papers/bare.html">Title bare</a></li>'
    listed = row_html(paper("l", "Aug 12, 2024", upvotes=0, authors=("Ann A", "Bo B")))
    assert 'data-u="0"' in listed and "0 upvotes" in listed  # zero is known
    assert "Ann A, Bo B ·" in listed and "et al." not in listed
    assert "Listed Aug 12, 2024" in listed
    assert "Published Dec 1, 2023" in row_html(paper("p", published="2023-12-01"))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.org/y", "//evil.org/x", ""])
def test_only_a_web_address_becomes_the_code_link(url: str) -> None:
    line = row_html(paper("c", "Aug 12, 2024", github=url))
    assert "code" not in line and line.count("<a ") == 1


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


HOSTILE = "</a><script>alert(1)</script> {{ x }} {% y %} [l](javascript:x) *e* & &amp; \"'"


@given(st.text(max_size=60))
def test_any_title_author_and_topic_name_stay_text(value: str) -> None:
    # one line, control characters dropped (Python Markdown uses some as its own markers)
    shown = " ".join("".join(c for c in value if c.isspace() or ord(c) not in CONTROLS).split())
    p = Paper(
        id="x",
        key="x",
        title=f"{HOSTILE} {value}",
        abstract="a",
        aliases=(),
        sources=(Source("l.txt", 1, "Aug 12, 2024"),),
        topics=("t",),
        meta=Metadata(authors=(f"{value} {HOSTILE}",)),
    )
    line = row_html(p, {"t": Topic("t", f"{HOSTILE}{value}", "d")})
    parser = _Tags()
    parser.feed(line)
    parser.close()
    assert parser.tags == ["li", "a", "span"]
    assert "{{" not in line and "{%" not in line
    assert html.unescape(re.search(r'html">(.*?)</a>', line).group(1)) == (  # type: ignore[union-attr]
        " ".join(f"{HOSTILE} {shown}".split())
    )


def test_rows_are_one_raw_html_block_markdown_leaves_alone() -> None:
    made = [paper(f"p{i}", "Aug 12, 2024", title=f"*T{i}* [x](y)") for i in "ab"]
    rows = [row_fields(p, {}, None) for p in made]
    block = render_rows(rows, "")
    assert "\n\n" not in block and not re.search(r"^\s", block, re.M)
    assert block.startswith('<ul class="pkb-rows">\n<li><a href="pa.html">*Ta* [x](y)</a>')
    converted = markdown.markdown(f"Intro\n\n{block}\n\nAfter")
    assert block in converted  # passed through untouched: no emphasis, no link made


def _ids(rows: Rows, papers: list[Paper], order: str) -> list[str]:
    return [r.id for r in rows.ordered(papers, order)]  # type: ignore[arg-type]


LAST = ["undated"]


def test_the_three_orders_put_what_is_unknown_last() -> None:
    papers = [
        paper("old-top", "Aug 1, 2024", upvotes=90),
        paper("new-low", "Aug 9, 2024", upvotes=1),
        paper("new-none", "Aug 9, 2024", title="A first"),
        paper("undated-top", upvotes=500),
        paper("undated", title="Zed"),
    ]
    rows = Rows.of(papers, {})
    assert _ids(rows, papers, "newest") == [
        "new-low",
        "new-none",
        "old-top",
        "undated-top",
        "undated",
    ]
    assert _ids(rows, papers, "upvotes") == [
        "undated-top",
        "old-top",
        "new-low",
        "new-none",
        "undated",
    ]
    assert _ids(rows, papers, "title") == [
        "new-none",
        "new-low",
        "old-top",
        "undated-top",
        "undated",
    ]
    assert set(ORDER_KEYS) == {"newest", "upvotes", "title"}
    assert _ids(rows, papers[::-1], "newest") == _ids(rows, papers, "newest")


def test_kept_rows_are_the_rows_made_fresh_whatever_the_folder() -> None:
    papers = [
        paper("a", "Aug 1, 2024", upvotes=3, authors=("Ann A",), github="https://x.org/a"),
        paper("b", "Aug 9, 2024", title="Bee & <co>"),
        paper("c"),
    ]
    rows = Rows.of(papers, TOPICS)
    for order in ORDER_KEYS:
        for to_papers in ("", "../papers/", "papers/"):
            kept = rows.html(papers, to_papers, order)
            fresh = render_rows(
                sorted(  # made again from nothing, each time
                    (row_fields(p, TOPICS, placement(p)) for p in papers),
                    key=ORDER_KEYS[order],
                ),
                to_papers,
            )
            assert kept == fresh
