"""The guards the README promises, each tried the way it could fail (issue 14).

A strict build that fails on a real broken link, a killed build that leaves the last good site,
runs that wait for each other. Guards that belong to one stage are tested beside it
(``test_write``, ``test_permalinks``, ``test_records``, ...); these cross the CLI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, make_project

from generator.cli import main
from generator.lock import LOCK_FILE, LockError, run_lock


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
        time.sleep(1.5)
        assert process.poll() is None  # waiting, not failing
        assert not (root / "docs" / "papers").exists()
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "another run (process " in err and "holds" in err and "waiting" in err
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
            "import sys, time; from pathlib import Path; from generator.lock import run_lock\n"
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
