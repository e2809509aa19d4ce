"""The guards the README promises, each tried the way it could fail (issue 14).

A strict build that fails on a real broken link, a killed build that leaves the last good site,
runs that wait for each other. Guards that belong to one stage are tested beside it
(``test_write``, ``test_permalinks``, ``test_records``, ...); these cross the CLI.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, MINIMAL_TAXONOMY, ROOT, MakeTree, abstract, listing, make_project

from generator.cli import main
from generator.datafiles import LOCK_FILE
from generator.layout import LEGACY_MARKER, MARKER
from generator.runtime.lock import LockError, run_lock


def _args(root: Path, command: str) -> list[str]:
    return [command, "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A buildable project holding the small fixture corpus, registry included."""
    root = make_project(tmp_path / "project", FIXTURES / "small")
    assert main(_args(root, "generate")) == 0
    return root


@pytest.mark.slow
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_broken_link_in_a_hand_written_page_fails_the_strict_build(
    small_project: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(small_project, command)) == 0  # clean before the link is broken
    capsys.readouterr()
    about = small_project / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[broken](does-not-exist.md)\n")
    code = main(_args(small_project, command))
    err = capsys.readouterr().err
    assert code == 1
    assert "does-not-exist.md" in err
    assert "strict" in err


@pytest.mark.slow
def test_a_build_with_nothing_to_generate_says_it_builds(
    small_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(_args(small_project, "build")) == 0
    out = capsys.readouterr().out
    assert "nothing changed since the last run" in out
    assert "building the site from it" in out and "nothing to do" not in out
    assert (small_project / "site" / "index.html").is_file()


@pytest.mark.slow
def test_a_failed_build_keeps_the_last_good_site(
    small_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_args(small_project, "build")) == 0
    site = small_project / "site"
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    about = small_project / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[broken](nowhere.md)\n")
    assert main(_args(small_project, "build")) == 1
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in small_project.iterdir() if p.name.startswith(".site")] == []


@pytest.mark.slow
def test_a_killed_build_leaves_the_last_good_site_and_the_next_build_cleans_up(
    small_project: Path,
) -> None:
    assert main(_args(small_project, "build")) == 0
    site = small_project / "site"
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    # A build killed while MkDocs writes: its half-built folder stays beside site/.
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *_args(small_project, "build")],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        p.name.startswith(".site.new-") and any(p.iterdir()) for p in small_project.iterdir()
    ):
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL  # killed mid-build, not finished
    assert any(p.name.startswith(".site.new-") for p in small_project.iterdir())
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after == before
    assert main(_args(small_project, "build")) == 0
    assert [p.name for p in small_project.iterdir() if p.name.startswith(".site")] == []


# --- two runs at once ------------------------------------------------------------------------


def _generate_process(root: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "generator", *_args(root, "generate")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_run_says_another_run_holds_the_lock_and_waits_for_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", FIXTURES / "small")
    with run_lock(root / "data", say=lambda _: None):
        process = _generate_process(root)
        assert process.stderr is not None
        said = process.stderr.readline()  # blocks until it says it waits (or dies: "")
        assert "another run (process " in said and "holds" in said and "waiting" in said
        time.sleep(0.5)
        assert process.poll() is None  # waiting, not failing
        assert not (root / "docs" / "papers").exists()
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "generated files:" in out
    assert not (root / "data" / LOCK_FILE).exists()


def test_two_runs_started_together_both_succeed_with_one_result(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", FIXTURES / "small")
    first, second = _generate_process(root), _generate_process(root)
    results = [first.communicate(timeout=120), second.communicate(timeout=120)]
    assert (first.returncode, second.returncode) == (0, 0), results
    assert all("Traceback" not in err for _, err in results)
    alone = make_project(tmp_path / "alone", FIXTURES / "small")
    assert main(_args(alone, "generate")) == 0
    docs, expected = root / "docs", alone / "docs"
    assert {p.relative_to(docs): p.read_bytes() for p in docs.rglob("*") if p.is_file()}.keys() == {
        p.relative_to(expected) for p in expected.rglob("*") if p.is_file()
    }
    assert (root / "data" / "permalinks.tsv").read_bytes() == (
        alone / "data" / "permalinks.tsv"
    ).read_bytes()


def test_the_lock_times_out_with_a_plain_message(tmp_path: Path) -> None:
    with (
        run_lock(tmp_path, say=lambda _: None),
        pytest.raises(LockError) as exc,
        run_lock(tmp_path, wait=0.3, say=lambda _: None),
    ):
        pass
    assert "another paperkb run (process " in str(exc.value)
    assert "nothing was written" in str(exc.value)


def test_a_killed_run_leaves_no_lock_behind(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from generator.runtime.lock import run_lock\n"
            "with run_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    holder.kill()
    holder.wait()
    said: list[str] = []
    start = time.monotonic()
    with run_lock(tmp_path, wait=5, say=said.append):
        pass
    assert said == [] and time.monotonic() - start < 1


# --- every error located, never a traceback --------------------------------------------------

PAPER = ("Fast Diffusion Sampling", abstract("diffusion"))


def _generate(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs"), *extra])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("rel", "content", "expected"),
    [
        (
            "data/records/deep.json",
            "[\n" + "[" * 100_000 + "]" * 100_000 + "\n]",
            "records/deep.json:2: nested more than 100 levels deep",
        ),
        (
            "data/records/deep.yaml",
            "title: x\nabstract: " + "[" * 20_000 + "]" * 20_000 + "\n",
            "records/deep.yaml:2: nested more than 100 levels deep",
        ),
        (
            "data/records/deep-block.yaml",
            "".join("  " * i + "-\n" for i in range(20_000)),
            "records/deep-block.yaml:101: nested more than 100 levels deep",
        ),
        (
            "data/topics.yaml",
            "topics:\n  - " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n",
            "topics.yaml:2: nested more than 100 levels deep",
        ),
        (
            "data/overrides.yaml",
            "merge: " + "[" * 20_000 + "]" * 20_000 + "\n",
            "overrides.yaml:1: nested more than 100 levels deep",
        ),
        (
            "data/records/votes.json",
            '[{"paper": {"id": "2401.04081", "title": "T", "summary": "S", "upvotes": '
            + "7" * 5_000
            + "}}]",
            "records/votes.json:1: [0].paper.upvotes: must be an integer of at most 18 digits, "
            "got an integer of 5000 digits",
        ),
        (
            "data/records/twice.json",
            '[\n{"paper": {"id": "2401.04081", "title": "A", "summary": "S", "title": "B"}}]',
            "records/twice.json:2: [0].paper: duplicate key 'title'",
        ),
        (
            "data/records/long.yaml",
            f"title: {'Long ' * 200}\nabstract: {abstract('x')}\n",
            "records/long.yaml:1: 'title' has 999 characters, longer than the limit of 500",
        ),
        (
            "data/records/long.json",
            '{"paper": {"id": "2401.04081", "title": "T", "summary": "' + "word " * 5000 + '"}}',
            "records/long.json:1: paper.summary: 25,000 characters, longer than the limit",
        ),
        (
            "data/listings/huge.txt",
            listing(PAPER, ("Huge", "word " * 5000 + "end.")),
            "listings/huge.txt:19: warning: abstract of 25,004 characters after the title "
            "'Huge': longer than the limit of 20,000",
        ),
        (
            "data/listings/blank.txt",
            listing(PAPER, ("\u200b\u2060\ufeff", abstract("x"))),
            "listings/blank.txt:17: warning: the title has no visible character",
        ),
        (
            "data/listings/braille.txt",
            listing(PAPER, ("\u2800\u3164 \u115f", abstract("x"))),
            "listings/braille.txt:17: warning: the title has no visible character",
        ),
        (
            "data/records/blank.yaml",
            f'title: "\\u3164\\uffa0"\nabstract: {abstract("x")}\n',
            "records/blank.yaml:1: the title has no visible character",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 40 else "",
)
def test_bad_input_is_located_and_strict_never_a_traceback(
    make_tree: MakeTree,
    capsys: pytest.CaptureFixture[str],
    rel: str,
    content: str,
    expected: str,
) -> None:
    files = {"data/listings/a.txt": listing(PAPER), "data/topics.yaml": MINIMAL_TAXONOMY}
    root = make_tree({**files, rel: content})
    code, err = _generate(root, capsys, "--strict")
    assert code == 1
    assert expected in err
    assert "Traceback" not in err
    assert not (root / "docs").exists()


def test_a_rejected_invisible_title_is_counted_not_published(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        {
            "data/listings/a.txt": listing(PAPER, ("\u200b", abstract("x"))),
            "data/topics.yaml": MINIMAL_TAXONOMY,
        }
    )
    code = main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")])
    out = capsys.readouterr().out
    assert code == 0
    assert "2 entries read: 1 distinct papers + 0 duplicates merged + 1 rejected" in out
    assert "listings/a.txt:17: warning: the title has no visible character" in out
    assert sorted(p.name for p in (root / "docs" / "papers").iterdir()) == [
        "fast-diffusion-sampling.md",
        "index.md",
    ]


def test_a_link_out_of_data_is_refused_and_not_quoted(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 the secret text\n", encoding="utf-8")
    outside_record = tmp_path / "outside.yaml"
    outside_record.write_text(f"title: Secret\nabstract: {abstract('s')}\n", encoding="utf-8")
    root = make_tree({"data/listings/a.txt": listing(PAPER), "data/topics.yaml": MINIMAL_TAXONOMY})
    (root / "data" / "listings" / "link.txt").symlink_to(secret)
    (root / "data" / "records").mkdir()
    (root / "data" / "records" / "link.yaml").symlink_to(outside_record)
    (root / "data" / "listings" / "inside.txt").symlink_to(root / "data" / "listings" / "a.txt")
    code, err = _generate(root, capsys)
    assert code == 1
    assert "listings/link.txt: is a symbolic link to a file outside data/" in err
    assert "records/link.yaml: is a symbolic link to a file outside data/" in err
    assert "inside.txt" not in err  # a link within data/ is read like a file
    assert "secret" not in err.casefold().replace("secret.txt", "")


def test_a_manifest_of_any_shape_means_a_full_run(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree({"data/listings/a.txt": listing(PAPER), "data/topics.yaml": MINIMAL_TAXONOMY})
    assert _generate(root, capsys)[0] == 0
    manifest = root / "docs" / ".paperkb-manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    shapes: list[object] = [[], "x", None, 3, {"index.md": "x"}, {"index.md": [1]}]
    for files in shapes:
        manifest.write_text(json.dumps({**record, "files": files}), encoding="utf-8")
        code = main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")])
        out, err = capsys.readouterr()
        assert (code, err) == (0, "")
        assert "nothing changed since the last run" not in out  # a full run
        assert "0 written, " in out
    manifest.write_text("[" * 100_000, encoding="utf-8")
    assert _generate(root, capsys) == (0, "")


# --- after a crash ----------------------------------------------------------------------------

WORKER = """
import sys, time
from pathlib import Path
from generator.runtime.background import background

def slow() -> None:
    time.sleep(1.5)
    Path(sys.argv[1]).write_text("written after the parent died")

with background("the test worker", slow) as job:
    print(job._process.pid, flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and prctl are Linux's")
def test_a_forked_worker_dies_with_its_killed_parent(tmp_path: Path) -> None:
    witness = tmp_path / "late.txt"
    parent = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(witness)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    time.sleep(2.5)  # past the moment the worker would have written
    stat = Path(f"/proc/{child}/stat")
    assert not stat.exists() or stat.read_text().split()[2] == "Z"  # gone, or dead unreaped
    assert not witness.exists()


def test_temporary_files_of_killed_runs_are_removed_not_listed(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree({"data/listings/a.txt": listing(PAPER), "data/topics.yaml": MINIMAL_TAXONOMY})
    assert _generate(root, capsys)[0] == 0
    dead = 2**22 + 12345  # above the kernel's default pid_max: no such process
    leftovers = [
        root / "docs" / "papers" / f".fast-diffusion-sampling.md.{dead}.tmp",
        root / "docs" / f".index.md.{dead}.tmp",
        root / "data" / f".permalinks.tsv.{dead}.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"")
    (root / "data" / "listings" / "b.txt").write_text(
        listing(("Another Paper on Diffusion", abstract("diffusion", 2)))
    )
    code = main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")])
    out = capsys.readouterr().out
    assert code == 0
    assert "left alone" not in out
    assert [p for p in leftovers if p.exists()] == []


def test_hand_written_pages_that_mention_the_marker_are_kept(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree({"data/listings/a.txt": listing(PAPER), "data/topics.yaml": MINIMAL_TAXONOMY})
    notes = {
        "docs/papers/notes.md": "# Notes\n\nPages with the paperkb:generated marker are made.\n",
        "docs/topics/about.md": f"# About\n\n{MARKER}",  # the marker, but not in its place
        "docs/authors/x.md": f"---\ntitle: x\n---\n\nsee {MARKER}",
    }
    for rel, text in notes.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    assert _generate(root, capsys)[0] == 0
    assert _generate(root, capsys)[0] == 0  # a full second run: nothing of theirs is deleted
    assert {rel: (root / rel).read_text(encoding="utf-8") for rel in notes} == notes


def _many_authors(count: int) -> str:
    """A daily papers record of one paper with ``count`` authors (the Gemini report has 1,350)."""
    paper = {
        "id": "2412.00001",
        "title": "A Report with Many Authors on Diffusion",
        "summary": abstract("diffusion"),
        "authors": [{"name": f"Author Number{n:05d} Longname"} for n in range(count)],
        "publishedAt": "2024-12-03T00:00:00.000Z",
    }
    return json.dumps([{"paper": paper}])


def test_a_paper_with_5000_authors_does_not_block_the_next_run(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22: the marker's place does not depend on how much a record holds."""
    root = make_tree(
        {"data/records/big.json": _many_authors(5_000), "data/topics.yaml": MINIMAL_TAXONOMY}
    )
    assert _generate(root, capsys) == (0, "")
    (page,) = (root / "docs" / "papers").glob("a-report-*.md")
    content = page.read_bytes()
    assert len(content) > 4 * 65_536  # far beyond any window a reader might use
    assert content.split(b"\n")[1] == MARKER.rstrip("\n").encode()
    (root / "data" / "listings").mkdir()
    (root / "data" / "listings" / "a.txt").write_text(listing(PAPER), encoding="utf-8")
    code, err = _generate(root, capsys)  # a full run that rewrites every page
    assert (code, err) == (0, "")
    assert "not generated by paperkb" not in capsys.readouterr().out


def test_pages_of_the_old_layout_are_still_paperkbs_however_long(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    """An upgrade never strands pages: the old marker right after the front matter counts,
    at any distance from the start; quoting either marker anywhere else does not."""
    root = make_tree({"data/listings/a.txt": listing(PAPER), "data/topics.yaml": MINIMAL_TAXONOMY})
    authors = json.dumps([["citation_author", f"Name {n}"] for n in range(5_000)])
    old = {
        "docs/index.md": f"---\ntitle: Home\n---\n{LEGACY_MARKER}\n# Home\n",
        "docs/papers/gone.md": f"---\ntitle: Gone\ncitation: {authors}\n---\n{LEGACY_MARKER}",
    }
    theirs = {
        "docs/papers/quoted.md": f"---\ntitle: Quoted\n{MARKER}---\n\nSee above.\n",
        "docs/papers/body.md": f"---\ntitle: Body\n---\n\n{LEGACY_MARKER}{MARKER}",
        "docs/topics/late.md": f"---\ntitle: Late\n---\n\n{LEGACY_MARKER}",
    }
    for rel, text in {**old, **theirs}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    assert len((root / "docs/papers/gone.md").read_bytes()) > 65_536
    assert _generate(root, capsys) == (0, "")
    assert not (root / "docs/papers/gone.md").exists()  # an old page of a gone paper: deleted
    assert (root / "docs/index.md").read_text(encoding="utf-8").split("\n")[1] == MARKER.strip()
    assert _generate(root, capsys) == (0, "")
    assert {rel: (root / rel).read_text(encoding="utf-8") for rel in theirs} == theirs


# --- reserved names -----------------------------------------------------------------------


def test_a_topic_slug_or_registry_id_that_is_reserved_is_an_error_at_its_line(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    topics = MINIMAL_TAXONOMY + (
        "  - name: Indexing\n    slug: index\n    description: Indexes.\n"
        "    match: {title: [index]}\n"
    )
    registry = "# a comment\nindex\tfastdiffusionsampling\tFast Diffusion Sampling\n"
    root = make_tree(
        {
            "data/listings/a.txt": listing(PAPER),
            "data/topics.yaml": topics,
            "data/permalinks.tsv": registry,
        }
    )
    code, err = _generate(root, capsys)
    assert code == 1
    assert "topics.yaml:6: topic 'Indexing': slug 'index' is reserved: it is the name of the" in err
    assert "permalinks.tsv:2: id 'index' is reserved" in err


def test_a_merge_of_a_paper_with_itself_is_an_error(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree(
        {
            "data/listings/a.txt": listing(PAPER),
            "data/topics.yaml": MINIMAL_TAXONOMY,
            "data/overrides.yaml": (
                "merge:\n  - [Fast Diffusion Sampling, fast-diffusion-sampling]\n"
            ),
            "data/permalinks.tsv": "fast-diffusion-sampling\tfastdiffusionsampling\tFast\n",
        }
    )
    code, err = _generate(root, capsys)
    assert code == 1
    assert "overrides.yaml:2: merge: 'Fast Diffusion Sampling' and 'fast-diffusion-sampling'" in err
    assert "nothing to merge" in err


def test_new_registry_rows_are_appended_and_comments_kept(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = (
        "# our registry, with a note\n"
        "fast-diffusion-sampling\tfastdiffusionsampling\tFast Diffusion Sampling\n"
        "# added by hand in review, keep\n"
    )
    root = make_tree(
        {
            "data/listings/a.txt": listing(PAPER, ("Slow Diffusion", abstract("diffusion", 3))),
            "data/topics.yaml": MINIMAL_TAXONOMY,
            "data/permalinks.tsv": registry,
        }
    )
    assert _generate(root, capsys)[0] == 0
    assert (root / "data" / "permalinks.tsv").read_text() == (
        registry + "slow-diffusion\tslowdiffusion\tSlow Diffusion\n"
    )


# --- the registry trap (issue 17) --------------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_an_id_never_committed_is_dropped_when_its_paper_goes(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_tree({"data/listings/a.txt": listing(PAPER), "data/topics.yaml": MINIMAL_TAXONOMY})
    _git(root, "init", "-q")
    assert _generate(root, capsys)[0] == 0
    _git(root, "add", "data")
    _git(root, "commit", "-q", "-m", "published")
    committed = (root / "data" / "permalinks.tsv").read_text()
    trial = root / "data" / "listings" / "trial.txt"
    trial.write_text(listing(("A Trial Paper on Diffusion", abstract("diffusion", 4))))
    assert _generate(root, capsys)[0] == 0
    assert "a-trial-paper-on-diffusion" in (root / "data" / "permalinks.tsv").read_text()
    trial.unlink()
    code = main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "dropped 'a-trial-paper-on-diffusion', never committed" in out
    assert (root / "data" / "permalinks.tsv").read_text() == committed
    # A committed id whose paper goes still needs a redirect: its URL was published.
    (root / "data" / "listings" / "a.txt").write_text(
        listing(("Something Else Entirely", abstract("else")))
    )
    code, err = _generate(root, capsys)
    assert code == 1
    assert "'fast-diffusion-sampling' was published but no paper in data/ has it" in err


# --- the site URL (issue 17) ----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_site_url_gives_the_404_page_sitemap_and_canonical_links_their_addresses(
    small_project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    url = "https://someone.github.io/kb/"
    if how == "env":
        monkeypatch.setenv("SITE_URL", url)
        assert main(_args(small_project, "build")) == 0
    else:
        assert main([*_args(small_project, "build"), "--site-url", url]) == 0
    site = small_project / "site"
    # the 404 page: its links relative to a <base> at the site's root (hooks/site_url.py)
    page = (site / "404.html").read_text()
    assert '<base href="/kb/">' in page and '<link rel="stylesheet" href="./assets/' in page
    assert page.index("<base ") < page.index("<link ")
    # the feeds: absolute links in the site, relative in docs/ (known at build time only)
    for feed in ("feed.xml", "feeds/diffusion-models.xml"):
        built = (site / feed).read_text()
        assert f'href="{url}papers/fast-diffusion' in built
        assert f'rel="self" type="application/atom+xml" href="{url}{feed}"' in built
        assert 'href="http' not in (small_project / "docs" / feed).read_text()
    sitemap = (site / "sitemap.xml").read_text()
    assert f"<loc>{url}papers/index.html</loc>" in sitemap
    paper = next((site / "papers").glob("fast-diffusion*.html")).read_text()
    assert f'<link rel="canonical" href="{url}papers/fast-diffusion' in paper
    assert [p.name for p in small_project.iterdir() if "site-url" in p.name] == []


@pytest.mark.slow
def test_without_a_site_url_the_site_is_for_any_root_and_file(small_project: Path) -> None:
    assert main(_args(small_project, "build")) == 0
    site = small_project / "site"
    assert "<loc>" not in (site / "sitemap.xml").read_text()
    assert 'href="assets/' in (site / "index.html").read_text()
    assert '<base href="/">' in (site / "404.html").read_text()
    for feed in ("feed.xml", "feeds/diffusion-models.xml"):
        assert (site / feed).read_bytes() == (small_project / "docs" / feed).read_bytes()


def test_an_unknown_pinned_topic_is_reported_at_its_line_with_the_other_problems(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    record = (
        "title: Pinned Paper\n"
        f"abstract: {abstract('pins')}\n"
        "date: 2024-13-45\n"
        "topics:\n"
        "  - diffusion\n"
        "  - no-such-topic\n"
    )
    root = make_tree(
        {
            "data/listings/a.txt": listing(PAPER),
            "data/topics.yaml": MINIMAL_TAXONOMY,
            "data/records/pinned.yaml": record,
        }
    )
    code, err = _generate(root, capsys)
    assert code == 1
    assert "records/pinned.yaml:3: 'date' must be a date YYYY-MM-DD" in err
    assert (
        "records/pinned.yaml:6: topics: 'no-such-topic' is not a topic of data/topics.yaml "
        "(known: diffusion)" in err
    )
