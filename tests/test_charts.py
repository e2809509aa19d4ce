"""Inline SVG charts: well-formed, accessible, inert for hostile text, stable, link-safe."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.render.charts import MAX_NEIGHBOURS, SVG_NS, Bar, Node, bar_chart, topic_map

S = f"{{{SVG_NS}}}"
HOSTILE = [
    "<script>alert(1)</script>",
    'Tom & Jerry\'s "quoted"',
    "{{ config.site_name }} {% raw %}",
    "end ]]> of cdata",
    "*emph* [link](javascript:alert(1)) `code` # heading",
    "\x00nul\x07bell\x1b esc\ufffe",
]


def visible(label: str) -> str:
    """What a label should read as: characters XML forbids (and C1 controls) gone, one line."""
    return " ".join(
        re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]", "", label).split()
    )


def parse(chart: str) -> ET.Element:
    """The figure as XML (a bare figure is a single root; wrapping proves no stray text)."""
    wrapper = ET.fromstring(f"<div>{chart}</div>")
    (figure,) = list(wrapper)
    assert figure.tag == "figure"
    assert "pkb-chart" in figure.attrib["class"].split()
    return figure


def svg_of(figure: ET.Element) -> ET.Element:
    svg = figure.find(f"div[@class='pkb-chart__scroll']/{S}svg")
    assert svg is not None
    return svg


def texts(element: ET.Element, tag: str) -> list[str]:
    return ["".join(e.itertext()) for e in element.iter(f"{S}{tag}")]


def hrefs(element: ET.Element) -> list[str]:
    return [a.attrib["href"] for a in element.iter(f"{S}a")]


def check_block(chart: str) -> None:
    """Markdown keeps it raw HTML only if it has no blank line; no network reference at all."""
    assert chart.startswith("<figure")
    assert chart.endswith("</figure>")
    assert "\n\n" not in chart
    assert all(line and not line[0].isspace() for line in chart.split("\n"))
    # No network reference: no attribute names another host (a label may say "http").
    references = re.findall(r'\b(?:href|src|xlink:href)="([^"]*)"', chart)
    assert not [ref for ref in references if "//" in ref or ref.startswith(("http", "data:"))]
    assert "<script" not in chart.lower()


def check_accessible(chart: str, title: str, description: str) -> None:
    figure = parse(chart)
    svg = svg_of(figure)
    # A chart whose parts are links is a group (role="img" would hide the links); one without
    # is an image, in a region the keyboard can focus to scroll it on a phone.
    linked = svg.find(f".//{S}a") is not None
    assert svg.attrib["role"] == ("group" if linked else "img")
    scroll = figure.find("div[@class='pkb-chart__scroll']")
    assert scroll is not None
    assert ("tabindex" in scroll.attrib) == (not linked)
    ids = svg.attrib["aria-labelledby"].split()
    by_id = {e.attrib["id"]: e for e in svg.iter() if "id" in e.attrib}
    assert [by_id[i].tag for i in ids] == [f"{S}title", f"{S}desc"]
    assert by_id[ids[0]].text == title
    assert by_id[ids[1]].text == description
    caption = figure.find("figcaption")
    assert caption is not None
    assert caption.text == title
    assert re.fullmatch(r"0 0 \d+ \d+", svg.attrib["viewBox"])


BARS = [
    Bar("Agents", 12, "topics/agents.html"),
    Bar("Reasoning", 30, "topics/reasoning.html"),
    Bar("Unsorted", 0),
]


def bars_of(chart: str) -> list[ET.Element]:
    """The items of an HTML bar chart, in order."""
    figure = parse(chart)
    return list(figure.iter("li"))


def part(item: ET.Element, name: str) -> str:
    element = next(e for e in item.iter() if e.attrib.get("class") == f"pkb-bar-{name}")
    return "".join(element.itertext())


def share(item: ET.Element) -> float:
    rect = next(e for e in item.iter() if e.attrib.get("class") == "pkb-bar-rect")
    match = re.fullmatch(r"width:([0-9.]+)%", rect.attrib["style"])
    assert match is not None
    return float(match.group(1))


def test_bar_chart_is_an_accessible_list_with_every_link() -> None:
    chart = bar_chart(BARS, title="Papers per topic", description="How many papers each has.")
    check_block(chart)
    figure = parse(chart)
    (listing,) = figure.iter("ol")
    ids = {e.attrib["id"]: e for e in figure.iter() if "id" in e.attrib}
    assert ids[listing.attrib["aria-labelledby"]].tag == "figcaption"
    assert ids[listing.attrib["aria-labelledby"]].text == "Papers per topic"
    assert ids[listing.attrib["aria-describedby"]].text == "How many papers each has."
    assert [a.attrib["href"] for a in figure.iter("a")] == [
        "topics/agents.html",
        "topics/reasoning.html",
    ]
    items = bars_of(chart)
    assert [(part(i, "label"), part(i, "value")) for i in items] == [
        ("Agents", "12"),
        ("Reasoning", "30"),
        ("Unsorted", "0"),
    ]
    # The bar itself is decoration: its value is read out as text.
    assert all(
        e.attrib.get("aria-hidden") == "true"
        for i in items
        for e in i.iter()
        if e.attrib.get("class") == "pkb-bar-track"
    )
    assert "<svg" not in chart and 'role="img"' not in chart


def test_bars_are_proportional_to_values() -> None:
    items = bars_of(bar_chart(BARS, title="t", description="d"))
    assert [share(i) for i in items] == [40.0, 100.0, 0.0]


@pytest.mark.parametrize("count", [0, 1, 2, 40])
def test_bar_chart_has_one_item_per_bar(count: int) -> None:
    bars = [Bar(f"Topic {i}", i, f"topics/t{i}.html") for i in range(count)]
    chart = bar_chart(bars, title="t", description="d")
    check_block(chart)
    assert len(bars_of(chart)) == count
    assert len(list(parse(chart).iter("a"))) == count
    if count == 0:
        assert "No data" in chart


def test_all_zero_bars_draw_no_length() -> None:
    items = bars_of(bar_chart([Bar("a", 0), Bar("b", 0)], title="t", description="d"))
    assert [share(i) for i in items] == [0.0, 0.0]


def test_values_are_written_with_thousands_separators() -> None:
    (item,) = bars_of(bar_chart([Bar("a", 12345)], title="t", description="d"))
    assert part(item, "value") == "12,345"


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_stay_text(label: str) -> None:
    chart = bar_chart([Bar(label, 1, "topics/x.html")], title=label, description=label)
    check_block(chart)
    for raw in ("{{", "{%", "]]>", "](", "`", "*emph*", "\x00", "\x1b"):
        assert raw not in chart
    figure = parse(chart)
    (item,) = bars_of(chart)
    assert part(item, "label") == visible(label)
    assert figure.find("figcaption") is not None
    assert "".join(figure.find("figcaption").itertext()) == visible(label)  # type: ignore[union-attr]
    assert {e.tag for e in figure.iter()} <= {"figure", "figcaption", "p", "ol", "li", "a", "span"}
    html = markdown.markdown(f"Before.\n\n{chart}\n\nAfter.\n")
    assert "<script" not in html
    assert chart in html


def test_long_labels_keep_their_full_text() -> None:
    label = "Quantization, pruning & model compression for very large language models"
    (item,) = bars_of(bar_chart([Bar(label, 3)], title="t", description="d"))
    assert part(item, "label") == label  # the site's CSS cuts it on one line, not the HTML


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,x",
        "http://example.org/",
        "//example.org/x",
        "\\\\example.org\\x",
        "/\\example.org",
        "",
        " ",
        "topics/a b.html",
        "topics/\x00x.html",
    ],
)
def test_hrefs_with_a_scheme_or_host_are_refused(href: str) -> None:
    with pytest.raises(ValueError, match="href"):
        bar_chart([Bar("x", 1, href)], title="t", description="d")
    with pytest.raises(ValueError, match="href"):
        topic_map(Node("x", href, 1), [], title="t", description="d")


def test_relative_hrefs_are_escaped_attributes() -> None:
    href = '../papers/a&b.html?x="1"#top'
    chart = bar_chart([Bar("x", 1, href)], title="t", description="d")
    assert [a.attrib["href"] for a in parse(chart).iter("a")] == [href]
    assert '"1"' not in chart


def test_negative_values_are_refused() -> None:
    with pytest.raises(ValueError):
        bar_chart([Bar("x", -1)], title="t", description="d")
    with pytest.raises(ValueError):
        topic_map(Node("x", None, 1), [(Node("y", None, 1), -2)], title="t", description="d")


def test_ids_come_from_ident_or_content() -> None:
    one = bar_chart(BARS, title="t", description="d")
    assert one == bar_chart(list(BARS), title="t", description="d")
    other = bar_chart(BARS[:2], title="t", description="d")
    ids = {parse(c).attrib["id"] for c in (one, other)}
    assert len(ids) == 2
    named = bar_chart(BARS, title="t", description="d", ident="home")
    assert parse(named).attrib["id"] == "pkb-bar-chart-home"
    (listing,) = parse(named).iter("ol")
    assert listing.attrib["aria-labelledby"] == "pkb-bar-chart-home-title"
    with pytest.raises(ValueError, match="ident"):
        bar_chart(BARS, title="t", description="d", ident='x" onload="y')


def neighbours(count: int) -> list[tuple[Node, int]]:
    return [(Node(f"Topic {i}", f"topics/t{i}.html", 10 + i), i + 1) for i in range(count)]


CENTER = Node("Reasoning", None, 40)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 8])
def test_topic_map_draws_every_neighbour_up_to_the_cap(count: int) -> None:
    chart = topic_map(CENTER, neighbours(count), title="Related", description="Shares.")
    check_block(chart)
    check_accessible(chart, "Related", "Shares.")
    svg = svg_of(parse(chart))
    assert len(list(svg.iter(f"{S}line"))) == count
    assert sorted(hrefs(svg)) == sorted(f"topics/t{i}.html" for i in range(count))
    assert "Reasoning" in texts(svg, "tspan")
    assert ("No related topics yet" in texts(svg, "text")) == (count == 0)


def test_topic_map_keeps_the_neighbours_sharing_most() -> None:
    chart = topic_map(CENTER, neighbours(12), title="t", description="d")
    svg = svg_of(parse(chart))
    assert len(list(svg.iter(f"{S}line"))) == MAX_NEIGHBOURS
    assert sorted(hrefs(svg)) == sorted(f"topics/t{i}.html" for i in range(4, 12))


def test_topic_map_edges_widen_with_shared_papers() -> None:
    svg = svg_of(parse(topic_map(CENTER, neighbours(5), title="t", description="d")))
    widths = {
        "".join(line.itertext()): float(line.attrib["stroke-width"])
        for line in svg.iter(f"{S}line")
    }
    ordered = [
        widths[f"Topic {i} and Reasoning: {i + 1} shared paper{'s' if i else ''}"] for i in range(5)
    ]
    assert ordered == sorted(ordered)
    assert ordered[0] < ordered[-1]


def test_topic_map_nodes_stay_inside_the_picture() -> None:
    long = [(Node("Quantization, pruning & model compression " * 2, None, 5), 5)] * 8
    svg = svg_of(parse(topic_map(CENTER, long, title="t", description="d")))
    _, _, width, height = map(float, svg.attrib["viewBox"].split())
    for rect in svg.iter(f"{S}rect"):
        x, y = float(rect.attrib["x"]), float(rect.attrib["y"])
        assert x >= 0 and x + float(rect.attrib["width"]) <= width
        assert y >= 0 and y + float(rect.attrib["height"]) <= height


def test_topic_map_ignores_input_order() -> None:
    pairs = neighbours(10)
    forward = topic_map(CENTER, pairs, title="t", description="d")
    assert forward == topic_map(CENTER, pairs[::-1], title="t", description="d")


@pytest.mark.parametrize("label", HOSTILE)
def test_topic_map_hostile_labels_stay_text(label: str) -> None:
    chart = topic_map(
        Node(label, "topics/a.html", 1),
        [(Node(label, "topics/b.html", 2), 1)],
        title=label,
        description=label,
    )
    check_block(chart)
    assert "{{" not in chart
    assert "]]>" not in chart
    parse(chart)


@given(st.text(max_size=60), st.integers(min_value=0, max_value=10**6))
def test_any_label_makes_well_formed_inert_charts(label: str, value: int) -> None:
    chart = bar_chart([Bar(label, value, "p.html")], title=label, description=label)
    check_block(chart)
    (item,) = bars_of(chart)
    assert part(item, "label") == visible(label)
    topic = topic_map(
        Node(label, None, value),
        [(Node(label, "p.html", value), value)],
        title=label,
        description=label,
    )
    check_block(topic)
    parse(topic)
