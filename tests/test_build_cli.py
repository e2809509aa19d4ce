"""``paperkb build`` and ``generate`` refuse, before any work, output folders that would cost a
user their files (issue 22, finding 1), and bad options (issue 23); a hook's warning fails the
build like MkDocs' own.

Each case runs the command the way a user would, from the project's folder with relative
paths, and checks that every file of the project is still there, byte for byte.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, make_project

from generator.cli import main
from generator.runtime import background
from generator.sitebuild import engine
from generator.sitebuild.folders import SITE_MARKER, SITE_MARKER_TEXT


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small fixture corpus as a project with a stand-in ``.git``; the working folder."""
    root = make_project(tmp_path / "project", FIXTURES / "small")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (root / "data" / "notes.txt.uncommitted").write_text("a file nobody committed yet\n")
    monkeypatch.chdir(root)
    return root


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``argv``; it must stop with exit code 2 and one error; its stderr."""
    capsys.readouterr()
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no account: nothing was generated
    assert err.startswith("paperkb: error: ") and err.count("paperkb: error:") == 1
    return err


@pytest.mark.parametrize(
    ("site", "says"),
    [
        ("data", "the site folder is the data folder"),
        ("docs", "the site folder is the docs folder"),
        (".", "the site folder is the project's folder"),
        ("..", "the site folder contains the project's folder"),
        ("../kb", "the site folder contains the data folder"),  # data/ is a link into ../kb
        ("data/site", "the site folder lies inside the data folder"),
        ("docs/site", "the site folder lies inside the docs folder"),
        ("site/../data", "the site folder is the data folder"),
        ("linked", "the site folder is the data folder"),  # a symbolic link to data/
        (".git", "is not a site paperkb built"),
        ("overrides", "is not a site paperkb built"),
        ("mkdocs.yml", "is not a folder"),
    ],
)
def test_a_site_folder_that_would_replace_the_sources_is_refused_before_any_work(
    project: Path, capsys: pytest.CaptureFixture[str], site: str, says: str
) -> None:
    (project / "linked").symlink_to(project / "data", target_is_directory=True)
    if site == "../kb":
        shutil.move(project / "data", project.parent / "kb" / "data")
        (project / "data").symlink_to(project.parent / "kb" / "data")
    before = files(project.parent)
    err = refused(capsys, "build", "--site", site)
    assert says in err
    assert files(project.parent) == before


def test_a_bad_site_url_is_refused_before_any_work(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(project)
    for url in ["ftp://x/", "javascript:alert(1)", "/kb/", "https://exa mple.org/"]:
        err = refused(capsys, "build", "--site-url", url)
        assert "must be an absolute http(s) URL" in err
    monkeypatch.setenv("SITE_URL", "ftp://x/")
    assert "must be an absolute http(s) URL" in refused(capsys, "build")
    assert files(project) == before
    assert not (project / "docs" / "papers").exists()


@pytest.mark.parametrize(
    ("docs", "says"),
    [
        ("data", "the docs folder is the data folder"),
        ("data/docs", "the docs folder lies inside the data folder"),
        ("..", "the docs folder contains the data folder"),
        (".", "the docs folder contains the data folder"),
        ("site", "the docs folder is the site folder"),
        ("site/docs", "the docs folder lies inside the site folder"),
    ],
)
@pytest.mark.parametrize("command", ["generate", "build", "check", "serve"])
def test_a_docs_folder_among_the_sources_or_in_the_site_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str], docs: str, says: str, command: str
) -> None:
    before = files(project.parent)
    err = refused(capsys, command, "--docs", docs)
    assert says in err
    assert files(project.parent) == before


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("generate", "--docs", "."), "the docs folder is the project's folder"),
        (("build", "--site", "."), "the site folder is the project's folder"),
        (("build", "--site", ".."), "the site folder contains the project's folder"),
    ],
)
def test_the_project_folder_is_refused_even_with_data_elsewhere(
    project: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], says: str
) -> None:
    data = project.parent / "kb-data"
    shutil.move(project / "data", data)
    before = files(project.parent)
    err = refused(capsys, *argv, "--data", str(data))
    assert says in err
    assert files(project.parent) == before


def test_a_folder_of_someones_files_is_never_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = project / "public"
    other.mkdir()
    (other / "mine.html").write_text("<p>my own page</p>")
    # Looks like a site from before the marker, but papers.json is not paperkb's.
    (other / "sitemap.xml").write_text("<urlset/>")
    (other / "papers.json").write_text('{"papers": []}')
    (other / "search").mkdir()
    (other / "search" / "meta.js").write_text("var x;")
    before = files(project.parent)
    err = refused(capsys, "build", "--site", "public")
    assert f"is not a site paperkb built (no {SITE_MARKER} file in it)" in err
    assert files(project.parent) == before


def test_a_folder_of_generated_files_that_is_no_site_is_never_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """paperkb's marked papers.json and search/meta.js, as in a docs folder: no MkDocs site."""
    assert main(["generate"]) == 0
    copy = project / "copy-of-docs"
    shutil.copytree(project / "docs", copy)
    before = files(project.parent)
    assert "is not a site paperkb built" in refused(capsys, "build", "--site", "copy-of-docs")
    assert files(project.parent) == before


@pytest.mark.slow
def test_a_built_site_an_old_site_and_an_empty_folder_are_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build"]) == 0
    site = project / "site"
    assert (site / SITE_MARKER).read_text() == SITE_MARKER_TEXT
    # A site built before the marker existed: MkDocs' sitemap and paperkb's marked files.
    (site / SITE_MARKER).unlink()
    (site / "stale.html").write_text("from an older build")
    assert main(["build"]) == 0
    assert (site / SITE_MARKER).is_file() and not (site / "stale.html").exists()
    (project / "empty").mkdir()
    assert main(["build", "--site", "empty"]) == 0
    assert (project / "empty" / "index.html").is_file()
    # A marker with other content is not paperkb's.
    (site / SITE_MARKER).write_text("anything\n")
    (site / "sitemap.xml").unlink()
    capsys.readouterr()
    assert main(["build"]) == 2
    assert (site / "index.html").is_file()


def split_from_the_first_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build below splits its pages across two workers, whatever the machine."""
    monkeypatch.setitem(background.SECOND_PROCESS_FROM, "site", 0)
    monkeypatch.setattr(engine, "cores", lambda: 2)


NOISY_HOOK = """\
import logging

PARALLEL_SAFE = True


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "about.md" or page.file.src_uri.startswith("papers/zz"):
        logging.getLogger("mkdocs.hooks.noisy").warning("noisy: %s", page.file.src_uri)
    return markdown
"""


@pytest.mark.slow
@pytest.mark.parametrize("flags", [(), ("--one-process",)])
def test_a_warning_a_hook_logs_fails_the_build_and_is_printed(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
) -> None:
    split_from_the_first_page(monkeypatch)
    assert main(["build"]) == 0
    assert "pages in 2 processes" in capsys.readouterr().out
    before = files(project / "site")
    (project / "hooks" / "noisy.py").write_text(NOISY_HOOK)
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace("hooks:\n", "hooks:\n  - hooks/noisy.py\n"))
    (project / "docs" / "papers" / "zz-notes.md").write_text("# Notes\n")  # built by a worker
    capsys.readouterr()
    assert main(["build", *flags]) == 1
    out, err = capsys.readouterr()
    assert "site build:" not in out  # failed: no line saying how it was built
    assert "  mkdocs: WARNING: noisy: about.md\n" in err
    assert "  mkdocs: WARNING: noisy: papers/zz-notes.md\n" in err
    assert "mkdocs build --strict failed (2 warnings or errors)" in err
    assert files(project / "site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".site")] == []


def test_a_folder_that_changed_during_the_build_is_not_replaced(tmp_path: Path) -> None:
    from generator.errors import BuildError
    from generator.sitebuild.folders import staging_folder, swap_in

    site = tmp_path / "site"
    staging = staging_folder(site)
    staging.mkdir()
    (staging / "index.html").write_text("new")
    site.mkdir()
    (site / "mine.txt").write_text("someone put this here while the site was being built")
    with pytest.raises(BuildError, match="built but not put in place"):
        swap_in(staging, site)
    assert (site / "mine.txt").is_file() and (staging / "index.html").is_file()


@pytest.mark.parametrize(("flags", "apart"), [((), True), (("--one-process",), False)])
def test_build_generates_in_a_process_of_its_own_unless_one_process(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    apart: bool,
) -> None:
    """Its memory goes back to the system before the site build forks its workers."""
    import pickle

    from generator import cli, pipeline
    from generator.errors import InputError, Problem

    pids = project / "pids.txt"

    def spy(*args: object, **kwargs: object) -> pipeline.Result:
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return pipeline.generate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "generate", spy)
    # generate's own second processes, started from the process it runs in
    monkeypatch.setitem(background.SECOND_PROCESS_FROM, "link", 0)
    monkeypatch.setitem(background.SECOND_PROCESS_FROM, "write", 0)
    assert main(["build", *flags]) == 0
    assert "generated files:" in capsys.readouterr().out  # its account, printed here
    assert (pids.read_text() != f"{os.getpid()}\n") is apart
    # An input error crosses the process boundary whole.
    error = InputError([Problem("listings/a.txt", 3, "bad")])
    assert str(pickle.loads(pickle.dumps(error))) == str(error)
