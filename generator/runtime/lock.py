"""The run lock: one paperkb run at a time writes a knowledge base.

Two runs over the same ``data/`` at once would race on the same generated files and registry
(one run's temporary file renamed away under the other). Every command that writes takes the
lock on ``data/.paperkb.lock`` for its whole run; a second run says plainly that another run
holds it and waits (up to :data:`WAIT_SECONDS`), then goes on or stops with an error.

The lock is the kernel's (``flock``), held on an open file: it is released when the run ends,
however it ends, a ``kill -9`` included, so a crashed run never leaves a stale lock. The file
is removed on release; a run that finds the file replaced while it waited locks the new one
(the ``stat`` check below), so a removal never lets two runs in. The lock file is hidden and
git-ignored, and the run fingerprint (:mod:`generator.writers.manifest`) leaves it out.

Where ``fcntl`` does not exist (Windows), runs are not locked.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from generator.datafiles import LOCK_FILE
from generator.errors import PaperkbError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: How long a run waits for another one before it gives up.
WAIT_SECONDS = 600.0
_POLL_SECONDS = 0.1


class LockError(PaperkbError):
    """Another run held the lock for longer than this one would wait."""


@contextlib.contextmanager
def run_lock(
    data_dir: Path,
    *,
    wait: float = WAIT_SECONDS,
    say: Callable[[str], None] = lambda text: print(text, file=sys.stderr),
) -> Iterator[None]:
    """Hold the run lock of ``data_dir`` during the block (nothing happens if it is missing)."""
    if fcntl is None or not data_dir.is_dir():
        yield
        return
    path = data_dir / LOCK_FILE
    fd = _acquire(path, wait, say)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def _acquire(path: Path, wait: float, say: Callable[[str], None]) -> int:
    deadline = time.monotonic() + wait
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            if time.monotonic() >= deadline:
                raise LockError(
                    f"another paperkb run{holder} holds {path.as_posix()} and did not finish "
                    f"within {wait:.0f} s; nothing was written. Wait for it or stop it."
                ) from None
            if not told:
                say(f"paperkb: another run{holder} holds {path.as_posix()}; waiting for it")
                told = True
            time.sleep(_POLL_SECONDS)
            continue
        if _same_file(fd, path):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # the holder removed the file as we locked it: lock the new one


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _holder(fd: int) -> str:
    """`` (process 123)`` from the lock file, or nothing when it does not say."""
    try:
        pid = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
