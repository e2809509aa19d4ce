"""Content-change summaries: `paperkb diff BASE` and the pull-request job summary."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, FIXTURES

from generator.cli import main
from generator.inputs.registry import parse_registry
from generator.model import Metadata, Paper, Source
from generator.tools.diff import Snapshot, compare, format_changes


def test_compare_names_every_kind_of_change() -> None:
    base = Snapshot(
        titles={"a": "A", "b": "B", "c": "C", "d": "D"},
        topics={"a": ("video",), "b": ("video",), "c": ("unsorted",), "d": ("audio",)},
    )
    head = Snapshot(
        titles={"a": "A new title", "c": "C", "e": "E"},
        topics={"a": ("video",), "c": ("audio",), "e": ("unsorted",)},
        redirects={"b": "a"},
    )
    changes = compare(base, head)
    assert changes.added == ("e",)
    assert changes.removed == ("d",)
    assert changes.merged == (("b", "a"),)
    assert changes.retitled == (("a", "A", "A new title"),)
    assert changes.new_unsorted == ("e",)
    assert changes.topics == (
        ("audio", ("c",), ("d",)),
        ("unsorted", ("e",), ("c",)),
        ("video", (), ("b",)),
    )
    text = format_changes(changes, head, "main")
    assert "- `d`: `D`\n" in text  # removed, named with its title
    assert "| Papers added | 1 |" in text
    assert "- `b` -> `a`: `A new title`" in text


def test_summary_titles_cannot_inject_markup() -> None:
    head = Snapshot(titles={"x": "<script>alert(1)</script> [l](javascript:x)"}, topics={})
    text = format_changes(compare(Snapshot({}, {}), head), head, "main")
    outside = "".join(outside_code(line) for line in text.splitlines())
    assert "<" not in outside
    assert "[l]" not in outside
    assert "`<script>alert(1)</script> [l](javascript:x)`" in text  # shown as written, as code


def outside_code(line: str) -> str:
    """The parts of a Markdown line outside its code spans (CommonMark: a span ends at the first
    run of as many backticks as opened it)."""
    return re.sub(r"(`+)(.+?)\1", "", line)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_adding_a_listing_keeps_every_url_appends_ids_and_the_summary_lists_the_new_papers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "kb"
    shutil.copytree(DATA, repo / "data")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    registry_before = (repo / "data" / "permalinks.tsv").read_text(encoding="utf-8")
    old_rows, _ = parse_registry(registry_before, "permalinks.tsv")

    new_listing = FIXTURES / "small" / "listings" / "2024-08-13.txt"
    shutil.copy2(new_listing, repo / "data" / "listings" / "2024-08-13.txt")
    docs = tmp_path / "docs"
    assert main(["generate", "--data", str(repo / "data"), "--docs", str(docs)]) == 0
    capsys.readouterr()

    registry_after = (repo / "data" / "permalinks.tsv").read_text(encoding="utf-8")
    assert registry_after.startswith(registry_before)
    rows, problems = parse_registry(registry_after, "permalinks.tsv")
    assert problems == []
    new_ids = sorted(r.id for r in rows[len(old_rows) :])
    assert new_ids == [
        "denoising-diffusion-for-video-generation",
        "fast-diffusion-sampling-with-consistency-distillation",
    ]
    for row in old_rows:
        assert (docs / "papers" / f"{row.id}.md").is_file(), row.id

    assert main(["diff", "main", "--data", str(repo / "data")]) == 0
    out = capsys.readouterr().out
    assert "| Papers added | 2 |" in out
    assert "| Papers removed | 0 |" in out
    added = out.split("### Added", 1)[1].split("###", 1)[0]
    assert sorted(line.split("`")[1] for line in added.strip().splitlines()) == new_ids


def test_diff_against_an_unknown_revision_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "kb"
    shutil.copytree(DATA, repo / "data")
    git(repo, "init", "-q", "-b", "main")
    assert main(["diff", "nope", "--data", str(repo / "data")]) == 1
    assert "cannot read data/ at 'nope'" in capsys.readouterr().err


def _paper(
    pid: str, abstract: str, *aliases: str, topics: tuple[str, ...] = (), **meta: Any
) -> Paper:
    return Paper(
        id=pid,
        key=pid,
        title=pid.upper(),
        abstract=abstract,
        aliases=aliases,
        sources=(),
        topics=topics,
        meta=Metadata(**meta),
    )


def test_the_summary_shows_every_change_a_reviewer_has_to_judge() -> None:
    listing_abstract = "A long abstract from the listing. " * 40
    base = Snapshot.of(
        [
            _paper("a", listing_abstract, topics=("video",)),
            _paper("b", "B abstract", arxiv="2401.00001", authors=("X Y",)),
            _paper("c", "C abstract", topics=("video",)),
        ],
        {},
    )
    head = Snapshot.of(
        [
            _paper("a", "Cut short.", "A (new spelling)", arxiv="2401.04081", topics=("video",)),
            _paper("b", "B abstract", arxiv="2401.00001", authors=("X Y", "Z W"), note="Seen."),
            _paper("c", "C abstract", topics=("audio",)),
        ],
        {},
    )
    changes = compare(base, head)
    assert changes.spellings == (("a", ("A (new spelling)",)),)
    assert ("a", "arxiv", None, "2401.04081") in changes.facts
    assert ("b", "authors", "X Y", "X Y, Z W") in changes.facts
    assert ("b", "note", None, "Seen.") in changes.facts
    assert changes.abstracts == (("a", len(listing_abstract), len("Cut short.")),)
    assert len(changes.warnings) == 1 and "`a`: the abstract went from 1,360" in changes.warnings[0]
    text = format_changes(changes, head, "main")
    assert "### Warnings" in text
    assert "- `a`: `A`; now also: `A (new spelling)`" in text
    assert "- `a` arxiv: (none) -> `2401.04081`" in text
    assert "- `b` authors: `X Y` -> `X Y, Z W`" in text
    assert "- `video`: +0 -1; left: `c`" in text
    assert "- `audio`: +1 -0; joined: `c`" in text
    assert "| Warnings | 1 |" in text


def test_a_same_length_abstract_change_is_listed_without_a_warning() -> None:
    base = Snapshot.of([_paper("a", "x" * 100)], {})
    head = Snapshot.of([_paper("a", "y" * 90)], {})
    changes = compare(base, head)
    assert changes.abstracts == (("a", 100, 90),)
    assert changes.warnings == ()
    assert not changes.empty


def test_summary_text_makes_no_link_mention_or_reference_on_github() -> None:
    """Issue 22: PR bodies and job summaries are rendered by GitHub, which links bare URLs,
    ``www.``, ``#1``, ``GH-1`` and ``@user``: every piece of data text is in a code span."""
    hostile = "See https://evil.example/x www.evil.example GH-1 #1 @user `tick` and more"
    base = Snapshot.of([_paper("a", "Old abstract", github="https://old.example")], {})
    head = Snapshot.of(
        [
            Paper(
                id="a",
                key="a",
                title=hostile,
                abstract="Old abstract",
                aliases=(),
                sources=(),
                topics=(),
                meta=Metadata(github="https://evil.example/repo"),
            ),
            _paper("n", "New", organization="@org GH-2"),
        ],
        {},
    )
    text = format_changes(compare(base, head), head, "origin/main")
    assert text.startswith("## Content changes against `origin/main`\n")
    for line in text.splitlines():
        for bare in ("http", "www.", "GH-", "#1", "@", "evil"):
            assert bare not in outside_code(line), (bare, line)
    assert "``See https://evil.example/x www.evil.example GH-1 #1 @user `tick` and more``" in text
    assert "`https://old.example` -> `https://evil.example/repo`" in text


def test_a_record_deleted_by_hand_is_named_with_its_file(tmp_path: Path) -> None:
    """A paper leaves a day file only by a reviewed edit; the review names it and the file."""
    day = "records/hub/2024-12-03.json"

    def paper(pid: str, *files: str) -> Paper:
        return Paper(
            pid,
            pid,
            pid.upper(),
            "Abstract",
            (),
            tuple(Source(f, 1, None) for f in files),
            meta=Metadata(),
        )

    base = Snapshot.of([paper("a", day, "listings/a.txt"), paper("b", day), paper("c", day)], {})
    head = Snapshot.of([paper("a", "listings/a.txt"), paper("c", day)], {})
    changes = compare(base, head)
    assert changes.departures == (("a", "A", (day,)), ("b", "B", (day,)))
    text = format_changes(changes, head, "main")
    assert "| Papers that left a data file | 1 |" in text
    assert "| Papers removed | 1 |" in text
    assert f"- `a`: `A`: no longer in `{day}`" in text
    assert f"- `b`: `B`: was in `{day}`" in text
    assert "### Removed (deleted by hand: fetch never deletes a saved paper)" in text


def test_a_renamed_data_file_is_a_rename_not_a_departure(tmp_path: Path) -> None:
    """A listing saved under a dated name (its content unchanged) takes no paper out of the
    knowledge base: the summary names the rename, not 'left a data file'."""
    from conftest import MINIMAL_TAXONOMY, abstract, listing

    from generator.corpus import read_corpus
    from generator.tools.diff import renamed_files

    text = listing(("Diffusion One", abstract("diffusion")))
    for name, where in (("base", "listings/abc.txt"), ("head", "listings/2024-08-12.txt")):
        (tmp_path / name / "listings").mkdir(parents=True)
        (tmp_path / name / where).write_text(text, encoding="utf-8")
        (tmp_path / name / "topics.yaml").write_text(MINIMAL_TAXONOMY, encoding="utf-8")
    moved = renamed_files(tmp_path / "base", tmp_path / "head")
    assert moved == {"listings/abc.txt": "listings/2024-08-12.txt"}
    base, head = (read_corpus(tmp_path / n) for n in ("base", "head"))
    before, after = (Snapshot.of(c.papers, c.redirects) for c in (base, head))
    assert compare(before, after).departures != ()  # without the rename: it looks like a loss
    changes = compare(before, after, moved)
    assert changes.departures == ()
    text = format_changes(changes, after, "main")
    assert "`listings/abc.txt` -> `listings/2024-08-12.txt`" in text


def test_topics_assigned_by_similarity_are_listed_for_review() -> None:
    """A paper no rule sorts that the model gives a topic: the summary lists it with its
    confidence, apart from the rule-sorted changes, so a reviewer can pin or refuse it."""
    source = (Source("listings/a.txt", 1),)
    base = [Paper("x", "x", "X", "abstract", (), source)]
    learned = (("video", 0.81),)
    head = [
        Paper("x", "x", "X", "abstract", (), source, ("video",), learned_topics=learned),
        Paper("y", "y", "Y <b>", "abstract", (), source),
    ]
    base_snapshot, head_snapshot = Snapshot.of(base, {}), Snapshot.of(head, {})
    changes = compare(base_snapshot, head_snapshot)
    assert changes.learned == (("x", learned),)
    assert changes.topics == (("unsorted", ("y",), ("x",)), ("video", ("x",), ()))
    text = format_changes(changes, head_snapshot, "main")
    assert "| Papers newly assigned by similarity | 1 |" in text
    section = text.split("### Assigned by similarity", 1)[1]
    assert "- `x`: `X` -> `video` (0.81)" in section
    # The same assignment again is no news; a changed one is.
    assert compare(head_snapshot, head_snapshot).learned == ()
    moved = Snapshot.of([replace(head[0], topics=("audio",), learned_topics=(("audio", 0.7),))], {})
    assert compare(head_snapshot, moved).learned == (("x", (("audio", 0.7),)),)
