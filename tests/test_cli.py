"""The CLI at its boundary: exit codes, messages, and what a failed run leaves behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import MINIMAL_TAXONOMY, MakeTree, abstract, listing

from generator.cli import main
from generator.layout import MARKER
from generator.sitebuild.folders import SITE_MARKER_TEXT


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", ["generate", "build", "check", "serve", "topics", "dedupe"])
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "--data" in capsys.readouterr().out


def test_generate_prints_the_account(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        {
            "data/listings/a.txt": listing(
                ("Diffusion One", abstract("diffusion")),
                ("diffusion one", abstract("diffusion")),
                ("Other", abstract("other", 2)),
            ),
            "data/topics.yaml": MINIMAL_TAXONOMY,
        }
    )
    code, out, _ = run(
        capsys, "generate", "--data", str(root / "data"), "--docs", str(root / "docs")
    )
    assert code == 0
    assert "3 entries read: 2 distinct papers + 1 duplicates merged + 0 rejected" in out
    assert "papers in no topic (Unsorted): 1" in out
    assert "permalink registry: 2 new ids" in out
    code, out, _ = run(
        capsys, "generate", "--data", str(root / "data"), "--docs", str(root / "docs")
    )
    assert "0 written" in out
    assert "permalink registry" not in out


def test_bad_input_lists_every_problem_and_leaves_docs_untouched(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        {
            "data/listings/a.txt": "Some notes, not a listing\n",
            "data/listings/b.txt": b"caf\xe9",
            "data/topics.yaml": "topics: [",
            "docs/index.md": MARKER + "old home\n",
            "docs/about.md": "# mine\n",
        }
    )
    before = {p: p.read_bytes() for p in (root / "docs").rglob("*")}
    code, _, err = run(
        capsys, "generate", "--data", str(root / "data"), "--docs", str(root / "docs")
    )
    assert code == 1
    assert "listings/a.txt:1: not a listing" in err
    assert "listings/b.txt: not valid UTF-8 at byte offset 3" in err
    assert "topics.yaml:1" in err
    assert "nothing was written" in err
    assert {p: p.read_bytes() for p in (root / "docs").rglob("*")} == before
    assert not (root / "data" / "permalinks.tsv").exists()


def test_rejected_entries_are_counted_listed_and_fatal_under_strict(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    text = listing(("Diffusion One", abstract("diffusion")), ("Truncated Title", "x"))
    root = make_tree(
        {
            "data/listings/a.txt": text.replace("Truncated Title\n\nx\n\n", "Truncated Title\n"),
            "data/topics.yaml": MINIMAL_TAXONOMY,
        }
    )
    args = ["generate", "--data", str(root / "data"), "--docs", str(root / "docs")]
    code, _, err = run(capsys, *args, "--strict")
    assert code == 1
    assert "listings/a.txt:17: warning: title with no abstract: 'Truncated Title'" in err
    assert not (root / "docs").exists()
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "2 entries read: 1 distinct papers + 0 duplicates merged + 1 rejected" in out
    assert "rejected: listings/a.txt:17: warning: title with no abstract" in out
    record = json.loads((root / "docs" / "papers.json").read_text(encoding="utf-8"))
    assert record["account"]["rejected_entries"] == [
        {
            "file": "listings/a.txt",
            "line": 17,
            "reason": "title with no abstract: 'Truncated Title' is followed by the end of "
            "the file",
        }
    ]


def test_not_a_listing_is_an_error(make_tree: MakeTree, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_tree(
        {"data/listings/notes.txt": "just some notes\n", "data/topics.yaml": MINIMAL_TAXONOMY}
    )
    code, _, err = run(capsys, "generate", "--data", str(root / "data"), "--docs", str(root / "d"))
    assert code == 1
    assert "listings/notes.txt:1: not a listing" in err


def test_a_failed_build_leaves_docs_and_site_exactly_as_they_were(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        {
            "data/listings/a.txt": listing(("Fine", abstract("f"))) + "\x00",
            "data/topics.yaml": MINIMAL_TAXONOMY,
            "docs/papers/old.md": MARKER + "# old\n",
            "site/index.html": "<p>last good build</p>",
            "site/.paperkb-site": SITE_MARKER_TEXT,
            "mkdocs.yml": "site_name: x\n",
        }
    )
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    code, _, err = run(
        capsys, "build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")
    )
    assert code == 1
    assert "listings/a.txt: binary content: NUL byte" in err
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_missing_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "generate", "--data", str(tmp_path / "nope"))
    assert code == 1
    assert "data directory does not exist" in err


def test_check_fails_when_the_registry_is_out_of_date(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        {
            "data/listings/a.txt": listing(("Diffusion One", abstract("diffusion"))),
            "data/topics.yaml": MINIMAL_TAXONOMY,
        }
    )
    code, _, err = run(capsys, "check", "--data", str(root / "data"), "--docs", str(root / "docs"))
    assert code == 1
    assert "permalinks.tsv is out of date: 1 papers have no permanent id" in err
    assert "diffusion-one" in err
    assert not (root / "docs").exists()


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_build_account_reports_the_shared_topic_rate_of_related_papers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from conftest import DATA

    code, out, _ = run(capsys, "generate", "--data", str(DATA), "--docs", str(tmp_path / "docs"))
    assert code == 0
    line = next(x for x in out.splitlines() if x.strip().startswith("related papers:"))
    rate = float(line.split(", ")[-1].split("%")[0])
    assert rate >= 80.0, line
    record = json.loads((tmp_path / "docs" / "papers.json").read_text(encoding="utf-8"))
    assert record["account"]["shared_topic_rate"] >= 0.8
    assert "2 record files" in out and "authors: 10" in out


def test_topics_lists_counts_and_suggests_for_unsorted_papers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from conftest import DATA

    code, out, _ = run(capsys, "topics", "--data", str(DATA))
    assert code == 0
    assert out.rstrip().endswith("unsorted")
    assert "     8  unsorted" in out
    code, out, _ = run(capsys, "topics", "--suggest", "--data", str(DATA))
    assert code == 0
    assert out.startswith("8 of 313 papers are unsorted.")
    assert "extend:" in out


@pytest.mark.parametrize(("flags", "parallel"), [((), True), (("--one-process",), False)])
def test_one_process_flag_reaches_generate(
    flags: tuple[str, ...],
    parallel: bool,
    make_tree: MakeTree,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from generator import cli, pipeline

    seen: list[bool] = []

    def spy(*args: Any, **kwargs: Any) -> pipeline.Result:
        seen.append(kwargs["parallel"])
        return pipeline.generate(*args, **kwargs)

    monkeypatch.setattr(cli, "generate", spy)
    root = make_tree(
        {
            "data/listings/a.txt": listing(("One", abstract("one"))),
            "data/topics.yaml": MINIMAL_TAXONOMY,
        }
    )
    code, out, _ = run(
        capsys, "generate", *flags, "--data", str(root / "data"), "--docs", str(root / "docs")
    )
    assert code == 0, out
    assert seen == [parallel]
