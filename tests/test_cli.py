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
    records = len(list((DATA / "records").rglob("*.yaml")))
    assert f"{records} record files" in out
    authors = int(out.split("authors: ", 1)[1].split(" ", 1)[0])
    assert authors > 1000  # the shipped papers' authors, from their annotation records


def test_topics_lists_counts_and_suggests_for_unsorted_papers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from conftest import DATA

    code, out, _ = run(capsys, "topics", "--data", str(DATA))
    assert code == 0
    assert "           5  unsorted\n" in out  # 8 by the rules, 3 of them by similarity
    assert "      24 + 1  image-generation  (Image generation & diffusion)\n" in out
    assert "3 papers the rules leave unsorted, by similarity:" in out
    code, out, _ = run(capsys, "topics", "--suggest", "--data", str(DATA))
    assert code == 0
    assert out.startswith("8 of 313 papers are unsorted by the rules.")
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


# --- the command line as a new user meets it (issue 23) ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "wrong"),
    [
        (["diff", "--strict", "HEAD"], "--strict"),
        (["diff", "--config", "x.yml", "HEAD"], "--config"),
        (["dedupe", "--one-process"], "--one-process"),
        (["topics", "--one-process"], "--one-process"),
        (["topics", "--site", "out"], "--site"),
        (["generate", "--site", "out"], "--site"),
        (["generate", "--site-url", "https://x/"], "--site-url"),
        (["check", "--strict"], "--strict"),
        (["check", "--site", "out"], "--site"),
        (["fetch", "--docs", "d"], "--docs"),
    ],
)
def test_a_command_refuses_options_it_does_not_use(
    argv: list[str], wrong: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert f"usage: paperkb {argv[0]}" in err  # the command's usage, not the top level's
    assert f"unrecognized arguments: {wrong}" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--one-process", "--help"],
        ["build", "--one-process", "--site", "s", "--help"],
        ["serve", "--one-process", "--dev-addr", "127.0.0.1:1", "--help"],
        ["dedupe", "--strict", "--report", "--help"],
    ],
)
def test_a_command_takes_the_options_it_uses(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0


def test_a_mistyped_option_is_named_with_its_closest_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["topics", "--sugest"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.startswith("usage: paperkb topics")
    assert "did you mean '--suggest'?" in err


def test_a_mistyped_command_gets_a_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["generat"])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "did you mean 'generate'?" in err


def test_generate_names_the_papers_it_added_in_words_that_agree(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        {
            "data/listings/a.txt": listing(("Diffusion One", abstract("diffusion"))),
            "data/topics.yaml": MINIMAL_TAXONOMY,
        }
    )
    data, docs = str(root / "data"), str(root / "docs")
    code, out, _ = run(capsys, "generate", "--data", data, "--docs", docs)
    assert code == 0
    assert "permalink registry: 1 new id in data/permalinks.tsv" in out
    assert "added: diffusion-one  (Diffusion One)" in out
    (root / "data/listings/b.txt").write_text(
        listing(*((f"Paper number {n}", abstract(f"topic{n}", n)) for n in range(25))),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "generate", "--data", data, "--docs", docs)
    assert "permalink registry: 25 new ids" in out
    assert out.count("  added: ") == 20
    assert "... and 5 more papers" in out


def test_tool_folders_in_the_data_folder_are_not_read(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--data` pointed at a folder with a virtual environment or node_modules (a project, /tmp)
    reads none of their text files."""
    junk = "not a listing at all\n"
    root = make_tree(
        {
            "data/listings/a.txt": listing(("Diffusion One", abstract("diffusion"))),
            "data/topics.yaml": MINIMAL_TAXONOMY,
            "data/.venv/lib/site-packages/pkg/LICENSE.txt": junk,
            "data/node_modules/pkg/README.txt": junk,
            "data/tool/__pycache__/x.txt": junk,
            "data/.git/description.txt": junk,
            "data/records/node_modules/x.json": "{",
        }
    )
    code, out, err = run(
        capsys, "generate", "--data", str(root / "data"), "--docs", str(root / "docs")
    )
    assert (code, err) == (0, "")
    assert "1 listings, 0 record files" in out


def test_a_flood_of_problems_is_listed_up_to_a_limit(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {f"data/listings/bad{n:03}.txt": "\x00" for n in range(250)}
    root = make_tree({**files, "data/topics.yaml": MINIMAL_TAXONOMY})
    code, _, err = run(
        capsys, "generate", "--data", str(root / "data"), "--docs", str(root / "docs")
    )
    assert code == 1
    assert "250 problems in the input" in err
    assert err.count("bad") == 200
    assert "... and 50 more problems in 50 files" in err


def test_topics_why_and_eval(capsys: pytest.CaptureFixture[str]) -> None:
    from conftest import DATA

    code, out, _ = run(
        capsys, "topics", "--why", "beautybank-encoding-facial-makeup-in-latent-space",
        "--data", str(DATA),
    )  # fmt: skip
    assert code == 0
    assert "by the rules: none" in out and "closest topics: " in out
    code, _, err = run(capsys, "topics", "--why", "no-such-paper", "--data", str(DATA))
    assert code == 1 and "no paper has the id 'no-such-paper'" in err
    code, out, _ = run(capsys, "topics", "--eval", "--data", str(DATA))
    assert code == 0
    assert "folds of papers: precision" in out and "Each source file held out" in out
    with pytest.raises(SystemExit) as usage:
        run(capsys, "topics", "--eval", "--suggest", "--data", str(DATA))
    assert usage.value.code == 2  # one report at a time
