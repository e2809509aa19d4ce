"""Write stage: put generated files into ``docs/``, touching nothing paperkb does not own.

* A file is *paperkb's* when it carries one of :data:`MARKER_LINES` in its fixed place
  (:func:`is_generated`); a file that only mentions the marker is not.
* The whole plan is checked before anything is written: if any target path holds a file that is
  not paperkb's (a hand-written page), the run stops with :class:`WriteError` and writes nothing.
* Files whose content is unchanged are not rewritten (their mtime stays); changed files are
  written to a temporary file in the same directory and renamed over the old one, so a reader
  or a crashed run never sees half a file.
* Generated files from earlier runs that the plan no longer contains are deleted, but only
  if they carry the marker and live in a generated folder or are a known generated file.
* Making a page is Python work and writing it is the disk's: a few threads write while the
  next pages are made, and from ``SECOND_PROCESS_FROM['write']`` files a second process (a fork, see
  :mod:`generator.runtime.background`) makes and writes every other file, so that both cores make
  pages. Which process writes a file changes nothing in it or in the report.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from collections.abc import Collection, Container, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from generator.errors import WriteError
from generator.layout import (
    CITE_DIR,
    GENERATED_DIRS,
    GENERATED_FILES,
    MARKER_LINES,
    TWIN_SUFFIXES,
    marker_line,
)
from generator.render.files import encoded
from generator.runtime.background import background, worth_a_second_process

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
#: Threads that write files, and how many made pages may wait for them.
WRITE_THREADS = 4
IN_FLIGHT = 256
#: No marker line is longer than this; a longer line is read past, never compared.
MAX_MARKER_LINE = 4_096


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    kept: tuple[str, ...] = field(default=())
    """Files in generated folders that are not paperkb's and were left alone."""
    make_seconds: float = field(default=0.0, compare=False)
    """Time spent making (rendering) deferred contents while writing; not compared."""


def is_generated(path: Path) -> bool:
    """Whether ``path`` is a file paperkb made: it carries a marker line in its fixed place
    (the rule: :func:`generator.layout.marker_line`, :data:`generator.layout.MARKER_LINES`).

    A CSL-JSON or RIS file in ``cite/``, formats with no place for a marker, is paperkb's when
    the ``.bib`` file of the same name beside it is (:data:`generator.layout.TWIN_SUFFIXES`).
    """
    try:
        with path.open("rb") as handle:
            found = marker_line(_lines(handle))
    except OSError:
        return False
    if found in MARKER_LINES:
        return True
    twin = path.with_suffix(".bib")
    return path.suffix in TWIN_SUFFIXES and path.parent.name == CITE_DIR and is_generated(twin)


def _lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """A binary file's lines without their newline; ``None`` for a line too long to be a marker
    (read past in pieces, never held whole)."""
    while line := handle.readline(MAX_MARKER_LINE + 2):
        if line.endswith(b"\n"):
            yield line[:-1]
            continue
        if len(line) <= MAX_MARKER_LINE:  # the last line, without a newline
            yield line
            return
        while line and not line.endswith(b"\n"):
            line = handle.readline(MAX_MARKER_LINE)
        yield None


def _existing_generated(docs: Path) -> tuple[set[str], set[str]]:
    """Docs-relative paths of paperkb's files on disk, and of other files in its folders."""
    ours: set[str] = set()
    others: set[str] = set()
    remove_leftovers(docs, GENERATED_FILES)
    candidates = [docs / name for name in GENERATED_FILES]
    for folder in GENERATED_DIRS:
        if (docs / folder).is_dir():
            candidates += [p for p in (docs / folder).rglob("*") if p.is_file()]
    for path in candidates:
        if not path.is_file():
            continue
        if _is_leftover(path):
            path.unlink(missing_ok=True)
            continue
        rel = path.relative_to(docs).as_posix()
        (ours if is_generated(path) else others).add(rel)
    return ours, others


#: The temporary files :func:`write_atomic` makes: ``.<name>.<process id>.tmp``.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.tmp")


def remove_leftovers(folder: Path, names: Container[str]) -> None:
    """Remove the temporary files that killed runs left for ``names`` in ``folder``."""
    try:
        found = [path.name for path in folder.iterdir()]
    except OSError:
        return
    for name in found:
        match = _TEMPORARY.fullmatch(name)
        if match and match["name"] in names and _is_leftover(folder / name):
            (folder / name).unlink(missing_ok=True)


def _is_leftover(path: Path) -> bool:
    """Whether ``path`` is a temporary file of a writer that is gone (a killed run's).

    A live process's own temporary files are left alone: a run holds the run lock
    (:mod:`generator.runtime.lock`), but a program calling the writer directly may not.
    """
    match = _TEMPORARY.fullmatch(path.name)
    if match is None:
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return True  # this run has not written yet: an earlier process with this id left it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def check_plan(docs: Path, files: Mapping[str, str], scanned: Collection[str]) -> None:
    """Refuse a plan that would overwrite a hand-written file or escape ``docs/``.

    ``scanned``: every file that exists in the generated folders and among the generated files
    (:func:`_existing_generated`), so that those paths need no look-up each; others are looked
    up.
    """
    clashes = []
    for rel in files:
        if ".." in rel.split("/") or rel.startswith("/"):
            raise WriteError(f"refusing to write outside docs/: {rel}")
        exists = rel in scanned if _in_generated_place(rel) else (docs / rel).exists()
        if exists and not is_generated(docs / rel):
            clashes.append(rel)
    if clashes:
        listed = "\n".join(f"  {docs.as_posix()}/{rel}" for rel in sorted(clashes))
        raise WriteError(
            "these files are not generated by paperkb (no marker) and would be overwritten; "
            f"move or rename them, nothing was written:\n{listed}"
        )


def _in_generated_place(rel: str) -> bool:
    return rel in GENERATED_FILES or rel.split("/", 1)[0] in GENERATED_DIRS


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename in the same directory.

    The temporary file's name is made from ``path`` and the process id, and created exclusively
    (``O_EXCL``), which is what :func:`tempfile.mkstemp` does minus its random names and retries,
    a third of the write stage at 10k papers. Permissions are 0o644 less the umask. A failure (a
    full disk, no permission) is a :class:`WriteError` naming the file; the file is then as it
    was, and no temporary file stays.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = _create(tmp)
        try:
            with os.fdopen(fd, "wb") as handle:
                fill(handle, data)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise WriteError(f"{path.as_posix()}: cannot write it: {reason}; it is as it was") from None


def fill(handle: BinaryIO, data: bytes) -> None:
    """Write ``data`` to an open file (the one place bytes reach the disk; tests make it fail)."""
    handle.write(data)


def _create(tmp: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC
    try:
        return os.open(tmp, flags, 0o644)
    except FileNotFoundError:  # a new folder
        tmp.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # left by a killed run that had this process id
        tmp.unlink()
    return os.open(tmp, flags, 0o644)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write unless the file already holds exactly ``data``; return whether it was written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:  # none yet, or unreadable: writing it says what is wrong
        pass
    write_atomic(path, data)
    return True


def write_docs(docs: Path, files: Mapping[str, str], *, parallel: bool = True) -> WriteReport:
    """Make ``docs/`` hold exactly the planned generated files, beside the hand-written ones.

    Each file's content is made (:class:`generator.render.files.Files` defers pages), encoded,
    written and dropped in turn, so only one page is held at a time;
    :attr:`WriteReport.make_seconds` is the time spent making them (in the slower process, when
    there are two: ``parallel``).
    """
    ours, others = _existing_generated(docs)
    check_plan(docs, files, ours | others)
    names = sorted(files)
    if worth_a_second_process("write", len(names), parallel=parallel):
        theirs = names[1::2]
        with background("the second writer", lambda: _write_files(docs, files, theirs)) as job:
            mine = _write_files(docs, files, names[0::2])
            other = job.result()
        written = sorted([*mine.written, *other.written])
        unchanged = sorted([*mine.unchanged, *other.unchanged])
        made = max(mine.make_seconds, other.make_seconds)
    else:
        alone = _write_files(docs, files, names)
        written, unchanged, made = list(alone.written), list(alone.unchanged), alone.make_seconds
    deleted = sorted(ours - set(files))
    for rel in deleted:
        (docs / rel).unlink()
    for folder in GENERATED_DIRS:
        _remove_empty_dirs(docs / folder)
    return WriteReport(
        tuple(written), tuple(unchanged), tuple(deleted), tuple(sorted(others)), made
    )


def _write_files(docs: Path, files: Mapping[str, str], names: list[str]) -> WriteReport:
    """Write ``files[name]`` for each of ``names`` (in order) unless unchanged.

    The file system's work (compare, create, rename) is done by a few threads while this one
    makes the next pages: it waits on the disk, not on Python, so it overlaps. At most
    IN_FLIGHT pages wait to be written; results are taken in the order of ``names``.
    """
    written: list[str] = []
    unchanged: list[str] = []
    made = 0.0
    pending: deque[tuple[str, Future[bool]]] = deque()

    def settle(limit: int) -> None:
        while len(pending) > limit:
            rel, future = pending.popleft()
            (written if future.result() else unchanged).append(rel)

    with ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="paperkb-write") as pool:
        try:
            for rel in names:
                start = time.perf_counter()
                data = encoded(files, rel)
                made += time.perf_counter() - start
                pending.append((rel, pool.submit(write_if_changed, docs / rel, data)))
                settle(IN_FLIGHT)
            settle(0)
        except BaseException:
            for _, future in pending:
                future.cancel()
            raise
    return WriteReport(tuple(written), tuple(unchanged), make_seconds=made)


def _remove_empty_dirs(root: Path) -> None:
    """Remove the empty folders under ``root`` (and ``root`` if it ends up empty), deepest first.

    ``os.walk`` reads each folder once and knows folders from files without a ``stat`` each.
    """
    if not root.is_dir():
        return
    for folder, subfolders, names in os.walk(root, topdown=False):
        if not names and not any(Path(folder, sub).exists() for sub in subfolders):
            Path(folder).rmdir()
