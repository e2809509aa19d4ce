"""Dedupe with structured records: arXiv identity, precedence of fields, stable ids.

Entries here are made directly (as the normalize stage would hand them over); reading records
is tested in ``test_records.py``. The end-to-end case reads the fixture records and merges them
with a listing.
"""

from __future__ import annotations

import json
import random
from typing import Any

from conftest import FIXTURES, MINIMAL_TAXONOMY, MakeTree, abstract, listing

from generator.datafiles import REGISTRY_FILE
from generator.errors import Problem
from generator.inputs.listings import parse_listing
from generator.inputs.overrides import Name, Overrides
from generator.inputs.records import read_records
from generator.model import NO_METADATA, Cluster, Entry, Metadata, Origin, Source
from generator.pipeline import generate, make_plan
from generator.render.reports import render_merge_report
from generator.stages.dedupe import DedupeResult, combine, dedupe
from generator.stages.normalize import normalize
from generator.stages.permalinks import assign_ids
from generator.text.folding import title_key

ABSTRACT = abstract("state space models")
OTHER_ABSTRACT = abstract("image generation", 2)
assert len(ABSTRACT) >= 200  # long enough to recognise a retitled paper


def make(
    title: str,
    text: str = ABSTRACT,
    *,
    origin: Origin = "listing",
    file: str | None = None,
    line: int = 1,
    **meta: Any,
) -> Entry:
    """An entry; ``meta`` are :class:`Metadata` fields (only records and API entries have them)."""
    default = {"listing": "listings/a.txt", "api": "records/a.json", "record": "records/a.yaml"}
    source = Source(file or default[origin], line, "Aug 12" if origin == "listing" else None)
    return Entry(title, text, source, origin, Metadata(**meta) if meta else NO_METADATA)


def only(result: DedupeResult) -> Cluster:
    (item,) = result.clusters
    return item


# --- arXiv identity -------------------------------------------------------------------------


def test_one_arxiv_id_with_different_titles_is_one_paper_with_an_alias() -> None:
    result = dedupe(
        [
            make("Mamba: Linear-Time Sequence Modeling", origin="api", arxiv="2312.00752"),
            make(
                "Selective State Spaces",
                OTHER_ABSTRACT,  # nothing else in common: only the id joins them
                origin="api",
                file="records/b.json",
                arxiv="2312.00752",
            ),
        ]
    )
    paper = only(result)
    assert paper.title == "Mamba: Linear-Time Sequence Modeling"  # earliest source
    assert paper.aliases == ("Selective State Spaces",)
    assert paper.keys == {
        title_key("Mamba: Linear-Time Sequence Modeling"),
        title_key("Selective State Spaces"),
    }
    assert paper.meta.arxiv == "2312.00752"
    (group,) = result.merges
    assert group.kinds == ("arxiv",)
    joined = group.spellings[1]
    assert (joined.title, joined.how, joined.matched) == (
        "Selective State Spaces",
        "arxiv",
        "Mamba: Linear-Time Sequence Modeling",
    )
    assert joined.abstract_score is not None and joined.abstract_score < 90
    report = render_merge_report(result, {}, "")
    assert "| Selective State Spaces | arxiv |" in report


def test_the_same_title_merges_across_listing_api_and_yaml_record() -> None:
    result = dedupe(
        [
            make("Scaling Laws for Everything", line=5),
            make("Scaling laws for everything", origin="api", arxiv="2401.00001", upvotes=3),
            make("Scaling Laws  for Everything.", origin="record", note="Classic."),
        ]
    )
    paper = only(result)
    assert paper.title == "Scaling Laws  for Everything."  # the record's spelling wins
    assert len(paper.sources) == 3
    assert paper.meta == Metadata(arxiv="2401.00001", upvotes=3, note="Classic.")
    assert result.merges[0].kinds == ("exact",)
    assert result.problems == ()


def test_a_retitled_paper_joins_its_listing_entry_by_identical_abstract() -> None:
    old = make("Mamba Mixture of Experts")
    new = make("MoE-Mamba: Efficient Selective SSMs", origin="api", arxiv="2401.04081")
    result = dedupe([old, new])
    paper = only(result)
    assert paper.title == new.title  # the API record is trusted over the listing
    assert paper.aliases == (old.title,)
    assert paper.key == title_key(new.title)
    assert paper.keys == {title_key(old.title), title_key(new.title)}
    assert result.merges[0].kinds == ("retitled",)


def test_a_retitled_listing_entry_joins_through_a_record_with_the_same_id() -> None:
    """Listing (old title) ~ API record (old title, same id) ~ YAML record (new title)."""
    entries = [
        make("Graph Mamba"),
        make("Graph Mamba", origin="api", arxiv="2402.00789", upvotes=8),
        make("Graph-Mamba: Long-Range Graph Sequence Modeling", OTHER_ABSTRACT, origin="record"),
        # no id on the record yet: it stays a paper of its own ...
    ]
    assert len(dedupe(entries).clusters) == 2
    entries[2] = make(
        "Graph-Mamba: Long-Range Graph Sequence Modeling",
        OTHER_ABSTRACT,
        origin="record",
        arxiv="2402.00789",
    )
    paper = only(dedupe(entries))  # ... until it gets one
    assert paper.title == "Graph-Mamba: Long-Range Graph Sequence Modeling"
    assert paper.abstract == OTHER_ABSTRACT
    assert paper.aliases == ("Graph Mamba",)
    assert paper.meta == Metadata(arxiv="2402.00789", upvotes=8)


def test_different_ids_with_close_titles_stay_apart() -> None:
    typo = "Efficient Hierarchical Transformers"
    result = dedupe(
        [
            make(typo, origin="api", arxiv="2401.11111"),
            make(typo.replace("Hierarchical", "Hierarchcal"), origin="api", arxiv="2401.22222"),
        ]
    )
    assert len(result.clusters) == 2
    (miss,) = result.kept_apart
    assert miss.reason == "different arXiv ids"
    assert miss.title_score >= 95 and miss.abstract_score == 100.0
    # without the ids, the same two entries are one paper (a typo, identical abstracts)
    assert len(dedupe([make(typo), make(typo.replace("Hierarchical", "Hierarchcal"))])) == 1


def test_an_entry_without_an_id_joins_at_most_one_of_two_ids() -> None:
    """Identical abstracts under three titles: the listing entry cannot join both ids."""
    entries = [
        make("A Study of State Space Models", origin="api", arxiv="2401.11111"),
        make(
            "State Space Models Revisited", origin="api", file="records/b.json", arxiv="2401.22222"
        ),
        make("Yet Another Title"),
    ]
    result = dedupe(entries)
    assert sorted(len(c.sources) for c in result.clusters) == [1, 2]
    assert {c.meta.arxiv for c in result.clusters} == {"2401.11111", "2401.22222"}
    assert [m.reason for m in result.kept_apart] == ["different arXiv ids"]
    assert result.problems == ()


def test_one_title_with_two_ids_is_a_problem_naming_both_sources() -> None:
    result = dedupe(
        [
            make("Hydra", origin="api", arxiv="2407.09941", line=2),
            make("HYDRA", origin="record", arxiv="2402.05109", line=7),
        ]
    )
    assert len(result.clusters) == 1  # one title key is one paper: the data must be fixed
    assert result.problems == (
        Problem(
            "records/a.yaml",
            7,
            "arXiv id 2402.05109 differs from 2407.09941 at records/a.json:2 for the same "
            "title; papers are keyed by title, so correct the id or the title",
        ),
    )


def test_a_merge_override_joining_two_ids_is_a_problem() -> None:
    a = make("First Paper", origin="api", arxiv="2401.11111")
    b = make("Second Paper", OTHER_ABSTRACT, origin="api", arxiv="2401.22222")
    overrides = Overrides(merge=((Name("First Paper", 3), Name("Second Paper", 3)),))
    result = dedupe([a, b], overrides)
    assert len(result.clusters) == 1  # the override is applied, and reported
    assert result.problems == (
        Problem(
            "overrides.yaml",
            3,
            "merge: 'First Paper' and 'Second Paper' have different arXiv ids (2401.11111 and "
            "2401.22222), so they are different papers",
        ),
    )


def test_a_keep_apart_override_beats_a_shared_id() -> None:
    a = make("First Paper", origin="api", arxiv="2401.11111")
    b = make("Second Paper", OTHER_ABSTRACT, origin="api", arxiv="2401.11111")
    overrides = Overrides(keep_apart=((Name("First Paper", 2), Name("Second Paper", 2)),))
    result = dedupe([a, b], overrides)
    assert len(result.clusters) == 2
    assert [m.reason for m in result.kept_apart] == ["keep-apart override"]


# --- precedence -----------------------------------------------------------------------------


def test_title_and_abstract_come_from_the_most_trusted_origin_then_the_usual_rule() -> None:
    listing_a = make("Deep nets", "listing text " + ABSTRACT, file="listings/a.txt")
    listing_b = make("Deep nets", "listing text " + ABSTRACT, file="listings/b.txt")
    api = make("Deep Nets", "api text " + ABSTRACT, origin="api")
    assert only(dedupe([listing_a, listing_b])).title == "Deep nets"
    paper = only(dedupe([listing_a, listing_b, api]))
    assert (paper.title, paper.abstract) == ("Deep Nets", "api text " + ABSTRACT)
    assert paper.aliases == ("Deep nets",)
    records = [
        make("DEEP NETS", "record text " + ABSTRACT, origin="record", file="records/z.yaml"),
        make("deep nets", "record text " + ABSTRACT, origin="record", file="records/y.yaml"),
    ]
    paper = only(dedupe([listing_a, listing_b, api, *records]))
    # among the records: a tie of one each, so the earliest source (records/y.yaml) wins
    assert (paper.title, paper.abstract) == ("deep nets", "record text " + ABSTRACT)
    (group,) = dedupe([listing_a, api, *records]).merges
    assert (group.title, group.spellings[0].how) == ("deep nets", "canonical")


def test_each_metadata_field_by_precedence() -> None:
    entries = [
        make("P", origin="listing"),
        make("P", origin="api", file="records/1.json", authors=("A", "B"), upvotes=5,
             published="2024-01-08", arxiv="2401.04081"),
        make("P", origin="api", file="records/2.json", authors=("C",), upvotes=9,
             published="2024-01-09"),
        make("P", origin="record", file="records/2.yaml", published="2024-01-01",
             topics=("b", "c"), note="later note"),
        make("P", origin="record", file="records/1.yaml", topics=("a", "b"), note="first note"),
    ]  # fmt: skip
    paper = only(dedupe(entries))
    assert paper.meta == Metadata(
        arxiv="2401.04081",  # only the API knows it
        authors=("A", "B"),  # the earliest API record's whole list, never mixed
        published="2024-01-01",  # the record's date beats the API's
        upvotes=9,  # the highest count among the API records
        note="first note",  # both are records: the earliest source
        topics=("a", "b", "c"),  # the union of pins, sorted
    )
    with_authors = [*entries, make("P", origin="record", file="records/3.yaml", authors=("Z",))]
    assert only(dedupe(with_authors)).meta.authors == ("Z",)


def test_upvotes_come_from_the_most_trusted_origin_that_has_them() -> None:
    def entry(origin: Origin, votes: int, file: str) -> Entry:
        return make("P", origin=origin, file=file, upvotes=votes)

    assert combine([entry("api", 50, "b"), entry("record", 2, "c")]).upvotes == 2
    assert combine([entry("api", 50, "b"), entry("api", 2, "a")]).upvotes == 50
    assert combine([make("P"), make("P", file="x")]) is NO_METADATA


def test_a_paper_on_two_days_is_one_paper_with_its_earliest_day() -> None:
    later = make(
        "P",
        origin="api",
        file="records/hub/2024-12-04.json",
        arxiv="2412.01234",
        listed="2024-12-04",
        upvotes=30,
        comments=5,
        github="https://github.com/x/y",
        stars=12,
        ai_summary="newer",
        ai_keywords=("b",),
    )
    earlier = make(
        "P",
        origin="api",
        file="records/hub/2024-12-03.json",
        arxiv="2412.01234",
        listed="2024-12-03",
        upvotes=10,
        comments=7,
        github="https://github.com/x/y",
        stars=9,
        ai_summary="older",
        ai_keywords=("a",),
        organization="Lab",
    )
    paper = only(dedupe([later, earlier, make("P", line=4)]))
    assert paper.meta == Metadata(
        arxiv="2412.01234",
        listed="2024-12-03",  # the first day it was on Daily Papers
        upvotes=30,  # counts: the highest of the most trusted origin
        comments=7,
        github="https://github.com/x/y",
        stars=12,
        organization="Lab",  # from the one entry that has it
        ai_summary="older",  # the earliest source, as for every text field
        ai_keywords=("a",),  # one entry's whole list, never mixed
    )
    assert len(paper.sources) == 3


def test_the_earliest_listed_day_wins_whatever_the_origin_or_order() -> None:
    origins: list[Origin] = ["record", "api", "api"]
    days = ["2024-12-09", "2024-11-30", "2024-12-01"]
    entries = [
        make("P", origin=origin, file=f"records/{n}.json", listed=day)
        for n, (origin, day) in enumerate(zip(origins, days, strict=True))
    ]
    assert combine(entries).listed == "2024-11-30"
    assert combine(reversed(entries)).listed == "2024-11-30"


def test_stars_belong_to_the_chosen_repository_and_counts_to_the_trusted_origin() -> None:
    first = make("P", origin="api", file="records/a.json", github="https://github.com/a/a", stars=1)
    other = make(
        "P",
        origin="api",
        file="records/b.json",
        github="https://github.com/b/b",
        stars=999,
        comments=50,
    )
    record = make("P", origin="record", file="records/c.yaml", comments=2)
    meta = combine([other, first, record])
    assert (meta.github, meta.stars) == ("https://github.com/a/a", 1)  # not the other's 999
    assert meta.comments == 2  # the record is trusted over the API, like upvotes


def test_withdrawn_and_the_hub_links_come_from_whichever_entry_has_them() -> None:
    plain = make("P", origin="api", file="records/a.json", arxiv="2412.01234")
    marked = make(
        "P",
        origin="api",
        file="records/b.json",
        arxiv="2412.01234",
        withdrawn="2024-12-05",
        project="https://example.org/",
    )
    meta = combine([plain, marked])
    assert (meta.withdrawn, meta.project) == ("2024-12-05", "https://example.org/")


def test_listing_only_papers_have_no_metadata() -> None:
    result = dedupe([make("One", line=1), make("one", line=3), make("Two", OTHER_ABSTRACT)])
    assert all(c.meta is NO_METADATA for c in result.clusters)


# --- permanent ids and determinism ----------------------------------------------------------


def test_a_paper_keeps_its_id_when_a_record_adds_an_id_and_a_new_title() -> None:
    old = make("Mamba Mixture of Experts")
    first = assign_ids(dedupe([old]).clusters, [])
    ((paper_id, row),) = [(p.id, r) for p, r in zip(first.papers, first.new_rows, strict=True)]
    record = make("MoE-Mamba: Efficient Selective SSMs", origin="api", arxiv="2401.04081")
    clusters = dedupe([old, record]).clusters
    assert clusters[0].key != row.key  # the canonical title (and key) moved on ...
    later = assign_ids(clusters, [row])
    assert [p.id for p in later.papers] == [paper_id]  # ... the URL did not
    assert later.new_rows == () and later.moved == {}
    assert later.papers[0].title == record.title


def test_a_listing_paper_that_gains_hub_data_keeps_its_id(make_tree: MakeTree) -> None:
    """A listing, its registry row, then a day file of the Hub with the same title and an id."""
    title = "Scaling Laws for Everything"
    data = (
        make_tree(
            {
                "data/topics.yaml": MINIMAL_TAXONOMY,
                "data/listings/2024-12-03.txt": listing((title, ABSTRACT), date="Dec 3"),
            }
        )
        / "data"
    )
    generate(data, data.parent / "docs", parallel=False)
    registry = (data / REGISTRY_FILE).read_text(encoding="utf-8")
    (before,) = make_plan(data, parallel=False).papers
    assert before.meta.arxiv is None
    assert before.id in registry
    fields: dict[str, object] = {
        "id": "2412.01234",
        "title": title.upper(),  # another spelling of the same title
        "summary": ABSTRACT,
        "authors": [{"name": "Ada Lovelace"}],
        "upvotes": 12,
        "githubRepo": "https://github.com/x/y",
        "ai_summary": "Machine words.",
    }
    item = {"paper": fields, "numComments": 2}
    hub = data / "records" / "hub" / "2024-12-03.json"
    hub.parent.mkdir(parents=True)
    hub.write_text(json.dumps([item]), encoding="utf-8")
    plan = make_plan(data, parallel=False)
    (after,) = plan.papers
    assert after.id == before.id  # the URL did not change ...
    assert plan.new_rows == ()  # ... and no new row is needed
    assert (after.meta.arxiv, after.meta.listed, after.meta.comments) == (
        "2412.01234",
        "2024-12-03",
        2,
    )
    assert after.title == title.upper()  # the API's spelling is trusted over the listing's
    page = plan.files[f"papers/{before.id}.md"]
    assert "Machine words." in page and "**Comments:** [2](" in page
    # `paperkb fetch --refresh` saves the day again with the Hub's new title: the paper joins
    # its listing entry by the identical abstract, and its URL holds (a slug of the new title
    # would be another id: only the registry keeps this one).
    renamed = {**item, "paper": {**fields, "title": "Everything Scales, Lawfully"}}
    hub.write_text(json.dumps([renamed]), encoding="utf-8")
    plan = make_plan(data, parallel=False)
    (final,) = plan.papers
    assert final.title == "Everything Scales, Lawfully" and final.aliases == (title,)
    assert final.key != before.key
    assert (final.id, plan.new_rows) == (before.id, ())
    assert final.meta.listed == "2024-12-03"


def test_records_and_listings_merge_end_to_end_from_the_fixtures() -> None:
    """The fixture records read from disk, with a listing that has MoE-Mamba's listing text."""
    records, problems = read_records(FIXTURES)
    assert all(p.file.startswith("records/bad/") for p in problems)
    good = [e for e in records if not e.source.file.startswith("records/bad/")]
    text = listing(
        ("MoE-Mamba: Efficient Selective State Space Models with Mixture of Experts", ABSTRACT)
    )
    listed, listing_problems = parse_listing(text, "listings/2024-01-09.txt")
    assert listing_problems == []
    result = dedupe(normalize([*listed, *good]))
    (moe,) = [c for c in result.clusters if c.meta.arxiv == "2401.04081"]
    assert [s.file for s in moe.sources] == [
        "listings/2024-01-09.txt",
        "records/api.json",
        "records/records.yaml",
    ]
    assert moe.abstract.startswith("State space models meet a mixture of experts")  # the record's
    assert moe.meta.upvotes == 70 and moe.meta.note == "Read together with Mamba."
    assert moe.meta.topics == ("mixture-of-experts", "state-space-models")
    assert len(result.clusters) == len({e.meta.arxiv or e.title for e in good})
    assert result.problems == ()


def test_the_result_does_not_depend_on_input_order() -> None:
    entries = [
        make("Mamba Mixture of Experts"),
        make("MoE-Mamba: Efficient Selective SSMs", origin="api", arxiv="2401.04081", upvotes=4),
        make("MoE Mamba", OTHER_ABSTRACT, origin="record", arxiv="2401.04081", note="n"),
        make("A Study of State Space Models", origin="api", file="r/b.json", arxiv="2401.11111"),
        make("Efficient Hierarchical Transformers", origin="api", arxiv="2401.33333", line=4),
        make("Efficient Hierarchcal Transformers", origin="api", arxiv="2401.44444", line=9),
        make("Hydra", origin="api", arxiv="2407.09941", line=2),
        make("HYDRA", origin="record", arxiv="2402.05109", line=7),
    ]
    expected = dedupe(entries)
    assert expected.problems and expected.kept_apart and expected.merges
    for seed in range(5):
        shuffled = list(entries)
        random.Random(seed).shuffle(shuffled)
        assert dedupe(shuffled) == expected
