"""Annotation records: a hand-written record without an abstract names a paper of the knowledge
base, by its title or its arXiv id, and adds what it gives (issue 26)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import DATA, MINIMAL_TAXONOMY, MakeTree, abstract, listing

from generator.cli import main
from generator.corpus import read_corpus
from generator.errors import InputError
from generator.model import Paper
from generator.pipeline import make_plan
from generator.tools.diff import Snapshot, compare, format_changes

TITLE_A = "Diffusion Paths: Sampling Fast"
q = json.dumps  # a YAML string: a title may hold a colon
TITLE_B = "Sparse Attention at Scale"

API_B = json.dumps(
    [
        {
            "paper": {
                "id": "2406.01234",
                "title": TITLE_B,
                "summary": abstract("attention", 2),
                "authors": [{"name": "Bo Li"}],
                "publishedAt": "2024-06-03T00:00:00.000Z",
            }
        }
    ]
)


def tree(make_tree: MakeTree, annotation: str, **more: str) -> Path:
    return make_tree(
        {
            "data/listings/a.txt": listing((TITLE_A, abstract("diffusion"))),
            "data/topics.yaml": MINIMAL_TAXONOMY,
            "data/records/annotations.yaml": annotation,
            **more,
        }
    )


def papers(root: Path) -> dict[str, Paper]:
    return {p.title: p for p in read_corpus(root / "data").papers}


def test_an_annotation_named_by_its_title_adds_its_facts_and_nothing_else(
    make_tree: MakeTree,
) -> None:
    root = tree(
        make_tree,
        "- title: 'diffusion paths — sampling fast'\n"  # another spelling of the same title key
        "  arxiv: '2406.05678v2'\n"
        "  authors: [Ann Lee, Bo Li]\n"
        "  date: '2024-06'\n"
        "  note: Checked by hand.\n"
        "  verified_at: https://arxiv.org/abs/2406.05678\n"
        "  date_from: https://huggingface.co/papers/2406.05678\n",
    )
    (paper,) = papers(root).values()
    assert (paper.title, paper.abstract) == (TITLE_A, abstract("diffusion"))
    assert paper.aliases == ()  # an annotation's title only names the paper
    assert paper.meta.arxiv == "2406.05678"
    assert paper.meta.authors == ("Ann Lee", "Bo Li")
    assert paper.meta.published == "2024-06"
    assert paper.meta.note == "Checked by hand."
    assert paper.meta.verified == (
        "https://arxiv.org/abs/2406.05678",
        "https://huggingface.co/papers/2406.05678",
    )
    assert [s.file for s in paper.sources] == ["listings/a.txt", "records/annotations.yaml"]
    corpus = read_corpus(root / "data")
    assert (corpus.entries, corpus.merged, corpus.annotations) == (1, 0, 1)


def test_an_annotation_named_by_its_arxiv_id_joins_that_paper(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        "title: A title the curator wrote differently\narxiv: 2406.01234\nnote: By id.\n",
        **{"data/records/hub/2024-06-03.json": API_B},
    )
    found = papers(root)
    assert set(found) == {TITLE_A, TITLE_B}
    assert found[TITLE_B].meta.note == "By id."
    assert found[TITLE_B].aliases == ()
    assert found[TITLE_B].meta.authors == ("Bo Li",)


def test_an_annotation_that_names_no_paper_is_an_error_at_its_line(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(
        make_tree,
        f"- title: {q(TITLE_A)}\n  note: fine\n"
        "- title: A Paper Nobody Listed\n  arxiv: '2401.04081'\n",
    )
    with pytest.raises(InputError) as exc:
        read_corpus(root / "data")
    (problem,) = exc.value.problems
    assert (problem.file, problem.line) == ("records/annotations.yaml", 3)
    assert (
        "none has the title 'A Paper Nobody Listed' or the arXiv id 2401.04081" in problem.message
    )
    code = main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")])
    assert code == 1
    assert "records/annotations.yaml:3:" in capsys.readouterr().err
    assert not (root / "docs").exists()


def test_an_annotation_whose_title_and_id_name_two_papers_is_an_error_not_a_merge(
    make_tree: MakeTree,
) -> None:
    root = tree(
        make_tree,
        f"title: {q(TITLE_A)}\narxiv: '2406.01234'\n",
        **{"data/records/hub/2024-06-03.json": API_B},
    )
    with pytest.raises(InputError) as exc:
        read_corpus(root / "data")
    messages = [str(p) for p in exc.value.problems]
    assert messages == [
        f"records/annotations.yaml:1: this annotation's title names {TITLE_A!r} but its arXiv "
        f"id 2406.01234 is that of {TITLE_B!r}: correct the title or the id (two papers are "
        "never merged by an annotation)"
    ]


def test_an_annotation_never_gives_a_title_an_abstract_or_a_near_title_match(
    make_tree: MakeTree,
) -> None:
    """A title one letter off is not the paper's title: no fuzzy match without an abstract."""
    root = tree(make_tree, "title: Diffusion Path Sampling Fast\nnote: off by a word\n")
    with pytest.raises(InputError) as exc:
        read_corpus(root / "data")
    assert "none has the title" in exc.value.problems[0].message


def test_a_record_with_an_abstract_is_still_a_record(make_tree: MakeTree) -> None:
    root = tree(make_tree, f"title: {q(TITLE_B)}\nabstract: {q(abstract('attention', 3))}\n")
    assert set(papers(root)) == {TITLE_A, TITLE_B}


def test_evidence_must_be_web_addresses_and_dates_real(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        f"title: {q(TITLE_A)}\nverified_at: javascript:alert(1)\ndate: '2024-13'\n",
    )
    with pytest.raises(InputError) as exc:
        read_corpus(root / "data")
    assert [p.line for p in exc.value.problems] == [2, 3]
    assert "'verified_at' must be an http(s) URL" in exc.value.problems[0].message
    assert "'date' must be a date YYYY-MM-DD (or a month, YYYY-MM)" in exc.value.problems[1].message


def test_a_month_date_is_shown_and_cited_as_a_month(make_tree: MakeTree) -> None:
    root = tree(make_tree, f"title: {q(TITLE_A)}\narxiv: '2406.05678'\ndate: '2024-06'\n")
    plan = make_plan(root / "data", parallel=False)
    (paper,) = plan.papers
    page = plan.files[f"papers/{paper.id}.md"]
    assert "Jun 2024" in page
    assert "year = {2024}" in page
    assert "citation_publication_date" in page and "2024/06" in page


def test_the_page_names_where_the_facts_were_checked(make_tree: MakeTree) -> None:
    root = tree(
        make_tree,
        f"title: {q(TITLE_A)}\narxiv: '2406.05678'\nverified_at: https://arxiv.org/abs/2406.05678\n",
    )
    plan = make_plan(root / "data", parallel=False)
    (paper,) = plan.papers
    page = plan.files[f"papers/{paper.id}.md"]
    assert (
        'Facts checked by a curator at: <a href="https://arxiv.org/abs/2406.05678">'
        "arxiv.org/abs/2406.05678</a>." in page
    )


def test_diff_shows_what_an_annotation_adds(make_tree: MakeTree) -> None:
    base = make_tree(
        {
            "base/listings/a.txt": listing((TITLE_A, abstract("diffusion"))),
            "base/topics.yaml": MINIMAL_TAXONOMY,
        }
    )
    head = tree(make_tree, f"title: {q(TITLE_A)}\narxiv: '2406.05678'\nauthors: [Ann Lee]\n")
    before, after = read_corpus(base / "base"), read_corpus(head / "data")
    changes = compare(
        Snapshot.of(before.papers, before.redirects), Snapshot.of(after.papers, after.redirects)
    )
    text = format_changes(changes, Snapshot.of(after.papers, after.redirects), "main")
    assert "2406.05678" in text and "Ann Lee" in text
    assert changes.added == () and changes.removed == ()


def test_the_shipped_papers_stay_resolved() -> None:
    """The shipped knowledge base knows its papers (issue 26): a dropped or broken annotation
    shows here, not as a quieter site. Every paper an annotation file resolves is counted; the
    ones left out are each listed, by permanent id, in unverified.md beside them."""
    corpus = read_corpus(DATA)
    papers = corpus.papers
    with_id = [p for p in papers if p.meta.arxiv]
    full = [p for p in with_id if p.meta.authors and p.meta.published]
    assert len(papers) == 313
    assert len(with_id) >= 300
    assert len(full) >= 293
    assert len({p.meta.arxiv for p in with_id}) == len(with_id)  # no id on two papers
    unverified = (DATA / "records" / "annotations" / "unverified.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^- \*\*.+?\*\* \(`([a-z0-9-]+)`", unverified, flags=re.MULTILINE))
    missing = {p.id for p in papers} - {p.id for p in full}
    assert listed == missing
