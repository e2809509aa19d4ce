"""The second process: same value as running inline, failures reported, nothing left behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import DATA

from generator.pipeline import generate
from generator.runtime import background as background_module
from generator.runtime.background import FORK_AVAILABLE, BackgroundError, background
from generator.writers.manifest import MANIFEST_FILE

needs_fork = pytest.mark.skipif(not FORK_AVAILABLE, reason="a second process needs Linux fork")


def pid_and_value() -> tuple[int, list[int]]:
    return os.getpid(), [n * n for n in range(5)]


@needs_fork
def test_the_value_comes_from_another_process_and_equals_the_inline_one() -> None:
    with background("squares", pid_and_value) as job:
        pid, value = job.result()
    assert pid != os.getpid()
    with background("squares", pid_and_value, enabled=False) as job:
        inline_pid, inline_value = job.result()
    assert inline_pid == os.getpid()
    assert value == inline_value == [0, 1, 4, 9, 16]


@needs_fork
def test_the_input_is_shared_not_sent() -> None:
    lock = threading.Lock()  # cannot be pickled: a forked worker reads it, a spawned one could not
    with background("lock reader", lambda: lock.locked()) as job:
        assert job.result() is False


def fail() -> None:
    raise ValueError("bad value in the worker")


class Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("cannot travel")
        self.handle = threading.Lock()


def fail_unpicklably() -> None:
    raise Unpicklable


@pytest.mark.parametrize("enabled", [True, False])
def test_the_workers_exception_is_raised_here(enabled: bool) -> None:
    with (
        pytest.raises(ValueError, match="bad value in the worker"),
        background("failing", fail, enabled=enabled) as job,
    ):
        job.result()


@needs_fork
def test_an_exception_that_cannot_be_pickled_arrives_as_its_traceback() -> None:
    with (
        pytest.raises(
            BackgroundError, match=r"(?s)unpicklable failed:.*Unpicklable: cannot travel"
        ),
        background("unpicklable", fail_unpicklably) as job,
    ):
        job.result()


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@needs_fork
def test_a_worker_that_dies_is_an_error_naming_its_exit_code() -> None:
    with (
        pytest.raises(BackgroundError, match=r"dying stopped without a result \(exit code -9"),
        background("dying", die) as job,
    ):
        job.result()


@needs_fork
def test_a_worker_whose_result_is_not_wanted_is_stopped(tmp_path: Path) -> None:
    marker = tmp_path / "pid"

    def linger() -> None:
        marker.write_text(str(os.getpid()))
        time.sleep(60)

    start = time.monotonic()
    with background("lingering", linger):
        while not marker.exists() or not marker.read_text():
            time.sleep(0.01)
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(pid, 0)
    assert time.monotonic() - start < 30


@needs_fork
def test_buffered_output_is_not_written_twice(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from generator.runtime.background import background\n"
        "print('before', end='')\n"  # buffered: stdout is a pipe
        "with background('quiet', lambda: 1) as job:\n"
        "    assert job.result() == 1\n"
        "print(' after')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert done.stdout == "before after\n"


def tree(root: Path) -> dict[str, bytes]:
    """Every file's bytes, but the manifest's (it records modification times)."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != MANIFEST_FILE)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


@needs_fork
def test_a_run_with_second_processes_writes_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Link worker and second writer forced on for the shipped corpus; compared with neither."""
    for name in ("serial", "forked"):
        shutil.copytree(DATA, tmp_path / name / "data")
    serial = generate(tmp_path / "serial/data", tmp_path / "serial/docs", parallel=False)
    monkeypatch.setitem(background_module.SECOND_PROCESS_FROM, "link", 0)
    monkeypatch.setitem(background_module.SECOND_PROCESS_FROM, "write", 0)
    forked = generate(tmp_path / "forked/data", tmp_path / "forked/docs")
    assert forked.report == serial.report
    assert forked.plan == serial.plan
    assert len(forked.report.written) > 300
    assert tree(tmp_path / "forked/docs") == tree(tmp_path / "serial/docs")
    assert tree(tmp_path / "forked/data") == tree(tmp_path / "serial/data")
